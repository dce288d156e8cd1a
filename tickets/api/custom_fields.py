"""Custom field definitions: `/api/admin/custom-fields`, addressed by key. Thin: shapes
here, rules in tickets/custom_fields.py. No DELETE: tickets keep values under the key;
an admin makes a field inactive instead."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from .. import custom_fields
from ..limits import (
    MAX_CUSTOM_FIELD_CHOICE_LENGTH,
    MAX_CUSTOM_FIELD_CHOICES,
    MAX_CUSTOM_FIELD_KEY_LENGTH,
    MAX_CUSTOM_FIELD_LABEL_LENGTH,
)
from ..models import CustomField, CustomFieldType
from .validation import valid_data

KEY = OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH, description="The field's key.")


class CustomFieldSerializer(serializers.Serializer):
    key = serializers.CharField(
        max_length=MAX_CUSTOM_FIELD_KEY_LENGTH,
        help_text="Lower-case letters, digits and _, starting with a letter; fixed once made.",
    )
    label = serializers.CharField(max_length=MAX_CUSTOM_FIELD_LABEL_LENGTH)  # type: ignore[assignment]
    type = serializers.ChoiceField(
        choices=CustomFieldType.values, help_text="Fixed once a ticket carries a value of the field."
    )
    choices = serializers.ListField(
        child=serializers.CharField(max_length=MAX_CUSTOM_FIELD_CHOICE_LENGTH),
        max_length=MAX_CUSTOM_FIELD_CHOICES,
        required=False,
        default=list,
        help_text="A choice field's allowed values (unique, at least one); empty for the other types.",
    )
    required = serializers.BooleanField(  # type: ignore[assignment]
        default=False, help_text="Required of tickets created through the API and the dashboard."
    )
    active = serializers.BooleanField(default=True, help_text="Inactive: tickets keep their values, read-only.")


def _definition(definition: CustomField) -> dict[str, Any]:
    fields = ("key", "label", "type", "choices", "required", "active")
    return {name: getattr(definition, name) for name in fields}


@extend_schema(tags=["custom fields"])
class CustomFieldViewSet(viewsets.GenericViewSet):
    serializer_class = CustomFieldSerializer
    pagination_class = None  # at most MAX_CUSTOM_FIELDS
    lookup_field = "key"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[CustomField]:
        return CustomField.objects.order_by("id")

    def get_object(self) -> CustomField:
        definition = self.get_queryset().filter(key=self.kwargs["key"]).first()
        if definition is None:
            raise NotFound("No custom field with this key.")
        return definition

    def list(self, request: Request) -> Response:
        return Response([_definition(definition) for definition in self.get_queryset()])

    def create(self, request: Request) -> Response:
        definition = custom_fields.definition_create(**valid_data(self.get_serializer(data=request.data)))
        return Response(_definition(definition), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[KEY])
    def retrieve(self, request: Request, key: str) -> Response:
        return Response(_definition(self.get_object()))

    @extend_schema(parameters=[KEY])
    def partial_update(self, request: Request, key: str) -> Response:
        definition = self.get_object()
        data = valid_data(self.get_serializer(definition, data=request.data, partial=True))
        return Response(_definition(custom_fields.definition_update(key=definition.key, fields=data)))
