"""Changelist paginators that never count a big table in full, and read deep pages by id."""

from enum import StrEnum

from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils.functional import cached_property

# Filtered lists are counted exactly up to this many rows; past it the page links stop
# growing, which is all a person paging through a queue needs.
CAPPED_COUNT = 10_000
# From this offset a page is read as a deferred join: OFFSET walks and throws away every
# earlier row, and with the page's joins it reads each of them from five tables. The ids
# come from the index alone; then only the page's rows are joined.
DEFERRED_JOIN_FROM = 500


class CountKind(StrEnum):
    """How the count a list shows was taken (templates/admin/pagination.html words it)."""

    EXACT = "exact"
    MORE_THAN = "more_than"  # at least ``count``: the cap or the look-ahead stopped there
    ABOUT = "about"  # the planner's estimate of an unfiltered table


class EstimatedCountPaginator(Paginator):
    count_kind = CountKind.EXACT

    @cached_property
    def count(self) -> int:
        query = self.object_list.query
        if not query.where and not query.distinct:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [self.object_list.model._meta.db_table],
                )
                row = cursor.fetchone()
            estimate = int(row[0]) if row else -1
            # A table never analyzed reports -1 (or 0): a real count is cheap then.
            if estimate > CAPPED_COUNT:
                self.count_kind = CountKind.ABOUT
                return estimate
        count = self.object_list.order_by()[: CAPPED_COUNT + 1].count()
        if count > CAPPED_COUNT:
            self.count_kind = CountKind.MORE_THAN
        return count

    @property
    def shown_count(self) -> int:
        """The number the list shows: a "more than" count shows the rows it is sure of."""
        return self.count - 1 if self.count_kind == CountKind.MORE_THAN else self.count

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < DEFERRED_JOIN_FROM or not self._can_defer_join():
            return super().page(number)
        top = min(bottom + self.per_page, self.count)
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom: int, top: int) -> list:
        rows = self.object_list
        if bottom < DEFERRED_JOIN_FROM or not self._can_defer_join():
            return list(rows[bottom:top])
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        # The page's rows with the list's joins and order; the list's filters were applied
        # when the ids were chosen.
        page_rows = rows.model._default_manager.filter(pk__in=ids).order_by(*rows.query.order_by)
        page_rows.query.select_related = rows.query.select_related
        return list(page_rows)

    def _can_defer_join(self) -> bool:
        query = getattr(self.object_list, "query", None)
        # Only a plain list with an explicit, total order (the changelist adds the pk):
        # annotations, DISTINCT or extra() would not survive the second query.
        return bool(
            query is not None
            and query.order_by
            and not query.annotations
            and not query.distinct
            and not query.extra
            and not query.combinator
        )


class LookAheadPaginator(EstimatedCountPaginator):
    """For a list whose matches are too many to count on every page (a name search: at 10M
    a fragment matches tens of thousands of cases, and counting even 10,000 of them costs
    more than the page). It reads the page asked for and one row more, in the list's order,
    and counts only that far: the page links end at the next page, and the rows read are the
    page, so the count costs no query of its own."""

    def __init__(self, object_list, per_page, *, page_number: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.page_number = page_number

    @cached_property
    def _bottom(self) -> int:
        return max(self.page_number - 1, 0) * self.per_page

    @cached_property
    def _look_ahead(self) -> list:
        if self.page_number < 1:
            return []
        return self._rows(self._bottom, self._bottom + self.per_page + 1)

    @cached_property
    def count(self) -> int:
        rows = self._look_ahead
        if len(rows) > self.per_page:
            self.count_kind = CountKind.MORE_THAN
        # Past the last match (a page number out of range) the count ends before the page,
        # so validate_number refuses it as it would any page beyond the end.
        return self._bottom + len(rows)

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        if number != self.page_number:
            return super().page(number)
        return self._get_page(self._look_ahead[: self.per_page], number, self)
