"""Page-number pagination for every list: ``?page=1&page_size=20`` → items, count, page, pages.

A page_size above the cap is served at the cap (and says so in ``page_size``) rather than refused.
"""

import math
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

MAX_PAGE_SIZE = 100


class Pagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, description="1-based page number")
        page_size: int = Field(20, ge=1, description=f"Items per page (larger values are capped at {MAX_PAGE_SIZE})")

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        page_size = min(pagination.page_size, MAX_PAGE_SIZE)
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        offset = (pagination.page - 1) * page_size
        return {
            # past the end there is nothing to fetch (and a huge offset would overflow SQLite's integers)
            "items": list(queryset[offset : offset + page_size]) if offset < count else [],
            "count": count,
            "page": pagination.page,
            "page_size": page_size,
            "pages": max(1, math.ceil(count / page_size)),
        }
