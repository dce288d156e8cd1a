"""Canned responses (macros): who may see and change them, what they may hold, and the only
writer of their table. `services.ticket_apply_macro` sends one on a ticket.

Visibility: a shared response is seen, used, changed and deleted by every staff user, as
the team's routing rules and SLA policies are; a personal one by its owner only (to anyone
else it does not exist, whoever they are). A shared response made personal becomes the
personal response of whoever did it.

Shortcuts are unique within their scope: among the shared responses, and among each user's
personal ones. A personal shortcut may repeat a shared one; the dashboard then picks the
user's own (`for_user` lists personal ones first).

Actions, each optional (null, or an empty tag list, is the same as leaving it out): status,
priority, category, addTags, removeTags, assigneeId, teamId, checked as routing rules'
actions are (tickets/routing.py). A response must reply or change something.

A refusal is a `TicketError` naming the API's field; a response the user may not see is
`CannedResponse.DoesNotExist`.
"""

import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Q, QuerySet, Value, When

from . import placeholders, routing
from .exceptions import TicketError
from .limits import MAX_CANNED_BODY_LENGTH, MAX_CANNED_SHORTCUT_LENGTH, MAX_CANNED_TITLE_LENGTH
from .models import Agent, CannedResponse, SupportTicket, Team, TicketCategory, TicketPriority, TicketStatus

ACTION_KEYS = ("status", "priority", "category", "addTags", "removeTags", "assigneeId", "teamId")

_SHORTCUT = re.compile(r"[a-z0-9][a-z0-9_-]*")

_ACTION_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "status": lambda v: routing.one_code("actions.status", v, TicketStatus, "status"),
    "priority": lambda v: routing.one_code("actions.priority", v, TicketPriority, "priority"),
    "category": lambda v: routing.one_code("actions.category", v, TicketCategory, "category"),
    "addTags": lambda v: routing.tag_list("actions.addTags", v),
    "removeTags": lambda v: routing.tag_list("actions.removeTags", v),
    "assigneeId": lambda v: routing.existing_id("actions.assigneeId", v, Agent, "agent"),
    "teamId": lambda v: routing.existing_id("actions.teamId", v, Team, "team"),
}


# --- Checks ---


def _no_nul(field: str, value: str) -> str:
    if "\x00" in value:  # PostgreSQL's text holds no NUL character
        raise TicketError(field, "May not contain NUL characters.")
    return value


def clean_title(value: Any) -> str:
    title = " ".join(value.split()) if isinstance(value, str) else ""
    if not title:
        raise TicketError("title", "This field may not be blank.")
    if len(title) > MAX_CANNED_TITLE_LENGTH:
        raise TicketError("title", f"At most {MAX_CANNED_TITLE_LENGTH} characters.")
    return _no_nul("title", title)


def clean_shortcut(value: Any) -> str:
    """Lower case, without the "/" it is typed with."""
    shortcut = value.strip().removeprefix("/").lower() if isinstance(value, str) else ""
    if not shortcut:
        raise TicketError("shortcut", "This field may not be blank.")
    if len(shortcut) > MAX_CANNED_SHORTCUT_LENGTH:
        raise TicketError("shortcut", f"At most {MAX_CANNED_SHORTCUT_LENGTH} characters.")
    if not _SHORTCUT.fullmatch(shortcut):
        raise TicketError(
            "shortcut", 'Letters, digits, "-" and "_" only, starting with a letter or digit, such as "refund".'
        )
    return shortcut


def clean_body(value: Any) -> str:
    """Trimmed; every placeholder in it known (tickets/placeholders.py)."""
    body = value.strip() if isinstance(value, str) else ""
    if len(body) > MAX_CANNED_BODY_LENGTH:
        raise TicketError("body", f"At most {MAX_CANNED_BODY_LENGTH} characters.")
    placeholders.check(_no_nul("body", body), field="body")
    return body


def clean_actions(value: Any) -> dict[str, Any]:
    """The actions, normalised; the team and the agent they name must exist."""
    given = routing.known_keys("actions", {} if value is None else value, ACTION_KEYS)
    given = {key: item for key, item in given.items() if item != []}
    actions = {key: _ACTION_CLEANERS[key](given[key]) for key in ACTION_KEYS if key in given}
    both = set(actions.get("addTags", ())) & set(actions.get("removeTags", ()))
    if both:
        raise TicketError("actions", f"actions.removeTags: {', '.join(sorted(both))} also in addTags.")
    return actions


def check_whole(response: CannedResponse) -> None:
    """What its fields, each clean, must hold together: it replies or changes something, and
    its shortcut is free in its scope."""
    if not response.body and not response.actions:
        raise TicketError("body", "A canned response must reply or change something: write a body or set actions.")
    same = CannedResponse.objects.filter(shortcut=response.shortcut, shared=response.shared)
    if not response.shared:
        same = same.filter(owner_id=response.owner_id)
    if same.exclude(pk=response.pk).exists():
        raise _taken(response)


# --- Reads ---


def for_user(user: Any) -> QuerySet[CannedResponse]:
    """What `user` sees: the shared responses and their own personal ones; their own
    first, then by title."""
    if not getattr(user, "pk", None):
        return CannedResponse.objects.none()
    return (
        CannedResponse.objects.filter(Q(shared=True) | Q(shared=False, owner=user))
        .annotate(mine=Case(When(shared=False, then=Value(0)), default=Value(1)))
        .order_by("mine", "title", "id")
    )


def find(user: Any, response_id: int) -> CannedResponse:
    """The response, if `user` sees it; else CannedResponse.DoesNotExist."""
    return for_user(user).get(pk=response_id)


def reply_text(response: CannedResponse, *, ticket: SupportTicket, sender: placeholders.Sender, comment: str) -> str:
    """What applying the response to the ticket says: its body rendered, then the agent's
    own words (`comment`) after a blank line; empty when neither has any."""
    parts = [placeholders.render(response.body, ticket, sender).strip(), comment.strip()]
    return "\n\n".join(part for part in parts if part)


# --- Writes: the only writer of the canned responses table ---


def _taken(response: CannedResponse) -> TicketError:
    scope = "shared canned response" if response.shared else "canned response of yours"
    return TicketError("shortcut", f'Another {scope} has the shortcut "/{response.shortcut}".')


def _save(response: CannedResponse) -> CannedResponse:
    check_whole(response)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:  # the same shortcut, saved by someone else in the meantime
        raise _taken(response) from None
    return response


@transaction.atomic
def canned_response_create(
    *, owner: Any, title: Any, shortcut: Any, body: Any = "", shared: bool = False, actions: Any = None
) -> CannedResponse:
    """A response owned by `owner`, a staff user."""
    return _save(
        CannedResponse(
            owner=owner,
            title=clean_title(title),
            shortcut=clean_shortcut(shortcut),
            body=clean_body(body),
            shared=bool(shared),
            actions=clean_actions(actions),
        )
    )


_UNSET: Any = object()


@transaction.atomic
def canned_response_update(
    *,
    response_id: int,
    user: Any,
    title: Any = _UNSET,
    shortcut: Any = _UNSET,
    body: Any = _UNSET,
    shared: Any = _UNSET,
    actions: Any = _UNSET,
) -> CannedResponse:
    """Changes the fields given (actions replaced whole)."""
    response = for_user(user).select_for_update().get(pk=response_id)
    if title is not _UNSET:
        response.title = clean_title(title)
    if shortcut is not _UNSET:
        response.shortcut = clean_shortcut(shortcut)
    if body is not _UNSET:
        response.body = clean_body(body)
    if actions is not _UNSET:
        response.actions = clean_actions(actions)
    if shared is not _UNSET:
        if response.shared and not shared:
            response.owner = user
        response.shared = bool(shared)
    return _save(response)


@transaction.atomic
def canned_response_delete(*, response_id: int, user: Any) -> None:
    find(user, response_id).delete()
