"""Console forms. They validate input and name the fields; services decide everything else."""

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from complaints.identifiers import normalize_phone
from complaints.models import Category, Customer, Priority
from complaints.selectors import case_by_ticket, service_units_for
from complaints.workflow import CaseStatus
from staff.models import ServiceUnit, Technician

UNIT_REQUIRED = _("Pilih unit layanan untuk pelapor yang bukan pelanggan.")
TICKET_NOT_FOUND = _("Nomor tiket tidak ditemukan atau di luar unit Anda.")


class PhoneComplaintForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, widget=forms.HiddenInput
    )
    service_unit = forms.ModelChoiceField(
        label=_("Unit layanan"), queryset=ServiceUnit.objects.none(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Kategori"), queryset=Category.objects.filter(active=True)
    )
    description = forms.CharField(
        label=_("Uraian keluhan"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    location_text = forms.CharField(
        label=_("Lokasi / alamat kejadian"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reporter_name = forms.CharField(label=_("Nama penelepon"), required=False, max_length=120)
    caller_phone = forms.CharField(label=_("Nomor penelepon"), required=False, max_length=30)
    call_id = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    # Set when the agent has seen the duplicate warning and still wants a new case.
    open_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = service_units_for(user)
        self.fields["service_unit"].queryset = units.order_by("path")
        self.fields["customer"].queryset = Customer.objects.filter(service_unit__in=units)

    def clean_caller_phone(self) -> str:
        value = self.cleaned_data["caller_phone"].strip()
        return normalize_phone(value) if value else ""

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("customer") and not data.get("service_unit"):
            self.add_error("service_unit", UNIT_REQUIRED)
        return data


class VersionedForm(forms.Form):
    # The version the page was rendered with: a change made meanwhile makes this one stale.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TransitionForm(VersionedForm):
    target = forms.ChoiceField(choices=CaseStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Alasan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    resolution = forms.CharField(
        label=_("Penyelesaian"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    technician = forms.ModelChoiceField(
        label=_("Teknisi"), queryset=Technician.objects.all(), required=False
    )
    merged_into = forms.CharField(label=_("Gabung ke tiket"), required=False, max_length=20)
    eta = forms.DateTimeField(label=_("Perkiraan tiba"), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_merged_into(self):
        text = self.cleaned_data["merged_into"].strip()
        if not text:
            return None
        case = case_by_ticket(user=self.user, text=text)
        if case is None:
            raise ValidationError(TICKET_NOT_FOUND)
        return case


class NoteForm(VersionedForm):
    note = forms.CharField(label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 3}))
    to_customer = forms.BooleanField(label=_("Kirim ke pelanggan"), required=False)


class AssignForm(VersionedForm):
    technician = forms.ModelChoiceField(label=_("Teknisi"), queryset=Technician.objects.all())


class MergeForm(VersionedForm):
    ticket = forms.CharField(label=_("Gabung ke tiket"), max_length=20)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_ticket(self):
        case = case_by_ticket(user=self.user, text=self.cleaned_data["ticket"])
        if case is None:
            raise ValidationError(TICKET_NOT_FOUND)
        return case


class PriorityForm(VersionedForm):
    priority = forms.TypedChoiceField(label=_("Prioritas"), choices=Priority.choices, coerce=int)


# --- The case list's action form, written without the template engine. ---


def _attributes(attrs: dict) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name.
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class _DirectSelect(forms.Select):
    """forms.Select writing django/forms/widgets/select.html's markup itself: the admin
    renders the action select on every list page through five templates (~1.5 ms);
    tests/console/test_action_form.py compares the two."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        html = [
            f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>'
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            # Each option ends with the option template's own final newline.
            html.extend(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


class _DirectHiddenInput(forms.HiddenInput):
    """forms.HiddenInput writing django/forms/widgets/input.html's markup itself."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = (
            ""
            if widget["value"] is None
            else f' value="{conditional_escape(str(widget["value"]))}"'
        )
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<input type="{widget["type"]}" name="{conditional_escape(widget["name"])}"{shown}'
            f"{_attributes(widget['attrs'])}>"
        )


class CaseActionForm(ActionForm):
    """The admin's ActionForm with the same markup, written directly."""

    action = forms.ChoiceField(label=ActionForm.base_fields["action"].label, widget=_DirectSelect)
    select_across = forms.BooleanField(
        label="",
        required=False,
        initial=0,
        widget=_DirectHiddenInput({"class": "select-across"}),
    )
