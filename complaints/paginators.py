"""Changelist paginators that never count a big table in full, and choose a page's rows by id."""

from enum import StrEnum

from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils.functional import cached_property

# Filtered lists are counted exactly up to this many rows; past it the page links stop
# growing, which is all a person paging through a queue needs.
CAPPED_COUNT = 10_000


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
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom: int, top: int) -> list:
        rows = self.object_list
        if not self._can_defer_join():
            return list(rows[bottom:top])
        # A deferred join in one statement: the page's ids are chosen by a subquery on the
        # list's table alone, with its filters, order and LIMIT/OFFSET, then only those rows
        # are joined. The subquery is planned on its own, so it walks the ordering index,
        # often without reading a row (the covering open-queue index), where the planner,
        # given the joins, misjudges a filter it cannot estimate (the SLA states: it read and
        # sorted every open case, 242 ms at 10M) or OFFSET walks and joins every earlier row.
        order = rows.query.order_by
        page_rows = rows.model._default_manager.filter(
            pk__in=rows.values("pk")[bottom:top]
        ).order_by(*order)
        page_rows.query.select_related = rows.query.select_related
        return list(page_rows)

    def _can_defer_join(self) -> bool:
        query = getattr(self.object_list, "query", None)
        if query is None or not query.order_by:
            return False
        # The outer query has the rows' own columns and order only: a selected annotation,
        # an order by an annotation, DISTINCT or extra() would not survive it. A filter's
        # alias (the SLA states' at-risk moment) stays in the subquery.
        by_annotation = any(str(field).lstrip("-") in query.annotations for field in query.order_by)
        return not (
            query.annotation_select
            or by_annotation
            or query.distinct
            or query.extra
            or query.combinator
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
