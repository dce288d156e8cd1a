"""Routing rules over the admin API: /api/admin/routing-rules. The domain (tickets/routing.py)
checks and normalises every value; the serializers here parse the body's types and
document its shape."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from .. import routing
from ..limits import MAX_TAG_LENGTH, MAX_TAGS
from ..models import RoutingRule, TicketCategory, TicketPriority, TicketSource
from .row_ids import ANY_ID, not_found_text, row_id
from .validation import valid_data

NO_SUCH_RULE = not_found_text("routing rule")
RULE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The rule's id.")


def _codes(choices: Any) -> dict[str, Any]:
    return {"type": "string", "enum": list(choices.values)}


def _one_or_list(item: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [item, {"type": "array", "items": item, "minItems": 1}]}


# What a client may send: a code or a list of codes; answers always hold lists.
CONDITIONS_INPUT = {
    "type": "object",
    "description": "Each optional, all must hold; none: every ticket. A list matches any of its values.",
    "properties": {
        "category": _one_or_list(_codes(TicketCategory)),
        "priority": _one_or_list(_codes(TicketPriority)),
        "source": _one_or_list(_codes(TicketSource)),
        "keywords": _one_or_list({"type": "string", "maxLength": routing.MAX_KEYWORD_LENGTH}),
        "customerEmailDomain": _one_or_list({"type": "string", "maxLength": routing.MAX_DOMAIN_LENGTH}),
    },
    "additionalProperties": False,
}
ACTIONS_INPUT = {
    "type": "object",
    "description": "At least one.",
    "properties": {
        "teamId": {"type": "integer"},
        "assigneeId": {"type": "integer"},
        "priority": _codes(TicketPriority),
        "category": _codes(TicketCategory),
        "addTags": _one_or_list({"type": "string", "maxLength": MAX_TAG_LENGTH}),
    },
    "additionalProperties": False,
    "minProperties": 1,
}


@extend_schema_field(CONDITIONS_INPUT)
class ConditionsInputField(serializers.JSONField):
    pass


@extend_schema_field(ACTIONS_INPUT)
class ActionsInputField(serializers.JSONField):
    pass


class RoutingConditionsSerializer(serializers.Serializer):
    category = serializers.ListField(child=serializers.ChoiceField(choices=TicketCategory.choices), required=False)
    priority = serializers.ListField(child=serializers.ChoiceField(choices=TicketPriority.choices), required=False)
    source = serializers.ListField(  # type: ignore[assignment]
        child=serializers.ChoiceField(choices=TicketSource.choices), required=False
    )
    keywords = serializers.ListField(child=serializers.CharField(), required=False)
    customerEmailDomain = serializers.ListField(child=serializers.CharField(), required=False)


class RoutingActionsSerializer(serializers.Serializer):
    teamId = serializers.IntegerField(required=False)
    assigneeId = serializers.IntegerField(required=False)
    priority = serializers.ChoiceField(choices=TicketPriority.choices, required=False)
    category = serializers.ChoiceField(choices=TicketCategory.choices, required=False)
    addTags = serializers.ListField(child=serializers.CharField(), max_length=MAX_TAGS, required=False)


class RoutingRuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    active = serializers.BooleanField()
    conditions = RoutingConditionsSerializer()
    actions = RoutingActionsSerializer()


class RoutingRuleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=routing.MAX_NAME_LENGTH, trim_whitespace=False, allow_blank=True)
    position = serializers.IntegerField(
        required=False, min_value=routing.MIN_POSITION, max_value=routing.MAX_POSITION, help_text="Default: last."
    )
    active = serializers.BooleanField(default=True)
    conditions = ConditionsInputField(default=dict)
    actions = ActionsInputField()


def _rule_id(text: str) -> int:
    return row_id(text, "routing rule")


# Staff only, as every admin endpoint (DEFAULT_PERMISSION_CLASSES).
class RoutingRuleViewSet(viewsets.GenericViewSet):
    serializer_class = RoutingRuleSerializer
    queryset = RoutingRule.objects.none()  # for the schema; the domain reads the rules
    lookup_value_regex = ANY_ID
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(responses=RoutingRuleSerializer(many=True), summary="Routing rules, in the order they apply")
    def list(self, request: Request) -> Response:
        return Response(RoutingRuleSerializer(RoutingRule.objects.order_by("position", "id"), many=True).data)

    @extend_schema(
        request=RoutingRuleInputSerializer, responses={201: RoutingRuleSerializer}, summary="Add a routing rule"
    )
    def create(self, request: Request) -> Response:
        data = valid_data(RoutingRuleInputSerializer(data=request.data))
        rule = routing.routing_rule_create(
            name=data["name"],
            position=data.get("position"),
            active=data["active"],
            conditions=data["conditions"],
            actions=data["actions"],
        )
        return Response(RoutingRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[RULE_ID],
        request=RoutingRuleInputSerializer(partial=True),
        responses=RoutingRuleSerializer,
        summary="Change a routing rule (conditions and actions are replaced whole)",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        rule_id = _rule_id(pk)
        data = valid_data(RoutingRuleInputSerializer(data=request.data, partial=True))
        try:
            rule = routing.routing_rule_update(rule_id=rule_id, **data)
        except RoutingRule.DoesNotExist:
            raise NotFound(NO_SUCH_RULE) from None
        return Response(RoutingRuleSerializer(rule).data)

    @extend_schema(parameters=[RULE_ID], responses={204: None}, summary="Delete a routing rule")
    def destroy(self, request: Request, pk: str) -> Response:
        try:
            routing.routing_rule_delete(rule_id=_rule_id(pk))
        except RoutingRule.DoesNotExist:
            raise NotFound(NO_SUCH_RULE) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
