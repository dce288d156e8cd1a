"""The ticket list's query parameters: filters, search and sort (API, export and dashboard).

Every parameter is validated: an unknown status, sort key or date range is a 400 naming
the parameter, never silently ignored.

Two shortcuts past django-filter's and Django's own copying, kept because django-filter's
public API costs the cheapest lists their latency target (bench/RESULTS.md, findings 22,
31 and 39): the validating form's class is built once and its fields are shared, and the
filters are copied shallowly for each filter set. Both rest on how the frameworks copy
(a filter set deep-copies its class's `base_filters`, a form its class's `base_fields`);
tickets/tests/test_filters.py checks that each filter set still gets filters of its own,
bound to it, and that sets in flight together judge their own parameters.
"""

import copy
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django.utils import timezone

from . import custom_fields
from .actors import display_name
from .exceptions import TicketError
from .models import SupportTicket, TicketCategory, TicketPriority, TicketSource, TicketStatus
from .search import search_filter, uses_full_text
from .selectors import status_sort_key
from .sla import overdue_q

UNASSIGNED = "unassigned"
ME = "me"
NONE = "none"
MAX_SEARCH_LENGTH = 200
DATE_RANGES = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
}
SORT_FIELDS: dict[str, Any] = {
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "priority": "priority_rank",
    "status": status_sort_key,
    "ticketNumber": "number",
    "subject": "subject",
    "assignedTo": "assigned_to",
    "resolutionDeadline": "resolution_deadline",
}


class CommaSeparatedChoiceField(forms.Field):
    """`open,in_progress` -> ["open", "in_progress"], each checked against the choices."""

    def __init__(self, *, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        self.valid = [value for value, _ in choices]
        kwargs.pop("null_label", None)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        return [part.strip() for part in str(value).split(",") if part.strip()]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        for item in value:
            if item not in self.valid:
                # Typed text goes in params, never in the message: django-filter %-formats it.
                raise forms.ValidationError(
                    '"%(value)s" is not one of: %(choices)s.', params={"value": item, "choices": ", ".join(self.valid)}
                )


class CommaChoiceFilter(django_filters.Filter):
    field_class = CommaSeparatedChoiceField

    def filter(self, qs: QuerySet[SupportTicket], value: list[str]) -> QuerySet[SupportTicket]:
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


class IdOrNoneField(forms.Field):
    """A row id, or "none" (returned as 0) for tickets without one."""

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip().lower()
        if not text:
            return None
        if text == NONE:
            return 0
        if not text.isdigit() or len(text) > 18:
            raise forms.ValidationError('Give an id, or "none".')
        return int(text)


class IdOrNoneFilter(django_filters.Filter):
    field_class = IdOrNoneField

    def filter(self, qs: QuerySet[SupportTicket], value: int | None) -> QuerySet[SupportTicket]:
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__isnull": True} if value == 0 else {self.field_name: value})


class DateOrDateTimeField(forms.Field):
    """An ISO 8601 date or date-time; a bare date means that whole day."""

    def to_python(self, value: Any) -> datetime | date | None:
        if not value:
            return None
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise forms.ValidationError("Give an ISO 8601 date or date-time.") from None
        if len(text) == 10:
            return parsed.date()
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


@cache
def _form_class() -> type[forms.Form]:
    """The validating form, built once: django-filter builds the same class (a field per
    filter, with labels) for every request."""
    filters = copy.deepcopy(dict(TicketFilter.base_filters))  # the class's own filters stay unbuilt
    fields = {name: filter_.field for name, filter_ in filters.items()}
    form_class = type("TicketFilterForm", (TicketFilter._meta.form,), fields)
    form_class.base_fields = _SharedFields(form_class.base_fields)  # type: ignore[attr-defined]
    return form_class


class _SharedFields(dict[str, forms.Field]):
    """The form's fields, shared by every form: Django deep-copies a form's fields for each
    instance, for forms that change them per request; these only validate, which reads them."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


class _FiltersCopiedShallow(dict[str, django_filters.Filter]):
    """The filter set's filters, copied for each instance only as deep as an instance
    changes them: django-filter deep-copies every filter (with its choices and options) so
    that each can point at its own filter set; a shallow copy can too, re-bound to its
    `method`."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, django_filters.Filter]:
        return {name: _own_copy(filter_) for name, filter_ in self.items()}


def _own_copy(filter_: django_filters.Filter) -> django_filters.Filter:
    clone = copy.copy(filter_)
    if filter_.method is not None:
        clone.method = filter_.method  # a new FilterMethod that calls the clone's parent
    return clone


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class TicketFilterForm(forms.Form):
    """Judges the `cf_<key>` parameters too (custom fields, tickets/custom_fields.py): their
    names are data, so they are no filters of their own. Their parsed values go in
    `custom_values`; a refusal names the parameter, as the filters' do."""

    custom_values: dict[str, Any] = {}  # replaced per form, never changed in place

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        try:
            self.custom_values = custom_fields.filter_definitions(self.data)
        except TicketError as error:
            # A parameter without a form field: add_error() accepts only the form's fields.
            message = forms.ValidationError("%(message)s", params={"message": error.message})
            self.errors[error.field] = self.error_class([message])
        return cleaned


class TicketFilter(django_filters.FilterSet):
    status = CommaChoiceFilter(choices=TicketStatus.choices)
    priority = CommaChoiceFilter(choices=TicketPriority.choices)
    category = CommaChoiceFilter(choices=TicketCategory.choices)
    source = CommaChoiceFilter(choices=TicketSource.choices)
    assignedTo = django_filters.CharFilter(
        method="filter_assigned_to",
        max_length=100,
        help_text=f'An assignee name, "{ME}" for your own tickets, or "{UNASSIGNED}".',
    )
    assigneeId = IdOrNoneFilter(field_name="assignee_id", help_text=f'An agent\'s id, or "{NONE}".')
    teamId = IdOrNoneFilter(field_name="team_id", help_text=f'A team\'s id, or "{NONE}".')
    tags = django_filters.CharFilter(method="filter_tags", max_length=500, help_text="Comma list; all must match.")
    overdue = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="filter_overdue")
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_SEARCH_LENGTH,
        help_text="Full text over subject, description, customer and comments; or a ticket number.",
    )
    dateRange = django_filters.ChoiceFilter(choices=[(key, key) for key in DATE_RANGES], method="filter_date_range")
    createdFrom = DateOrDateTimeFilter(method="filter_created_from", help_text="ISO 8601 date or date-time.")
    createdTo = DateOrDateTimeFilter(method="filter_created_to", help_text="ISO 8601; a date includes that day.")
    sortBy = django_filters.ChoiceFilter(choices=[(key, key) for key in SORT_FIELDS], method="keep")
    sortOrder = django_filters.ChoiceFilter(choices=[("desc", "desc"), ("asc", "asc")], method="keep")

    class Meta:
        model = SupportTicket
        fields: list[str] = []
        form = TicketFilterForm

    def get_form_class(self) -> type[forms.Form]:
        return _form_class()

    def keep(self, queryset: QuerySet[SupportTicket], name: str, value: Any) -> QuerySet[SupportTicket]:
        return queryset  # applied once all filters ran, in filter_queryset

    def filter_assigned_to(self, queryset: QuerySet[SupportTicket], name: str, value: str) -> QuerySet[SupportTicket]:
        wanted = value.strip()
        if wanted.lower() == ME:
            return queryset.filter(**self._mine())
        return queryset.filter(assigned_to="" if wanted.lower() == UNASSIGNED else wanted)

    def _mine(self) -> dict[str, Any]:
        """The asking user's tickets: their agent's, or, for a user who is no agent, those
        assigned to their name as written."""
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return {"pk__in": []}
        agent = getattr(user, "agent", None)
        return {"assignee_id": agent.pk} if agent is not None else {"assigned_to": display_name(user)}

    def filter_tags(self, queryset: QuerySet[SupportTicket], name: str, value: str) -> QuerySet[SupportTicket]:
        wanted = [" ".join(tag.split()).lower() for tag in value.split(",") if tag.strip()]
        if not wanted:
            return queryset
        if uses_full_text():
            return queryset.filter(tags__contains=wanted)
        for tag in wanted:  # SQLite has no JSON containment: match the quoted tag in the JSON text
            queryset = queryset.filter(tags__icontains=f'"{tag}"')
        return queryset

    def filter_overdue(self, queryset: QuerySet[SupportTicket], name: str, value: str) -> QuerySet[SupportTicket]:
        rule = overdue_q(now=timezone.now())
        return queryset.filter(rule) if value == "true" else queryset.exclude(rule)

    def filter_search(self, queryset: QuerySet[SupportTicket], name: str, value: str) -> QuerySet[SupportTicket]:
        return search_filter(queryset, value)

    def filter_date_range(self, queryset: QuerySet[SupportTicket], name: str, value: str) -> QuerySet[SupportTicket]:
        return queryset.filter(created_at__gte=timezone.now() - DATE_RANGES[value])

    def filter_created_from(
        self, queryset: QuerySet[SupportTicket], name: str, value: datetime | date
    ) -> QuerySet[SupportTicket]:
        start = value if isinstance(value, datetime) else _day_start(value)
        return queryset.filter(created_at__gte=start)

    def filter_created_to(
        self, queryset: QuerySet[SupportTicket], name: str, value: datetime | date
    ) -> QuerySet[SupportTicket]:
        if isinstance(value, datetime):
            return queryset.filter(created_at__lte=value)
        if value == date.max:  # the end of time: no upper bound (the next day does not exist)
            return queryset
        return queryset.filter(created_at__lt=_day_start(value + timedelta(days=1)))

    def filter_queryset(self, queryset: QuerySet[SupportTicket]) -> QuerySet[SupportTicket]:
        queryset = super().filter_queryset(queryset)
        if values := getattr(self.form, "custom_values", None):
            queryset = queryset.filter(custom_fields.matching(values))
        sort_by = self.form.cleaned_data.get("sortBy") or "createdAt"
        descending = (self.form.cleaned_data.get("sortOrder") or "desc") == "desc"
        sort_key = SORT_FIELDS[sort_by]
        keys = [sort_key() if callable(sort_key) else F(sort_key)]
        if sort_by != "createdAt":
            keys.append(F("created_at"))
        keys.append(F("id"))  # a total order, so pages never repeat or skip a ticket
        return queryset.order_by(*(key.desc() if descending else key.asc() for key in keys))


TicketFilter.base_filters = _FiltersCopiedShallow(TicketFilter.base_filters)
