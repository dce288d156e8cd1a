"""Block Kit: the ticket's root message, its thread lines, and the slash commands' answers.
Every text that comes from a ticket, a customer or an agent passes through `mrkdwn`."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from tickets.models import (
    FINISHED_STATUSES,
    SupportTicket,
    TicketCategory,
    TicketPriority,
    TicketSource,
    TicketStatus,
)
from tickets.sla import duration_text, is_overdue

from .mrkdwn import escape, quote

Block = dict[str, Any]

ACTION_RESOLVE = "ticket_resolve"
ACTION_ASSIGN_ME = "ticket_assign_me"
ACTION_REOPEN = "ticket_reopen"
CREATE_TICKET_CALLBACK = "create_ticket"

# Well within Block Kit's 3,000 characters a section and Slack's 40,000 a message.
DESCRIPTION_LIMIT = 1000
COMMENT_LIMIT = 3000

BREACHES = {"response": "first response", "resolution": "resolution"}


@dataclass(frozen=True)
class Message:
    text: str  # the notification's and old clients' fallback
    blocks: list[Block]


def ticket_url(ticket: SupportTicket) -> str:
    return settings.ADMIN_URL.rstrip("/") + reverse("dashboard:ticket-detail", args=[ticket.ticket_number])


def helpscout_url(conversation_id: str) -> str:
    return f"https://secure.helpscout.net/conversation/{conversation_id}"


def label(choices: type[models.TextChoices], value: str | None) -> str:
    return str(choices(value).label) if value in choices.values else escape(str(value))


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _button(text: str, action_id: str, *, value: str = "", url: str = "", style: str = "") -> Block:
    button: Block = {"type": "button", "action_id": action_id, "text": _plain(text)}
    for key, given in (("value", value), ("url", url), ("style", style)):
        if given:
            button[key] = given
    return button


def _when(moment: datetime) -> str:
    """Shown in each reader's own time zone; the fallback is UTC."""
    utc = moment.astimezone(UTC)
    return f"<!date^{int(utc.timestamp())}^{{date_short_pretty}} {{time}}|{utc:%Y-%m-%d %H:%M} UTC>"


def _deadline(deadline: datetime | None, met_at: datetime | None, met: str, now: datetime) -> str:
    if met_at is not None:
        return f"{met} {_when(met_at)}"
    if deadline is None:
        return "Paused (waiting on the customer)"
    return _when(deadline) + (" (missed)" if deadline < now else "")


def root_message(ticket: SupportTicket, *, now: datetime) -> Message:
    number, subject = ticket.ticket_number, escape(ticket.subject)
    customer = escape(ticket.customer_email)
    if ticket.customer_name:
        customer = f"{escape(ticket.customer_name)} ({customer})"
    status = label(TicketStatus, ticket.status)
    if is_overdue(ticket, now=now):
        status += " :warning: *Overdue*"
    fields = [
        ("Customer", customer),
        ("Status", status),
        ("Priority", label(TicketPriority, ticket.priority)),
        ("Assigned to", escape(ticket.assigned_to) or "_Unassigned_"),
        ("First response", _deadline(ticket.response_deadline, ticket.first_response_at, "Responded", now)),
        ("Resolution", _deadline(ticket.resolution_deadline, ticket.resolved_at, "Resolved", now)),
    ]
    blocks: list[Block] = [
        {"type": "section", "text": _mrkdwn(f"*{number}* · *{subject}*")},
        # Within Block Kit's 2,000 characters a field: the model's lengths bound each value.
        {"type": "section", "fields": [_mrkdwn(f"*{name}*\n{value}") for name, value in fields]},
    ]
    if ticket.description.strip():
        blocks.append({"type": "section", "text": _mrkdwn(quote(ticket.description, DESCRIPTION_LIMIT))})
    context = f"Source: {label(TicketSource, ticket.source)} · Category: {label(TicketCategory, ticket.category)}"
    if ticket.status == TicketStatus.CLOSED:
        context += " · Archived"
    blocks.append({"type": "context", "elements": [_mrkdwn(context)]})
    blocks.append({"type": "actions", "elements": _buttons(ticket)})
    return Message(text=f"{number}: {subject}", blocks=blocks)


def _buttons(ticket: SupportTicket) -> list[Block]:
    # The version the message shows: a click on an outdated message is refused, not applied
    # blind (tickets/versions.py). Messages drawn before carry the id alone, and are not checked.
    value = button_value(ticket.pk, ticket.version)
    buttons = [_button("View Ticket", "ticket_view", url=ticket_url(ticket))]
    if ticket.status in FINISHED_STATUSES:
        buttons.append(_button("Reopen", ACTION_REOPEN, value=value))
    else:
        buttons.append(_button("Mark Resolved", ACTION_RESOLVE, value=value, style="primary"))
        buttons.append(_button("Assign to Me", ACTION_ASSIGN_ME, value=value))
    if ticket.helpscout_conversation_id:
        buttons.append(_button("Help Scout", "ticket_helpscout", url=helpscout_url(ticket.helpscout_conversation_id)))
    return buttons


def button_value(ticket_id: int, version: int) -> str:
    return f"{ticket_id}:{version}"


def parse_button_value(value: str) -> tuple[int, int | None] | None:
    """(ticket id, version shown) of a button's value; None when it is not one of ours."""
    ticket_id, colon, version = value.partition(":")
    if not _is_number(ticket_id) or (colon and not _is_number(version)):
        return None
    return int(ticket_id), int(version) if colon else None


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18  # within bigint


def outdated_click_text(ticket: SupportTicket) -> str:
    """Told, to the clicking user only, when a button's message showed an older state."""
    assignee = f"assigned to *{escape(ticket.assigned_to)}*" if ticket.assigned_to else "unassigned"
    return (
        f":warning: Nothing changed: this message was out of date. *{ticket.ticket_number}* is now "
        f"*{label(TicketStatus, ticket.status)}* and {assignee}. The message is redrawn with every change; "
        "click again there if your change still applies."
    )


# --- Thread lines (mrkdwn text) ---


def status_line(status: str, previous: str | None) -> str:
    return f":arrows_counterclockwise: Status: {label(TicketStatus, previous)} → *{label(TicketStatus, status)}*"


def assignee_line(assigned_to: str | None, previous: str | None) -> str:
    if assigned_to:
        return f":bust_in_silhouette: Assigned to *{escape(assigned_to)}*"
    return ":bust_in_silhouette: Unassigned" + (f" (was {escape(previous)})" if previous else "")


def priority_line(priority: str) -> str:
    return f":triangular_flag_on_post: Priority changed to *{label(TicketPriority, priority)}*"


def comment_line(*, author: str, body: str, is_internal: bool) -> str:
    kind = ":lock: *Internal note*" if is_internal else ":speech_balloon: Public comment"
    return f"{kind} from *{escape(author)}*\n{quote(body, COMMENT_LIMIT)}"


def overdue_line(*, breaches: list[str], assigned_to: str, mention: str | None) -> str:
    missed = " and ".join(BREACHES.get(breach, escape(breach)) for breach in breaches) or "an SLA"
    line = f":rotating_light: *SLA breached*: {missed} deadline missed."
    if mention:
        return f"{line} <@{mention}>"
    return f"{line} Assigned to *{escape(assigned_to)}*." if assigned_to else f"{line} Nobody is assigned."


def warning_line(*, deadlines: dict[str, datetime | None], now: datetime, assigned_to: str, mention: str | None) -> str:
    """`deadlines`: each target warned about, and its deadline when warned."""
    due = [f"{BREACHES.get(target, escape(target))} due {_due(when, now)}" for target, when in deadlines.items()]
    line = f":hourglass_flowing_sand: *SLA warning*: {' and '.join(due) or 'a deadline is near'}."
    if mention:
        return f"{line} <@{mention}>"
    return f"{line} Assigned to *{escape(assigned_to)}*." if assigned_to else f"{line} Unassigned."


def _due(deadline: datetime | None, now: datetime) -> str:
    if deadline is None:  # paused since: no deadline to show
        return "when the clock runs again"
    if deadline < now:
        return f"{_when(deadline)} (missed)"
    return f"{_when(deadline)} (in {duration_text(deadline - now)})"


# --- Slash commands and the create-ticket modal ---


def statistics_message(figures: dict[str, Any]) -> Message:
    def minutes(value: float | None) -> str:
        return "—" if value is None else f"{value} min"

    by_status = figures["byStatus"]
    compliance = figures["slaComplianceRate"]
    rows = [
        ("Total", figures["total"]),
        ("Open", by_status[TicketStatus.OPEN]),
        ("In progress", by_status[TicketStatus.IN_PROGRESS]),
        ("Waiting on customer", by_status[TicketStatus.WAITING_CUSTOMER]),
        ("Resolved", by_status[TicketStatus.RESOLVED]),
        ("Closed", by_status[TicketStatus.CLOSED]),
        ("Overdue", figures["overdue"]),
        ("Avg. first response", minutes(figures["averageResponseTimeMinutes"])),
        ("Avg. resolution", minutes(figures["averageResolutionTimeMinutes"])),
        ("SLA compliance", "—" if compliance is None else f"{compliance}%"),
    ]
    text = " · ".join(f"{name}: {value}" for name, value in rows)
    blocks: list[Block] = [
        {"type": "section", "text": _mrkdwn("*Support statistics*")},
        {"type": "section", "fields": [_mrkdwn(f"*{name}*\n{value}") for name, value in rows]},
    ]
    return Message(text=f"Support statistics: {text}", blocks=blocks)


def _input(block_id: str, title: str, element: Block, *, optional: bool = False) -> Block:
    return {"type": "input", "block_id": block_id, "label": _plain(title), "element": element, "optional": optional}


def create_ticket_modal() -> Block:
    def text_input(max_length: int, *, multiline: bool = False) -> Block:
        return {"type": "plain_text_input", "action_id": "value", "max_length": max_length, "multiline": multiline}

    priorities = [{"text": _plain(str(choice.label)), "value": choice.value} for choice in TicketPriority]
    medium = next(option for option in priorities if option["value"] == TicketPriority.MEDIUM)
    priority = {"type": "static_select", "action_id": "value", "options": priorities, "initial_option": medium}
    return {
        "type": "modal",
        "callback_id": CREATE_TICKET_CALLBACK,
        "title": _plain("New support ticket"),
        "submit": _plain("Create"),
        "close": _plain("Cancel"),
        "blocks": [
            _input("email", "Customer e-mail", text_input(254)),
            _input("subject", "Subject", text_input(200)),
            _input("description", "Description", text_input(3000, multiline=True), optional=True),
            _input("priority", "Priority", priority),
        ],
    }


def ticket_created_modal(ticket: SupportTicket) -> Block:
    return {
        "type": "modal",
        "title": _plain("Ticket created"),
        "close": _plain("Done"),
        "blocks": [{"type": "section", "text": _mrkdwn(ticket_created_text(ticket))}],
    }


def ticket_created_text(ticket: SupportTicket) -> str:
    return f"Created <{ticket_url(ticket)}|{ticket.ticket_number}>: {escape(ticket.subject)}"
