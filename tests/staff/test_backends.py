"""staff.backends.StaffBackend: the user comes with their roles, units, permissions and
console language in one query, and nothing of it outlives the request."""

from django.contrib.auth.models import User
from django.urls import reverse

from staff.access import unit_ids_for
from staff.backends import StaffBackend
from staff.models import StaffMember
from staff.roles import roles_of

LIST_URL = reverse("admin:complaints_case_changelist")


def test_the_user_comes_with_what_every_console_request_asks(world, django_assert_num_queries):
    region_member = world.supervisor_a
    StaffMember.objects.filter(user=region_member).update(language="en")
    fresh = User.objects.get(pk=region_member.pk)
    expected = (roles_of(fresh), unit_ids_for(fresh), fresh.get_all_permissions())

    with django_assert_num_queries(1):
        loaded = StaffBackend().get_user(region_member.pk)
    with django_assert_num_queries(0):
        assert (roles_of(loaded), unit_ids_for(loaded), loaded.get_all_permissions()) == expected
        assert loaded.has_perm("complaints.view_case")
        assert loaded._aduan_language == "en"
    assert expected[2]  # the comparison is not between two empty sets


def test_an_inactive_user_is_not_loaded(world):
    User.objects.filter(pk=world.agent_a.pk).update(is_active=False)

    assert StaffBackend().get_user(world.agent_a.pk) is None


def test_a_change_of_groups_counts_from_the_next_request(world, client):
    client.force_login(world.agent_a)
    assert client.get(LIST_URL).status_code == 200

    world.agent_a.groups.clear()

    assert client.get(LIST_URL).status_code == 403


def test_an_unknown_or_malformed_id_loads_nobody(world, django_assert_num_queries):
    # The query is compiled once per process and run with the id as a parameter.
    assert StaffBackend().get_user(world.agent_a.pk) is not None
    with django_assert_num_queries(1):
        assert StaffBackend().get_user(10**9) is None
    with django_assert_num_queries(0):
        assert StaffBackend().get_user("1 OR 1=1") is None
