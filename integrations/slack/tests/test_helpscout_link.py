"""The root message gets its **Help Scout** button as soon as the ticket's conversation
is linked (made by us, or ours found by its tag), with no other change to the ticket."""

import pytest
from werkzeug import Response

from integrations import outbox
from integrations.helpscout import inbound, linked
from integrations.helpscout.payloads import parse_conversation
from integrations.helpscout.tests.conftest import conversation
from integrations.models import OutboxMessage
from tickets.models import SupportTicket
from tickets.tests.factories import make_ticket

from .helpers import deliver

pytestmark = pytest.mark.django_db

BUTTON_URL = "https://secure.helpscout.net/conversation/555"


@pytest.fixture
def helpscout(slack, settings, httpserver):
    """Help Scout configured too, on the same fake server (under /v2/)."""
    settings.HELPSCOUT_APP_ID = "app-id"
    settings.HELPSCOUT_APP_SECRET = "app-secret"
    settings.HELPSCOUT_MAILBOX_ID = "85"
    settings.HELPSCOUT_API_URL = httpserver.url_for("/v2/")
    httpserver.expect_request("/v2/oauth2/token", method="POST").respond_with_json(
        {"token_type": "bearer", "access_token": "token-1", "expires_in": 172800}
    )
    httpserver.expect_request("/v2/conversations", method="POST").respond_with_response(
        Response(status=201, headers={"Resource-ID": "555"})
    )
    return httpserver


@pytest.fixture
def ticket(slack, helpscout, django_capture_on_commit_callbacks):
    """Posted in Slack before Help Scout had a conversation for it: no button yet."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()
    deliver(ticket)
    assert BUTTON_URL not in str(slack.calls_to("chat.postMessage")[0]["blocks"])
    slack.calls.clear()
    ticket.refresh_from_db()
    return ticket


def buttons(blocks) -> dict[str, str]:
    return {
        element["text"]["text"]: element.get("url", "")
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    }


def test_the_conversation_we_make_shows_in_the_root_message(slack, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.deliver_pending("helpscout", ticket.pk) == 1

    assert OutboxMessage.objects.filter(integration="slack", ticket=ticket, event="ticket-linked").count() == 1
    assert deliver(ticket) == 1
    assert slack.methods == ["chat.update"]  # the root only: nothing in the thread
    [update] = slack.calls_to("chat.update")
    assert update["ts"] == ticket.slack_message_ts
    assert buttons(update["blocks"])["Help Scout"] == BUTTON_URL


def test_our_conversation_found_by_its_tag_shows_in_the_root_message(slack, ticket, django_capture_on_commit_callbacks):
    body = conversation(id=555, tags=[{"id": 1, "tag": ticket.ticket_number.lower()}])
    with django_capture_on_commit_callbacks(execute=True):
        inbound.conversation_apply(parse_conversation(body))

    assert deliver(ticket) == 1
    assert slack.methods == ["chat.update"]
    assert buttons(slack.calls_to("chat.update")[0]["blocks"])["Help Scout"] == BUTTON_URL


def test_a_conversation_already_linked_refreshes_nothing_more(slack, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliver_pending("helpscout", ticket.pk)
        inbound.conversation_apply(parse_conversation(conversation(id=555)))  # its webhook, later

    assert OutboxMessage.objects.filter(integration="slack", ticket=ticket, event="ticket-linked").count() == 1


def test_the_refresh_is_slacks_alone(slack, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliver_pending("helpscout", ticket.pk)

    assert set(OutboxMessage.objects.filter(event="ticket-linked").values_list("integration", flat=True)) == {"slack"}


def test_a_root_message_posted_after_the_link_shows_it_with_no_refresh(
    slack, helpscout, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()
        outbox.deliver_pending("helpscout", ticket.pk)  # before Slack's root message
    assert not OutboxMessage.objects.filter(event="ticket-linked").exists()

    assert deliver(ticket) == 1
    [root] = slack.calls_to("chat.postMessage")
    assert buttons(root["blocks"])["Help Scout"] == BUTTON_URL
    assert not OutboxMessage.objects.filter(event="ticket-linked").exists()


def test_a_root_message_drawn_before_the_link_and_recorded_after_it_is_refreshed(slack, helpscout):
    ticket = make_ticket()
    SupportTicket.objects.filter(pk=ticket.pk).update(helpscout_conversation_id="555")

    linked.refresh_if_drawn_without(ticket.pk, None)  # drawn without it
    linked.refresh_if_drawn_without(ticket.pk, "555")  # drawn with it: nothing to do

    assert OutboxMessage.objects.filter(integration="slack", ticket=ticket, event="ticket-linked").count() == 1
