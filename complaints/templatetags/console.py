from django import template
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_list import result_list
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from complaints.console.site import ConsoleAdminSite
from complaints.console.times import unit_time as _unit_time

register = template.Library()


@register.simple_tag(takes_context=True)
def console_nav_sidebar(context) -> str:
    """admin/nav_sidebar.html, kept per kind of user by the console's admin site
    (complaints.console.site)."""
    site = admin.site
    if isinstance(site, ConsoleAdminSite):
        return site.nav_sidebar(context.request, context)
    return render_to_string("admin/nav_sidebar.html", context.flatten(), request=context.request)


@register.filter
def unit_time(moment, unit) -> str:
    """``{{ case.created_at|unit_time:case.service_unit }}`` → "30 Nov 2026 14:05 WITA"."""
    return _unit_time(moment, unit)


@register.filter
def time_left(due, now) -> str:
    """Hours and minutes until ``due`` (negative when past), e.g. "2 j 05 m" / "-0 j 40 m"."""
    if due is None:
        return "—"
    seconds = int((due - now).total_seconds())
    sign = "-" if seconds < 0 else ""
    minutes = abs(seconds) // 60
    return _("%(sign)s%(hours)d j %(minutes)02d m") % {
        "sign": sign,
        "hours": minutes // 60,
        "minutes": minutes % 60,
    }


@register.filter
def get_field(form, name: str):
    """``{{ form|get_field:"reason" }}``: a bound field by name (transition forms list theirs)."""
    return form[name]


@register.inclusion_tag("admin/console/change_list_results.html")
def console_result_list(cl) -> dict:
    """The admin's result_list with the list's own rows (console.changelist.RowsChangeList),
    or the admin's rows where those cannot be used."""
    rows = cl.rows()
    if rows is None:
        return {**result_list(cl), "rows": None}
    # result_list(cl) would render every row the admin's way first; the headers are enough.
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "rows": rows,
    }
