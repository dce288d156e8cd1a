"""What people do to tickets from Slack: each is a service call made as the Slack user
(source slack).

A thread reply is never sent back to Slack; a button's or /create-ticket's result is (see
OWN_EVENTS in outbound.py), so the ticket's Slack message shows it like any other change.
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from django.db import transaction

from integrations.models import InboundDelivery, IntegrationName
from tickets import publishing, services
from tickets.actors import Actor
from tickets.models import ChangeSource, CommentAuthorType, SupportTicket, TicketComment, TicketSource

from . import users
from .files import SlackFile
from .tasks import slack_files_fetch
from .ticket_input import NewTicket


def slack_actor(name: str) -> Actor:
    return Actor(name=name, source=ChangeSource.SLACK)


def ticket_create_from_slack(*, data: NewTicket, author: str) -> SupportTicket:
    return services.ticket_create(
        subject=data.subject,
        description=data.description,
        customer_email=data.customer_email,
        priority=data.priority,
        source=TicketSource.SLACK,
        actor=slack_actor(author),
    )


@publishing.atomic()
def ticket_create_from_form(*, view_id: str, data: NewTicket, author: str) -> SupportTicket | None:
    """The create-ticket form's submission. A second click on Create while the first is
    slow sends the same view again: that creates nothing and returns None."""
    if not _first_delivery(f"view_submission:{view_id}"):
        return None
    return ticket_create_from_slack(data=data, author=author)


@publishing.atomic()
def ticket_create_from_command(*, trigger_id: str, data: NewTicket, author: str) -> SupportTicket | None:
    """/create-ticket with its text. Slack's retry of the same command (same trigger)
    creates nothing and returns None."""
    if trigger_id and not _first_delivery(f"command:{trigger_id}"):
        return None
    return ticket_create_from_slack(data=data, author=author)


@publishing.atomic()
def ticket_status_from_slack(
    *, ticket_id: int, status: str, author: str, action_ts: str = "", seen_version: int | None = None
) -> SupportTicket | None:
    """A status button. None when the click was handled before, or is older than one
    already applied to this ticket's status (see _latest_click). `seen_version`, the
    version the message showed, refuses a click on an outdated message (StaleVersionError)."""
    if not _latest_click(ticket_id, "status", action_ts):
        return None
    return services.ticket_change_status(
        ticket_id=ticket_id, status=status, actor=slack_actor(author), seen_version=seen_version
    )


@publishing.atomic()
def ticket_assign_from_slack(
    *, ticket_id: int, author: str, slack_user_id: str = "", action_ts: str = "", seen_version: int | None = None
) -> SupportTicket | None:
    """Assigns the ticket to the agent who is the clicking Slack user (Agent.slack_user_id);
    without one, to the clicking user's name, `author` (which an agent's display name
    still makes that agent's). None and `seen_version` as above."""
    if not _latest_click(ticket_id, "assignee", action_ts):
        return None
    actor = slack_actor(author)
    agent = users.agent_for(slack_user_id)
    if agent is not None:
        return services.ticket_assign(ticket_id=ticket_id, assignee_id=agent.pk, actor=actor, seen_version=seen_version)
    return services.ticket_assign(ticket_id=ticket_id, assigned_to=author, actor=actor, seen_version=seen_version)


@publishing.atomic()
def thread_reply_record(
    *, event_id: str, ticket_id: int, body: str, author: str, message_ts: str, files: Sequence[SlackFile] = ()
) -> TicketComment | None:
    """A person's reply in the ticket's thread, as an internal comment by an agent (the
    support channel is internal: whoever writes there works with support, even without an
    agent profile). Slack's redelivery of an event already recorded returns None. Its
    `files` are fetched once it is committed (integrations/slack/files.py); a message of
    files alone is a comment naming them."""
    if not _first_delivery(event_id):
        return None
    comment = services.comment_add(
        ticket_id=ticket_id,
        body=body.strip() or ", ".join(file.name for file in files),
        is_internal=True,
        author=author,
        author_type=CommentAuthorType.AGENT,
        actor=slack_actor(author),
        external_id=message_ts,
        written_at=_slack_time(message_ts),
    )
    if files:
        arguments = [file.as_task_argument() for file in files]
        transaction.on_commit(lambda: slack_files_fetch.delay(comment.pk, arguments), robust=True)
    return comment


def _first_delivery(key: str) -> bool:
    """Records the delivery in the caller's transaction: if the change fails, so does this,
    and Slack's retry is handled anew."""
    _, created = InboundDelivery.objects.get_or_create(integration=IntegrationName.SLACK, key=key[:200])
    return created


_SLACK_TS = re.compile(r"(\d{1,12})\.(\d{1,6})")  # seconds.microseconds, as Slack writes times


def _slack_time(ts: str) -> datetime | None:
    return datetime.fromtimestamp(float(ts), tz=UTC) if _SLACK_TS.fullmatch(ts) else None


def _latest_click(ticket_id: int, field: str, action_ts: str) -> bool:
    """Records a button click on one field of a ticket. False when Slack delivered this
    click before, or already delivered a later one on that field: a late or repeated
    click must not undo a newer one. Clicks are keyed by their time, zero-padded so the
    keys sort as the times do; the ticket's lock orders concurrent deliveries."""
    match = _SLACK_TS.fullmatch(action_ts)
    if match is None:
        return True  # no time to order it by (Slack always sends one)
    list(SupportTicket.objects.select_for_update().filter(pk=ticket_id).values_list("pk"))
    prefix = f"button:{ticket_id}:{field}:"
    key = f"{prefix}{int(match[1]):012d}.{match[2]:0<6}"
    newer = InboundDelivery.objects.filter(integration=IntegrationName.SLACK, key__startswith=prefix, key__gt=key)
    if newer.exists():
        _first_delivery(key)
        return False
    return _first_delivery(key)
