"""A changelist paginator that never counts a big table in full, and reads deep pages by id."""

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


class EstimatedCountPaginator(Paginator):
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
                return estimate
        return self.object_list.order_by()[: CAPPED_COUNT + 1].count()

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < DEFERRED_JOIN_FROM or not self._can_defer_join():
            return super().page(number)
        top = min(bottom + self.per_page, self.count)
        rows = self.object_list
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        # The page's rows with the list's joins and order; the list's filters were applied
        # when the ids were chosen.
        page_rows = rows.model._default_manager.filter(pk__in=ids).order_by(*rows.query.order_by)
        page_rows.query.select_related = rows.query.select_related
        return self._get_page(list(page_rows), number, self)

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
