"""Who wrote each comment (`authorType`): set by the way the comment came in, never by
what an API client asks, and shown in the API, the events and on the ticket page."""

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from integrations.helpscout.inbound import conversation_apply
from integrations.helpscout.payloads import parse_conversation
from integrations.slack.actions import thread_reply_record
from tickets import services
from tickets.actors import Actor
from tickets.exceptions import TicketError
from tickets.models import ChangeSource, CommentAuthorType, TicketComment

from .api_helpers import ticket_url
from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db

HELPSCOUT_FIXTURES = Path(__file__).parents[2] / "integrations" / "helpscout" / "tests" / "fixtures"


def helpscout_fixture(name: str) -> Any:
    return json.loads((HELPSCOUT_FIXTURES / f"{name}.json").read_text())


def test_a_staff_api_comment_is_an_agents_whatever_the_body_says(staff_client):
    ticket = make_ticket()

    answer = staff_client.post(
        ticket_url(ticket, "comments"),
        {"comment": "On it", "isInternal": False, "authorType": "customer"},
        format="json",
    )

    assert answer.status_code == 201
    assert answer.json()["authorType"] == "agent"
    [shown] = staff_client.get(ticket_url(ticket)).json()["comments"]
    assert (shown["author"], shown["authorType"]) == ("Alex Agent", "agent")


def test_a_dashboard_reply_is_an_agents(client, staff_agent):
    ticket = make_ticket()
    client.force_login(staff_agent)

    client.post(f"/dashboard/tickets/{ticket.pk}/comment/", {"comment": "Hello", "seen_comment_id": 0})

    assert TicketComment.objects.get(ticket=ticket).author_type == CommentAuthorType.AGENT


def test_help_scout_threads_are_the_customers_the_agents_or_the_integrations():
    data = helpscout_fixture("conversation")
    automatic = {**helpscout_fixture("thread_reply"), "id": 5009, "createdBy": None, "body": "We got your message."}
    threads = [helpscout_fixture(f"thread_{name}") for name in ("customer", "reply", "note")] + [automatic]
    data["_embedded"]["threads"] += threads
    data["threads"] = len(data["_embedded"]["threads"])

    conversation_apply(parse_conversation(data))

    kinds = dict(TicketComment.objects.values_list("external_id", "author_type"))
    assert kinds == {"5002": "customer", "5003": "agent", "5004": "agent", "5009": "integration"}


def test_a_customer_message_never_counts_as_the_first_response():
    ticket = make_ticket()
    customer = Actor(name="Casey Customer", source=ChangeSource.HELPSCOUT)

    services.comment_add(
        ticket_id=ticket.pk,
        body="Any news?",
        is_internal=False,
        author=customer.name,
        author_type=CommentAuthorType.CUSTOMER,
        actor=customer,
    )

    ticket.refresh_from_db()
    assert ticket.first_response_at is None


def test_a_slack_thread_reply_is_an_agents():
    ticket = make_ticket()

    thread_reply_record(event_id="Ev1", ticket_id=ticket.pk, body="Checked", author="Sam Slack", message_ts="1.000001")

    assert TicketComment.objects.get(ticket=ticket).author_type == CommentAuthorType.AGENT


def test_an_unknown_author_type_is_refused():
    ticket = make_ticket()

    with pytest.raises(TicketError) as refused:
        services.comment_add(
            ticket_id=ticket.pk, body="Hi", is_internal=False, author="X", author_type="robot", actor=TEST_ACTOR
        )

    assert refused.value.field == "authorType"


def test_the_migration_tells_existing_comments_apart_by_what_was_stored():
    ticket = make_ticket(customer_name="Vernon Bear", customer_email="bear@acme.com")
    rows = {
        "helpscout customer": ("helpscout", "vernon bear", False),
        "helpscout customer by e-mail": ("helpscout", "BEAR@acme.com", False),
        "helpscout agent reply": ("helpscout", "Jane Agent", False),
        "helpscout note": ("helpscout", "Jane Agent", True),
        "helpscout automatic": ("helpscout", "Help Scout", False),
        "seeded customer": ("system", "Vernon Bear", False),
        "system": ("system", "System", False),
        "slack": ("slack", "Vernon Bear", True),
        "api": ("api", "Vernon Bear", False),
    }
    for body, (source, author, internal) in rows.items():
        # As the column's one-off default leaves them, before the data migration runs.
        TicketComment.objects.create(
            ticket=ticket, body=body, author=author, source=source, is_internal=internal, author_type="agent"
        )

    importlib.import_module("tickets.migrations.0023_comment_author_type").set_author_types(apps, None)

    assert dict(TicketComment.objects.values_list("body", "author_type")) == {
        "helpscout customer": "customer",
        "helpscout customer by e-mail": "customer",
        "helpscout agent reply": "agent",
        "helpscout note": "agent",
        "helpscout automatic": "integration",
        "seeded customer": "customer",
        "system": "system",
        "slack": "agent",
        "api": "agent",
    }


def test_the_ticket_page_shows_the_customers_messages_as_theirs(client, staff_agent):
    ticket = make_ticket(customer_name="Vernon Bear")
    customer = Actor(name="Vernon Bear", source=ChangeSource.HELPSCOUT)
    services.comment_add(
        ticket_id=ticket.pk,
        body="Any news?",
        is_internal=False,
        author=customer.name,
        author_type=CommentAuthorType.CUSTOMER,
        actor=customer,
    )
    client.force_login(staff_agent)

    html = client.get(f"/dashboard/tickets/{ticket.pk}/").content.decode()

    article = html[html.index('data-author-type="customer"') :]
    article = article[: article.index("</article>")]
    assert "<strong>Vernon Bear</strong>" in article
    assert '<span class="badge customer">Customer</span>' in article
    assert "Public reply" not in article
    assert "Vernon Bear (customer) wrote" in html
