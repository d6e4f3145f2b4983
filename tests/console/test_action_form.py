"""The case list's action form writes the markup of Django's widgets without their templates
(complaints.console.forms.CaseActionForm); it must be the same markup."""

import pytest
from django import forms
from django.contrib.admin.helpers import ActionForm
from django.urls import reverse

from complaints.console.forms import CaseActionForm, _DirectHiddenInput, _DirectSelect

CHOICES = [
    ("", "---------"),
    ("bulk_assign", 'Tugaskan <teknisi> & "cek"'),
    ("Kelompok", [("a", "Satu"), ("b", "Dua's")]),
    (3, "Tiga"),
]


@pytest.mark.parametrize("value", [None, "", "bulk_assign", "b", 3, ["a", "b"]])
@pytest.mark.parametrize("attrs", [None, {"required": True, "data-x": '<"x">', "hidden": False}])
def test_the_select_is_djangos(value, attrs):
    theirs = forms.Select(attrs=attrs, choices=CHOICES).render("action", value)
    ours = _DirectSelect(attrs=attrs, choices=CHOICES).render("action", value)
    assert ours == theirs
    assert type(ours) is type(theirs)


@pytest.mark.parametrize("value", [None, 0, "1", '"<x>"'])
def test_the_hidden_input_is_djangos(value):
    attrs = {"class": "select-across"}
    theirs = forms.HiddenInput(attrs).render("select_across", value)
    assert _DirectHiddenInput(attrs).render("select_across", value) == theirs


def test_the_action_form_is_the_admins(world, client):
    client.force_login(world.supervisor_a)
    response = client.get(reverse("admin:complaints_case_changelist"))
    form = response.context["action_form"]
    assert isinstance(form, CaseActionForm)
    admins = ActionForm(auto_id=None)
    admins.fields["action"].choices = form.fields["action"].choices
    assert len(form.fields["action"].choices) > 1
    for ours, theirs in zip(form, admins, strict=True):
        assert str(ours) == str(theirs)
        assert str(ours) in response.content.decode()
