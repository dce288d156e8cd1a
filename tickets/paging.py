"""`page` and `limit`: one parser and one page slicer for the API and the dashboard."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import OrderBy, QuerySet
from django.db.models.functions import Coalesce

from .row_pages import OneTableRows

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Up to this many matches of a search or a tag filter, sort the matches rather than walk
# a sort index: the planner cannot tell how rare a search word (or a tag) is, and walking
# created_at's index until 50 matches of a rare word turn up reads the whole table. Other
# filters it estimates from column statistics, and their indexes often give the order
# too, faster than sorting (bench/RESULTS.md, findings 4 and 28).
SORT_MATCHES_UP_TO = 5_000
UNESTIMATED_FILTERS = ("search", "tags")


class PagingError(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _positive_int(params: Mapping[str, Any], name: str, default: int, maximum: int | None = None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise PagingError({name: ["A whole number is required."]}) from None
    if value < 1 or (maximum is not None and value > maximum):
        bounds = f"between 1 and {maximum}" if maximum else "at least 1"
        raise PagingError({name: [f"Must be {bounds}."]})
    return value


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    limit: int
    total: int

    @property
    def pages(self) -> int:
        return -(-self.total // self.limit)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(queryset: QuerySet[Any], params: Mapping[str, Any]) -> Page:
    """A page past the end is an empty page with the true total, not an error."""
    page = _positive_int(params, "page", 1)
    limit = _positive_int(params, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    # Named rows of one table (the API's list) are counted and paged from one compilation
    # of their filters; other querysets (the dashboard's model instances) by the ORM.
    rows = OneTableRows.of(queryset)
    total = queryset.count() if rows is None else rows.count()
    if total <= SORT_MATCHES_UP_TO and any(str(params.get(name) or "").strip() for name in UNESTIMATED_FILTERS):
        queryset = _sorted_without_index(queryset)
    offset = (page - 1) * limit
    if offset >= total:
        items = []
    elif rows is None:
        items = list(queryset[offset : offset + limit])
    else:
        items = rows.page(queryset, offset, limit)
    return Page(items=items, page=page, limit=limit, total=total)


def _sorted_without_index(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The same order through COALESCE(x, x), which no index matches."""
    terms: list[Any] = []
    for term in queryset.query.order_by:
        if isinstance(term, OrderBy):
            terms.append(OrderBy(Coalesce(term.expression, term.expression), descending=term.descending))
        else:
            terms.append(term)
    return queryset.order_by(*terms)
