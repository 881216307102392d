"""Page-number pagination for every list: ``?page=1&page_size=20`` → items, count, page, pages."""

import math
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class Pagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, description="1-based page number")
        page_size: int = Field(20, ge=1, le=100, description="Items per page (at most 100)")

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, **params: Any) -> dict[str, Any]:
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "pages": max(1, math.ceil(count / pagination.page_size)),
        }
