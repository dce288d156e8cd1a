"""Maps the domain's errors onto HTTP: a refused change is DRF's 400 shape,
{"<field>": ["message"]}; a change made on an outdated view (tickets/versions.py) is 412
(If-Match) or 409 (seenCommentId), with what changed since."""

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ..exceptions import AttachmentTooLargeError, StaleVersionError, TicketError, UnseenCommentsError
from . import serializers as s
from .preconditions import with_etag


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StaleVersionError):
        body = {"detail": exc.message, "ticket": s.TicketDetailSerializer(exc.ticket).data}
        return with_etag(Response(body, status=status.HTTP_412_PRECONDITION_FAILED), exc.ticket)
    if isinstance(exc, UnseenCommentsError):
        body = {"detail": exc.message, "comments": s.CommentSerializer(exc.comments, many=True).data}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, AttachmentTooLargeError):
        return Response({exc.field: [exc.message]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TicketError):
        return Response({exc.field: [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)
