"""HTTP's conditional writes over the ticket's version (tickets/versions.py): a ticket's GET
and its status and assignment changes answer with an `ETag` naming its version, and a
change or comment sent with `If-Match` is refused (412) when the ticket has changed since.
Without If-Match nothing is checked, as before; `*` matches any ticket that exists."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import SupportTicket

_STRONG_TAG = re.compile(r'"([0-9]{1,18})"')

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "The `ETag` of the ticket as you last read it (its GET, or the answer to your last change), "
        'e.g. `"3"`: the change is made only if the ticket has not changed since, otherwise 412 with '
        "the ticket as it is now. Without it the change is made regardless."
    ),
)


def etag_header(*statuses: int) -> OpenApiParameter:
    """The ETag response header, as sent with these answers."""
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=list(statuses),
        description="The ticket's version, for If-Match. Comments, views and integration syncs leave it as it is.",
    )


def etag(ticket: SupportTicket) -> str:
    return f'"{ticket.version}"'


def with_etag(response: Response, ticket: SupportTicket) -> Response:
    response["ETag"] = etag(ticket)
    return response


def seen_version(request: Request) -> int | None:
    """The version If-Match names; None when absent or `*`. One strong entity tag as we send
    them, or 400: a weak tag never matches a write (RFC 9110, 13.1.1), and a list is not
    something our clients need."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = _STRONG_TAG.fullmatch(header.strip())
    if match is not None:
        return int(match[1])
    if header.strip().startswith("W/"):
        problem = "a weak entity tag (W/...) cannot be used for a change"
    elif "," in header:
        problem = "give one entity tag, not a list"
    else:
        problem = 'expected the ETag header\'s value, a number in double quotes such as "3"'
    raise ValidationError({"If-Match": [f"If-Match: {problem}."]})
