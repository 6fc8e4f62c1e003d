from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Cursor pagination on the primary key: stable under concurrent inserts, O(1) per page."""

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 1000
