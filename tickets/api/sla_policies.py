"""Business calendars and SLA policies: `/api/admin/business-calendars` and
`/api/admin/sla-policies`. Thin: shapes here, rules in tickets/sla_policies.py."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from .. import sla_policies
from ..models import BusinessCalendar, SlaPolicy, TicketCategory, TicketPriority, TicketSource
from .row_ids import ANY_ID, not_found_text, row_id
from .serializers import IdField
from .validation import valid_data

# An open interval: ["09:00", "17:30"].
INTERVAL = serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2)


class BusinessCalendarSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=sla_policies.MAX_NAME_LENGTH)
    timezone = serializers.CharField(max_length=64, help_text='An IANA time zone, e.g. "Europe/Berlin".')
    hours = serializers.DictField(
        child=serializers.ListField(child=INTERVAL),
        help_text='Open intervals per weekday, local time: {"mon": [["09:00", "17:30"]]}; a day left out is closed.',
    )
    holidays = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text='Closed days: ["2026-12-25", ...].'
    )


class PolicyConditionsSerializer(serializers.Serializer):
    priority = serializers.ListField(child=serializers.ChoiceField(TicketPriority.choices), required=False)
    category = serializers.ListField(child=serializers.ChoiceField(TicketCategory.choices), required=False)
    source = serializers.ListField(child=serializers.ChoiceField(TicketSource.choices), required=False)  # type: ignore[assignment]
    teamId = serializers.ListField(child=IdField(), required=False)


class SlaPolicySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=sla_policies.MAX_NAME_LENGTH)
    position = serializers.IntegerField(min_value=-(2**31), max_value=2**31 - 1, default=0)
    conditions = PolicyConditionsSerializer(
        required=False, help_text="Each given must match (any of its values); none given: every ticket."
    )
    firstResponseMinutes = serializers.IntegerField(min_value=1, max_value=sla_policies.MAX_TARGET_MINUTES)
    resolutionMinutes = serializers.IntegerField(min_value=1, max_value=sla_policies.MAX_TARGET_MINUTES)
    calendarId = IdField(allow_null=True, required=False, default=None, help_text="Null: around the clock.")
    pauseOnWaitingCustomer = serializers.BooleanField(default=False)


def _calendar(calendar: BusinessCalendar) -> dict[str, Any]:
    fields = ("id", "name", "timezone", "hours", "holidays")
    return {name: getattr(calendar, name) for name in fields}


def _policy(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "id": policy.pk,
        "name": policy.name,
        "position": policy.position,
        "conditions": policy.conditions,
        "firstResponseMinutes": policy.first_response_minutes,
        "resolutionMinutes": policy.resolution_minutes,
        "calendarId": policy.calendar_id,
        "pauseOnWaitingCustomer": policy.pause_on_waiting_customer,
    }


# The API's names of a policy's fields, to the service's.
POLICY_FIELDS = {
    "name": "name",
    "position": "position",
    "conditions": "conditions",
    "firstResponseMinutes": "first_response_minutes",
    "resolutionMinutes": "resolution_minutes",
    "calendarId": "calendar_id",
    "pauseOnWaitingCustomer": "pause_on_waiting_customer",
}


@extend_schema(tags=["sla"])
class BusinessCalendarViewSet(viewsets.GenericViewSet):
    serializer_class = BusinessCalendarSerializer
    pagination_class = None  # a helpdesk has a handful
    lookup_value_regex = ANY_ID

    def get_object(self) -> BusinessCalendar:
        calendar = self.get_queryset().filter(pk=row_id(self.kwargs["pk"], "calendar")).first()
        if calendar is None:
            raise NotFound(not_found_text("calendar"))
        return calendar

    def get_queryset(self) -> QuerySet[BusinessCalendar]:
        return BusinessCalendar.objects.order_by("name")

    def list(self, request: Request) -> Response:
        return Response([_calendar(calendar) for calendar in self.get_queryset()])

    def create(self, request: Request) -> Response:
        data = valid_data(self.get_serializer(data=request.data))
        calendar = sla_policies.calendar_create(**data)
        return Response(_calendar(calendar), status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(_calendar(self.get_object()))

    def partial_update(self, request: Request, pk: str) -> Response:
        calendar = self.get_object()
        data = valid_data(self.get_serializer(calendar, data=request.data, partial=True))
        return Response(_calendar(sla_policies.calendar_update(calendar_id=calendar.pk, **data)))

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        sla_policies.calendar_delete(calendar_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["sla"])
class SlaPolicyViewSet(viewsets.GenericViewSet):
    serializer_class = SlaPolicySerializer
    pagination_class = None
    lookup_value_regex = ANY_ID

    def get_object(self) -> SlaPolicy:
        policy = self.get_queryset().filter(pk=row_id(self.kwargs["pk"], "SLA policy")).first()
        if policy is None:
            raise NotFound(not_found_text("SLA policy"))
        return policy

    def get_queryset(self) -> QuerySet[SlaPolicy]:
        return SlaPolicy.objects.order_by("position", "id")

    def list(self, request: Request) -> Response:
        return Response([_policy(policy) for policy in self.get_queryset()])

    def create(self, request: Request) -> Response:
        data = valid_data(self.get_serializer(data=request.data))
        policy = sla_policies.policy_create(**{POLICY_FIELDS[key]: value for key, value in data.items()})
        return Response(_policy(policy), status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(_policy(self.get_object()))

    def partial_update(self, request: Request, pk: str) -> Response:
        policy = self.get_object()
        data = valid_data(self.get_serializer(policy, data=request.data, partial=True))
        fields = {POLICY_FIELDS[key]: value for key, value in data.items()}
        return Response(_policy(sla_policies.policy_update(policy_id=policy.pk, **fields)))

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        sla_policies.policy_delete(policy_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
