"""Cursor pagination: stable under inserts (new complaints arrive all the time), no COUNT over
the case table, and every page is an index range scan."""

from rest_framework.pagination import CursorPagination


class NewestFirst(CursorPagination):
    """Cases, newest first, on the case_newest_names index (created_at, id)."""

    ordering = ("-created_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class ById(CursorPagination):
    ordering = ("id",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class StartedNewestFirst(CursorPagination):
    ordering = ("-started_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class StartsSoonestFirst(CursorPagination):
    ordering = ("starts_at", "id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
