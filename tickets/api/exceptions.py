"""Maps the domain's error onto DRF's 400 shape: {"<field>": ["message"]}."""

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ..exceptions import TicketError


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, TicketError):
        return Response({exc.field: [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)
