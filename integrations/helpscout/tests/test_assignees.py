"""Assignees both ways, matched by Help Scout user id (Agent.helpscout_user_id).

Help Scout to tickets: an assignee who is an agent's Help Scout user assigns that agent;
another is taken by name, as before. Tickets to Help Scout: an agent with a Help Scout
user id becomes the conversation's assignee (JSON Patch on /assignTo), unassigning
unassigns, anyone else is not sent; our own change coming back, late or not, changes
nothing, and an assignment made in Help Scout is not sent back to it."""

import copy
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from werkzeug import Response

from integrations import outbox
from integrations.models import HelpScoutConversation, OutboxMessage
from tickets import services
from tickets.models import SupportTicket
from tickets.tests.factories import TEST_ACTOR, make_agent, make_ticket

from .conftest import MAILBOX_ID, conversation
from .fake import FakeHelpScout

pytestmark = pytest.mark.django_db

JANE = {"id": 1771, "first": "Jane", "last": "Doe", "email": "jane@fractionax.example", "type": "user"}


def the_ticket() -> SupportTicket:
    return SupportTicket.objects.get(helpscout_conversation_id="1001")


# --- Help Scout to tickets (conversation 1001 of the fixtures) ---


def test_a_help_scout_user_who_is_an_agent_assigns_the_agent(helpscout, webhook):
    jane = make_agent("Jane D.", helpscout_user_id="1771")
    webhook("convo.created", conversation())

    webhook("convo.assigned", conversation(assignee=JANE, userUpdatedAt="2026-11-20T11:00:00Z"))

    ticket = the_ticket()
    assert (ticket.assignee, ticket.assigned_to) == (jane, "Jane D.")  # the agent's name, not Help Scout's
    event = ticket.events.get(action="assigned")
    assert (event.new_value, event.actor, event.source) == ("Jane D.", "Help Scout", "helpscout")


def test_unassigned_in_help_scout_unassigns_the_agent(helpscout, webhook):
    make_agent("Jane D.", helpscout_user_id="1771")
    webhook("convo.created", conversation(assignee=JANE))
    assert the_ticket().assigned_to == "Jane D."

    webhook("convo.assigned", conversation(assignee=None, userUpdatedAt="2026-11-20T11:00:00Z"))

    ticket = the_ticket()
    assert (ticket.assignee, ticket.assigned_to) == (None, "")


def test_a_renamed_help_scout_user_is_the_same_assignee(helpscout, webhook):
    make_agent("Jane D.", helpscout_user_id="1771")
    webhook("convo.created", conversation(assignee=JANE))

    renamed = {**JANE, "last": "Smith"}
    webhook("convo.customer.reply.created", conversation(assignee=renamed, userUpdatedAt="2026-11-20T11:00:00Z"))

    ticket = the_ticket()
    assert ticket.assigned_to == "Jane D."
    assert ticket.events.filter(action="assigned").count() == 1  # when created, not again


def test_a_help_scout_user_who_is_no_agent_is_assigned_by_name(helpscout, webhook):
    make_agent("Jane D.", helpscout_user_id="999")  # another Help Scout user
    jane_doe = make_agent("Jane Doe")  # no Help Scout id, but Help Scout's name for user 1771
    webhook("convo.created", conversation())

    webhook("convo.assigned", conversation(assignee=JANE, userUpdatedAt="2026-11-20T11:00:00Z"))

    ticket = the_ticket()
    assert (ticket.assignee, ticket.assigned_to) == (jane_doe, "Jane Doe")


# --- Tickets to Help Scout, against the stateful fake ---


@pytest.fixture
def fake(helpscout) -> FakeHelpScout:
    fake = FakeHelpScout(helpscout, mailbox_id=MAILBOX_ID)
    fake.add_user(1771, "Jane", "Doe")
    return fake


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


@pytest.fixture
def synced_ticket(fake, committed) -> SupportTicket:
    """A ticket made here whose conversation Help Scout has."""
    ticket = committed(make_ticket)
    assert deliver(ticket) == 1
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def assign(committed):
    def run(ticket: SupportTicket, **who: Any) -> None:
        committed(lambda: services.ticket_assign(ticket_id=ticket.pk, actor=TEST_ACTOR, **who))

    return run


def deliver(ticket: SupportTicket) -> int:
    return outbox.deliver_pending("helpscout", ticket.pk)


def conversation_of(fake: FakeHelpScout, ticket: SupportTicket) -> dict[str, Any]:
    ticket.refresh_from_db()
    return fake.conversations[int(ticket.helpscout_conversation_id or 0)]


def patches(fake: FakeHelpScout, ticket: SupportTicket) -> int:
    return fake.count("PATCH", f"/v2/conversations/{ticket.helpscout_conversation_id}")


def test_an_agent_with_a_help_scout_user_id_becomes_the_conversations_assignee(fake, synced_ticket, assign):
    jane = make_agent("Jane D.", helpscout_user_id="1771")

    assign(synced_ticket, assignee_id=jane.pk)

    assert deliver(synced_ticket) == 1
    assert conversation_of(fake, synced_ticket)["assignee"]["id"] == 1771
    assert patches(fake, synced_ticket) == 1
    link = HelpScoutConversation.objects.get(ticket=synced_ticket)
    assert (link.assignee_user_id, link.assignee) == ("1771", "Jane D.")
    synced_ticket.refresh_from_db()
    assert synced_ticket.helpscout_sync_status == "synced"


def test_unassigning_here_unassigns_the_conversation(fake, synced_ticket, assign):
    jane = make_agent("Jane D.", helpscout_user_id="1771")
    assign(synced_ticket, assignee_id=jane.pk)
    deliver(synced_ticket)

    assign(synced_ticket, assignee_id=None)

    assert deliver(synced_ticket) == 1
    assert conversation_of(fake, synced_ticket)["assignee"] is None
    assert patches(fake, synced_ticket) == 2


@pytest.mark.parametrize("who", ["a free name", "an agent without a Help Scout id"])
def test_an_assignee_help_scout_does_not_know_is_not_sent(fake, synced_ticket, assign, who):
    if who == "a free name":
        assign(synced_ticket, assigned_to="Support Team")
    else:
        assign(synced_ticket, assignee_id=make_agent("Sam Other").pk)

    assert deliver(synced_ticket) == 1  # delivered: nothing to send

    assert patches(fake, synced_ticket) == 0
    assert conversation_of(fake, synced_ticket)["assignee"] is None


def test_a_ticket_made_with_an_agent_is_created_assigned(fake, committed):
    jane = make_agent("Jane D.", helpscout_user_id="1771")
    ticket = committed(lambda: make_ticket(assignee_id=jane.pk))

    assert deliver(ticket) == 1

    assert conversation_of(fake, ticket)["assignee"]["id"] == 1771
    assert patches(fake, ticket) == 0
    assert HelpScoutConversation.objects.get(ticket=ticket).assignee_user_id == "1771"


def test_our_assignment_coming_back_late_does_not_undo_a_newer_one(fake, synced_ticket, assign, webhook):
    jane = make_agent("Jane D.", helpscout_user_id="1771")
    assign(synced_ticket, assignee_id=jane.pk)
    deliver(synced_ticket)
    assign(synced_ticket, assigned_to="Sam Other")  # not Help Scout's to know: not sent
    deliver(synced_ticket)

    # Help Scout's webhook of our assignment to Jane arrives only now.
    webhook("convo.assigned", copy.deepcopy(conversation_of(fake, synced_ticket)))

    synced_ticket.refresh_from_db()
    assert (synced_ticket.assignee, synced_ticket.assigned_to) == (None, "Sam Other")
    assert synced_ticket.events.filter(action="assigned", source="helpscout").count() == 0


def test_an_assignment_made_in_help_scout_is_not_sent_back(fake, synced_ticket, webhook):
    jane = make_agent("Jane D.", helpscout_user_id="1771")
    body = copy.deepcopy(conversation_of(fake, synced_ticket))
    body.update(assignee=fake.users[1771], userUpdatedAt="2099-01-01T00:00:00Z")

    webhook("convo.assigned", body)

    synced_ticket.refresh_from_db()
    assert synced_ticket.assignee == jane
    assert not OutboxMessage.objects.filter(integration="helpscout", event="ticket-assigned").exists()
    assert deliver(synced_ticket) == 0
    assert patches(fake, synced_ticket) == 0


def test_a_failed_assignment_is_retried_and_lands_once(fake, synced_ticket, assign):
    jane = make_agent("Jane D.", helpscout_user_id="1771")
    for _ in range(2):  # the call and the client's own quick retry: both refused
        fake.after("PATCH conversation", lambda: Response("down", status=503))
    assign(synced_ticket, assignee_id=jane.pk)

    assert deliver(synced_ticket) == 0

    message = OutboxMessage.objects.get(integration="helpscout", event="ticket-assigned")
    assert (message.attempts, message.failed_at) == (1, None)
    # Not known to have landed: a webhook showing Jane would still be applied.
    assert HelpScoutConversation.objects.get(ticket=synced_ticket).assignee_user_id == ""

    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert deliver(synced_ticket) == 1

    assert conversation_of(fake, synced_ticket)["assignee"]["id"] == 1771
    assert HelpScoutConversation.objects.get(ticket=synced_ticket).assignee_user_id == "1771"
    message.refresh_from_db()
    assert message.delivered_at is not None


def test_an_unknown_help_scout_user_fails_for_good(fake, synced_ticket, assign):
    gone = make_agent("Gone Agent", helpscout_user_id="4242")  # no such user in the account

    assign(synced_ticket, assignee_id=gone.pk)

    assert deliver(synced_ticket) == 0
    message = OutboxMessage.objects.get(integration="helpscout", event="ticket-assigned")
    assert message.failed_at is not None
    assert "HTTP 400" in message.last_error
    synced_ticket.refresh_from_db()
    assert synced_ticket.helpscout_sync_status == "error"
    assert conversation_of(fake, synced_ticket)["assignee"] is None
