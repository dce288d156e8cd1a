"""The one way an API view reads its input: the serializer validates it (a 400 naming each
field otherwise) and the view gets a plain dict for the service call."""

from typing import Any

from rest_framework import serializers


def valid_data(serializer: serializers.BaseSerializer) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
