"""A changelist paginator that never counts a big table in full."""

from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

# Filtered lists are counted exactly up to this many rows; past it the page links stop
# growing, which is all a person paging through a queue needs.
CAPPED_COUNT = 10_000


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
