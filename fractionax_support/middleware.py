"""Answers that say what went wrong where Django's defaults would not: a 413 for an
oversized body, a JSON 400 for too many form fields or files, a 503 while the database or
Redis is unreachable."""

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from tickets.limits import MAX_ATTACHMENTS, attachment_max_bytes

logger = logging.getLogger(__name__)


# Where files are uploaded (the API's and the dashboard's new ticket and comment), a
# multipart body may also carry the attachments: up to MAX_ATTACHMENTS files of
# ATTACHMENT_MAX_BYTES. Django's own limit counts only a multipart body's other fields, and
# the services refuse a file over its limit with a 413 naming it.
_UPLOAD_PATHS = re.compile(r"^/(api/admin/support-tickets(/[^/]+/comments)?/?|dashboard/tickets/(new|[^/]+/comment)/)$")


def body_limit(request: HttpRequest) -> int | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    content_type = request.META.get("CONTENT_TYPE", "")
    if limit is not None and content_type.startswith("multipart/form-data") and _UPLOAD_PATHS.match(request.path):
        return limit + MAX_ATTACHMENTS * attachment_max_bytes()
    return limit


def _too_large(length: int | None, limit: int | None) -> JsonResponse:
    size = f"{length} bytes" if length is not None else "more"
    return JsonResponse({"detail": f"Request body too large: {size}, at most {limit} accepted."}, status=413)


class BodySizeLimitMiddleware:
    """Refuses an oversized body up front with a 413 that says so (Django's own check, on
    reading the body, answers a bare 400 page). A body that announces no length (chunked) is
    caught where Django's check trips, as are too many form fields or files."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Content-Length is not a number."}, status=400)
        if limit is not None and length > limit:
            return _too_large(length, limit)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return _too_large(None, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if isinstance(exception, TooManyFieldsSent):
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            return JsonResponse({"detail": f"Too many form fields: at most {limit} accepted."}, status=400)
        if isinstance(exception, TooManyFilesSent):
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
            return JsonResponse({"detail": f"Too many files: at most {limit} accepted."}, status=400)
        return None


class ServiceUnavailableMiddleware:
    """While the database or Redis is unreachable (a restart, a failover), a request that
    needs it answers a 503 that says so instead of a 500 page; the next request after it is
    back succeeds, since each one takes a fresh or health-checked connection. (What only
    uses Redis on the side, such as rate limits and live updates, carries on without it.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            service = "The database"
        elif isinstance(exception, RedisConnectionError | RedisTimeoutError):
            service = "Redis"  # e.g. logins, whose failed attempts are counted there
        else:
            return None
        logger.error("%s unavailable during %s %s: %s", service, request.method, request.path, exception)
        response = JsonResponse(
            {"detail": f"{service} is unavailable for a moment. Please try again shortly."}, status=503
        )
        response["Retry-After"] = "5"
        return response
