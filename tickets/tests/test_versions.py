"""Collision control (tickets/versions.py): a change made on an outdated view of the ticket is
refused by the service, changes nothing, and says what the ticket is now. The ways in (API,
dashboard, Slack) are tested for their answers in their own files; concurrent writers in
test_concurrency.py."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tickets import services
from tickets.actors import Actor
from tickets.exceptions import StaleVersionError, UnseenCommentsError
from tickets.models import ChangeSource, SupportTicket, TicketComment, TicketEvent

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db

SAM = Actor(name="Sam Other", source=ChangeSource.API)


def version(ticket: SupportTicket) -> int:
    return SupportTicket.objects.get(pk=ticket.pk).version


def comment(ticket: SupportTicket, author: str = "Sam Other", **kwargs: Any) -> TicketComment:
    return services.comment_add(
        ticket_id=ticket.pk, body="A reply.", is_internal=False, author=author, actor=SAM, **kwargs
    )


# --- What counts the version up ---


FIELD_CHANGES: dict[str, Callable[[int, int | None], object]] = {
    "status": lambda pk, seen: services.ticket_change_status(
        ticket_id=pk, status="resolved", actor=TEST_ACTOR, seen_version=seen
    ),
    "assign": lambda pk, seen: services.ticket_assign(
        ticket_id=pk, assigned_to="Jo", actor=TEST_ACTOR, seen_version=seen
    ),
    "priority": lambda pk, seen: services.ticket_change_priority(
        ticket_id=pk, priority="urgent", actor=TEST_ACTOR, seen_version=seen
    ),
    "update": lambda pk, seen: services.ticket_update(
        ticket_id=pk, category="billing", tags=["vip"], actor=TEST_ACTOR, seen_version=seen
    ),
}


@pytest.mark.parametrize("change", FIELD_CHANGES)
def test_each_field_change_counts_the_version_up_once(change):
    ticket = make_ticket()
    assert ticket.version == version(ticket) == 1

    changed = FIELD_CHANGES[change](ticket.pk, None)

    assert changed.version == version(ticket) == 2  # type: ignore[attr-defined]


def test_bulk_updates_count_each_ticket_up():
    first, second = make_ticket(), make_ticket()
    services.tickets_bulk_update(ids=[first.pk, second.pk], status="closed", actor=TEST_ACTOR)
    assert (version(first), version(second)) == (2, 2)


def test_what_is_not_a_field_change_leaves_the_version():
    """A GET counts a view, deliveries stamp their sync, the SLA check marks breaches, people
    comment: none of it may outdate what a writer saw, or every GET would outdate its ETag
    and every Slack thread reply its message's buttons."""
    ticket = make_ticket()
    services.ticket_change_status(ticket_id=ticket.pk, status="open", actor=TEST_ACTOR)  # already open
    services.ticket_register_view(ticket_id=ticket.pk)
    services.ticket_record_sync(
        ticket_id=ticket.pk, actor=SAM, slack_channel_id="C1", slack_message_ts="1.2", slack_last_sync_at=timezone.now()
    )
    comment(ticket)
    services.tickets_announce_sla_breaches(now=timezone.now() + timedelta(days=30))

    assert SupportTicket.objects.get(pk=ticket.pk).resolution_breach_notified_at is not None
    assert version(ticket) == 1


# --- The ticket's fields: seen_version ---


@pytest.mark.parametrize("change", FIELD_CHANGES)
def test_a_change_on_an_outdated_version_is_refused_and_changes_nothing(change):
    ticket = make_ticket()
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Sam", actor=SAM)
    audit_before = TicketEvent.objects.count()

    with pytest.raises(StaleVersionError) as refused:
        FIELD_CHANGES[change](ticket.pk, 1)

    current = SupportTicket.objects.get(pk=ticket.pk)
    assert (current.version, current.status, current.priority, current.assigned_to) == (2, "open", "medium", "Sam")
    assert TicketEvent.objects.count() == audit_before
    assert refused.value.field == "version"
    assert (refused.value.ticket.assigned_to, refused.value.ticket.version) == ("Sam", 2)  # the ticket as it is now
    assert refused.value.message == (
        f"{ticket.ticket_number} was changed after the version you saw (1; it is now 2). "
        "Look at it again, then repeat your change if it still applies."
    )


@pytest.mark.parametrize("change", FIELD_CHANGES)
def test_a_change_on_the_current_version_is_made(change):
    ticket = make_ticket()
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Sam", actor=SAM)
    FIELD_CHANGES[change](ticket.pk, 2)
    assert version(ticket) == 3


def test_a_comment_on_an_outdated_version_is_refused():
    ticket = make_ticket()
    services.ticket_change_status(ticket_id=ticket.pk, status="resolved", actor=SAM)
    with pytest.raises(StaleVersionError):
        comment(ticket, "Alex Agent", seen_version=1)
    assert not TicketComment.objects.exists()
    assert comment(ticket, "Alex Agent", seen_version=2).pk


# --- The conversation: seen_comment_id ---


def test_a_reply_after_others_replied_unseen_is_refused_with_their_replies():
    ticket = make_ticket()
    seen = comment(ticket, "Sam Other")
    newer = [comment(ticket, "Sam Other"), comment(ticket, "Kim Third")]

    with pytest.raises(UnseenCommentsError) as refused:
        comment(ticket, "Alex Agent", seen_comment_id=seen.pk)

    assert refused.value.comments == newer  # oldest first: the last is what to name as seen next
    assert (
        refused.value.message
        == "Kim Third, Sam Other replied since you opened this ticket. Read the new replies, then send again."
    )
    assert TicketComment.objects.count() == 3
    assert SupportTicket.objects.get(pk=ticket.pk).total_comments == 3
    assert comment(ticket, "Alex Agent", seen_comment_id=newer[-1].pk).author == "Alex Agent"


def test_zero_means_the_writer_saw_no_comment():
    ticket = make_ticket()
    comment(ticket, "Sam Other")
    with pytest.raises(UnseenCommentsError):
        comment(ticket, "Alex Agent", seen_comment_id=0)


def test_the_writers_own_newer_comment_is_not_news_to_them():
    """Sent from another tab, say."""
    ticket = make_ticket()
    comment(ticket, "Alex Agent")
    assert comment(ticket, "Alex Agent", seen_comment_id=0).pk


def test_without_what_was_seen_nothing_is_checked():
    ticket = make_ticket()
    services.ticket_change_status(ticket_id=ticket.pk, status="resolved", actor=SAM)
    comment(ticket, "Sam Other")
    comment(ticket, "Alex Agent")
    services.ticket_change_status(ticket_id=ticket.pk, status="open", actor=TEST_ACTOR)
    assert version(ticket) == 3
