"""Interactivity: the buttons on a ticket's message (block_actions) and the submission of
the create-ticket form (view_submission). Buttons act as the clicking Slack user; a click
on a message that showed an older version of the ticket changes nothing, and the user is
told so in an ephemeral message (tickets/versions.py)."""

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse, JsonResponse

from tickets.exceptions import StaleVersionError, TicketError
from tickets.models import TicketPriority, TicketStatus

from . import actions, blocks, users
from .client import CALL_ERRORS, INTERACTIVE_TIMEOUT_SECONDS, web_client
from .ticket_input import InvalidTicketError, check_new_ticket

logger = logging.getLogger(__name__)

# Each takes the ticket id, the version the message showed (None: not known), the clicking
# user's name and Slack user id, and the click's time (action_ts).
_BUTTONS: dict[str, Callable[[int, int | None, str, str, str], object]] = {
    blocks.ACTION_RESOLVE: lambda ticket_id, seen, author, _user_id, ts: actions.ticket_status_from_slack(
        ticket_id=ticket_id, status=TicketStatus.RESOLVED, author=author, action_ts=ts, seen_version=seen
    ),
    blocks.ACTION_REOPEN: lambda ticket_id, seen, author, _user_id, ts: actions.ticket_status_from_slack(
        ticket_id=ticket_id, status=TicketStatus.OPEN, author=author, action_ts=ts, seen_version=seen
    ),
    blocks.ACTION_ASSIGN_ME: lambda ticket_id, seen, author, user_id, ts: actions.ticket_assign_from_slack(
        ticket_id=ticket_id, author=author, slack_user_id=user_id, action_ts=ts, seen_version=seen
    ),
}


def handle(payload: dict[str, Any]) -> HttpResponse:
    user = payload.get("user")
    if not (isinstance(user, dict) and isinstance(user.get("id"), str) and users.SLACK_USER_ID.match(user["id"])):
        return HttpResponse("No user.", status=400, content_type="text/plain")
    if payload.get("type") == "block_actions":
        return _block_actions(payload, user)
    if payload.get("type") == "view_submission":
        return _view_submission(payload, user)
    return HttpResponse(status=200)


def _author(user: dict[str, Any]) -> str:
    fallback = next((name for name in (user.get("name"), user.get("username")) if isinstance(name, str) and name), "")
    return users.agent_name(user["id"], fallback=fallback or f"Slack user {user['id']}")


def _block_actions(payload: dict[str, Any], user: dict[str, Any]) -> HttpResponse:
    """Link buttons (View Ticket, Help Scout) also arrive here; they need only the 200."""
    clicked = payload.get("actions")
    if not isinstance(clicked, list):
        return HttpResponse("No actions.", status=400, content_type="text/plain")
    for action in clicked:
        if not isinstance(action, dict):
            continue
        action_id, value, ts = action.get("action_id"), action.get("value"), action.get("action_ts")
        change = _BUTTONS.get(action_id) if isinstance(action_id, str) else None
        target = blocks.parse_button_value(value) if isinstance(value, str) else None
        if change is None or target is None:
            continue
        try:
            change(*target, _author(user), user["id"], ts if isinstance(ts, str) else "")
        except StaleVersionError as stale:
            _tell(user["id"], stale.ticket.slack_channel_id, blocks.outdated_click_text(stale.ticket))
        except TicketError as error:
            logger.info("Slack button %s on ticket %s ignored: %s", action_id, value, error.message)
    return HttpResponse(status=200)


def _tell(user_id: str, channel: str, text: str) -> None:
    """An ephemeral message to one user, while Slack waits for our answer: if Slack fails
    us, the user sees no change on the message, and the log says why."""
    if not channel:
        return
    try:
        web_client(timeout=INTERACTIVE_TIMEOUT_SECONDS).chat_postEphemeral(channel=channel, user=user_id, text=text)
    except CALL_ERRORS as error:
        logger.warning("Slack chat.postEphemeral to %s failed: %s", user_id, error)


def _view_submission(payload: dict[str, Any], user: dict[str, Any]) -> HttpResponse:
    view = payload.get("view")
    if not isinstance(view, dict) or view.get("callback_id") != blocks.CREATE_TICKET_CALLBACK:
        return HttpResponse(status=200)
    view_id = view.get("id")
    if not (isinstance(view_id, str) and view_id):
        return HttpResponse("No view id.", status=400, content_type="text/plain")
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    values = values if isinstance(values, dict) else {}
    try:
        data = check_new_ticket(
            email=_input(values, "email"),
            subject=_input(values, "subject"),
            description=_input(values, "description"),
            priority=_input(values, "priority") or TicketPriority.MEDIUM,
        )
        ticket = actions.ticket_create_from_form(view_id=view_id, data=data, author=_author(user))
    except InvalidTicketError as invalid:
        return JsonResponse({"response_action": "errors", "errors": invalid.errors})
    except TicketError as error:
        return JsonResponse({"response_action": "errors", "errors": {"subject": error.message}})
    if ticket is None:
        return JsonResponse({"response_action": "clear"})
    return JsonResponse({"response_action": "update", "view": blocks.ticket_created_modal(ticket)})


def _input(values: dict[str, Any], block_id: str) -> str:
    """A form field's value: typed text, or a select's chosen option."""
    block = values.get(block_id)
    entry = block.get("value") if isinstance(block, dict) else None
    if not isinstance(entry, dict):
        return ""
    value = entry.get("value")
    option = entry.get("selected_option")
    if value is None and isinstance(option, dict):
        value = option.get("value")
    return value if isinstance(value, str) else ""
