"""The API's `{"results", "pagination"}` envelope over tickets.paging."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..paging import DEFAULT_LIMIT, MAX_LIMIT, PagingError, paginate


class PageLimitPagination(BasePagination):
    # The envelope's counts, not the page: the view keeps its paginator, and lives on in a
    # reference cycle (with its request) until the collector runs, rows and all.
    counts: dict[str, int]

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        assert isinstance(queryset, QuerySet)
        try:
            page = paginate(queryset, request.query_params)
        except PagingError as error:
            raise ValidationError(error.errors) from None
        self.counts = {"page": page.page, "limit": page.limit, "total": page.total, "pages": page.pages}
        return page.items

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"results": data, "pagination": self.counts})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        counts = ("page", "limit", "total", "pages")
        return {
            "type": "object",
            "required": ["results", "pagination"],
            "properties": {
                "results": schema,
                "pagination": {
                    "type": "object",
                    "required": list(counts),
                    "properties": {name: {"type": "integer"} for name in counts},
                },
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            },
        ]
