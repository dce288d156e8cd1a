"""The history as people read it: one sentence per audit event, for every action, with
display labels rather than codes or field names (tickets/history.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import routing, services
from tickets.actors import Actor
from tickets.history import SENTENCES, sentence, ticket_history
from tickets.models import ChangeSource, CommentAuthorType, Team, TicketAction, TicketComment, TicketEvent

from .factories import make_ticket

pytestmark = pytest.mark.django_db

TOM = Actor(name="Tom Becker", source=ChangeSource.DASHBOARD)
PRIYA = Actor(name="Priya Shah", source=ChangeSource.DASHBOARD)


def sentences(ticket_id: int) -> list[str]:
    events = TicketEvent.objects.filter(ticket_id=ticket_id).order_by("created_at", "id")
    return [entry.text for entry in ticket_history(events, comments=TicketComment.objects.filter(ticket_id=ticket_id))]


def last_sentence(ticket_id: int) -> str:
    return sentences(ticket_id)[-1]


def test_every_action_has_its_sentence():
    assert set(SENTENCES) == set(TicketAction.values)


def test_created():
    ticket = make_ticket(actor=TOM)
    assert sentences(ticket.pk) == ["Tom Becker created the ticket"]


def test_status_changes_read_with_labels():
    ticket = make_ticket()
    services.ticket_change_status(ticket_id=ticket.pk, status="in_progress", actor=TOM)
    assert last_sentence(ticket.pk) == "Tom Becker changed the status: Open → In progress"
    services.ticket_change_status(ticket_id=ticket.pk, status="waiting_customer", actor=TOM)
    assert last_sentence(ticket.pk) == "Tom Becker changed the status: In progress → Waiting on customer"


def test_assignments():
    ticket = make_ticket()
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Priya Shah", actor=TOM)
    assert last_sentence(ticket.pk) == "Tom Becker assigned the ticket to Priya Shah"
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Tom Becker", actor=TOM)
    assert last_sentence(ticket.pk) == "Tom Becker reassigned the ticket from Priya Shah to Tom Becker"
    services.ticket_assign(ticket_id=ticket.pk, assigned_to=None, actor=PRIYA)
    assert last_sentence(ticket.pk) == "Priya Shah unassigned the ticket from Tom Becker"
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Priya Shah", actor=PRIYA)
    assert last_sentence(ticket.pk) == "Priya Shah took the ticket"


def test_priority_and_category():
    ticket = make_ticket()
    services.ticket_update(ticket_id=ticket.pk, priority="urgent", category="feature_request", actor=TOM)
    assert sentences(ticket.pk)[-2:] == [
        "Tom Becker changed the priority: Medium → Urgent",
        "Tom Becker changed the category: General → Feature request",
    ]


def test_tags_added_and_removed():
    ticket = make_ticket(tags=["vip"])
    services.ticket_update(ticket_id=ticket.pk, tags=["refund", "kyc"], actor=TOM)
    assert last_sentence(ticket.pk) == "Tom Becker added the tags refund, kyc and removed the tag vip"


@pytest.mark.parametrize(
    ("internal", "author_type", "expected"),
    [
        (False, CommentAuthorType.AGENT, "Priya Shah replied"),
        (True, CommentAuthorType.AGENT, "Priya Shah added an internal note"),
        (False, CommentAuthorType.CUSTOMER, "Priya Shah (customer) wrote"),
        (False, CommentAuthorType.INTEGRATION, "Priya Shah sent an automatic message"),
    ],
)
def test_comments_say_who_wrote_what(internal, author_type, expected):
    ticket = make_ticket()
    services.comment_add(
        ticket_id=ticket.pk,
        body="Text",
        is_internal=internal,
        author="Priya Shah",
        author_type=author_type,
        actor=PRIYA,
    )
    assert last_sentence(ticket.pk) == expected


def test_a_routing_rule_setting_the_team_says_so():
    billing = Team.objects.create(name="Billing")
    routing.routing_rule_create(
        name="Invoices", conditions={"keywords": ["invoice"]}, actions={"teamId": billing.pk}, position=1
    )
    ticket = make_ticket(subject="Where is my invoice?")
    assert "Routing rule “Invoices” set the team to Billing" in sentences(ticket.pk)
    services.ticket_assign(ticket_id=ticket.pk, team_id=None, actor=TOM)
    assert last_sentence(ticket.pk) == "Tom Becker removed the ticket from the team Billing"


def test_sla_breaches_and_warnings():
    ticket = make_ticket(priority="urgent")
    services.tickets_announce_sla_warnings(now=ticket.response_warning_at)
    assert last_sentence(ticket.pk) == "SLA warning: response due in 6 min"
    services.tickets_announce_sla_breaches(now=timezone.now() + timedelta(days=1))
    assert last_sentence(ticket.pk) == "SLA breached: the response and resolution deadlines passed"


def test_links_to_the_integrations():
    ticket = make_ticket()
    services.ticket_record_sync(ticket_id=ticket.pk, actor=TOM, helpscout_conversation_id="1001")
    assert last_sentence(ticket.pk) == "Linked to Help Scout conversation 1001"
    services.ticket_record_sync(ticket_id=ticket.pk, actor=TOM, slack_channel_id="C1", slack_message_ts="1.2")
    assert last_sentence(ticket.pk) == "Posted to the Slack support channel"
    services.ticket_record_sync(ticket_id=ticket.pk, actor=TOM, slack_is_archived=True)
    assert last_sentence(ticket.pk) == "The Slack thread was archived"


def test_a_field_it_does_not_know_still_reads():
    event = TicketEvent(action=TicketAction.UPDATED, field="order_id", old_value=None, new_value="A-1", actor="Tom")
    assert sentence(event) == "Tom changed order id: — → A-1"
