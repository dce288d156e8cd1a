"""Help Scout's own payloads (their PHP SDK's fixtures, see fixtures/SOURCES.md): the
customer's e-mail when `primaryCustomer` holds only an id, the assignee found by Help
Scout user id, and comments dated by their thread's `createdAt`."""

from datetime import UTC, datetime

import pytest
import time_machine

from integrations.helpscout import inbound
from integrations.helpscout.client import HelpScoutError
from integrations.helpscout.payloads import parse_conversation
from tickets.models import SupportTicket, TicketComment
from tickets.tests.factories import make_agent

from .conftest import conversation, load

pytestmark = pytest.mark.django_db

CUSTOMER_PATH = "/v2/customers/238604"


def php_conversation(**changes):
    return {**load("php_conversation"), **changes}


def with_threads(body):
    """The conversation as GET /v2/conversations/{id}?embed=threads answers it: both threads."""
    threads = [load("php_thread"), {**load("php_thread"), "id": 2, "body": "Still need help"}]
    return {**body, "_embedded": {"threads": threads}}


@pytest.fixture
def php_fake(helpscout):
    """Help Scout answering for the SDK's conversation 1 and customer 238604."""

    def serve(body):
        helpscout.expect_request("/v2/conversations/1", method="GET").respond_with_json(with_threads(body))
        helpscout.expect_request(CUSTOMER_PATH, method="GET").respond_with_json(load("php_customer"))
        return body

    return serve


def the_ticket() -> SupportTicket:
    return SupportTicket.objects.get(helpscout_conversation_id="1")


def test_the_sdk_conversation_takes_its_customer_from_the_customer_endpoint(php_fake, webhook, requests_to):
    # primaryCustomer is {"id": 238604}; the creator is another customer (12), not them.
    webhook("convo.created", php_fake(php_conversation()))

    ticket = the_ticket()
    assert (ticket.customer_email, ticket.customer_name) == ("bigbird@sesamestreet.com", "Big Bird")
    assert (ticket.subject, ticket.description, ticket.status) == ("Need Help", "Need Help", "resolved")
    assert len(requests_to("GET", CUSTOMER_PATH)) == 1
    [comment] = TicketComment.objects.filter(ticket=ticket)
    assert (comment.body, comment.author, comment.is_internal) == ("Still need help", "Big Bird", False)


def test_a_customer_who_created_the_conversation_gives_its_email_without_a_lookup(php_fake, webhook, requests_to):
    webhook("convo.created", php_fake(php_conversation(primaryCustomer={"id": 12})))

    assert the_ticket().customer_email == "bear@acme.com"
    assert requests_to("GET", CUSTOMER_PATH) == []


def test_an_agent_who_created_the_conversation_is_not_the_customer(php_fake, webhook):
    agent = {"id": 256, "type": "user", "first": "Mr", "last": "Robot", "email": "none@nowhere.com"}
    webhook("convo.created", php_fake(php_conversation(createdBy=agent)))

    assert the_ticket().customer_email == "bigbird@sesamestreet.com"


def test_the_sdk_conversations_assignee_is_the_agent_with_that_help_scout_user_id(php_fake, webhook):
    # Its assignee is user 256, "Mr Robot"; here that user is the agent Robot.
    robot = make_agent("Robot", helpscout_user_id="256")
    webhook("convo.assigned", php_fake(php_conversation()))

    assert (the_ticket().assignee, the_ticket().assigned_to) == (robot, "Robot")


def test_an_email_in_primary_customer_is_used_as_it_is(php_fake, webhook, requests_to):
    customer = {"id": 238604, "first": "Vernon", "last": "Bear", "email": "vernon@acme.com"}
    webhook("convo.created", php_fake(php_conversation(primaryCustomer=customer)))

    assert (the_ticket().customer_email, the_ticket().customer_name) == ("vernon@acme.com", "Vernon Bear")
    assert requests_to("GET", CUSTOMER_PATH) == []


def test_a_customer_help_scout_no_longer_has_leaves_the_email_empty(helpscout, webhook):
    helpscout.expect_request("/v2/conversations/1", method="GET").respond_with_json(with_threads(php_conversation()))
    helpscout.expect_request(CUSTOMER_PATH, method="GET").respond_with_json({"message": "Not found"}, status=404)

    webhook("convo.created", php_conversation())

    assert the_ticket().customer_email == ""


def test_a_customer_lookup_that_fails_for_now_makes_no_ticket_yet(helpscout):
    helpscout.expect_request(CUSTOMER_PATH, method="GET").respond_with_json({"message": "Unavailable"}, status=503)

    with pytest.raises(HelpScoutError):  # the webhook task retries it
        inbound.conversation_apply(parse_conversation(with_threads(php_conversation())))

    assert not SupportTicket.objects.exists()


def test_a_known_conversation_needs_no_customer_lookup(php_fake, webhook, requests_to):
    webhook("convo.created", php_fake(php_conversation()))
    webhook("convo.customer.reply.created", php_conversation(userUpdatedAt="2017-04-21T15:00:00Z"))

    assert len(requests_to("GET", CUSTOMER_PATH)) == 1


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_comments_keep_their_threads_time_and_the_first_response_is_the_replys(helpscout, webhook):
    with time_machine.travel(at("2026-11-20T10:00:05"), tick=False):
        webhook("convo.created", conversation())
    # Delivered together, an hour after the last was written.
    with time_machine.travel(at("2026-11-20T13:40:00"), tick=False):
        webhook("convo.note.created", conversation(threads=("customer", "reply", "note")))

    ticket = SupportTicket.objects.get(helpscout_conversation_id="1001")
    written = dict(TicketComment.objects.filter(ticket=ticket).values_list("external_id", "created_at"))
    assert written == {
        "5002": at("2026-11-20T12:00:00"),  # the customer's reply
        "5003": at("2026-11-20T12:30:00"),  # the agent's
        "5004": at("2026-11-20T12:40:00"),  # the note
    }
    assert ticket.first_response_at == at("2026-11-20T12:30:00")


def test_an_earlier_reply_delivered_later_is_the_first_response(helpscout, webhook):
    later_reply = {**load("thread_reply"), "id": 5005, "createdAt": "2026-11-20T12:50:00Z", "body": "Fixed."}
    with time_machine.travel(at("2026-11-20T10:00:05"), tick=False):
        webhook("convo.created", conversation())
    with time_machine.travel(at("2026-11-20T13:00:00"), tick=False):
        body = conversation()
        body["_embedded"]["threads"].append(later_reply)
        webhook("convo.agent.reply.created", {**body, "threads": 2})
        assert SupportTicket.objects.get().first_response_at == at("2026-11-20T12:50:00")
        webhook("convo.agent.reply.created", conversation(threads=("reply",)))

    assert SupportTicket.objects.get().first_response_at == at("2026-11-20T12:30:00")


def test_a_ticket_made_late_keeps_the_conversations_own_times(helpscout, webhook):
    # Made late (a missed webhook the resync repairs): the ticket dates from when the
    # customer wrote, so its SLA and the statistics count from then, not from the repair.
    with time_machine.travel(at("2026-11-21T09:00:00"), tick=False):
        webhook("convo.created", conversation(threads=("reply",)))

    ticket = SupportTicket.objects.get()
    assert ticket.created_at == at("2026-11-20T10:00:00")
    assert TicketComment.objects.get(ticket=ticket).created_at == at("2026-11-20T12:30:00")
    assert ticket.first_response_at == at("2026-11-20T12:30:00")
    assert ticket.events.get(action="created").created_at == ticket.created_at


def test_a_thread_dated_before_its_conversation_is_dated_when_the_ticket_was_made(helpscout, webhook):
    early_reply = {**load("thread_reply"), "createdAt": "2026-11-20T10:30:00Z"}
    with time_machine.travel(at("2026-11-21T09:00:00"), tick=False):
        body = conversation(createdAt="2026-11-20T11:00:00Z")
        body["_embedded"]["threads"].append(early_reply)
        webhook("convo.created", {**body, "threads": 2})

    ticket = SupportTicket.objects.get()
    assert TicketComment.objects.get(ticket=ticket).created_at == ticket.created_at == at("2026-11-20T11:00:00")
    assert ticket.first_response_at == ticket.created_at
