"""The console's admin site keeps the navigation per kind of user (complaints.console.site);
what it shows must be what Django's admin would build for that user, on every page."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.models import Permission, User
from django.template import RequestContext
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from complaints.console.site import ConsoleAdminSite

SIDEBAR = re.compile(r'<button class="sticky toggle-nav-sidebar".*?</nav>', re.S)
PAGES = [
    reverse("admin:complaints_case_changelist"),
    reverse("admin:complaints_customer_changelist"),
    reverse("admin:complaints_incident_changelist"),
]


def sidebar_of(response) -> str:
    found = SIDEBAR.search(response.content.decode())
    assert found, "no navigation sidebar on the page"
    return found.group(0)


def django_sidebar(request) -> str:
    """The sidebar as Django's own AdminSite builds and renders it, nothing kept."""
    app_list = AdminSite.get_app_list(admin.site, request)
    return SIDEBAR.search(
        render_to_string(
            "admin/nav_sidebar.html",
            {"available_apps": app_list, "request": request},
            request=request,
        )
    ).group(0)


def test_the_console_runs_on_its_own_admin_site():
    assert isinstance(admin.site, ConsoleAdminSite)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("persona", ["agent_a", "supervisor_a", "manager", "superuser"])
def test_the_sidebar_is_what_django_writes(world, client, persona, language):
    user = (
        User.objects.create_superuser("root", "root@example.com", "x")
        if persona == "superuser"
        else getattr(world, persona)
    )
    client.force_login(user)
    client.post(reverse("staff_set_language"), {"language": language, "next": PAGES[0]})
    seen = []
    # Twice over: the first round builds the navigation, the second reads it back.
    for page in PAGES * 2:
        response = client.get(page)
        assert response.status_code == 200, page
        with translation.override(language):
            expected = django_sidebar(response.wsgi_request)
        ours = sidebar_of(response)
        assert ours == expected, page
        seen.append(ours)
    # The current page is marked, so each page has its own sidebar.
    assert len(set(seen)) == len(PAGES)
    assert f'href="{PAGES[0]}" aria-current="page"' in seen[0]


def test_a_permission_shows_and_goes_from_the_next_request(world, client):
    holidays = reverse("admin:staff_holiday_changelist")
    permission = Permission.objects.get(content_type__app_label="staff", codename="view_holiday")
    client.force_login(world.supervisor_a)
    assert f'href="{holidays}"' not in sidebar_of(client.get(PAGES[0]))

    world.supervisor_a.user_permissions.add(permission)
    assert f'href="{holidays}"' in sidebar_of(client.get(PAGES[0]))

    world.supervisor_a.user_permissions.remove(permission)
    assert f'href="{holidays}"' not in sidebar_of(client.get(PAGES[0]))


def test_users_of_one_kind_share_the_navigation_others_do_not(world, client):
    site = admin.site
    site._app_lists.clear()
    for user in (world.agent_a, world.agent_b):
        client.force_login(user)
        client.get(PAGES[0])
    # Two agents of different units: same roles and permissions, one navigation.
    assert len(site._app_lists) == 1
    client.force_login(world.manager)
    client.get(PAGES[0])
    assert len(site._app_lists) == 2


def test_a_sidebar_without_the_sites_navigation_is_not_kept(world, rf):
    site = admin.site
    site._sidebars.clear()
    request = rf.get(PAGES[0])
    request.user = world.agent_a
    html = site.nav_sidebar(request, RequestContext(request, {"is_nav_sidebar_enabled": True}))
    assert 'id="nav-sidebar"' in html
    assert site._sidebars == {}
