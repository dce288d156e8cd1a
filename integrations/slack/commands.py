"""Slash commands: `/support-stats` and `/create-ticket`. Each answers with the Slack
message to show the person who typed it (ephemeral)."""

import logging
import re
from typing import Any

from django.utils import timezone

from tickets.exceptions import TicketError
from tickets.statistics import ticket_statistics

from . import actions, blocks, users
from .client import CALL_ERRORS, INTERACTIVE_TIMEOUT_SECONDS, web_client
from .mrkdwn import escape, to_plain
from .ticket_input import InvalidTicketError, NewTicket, check_new_ticket

logger = logging.getLogger(__name__)

USAGE = (
    "Usage: `/create-ticket customer@example.com Subject words - description words`, "
    "or `/create-ticket` alone for a form."
)
ALREADY_CREATED = "This command was already received: its ticket was created once."
# " - " between subject and description; also the dashes keyboards put in its place.
_SEPARATOR = re.compile(r"(?:^|\s)[-\u2013\u2014](?:\s|$)")  # hyphen, en dash, em dash


def parse_create_ticket(text: str) -> NewTicket:
    """`customer@example.com Subject words - description words`."""
    email, rest = [*to_plain(text).split(maxsplit=1), "", ""][:2]
    subject, description = [*_SEPARATOR.split(rest, maxsplit=1), ""][:2]
    return check_new_ticket(email=email, subject=subject, description=description)


def ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


def support_stats() -> dict[str, Any]:
    """The statistics endpoint's figures, over all tickets."""
    message = blocks.statistics_message(ticket_statistics(since=None, now=timezone.now()))
    return {"response_type": "ephemeral", "text": message.text, "blocks": message.blocks}


def create_ticket(*, text: str, user_id: str, user_name: str, trigger_id: str) -> dict[str, Any] | None:
    """None when the form was opened instead (Slack then wants an empty answer)."""
    if not text.strip():
        return _open_form(trigger_id)
    try:
        data = parse_create_ticket(text)
    except InvalidTicketError as invalid:
        return ephemeral(f"{escape(str(invalid))}\n{USAGE}")
    try:
        ticket = actions.ticket_create_from_command(
            trigger_id=trigger_id, data=data, author=users.agent_name(user_id, fallback=user_name)
        )
    except TicketError as error:
        return ephemeral(f"{escape(error.message)}\n{USAGE}")
    if ticket is None:
        return ephemeral(ALREADY_CREATED)
    return ephemeral(blocks.ticket_created_text(ticket))


def _open_form(trigger_id: str) -> dict[str, Any] | None:
    try:
        # The trigger expires within seconds: opened now, not from a task.
        web_client(timeout=INTERACTIVE_TIMEOUT_SECONDS).views_open(
            trigger_id=trigger_id, view=blocks.create_ticket_modal()
        )
    except CALL_ERRORS as error:
        logger.warning("Slack views.open failed: %s", error)
        return ephemeral(f"The form could not be opened. {USAGE}")
    return None
