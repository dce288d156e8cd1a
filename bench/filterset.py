"""CPU per request of the list's filter set: built, validated, filtering a query (no SQL run).

`python bench/filterset.py VARIANT` from the repository root, with the production
settings' environment (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL; nothing is read from the
database). VARIANT is `current` (tickets/filters.py as it is), `public` (the form class
built once through `get_form_class`, filters and fields copied as the frameworks copy
them) or `plain` (django-filter with no override). Run the variants interleaved, each in
a process of its own: finding 39 of bench/RESULTS.md.
"""

import copy
import os
import statistics
import sys
import time
from functools import cache
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django import forms  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django_filters.filterset import BaseFilterSet  # noqa: E402

from tickets.filters import TicketFilter  # noqa: E402
from tickets.selectors import ticket_list  # noqa: E402

PARAMETERS = [
    QueryDict("status=open&priority=high"),
    QueryDict("assignedTo=unassigned"),
    QueryDict("overdue=true&sortBy=priority"),
]


def use_public_api(*, form_built_once: bool) -> None:
    TicketFilter.base_filters = dict(TicketFilter.base_filters)  # deep-copied by each set, as shipped
    if not form_built_once:
        TicketFilter.get_form_class = BaseFilterSet.get_form_class  # type: ignore[method-assign]
        return

    @cache
    def form_class() -> type[forms.Form]:
        fields = {name: filter_.field for name, filter_ in copy.deepcopy(TicketFilter.base_filters).items()}
        return type("TicketFilterForm", (forms.Form,), fields)

    TicketFilter.get_form_class = lambda self: form_class()  # type: ignore[method-assign]


def one_request() -> None:
    for parameters in PARAMETERS:
        filter_set = TicketFilter(parameters, queryset=ticket_list())
        assert filter_set.is_valid()
        filter_set.qs  # noqa: B018 -- builds the filtered query


def median_cpu_ms(samples: int = 3000) -> float:
    times = []
    for _ in range(samples):
        start = time.process_time()
        one_request()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000 / len(PARAMETERS)


if __name__ == "__main__":
    variant = sys.argv[1] if len(sys.argv) > 1 else "current"
    if variant != "current":
        use_public_api(form_built_once=variant == "public")
    one_request()  # warm: the form class, translations
    print(f"{variant}: {median_cpu_ms():.3f} ms per filter set")
