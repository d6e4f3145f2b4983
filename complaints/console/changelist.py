"""Changelists of the console: a name search pages by look-ahead instead of a count, and the
case and customer lists write their rows themselves (RowsChangeList)."""

from collections.abc import Callable

from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.db.models import Model
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from complaints.models import Case, Customer
from complaints.paginators import LookAheadPaginator
from complaints.selectors import is_name_search

# Stands for the id in the change URL reversed once per page (see url_for_result).
_SOME_ID = 987654321987654321


def requested_page(request) -> int:
    # As ChangeList reads it: anything that is not a number is the first page.
    try:
        return int(request.GET.get(PAGE_VAR, 1))
    except ValueError:
        return 1


class LookAheadChangeList(ChangeList):
    def get_results(self, request):
        looking_ahead = is_name_search(self.query)
        if looking_ahead:
            # "Show all" would read every match of the fragment (tens of thousands at 10M).
            self.show_all = False
        super().get_results(request)
        if looking_ahead and isinstance(self.paginator, LookAheadPaginator):
            self.can_show_all = False
            if not self.multi_page and self.page_num == 1:
                # Every match fits on the page and was read by the look-ahead; the admin
                # would read them again without a limit.
                self.result_list = self.paginator.page(1).object_list


class NameSearchLookAheadMixin:
    """For a ModelAdmin whose search box takes part of a name: such a search is paged by
    look-ahead (complaints.paginators.LookAheadPaginator), every other list by its count."""

    changelist_class = LookAheadChangeList

    def get_changelist(self, request, **kwargs):
        return self.changelist_class

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if is_name_search(request.GET.get(SEARCH_VAR, "")):
            return LookAheadPaginator(
                queryset,
                per_page,
                page_number=requested_page(request),
                orphans=orphans,
                allow_empty_first_page=allow_empty_first_page,
            )
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)


class RowsChangeList(LookAheadChangeList):
    """A list that writes its rows itself, with the markup the admin's items_for_result writes
    for the same columns (tests/console/test_case_rows.py and test_customer_rows.py compare the
    two), in one pass: the admin resolves every cell's field, builds a choices dict per cell,
    escapes lazy labels through gettext again in every cell and adds the preserved filters to
    each row's link; 11 ms of a 25-row case list's Python at 10M, ~3 ms here.
    ``columns`` names the writer of each column; the template tag console_result_list falls
    back to the admin's rows where ``rows`` is None (a popup, a column it does not know)."""

    # The one column that links to the change page, and the columns shown by choice label.
    link_column = ""
    choice_columns: tuple[str, ...] = ()

    @cached_property
    def _change_url(self) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(_SOME_ID,),
            current_app=self.model_admin.admin_site.name,
        )

    def url_for_result(self, result) -> str:
        # The admin reverses the change URL for every row; the ids are integers, so one
        # reversal serves the page.
        return self._change_url.replace(str(_SOME_ID), str(result.pk))

    def columns(self, cell, choice, link) -> dict[str, Callable[[Model], str]]:
        """The writer of each column, by its list_display name, built from ``cell(name,
        value, nowrap="")``, ``choice(name, value)`` and ``link(name, obj, value)``."""
        raise NotImplementedError

    def rows(self) -> list[SafeString] | None:
        admin = self.model_admin
        if self.is_popup or list(self.list_display_links) != [self.link_column]:
            return None
        # Labels are lazy translations: resolved once here, not in every cell (each lazy
        # label compared or escaped goes through gettext again; 550 calls on a 25-row page).
        empty = conditional_escape(str(admin.get_empty_value_display()))
        url = escape(
            add_preserved_filters(
                {"preserved_filters": self.preserved_filters, "opts": self.opts}, self._change_url
            )
        )
        labels = {
            name: {key: str(label) for key, label in self.opts.get_field(name).flatchoices}
            for name in self.choice_columns
        }
        placeholder = str(_SOME_ID)

        def cell(name: str, value, nowrap: str = "") -> str:
            # What the admin writes for a value: the empty display for None and "", else
            # the value escaped unless already safe.
            shown = empty if value is None or value == "" else conditional_escape(value)
            return f'<td class="field-{name}{nowrap}">{shown}</td>'

        def choice(name: str, value) -> str:
            return cell(name, labels[name].get(value, empty))

        def link(name: str, obj: Model, value) -> str:
            return (
                f'<th class="field-{name}"><a href="{url.replace(placeholder, str(obj.pk))}">'
                f"{conditional_escape(value)}</a></th>"
            )

        columns = {
            "action_checkbox": lambda obj: (
                f'<td class="action-checkbox">{admin.action_checkbox(obj)}</td>'
            ),
            **self.columns(cell, choice, link),
        }
        if any(name not in columns for name in self.list_display):
            return None
        render = [columns[name] for name in self.list_display]
        # Every cell escapes what it shows; the joined row is safe.
        return [
            mark_safe("".join([column(obj) for column in render]))  # noqa: S308
            for obj in self.result_list
        ]


class CaseChangeList(RowsChangeList):
    link_column = "ticket"
    choice_columns = ("status", "priority", "channel")

    def columns(self, cell, choice, link) -> dict[str, Callable[[Case], str]]:
        admin = self.model_admin
        return {
            "ticket": lambda case: link("ticket", case, case.ticket),
            "status": lambda case: choice("status", case.status),
            "priority": lambda case: choice("priority", case.priority),
            "sla": lambda case: cell("sla", admin.sla(case)),
            "category": lambda case: cell("category", case.category, " nowrap"),
            "channel": lambda case: choice("channel", case.channel),
            "customer_name": lambda case: cell("customer_name", admin.customer_name(case)),
            "service_unit": lambda case: cell("service_unit", case.service_unit, " nowrap"),
            "technician": lambda case: cell("technician", case.technician, " nowrap"),
            "created_local": lambda case: cell("created_local", admin.created_local(case)),
            "due_local": lambda case: cell("due_local", admin.due_local(case)),
        }


class CustomerChangeList(RowsChangeList):
    link_column = "id_pelanggan"

    def columns(self, cell, choice, link) -> dict[str, Callable[[Customer], str]]:
        return {
            "id_pelanggan": lambda customer: link("id_pelanggan", customer, customer.id_pelanggan),
            "meter_number": lambda customer: cell("meter_number", customer.meter_number),
            "name": lambda customer: cell("name", customer.name),
            "service_unit": lambda customer: cell("service_unit", customer.service_unit, " nowrap"),
            "area_code": lambda customer: cell("area_code", customer.area_code),
        }
