"""The admin site of the console: Django's, with the navigation built once per kind of user.

Every admin page lists the apps and models the user may open (the navigation sidebar). Django
builds that list on every request: each model admin's permission checks and two URL
reversals per model, then the sidebar's template, 4-6 ms of a 40 ms case-list page. It only
changes with what decides those checks, so it is kept per process for that: superuser or not,
the user's roles (our admins' permission checks read them), their model permissions, the
language and the script prefix. A change of groups or permissions gives another key from the
next request; nothing needs to be dropped. A model admin whose permission checks read anything
else about the user (their units, say) would have to add it to the key.
"""

from urllib.parse import quote

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from staff.roles import roles_of

# Kinds of users times languages times pages: a few hundred at most; past this the cache
# starts over rather than grow with something nobody expected.
_MAX_ENTRIES = 1000


class ConsoleAdminSite(AdminSite):
    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        self._app_lists: dict[tuple, list[dict]] = {}
        self._sidebars: dict[tuple, SafeString] = {}

    def _navigation_key(self, request) -> tuple | None:
        user = request.user
        if not (user.is_active and user.is_staff):
            return None
        # Our admins' checks read roles. A superuser has every model permission, so theirs are
        # not read (that costs a query).
        permissions = "all" if user.is_superuser else frozenset(user.get_all_permissions())
        return (frozenset(roles_of(user)), permissions, get_language(), get_script_prefix())

    def get_app_list(self, request, app_label=None):
        key = self._navigation_key(request)
        if key is None:
            return super().get_app_list(request, app_label)
        key = (*key, app_label)
        app_list = self._app_lists.get(key)
        if app_list is None:
            app_list = super().get_app_list(request, app_label)
            # Names are lazy translations; the key holds the language they are shown in.
            for app in app_list:
                app["name"] = str(app["name"])
                for model in app["models"]:
                    model["name"] = str(model["name"])
            _remember(self._app_lists, key, app_list)
        return app_list

    def nav_sidebar(self, request, context) -> SafeString:
        """The sidebar's HTML: the navigation, with the current app and model marked as
        admin/app_list.html marks them (their URL is part of the request's path)."""
        # Kept only for the navigation this site built (each_context's available_apps).
        key = self._navigation_key(request) if "available_apps" in context else None
        app_list = context.get("available_apps") or []
        path = quote(request.path)
        current = tuple(
            url
            for app in app_list
            for url in (app["app_url"], *(model.get("admin_url") for model in app["models"]))
            if url and url in path
        )
        cache_key = None if key is None else (*key, current)
        html = self._sidebars.get(cache_key) if cache_key else None
        if html is None:
            html = render_to_string("admin/nav_sidebar.html", context.flatten(), request=request)
            if cache_key:
                _remember(self._sidebars, cache_key, html)
        return html


def _remember(cache: dict, key: tuple, value) -> None:
    if len(cache) >= _MAX_ENTRIES:
        cache.clear()
    cache[key] = value


class ConsoleAdminConfig(AdminConfig):
    default_site = "complaints.console.site.ConsoleAdminSite"
