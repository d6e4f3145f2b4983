"""Who sees the integration pages of the admin (migration complaints.0015): staff issue and
revoke their own API tokens only; managers see the webhook subscriptions and Open311 clients
without being able to change them or their secrets; agents and supervisors do not see those."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from complaints.api.tokens import api_token_create, hash_key
from complaints.models import ApiToken, Open311Client, WebhookSubscription
from staff.roles import Role
from tests import factories
from tests.reference_data import ensure_reference_data

TOKENS = reverse("admin:complaints_apitoken_changelist")
TOKEN_ADD = reverse("admin:complaints_apitoken_add")
WEBHOOKS = reverse("admin:complaints_webhooksubscription_changelist")
OPEN311 = reverse("admin:complaints_open311client_changelist")


@pytest.fixture
def subscription(world) -> WebhookSubscription:
    from complaints import clock, webhooks

    return WebhookSubscription.objects.create(
        name="CRM",
        url="https://crm.example/hook",
        secret=webhooks.new_secret(),
        created_at=clock.now(),
    )


@pytest.mark.parametrize("persona", ["agent_a", "supervisor_a", "manager"])
def test_staff_issue_a_token_for_themselves(world, client, persona):
    user = getattr(world, persona)
    client.force_login(user)

    form = client.get(TOKEN_ADD)
    assert form.status_code == 200
    assert "user" not in form.context["adminform"].form.fields
    # A user id in the form is ignored: the token is the logged-in user's.
    response = client.post(TOKEN_ADD, {"name": "CTI", "user": world.manager.pk}, follow=True)

    token = ApiToken.objects.get()
    assert token.user == user
    shown = response.content.decode().split(token.key_prefix, 1)[1].split("<", 1)[0]
    assert token.key_hash == hash_key(token.key_prefix + shown.strip())


def test_staff_see_and_revoke_only_their_own_tokens(world, client):
    mine, _ = api_token_create(user=world.agent_a, name="mine")
    theirs, _ = api_token_create(user=world.agent_b, name="theirs")
    client.force_login(world.agent_a)

    listed = client.get(TOKENS)
    assert [row.pk for row in listed.context["cl"].result_list] == [mine.pk]
    other = reverse("admin:complaints_apitoken_change", args=[theirs.pk])
    assert client.get(other).status_code == 302  # the admin's "does not exist" redirect
    client.post(TOKENS, {"action": "revoke", "_selected_action": [mine.pk, theirs.pk]})

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None


def test_technicians_have_no_staff_api_tokens(world, client):
    # Technicians do not use the admin (not staff: its login page), and even as staff their
    # group grants no token: the staff API is not theirs.
    user = world.technician_a.user
    client.force_login(user)
    assert client.get(TOKENS).status_code == 302
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    assert client.get(TOKENS).status_code == 403


def test_manager_sees_integrations_read_only(world, client, subscription):
    Open311Client.objects.create(
        name="Aplikasi Kota",
        key_hash="0" * 64,
        key_prefix="o311_abc",
        created_at=subscription.created_at,
    )
    client.force_login(world.manager)

    listed = client.get(WEBHOOKS)
    assert [row.pk for row in listed.context["cl"].result_list] == [subscription.pk]
    action_form = listed.context["action_form"]
    actions = {name for name, _ in action_form.fields["action"].choices} if action_form else set()
    assert "rotate_secret" not in actions
    page = client.get(
        reverse("admin:complaints_webhooksubscription_change", args=[subscription.pk])
    )
    assert page.status_code == 200
    assert subscription.secret not in page.content.decode()  # masked, as for a superuser
    assert client.get(reverse("admin:complaints_webhooksubscription_add")).status_code == 403
    assert client.get(OPEN311).status_code == 200
    assert client.get(reverse("admin:complaints_open311client_add")).status_code == 403

    # The rotate actions need the change permission: posting one changes nothing.
    secret = subscription.secret
    client.post(WEBHOOKS, {"action": "rotate_secret", "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert subscription.secret == secret


@pytest.mark.parametrize("persona", ["agent_a", "supervisor_a"])
def test_desk_staff_do_not_see_integrations(world, client, subscription, persona):
    client.force_login(getattr(world, persona))

    assert client.get(WEBHOOKS).status_code == 403
    assert client.get(OPEN311).status_code == 403


def test_the_admin_index_lists_what_each_role_may_open(world, rf):
    def models_of(user) -> set[str]:
        request = rf.get("/admin/")
        request.user = user
        apps = admin.site.get_app_list(request)
        return {model["object_name"] for app in apps for model in app["models"]}

    outage_pages = {"Incident", "IncidentEvent", "PlannedOutage", "StormSwitch"}
    integrations = {"WebhookSubscription", "Open311Client"}
    assert models_of(world.agent_a) >= outage_pages | {"ApiToken"}
    assert models_of(world.agent_a) & integrations == set()
    assert models_of(world.supervisor_a) >= outage_pages | {"ApiToken"}
    assert models_of(world.supervisor_a) & integrations == set()
    assert models_of(world.manager) >= outage_pages | integrations | {"ApiToken"}


def test_restored_reference_data_keeps_the_later_grants(db):
    # What a transactional test's flush leaves: no groups. The restore must bring back the
    # grants of the later migrations too, not only staff.0002's.
    Group.objects.all().delete()

    ensure_reference_data()

    manager = factories.make_user(Role.MANAGER, username="m2")
    agent = factories.make_user(Role.AGENT, username="a2")
    assert manager.has_perms(
        [
            "complaints.view_incident",
            "complaints.view_webhooksubscription",
            "complaints.view_open311client",
            "complaints.add_apitoken",
        ]
    )
    assert agent.has_perms(["complaints.view_incident", "complaints.add_apitoken"])
    assert not agent.has_perm("complaints.view_webhooksubscription")
