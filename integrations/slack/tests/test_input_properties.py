"""Whatever a correctly signed Slack request holds, the answer is a 200 (a Slack message,
or an ignored event) or a 400, never a 5xx, and nothing is half-written: /create-ticket's
text, thread replies and interactivity payloads, truncated, of the wrong types, huge."""

import json
import uuid
from typing import Any

import pytest
from django.core.validators import validate_email
from hypothesis import example, given
from hypothesis import strategies as st

from integrations.models import InboundDelivery
from integrations.slack.commands import USAGE, parse_create_ticket
from integrations.slack.ticket_input import InvalidTicketError
from tickets import limits
from tickets.limits import MAX_DESCRIPTION_LENGTH
from tickets.models import SupportTicket, TicketComment, TicketEvent

from .helpers import EVENTS_URL, fixture, post_command, post_event, post_interaction, post_signed

pytestmark = pytest.mark.django_db

AWKWARD_TEXT = st.sampled_from(
    ["", " ", "\x00", "a\x00b", "<!channel>", "&lt;b&gt;", "<mailto:x@y.z|x@y.z>", "-", "\u2014", "x" * 300]
)
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40) | AWKWARD_TEXT
CREATE_TICKET_TEXT = st.builds(
    lambda email, subject, dash, description: f"{email} {subject}{dash}{description}",
    st.emails() | WORDS | st.just("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".com"),
    WORDS,
    st.sampled_from([" - ", " \u2013 ", "", "-"]),
    WORDS | st.just("d" * (MAX_DESCRIPTION_LENGTH + 1)),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | AWKWARD_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


def written() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (SupportTicket, TicketComment, TicketEvent, InboundDelivery))


# --- /create-ticket ---


@given(text=CREATE_TICKET_TEXT)
def test_create_ticket_text_parses_to_a_valid_ticket_or_says_what_is_wrong(text):
    try:
        ticket = parse_create_ticket(text)
    except InvalidTicketError as invalid:
        assert invalid.errors
        assert set(invalid.errors) <= {"email", "subject", "description"}
        return
    validate_email(ticket.customer_email)
    assert len(ticket.customer_email) <= limits.MAX_EMAIL_LENGTH
    assert 0 < len(ticket.subject) <= limits.MAX_SUBJECT_LENGTH
    assert 0 < len(ticket.description) <= MAX_DESCRIPTION_LENGTH


@given(text=CREATE_TICKET_TEXT)
@example(text="a@example.com Subject with a \x00 in it")
def test_signed_create_ticket_makes_one_ticket_or_answers_why_not(slack, client, text):
    before = written()
    response = post_command(client, "/create-ticket", text, trigger_id=f"trigger-{uuid.uuid4().hex}")

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400 or not text.strip():  # refused, or the form was opened
        assert written() == before
        return
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    tickets_made = written()[0] - before[0]
    assert tickets_made == (0 if USAGE in answer["text"] else 1)
    if tickets_made:
        assert SupportTicket.objects.latest("pk").subject == parse_create_ticket(text).subject


@given(form=st.dictionaries(st.sampled_from(["command", "text", "user_id", "user_name", "trigger_id"]), WORDS))
def test_any_signed_slash_command_form_is_answered(slack, client, form):
    body = "&".join(f"{key}={value}" for key, value in form.items()).encode()
    response = post_signed(client, "/api/webhooks/slack/slash-commands", body, "application/x-www-form-urlencoded")
    assert response.status_code in (200, 400), response.content


# --- The Events API: thread replies ---


@st.composite
def event_bodies(draw: Any, ticket: SupportTicket) -> bytes:
    envelope = fixture("thread_reply")
    envelope["event"].update(thread_ts=ticket.slack_thread_id, channel=ticket.slack_channel_id)
    target = draw(st.sampled_from([envelope, envelope["event"]]))
    for key in draw(st.lists(st.sampled_from(sorted(target)), unique=True, max_size=2)):
        target[key] = draw(JSON_VALUES)
    raw = json.dumps(envelope).encode()
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        raw = raw[: draw(st.integers(min_value=0, max_value=len(raw) - 1))]
    return raw


@given(data=st.data())
def test_a_signed_event_records_at_most_its_one_reply(slack, client, posted_ticket, data):
    raw = data.draw(event_bodies(posted_ticket))
    before = written()
    response = post_event(client, raw)

    assert response.status_code in (200, 400), response.content
    added = [after - earlier for after, earlier in zip(written(), before, strict=True)]
    if response.status_code == 400:
        assert added == [0, 0, 0, 0]
    else:  # nothing, or one internal comment with its audit row and its delivery
        assert added in ([0, 0, 0, 0], [0, 1, 1, 1], [0, 0, 0, 1])


# --- Interactivity: buttons and the create-ticket form ---


@st.composite
def interaction_payloads(draw: Any, ticket: SupportTicket) -> str:
    payload = fixture(draw(st.sampled_from(["block_actions", "view_submission"])))
    if payload["type"] == "block_actions":
        payload["actions"][0]["value"] = str(ticket.pk)
        target = draw(st.sampled_from([payload, payload["user"], payload["actions"][0]]))
    else:
        values = payload["view"]["state"]["values"]
        target = draw(st.sampled_from([payload, payload["view"], *(block["value"] for block in values.values())]))
    for key in draw(st.lists(st.sampled_from(sorted(target)), unique=True, max_size=2)):
        target[key] = draw(JSON_VALUES)
    raw = json.dumps(payload)
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        raw = raw[: draw(st.integers(min_value=0, max_value=len(raw) - 1))]
    return raw


@given(data=st.data())
def test_a_signed_interaction_is_answered_and_makes_at_most_one_ticket(slack, client, posted_ticket, data):
    raw = data.draw(interaction_payloads(posted_ticket))
    before = written()
    response = post_interaction(client, raw)

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert written() == before
    assert written()[0] - before[0] <= 1


def test_signed_bodies_with_a_nul_are_refused_and_change_nothing(slack, client, posted_ticket):
    reply = fixture("thread_reply")
    reply["event"].update(thread_ts=posted_ticket.slack_thread_id, channel=posted_ticket.slack_channel_id)
    reply["event"]["text"] = "a\x00b"
    form = fixture("view_submission")
    form["view"]["id"] = "V\x00"
    before = written()
    assert post_event(client, reply).status_code == 400
    assert post_interaction(client, form).status_code == 400
    assert post_command(client, "/create-ticket", "a@example.com Sub\x00ject").status_code == 400
    assert (
        post_signed(
            client, EVENTS_URL, b'{"type": "url_verification", "challenge": "\\u0000"}', "application/json"
        ).status_code
        == 400
    )
    assert written() == before
