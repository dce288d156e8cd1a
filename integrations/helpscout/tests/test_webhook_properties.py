"""Whatever a correctly signed Help Scout delivery holds (truncated, wrong types, huge,
not UTF-8), the webhook answers 200 or a 400 that says why, never a 5xx; a refused body
leaves nothing behind, and an accepted one is applied by the task without an error."""

import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from integrations.helpscout import tasks
from integrations.helpscout.views import EVENTS
from integrations.models import HelpScoutConversation, InboundDelivery
from tickets.models import SupportTicket, TicketComment, TicketEvent

from .conftest import MAILBOX_ID, WEBHOOK_SECRET, conversation

pytestmark = pytest.mark.django_db

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)
CONVERSATION_KEYS = [
    "id",
    "number",
    "threads",
    "status",
    "state",
    "subject",
    "preview",
    "mailboxId",
    "assignee",
    "createdAt",
    "userUpdatedAt",
    "closedAt",
    "customerWaitingSince",
    "tags",
    "primaryCustomer",
    "_embedded",
]
THREAD_KEYS = ["id", "type", "state", "body", "text", "createdAt", "createdBy"]
# Values our columns and parsers find hard: NUL, markup, long text, dates past the ends
# of time, ids past 64 bits.
AWKWARD = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "<script>x</script>",
        "x" * 300,
        "0001-01-01T00:00:00+23:00",
        "9999-12-31T23:59:59-23:00",
        2**63,
        10**40,
        0,
        True,
    ]
)


def _mutated(draw: Any, data: dict[str, Any], keys: list[str]) -> None:
    for key in draw(st.lists(st.sampled_from(keys), unique=True, min_size=1, max_size=2)):
        change = draw(st.sampled_from(["drop", "any", "awkward", "awkward"]))
        if change == "drop":
            data.pop(key, None)
        else:
            data[key] = draw(JSON_VALUES if change == "any" else AWKWARD)


@st.composite
def conversations(draw: Any) -> dict[str, Any]:
    """The fixture conversation with a few of its or its last thread's fields dropped or replaced."""
    body = conversation(threads=draw(st.sampled_from([(), ("customer",), ("reply", "note")])))
    if draw(st.booleans()):
        _mutated(draw, body, CONVERSATION_KEYS)
    # The mutation may have replaced `_embedded` with any value, an empty object included.
    embedded = body.get("_embedded")
    threads = embedded.get("threads") if isinstance(embedded, dict) else None
    thread = threads[-1] if isinstance(threads, list) and threads and isinstance(threads[-1], dict) else None
    if thread is not None and draw(st.booleans()):
        _mutated(draw, thread, THREAD_KEYS)
    return body


def at_time(moment: str) -> dict[str, Any]:
    """The fixture conversation with every time in it at `moment`."""
    body = conversation(threads=("customer",))
    body.update(createdAt=moment, userUpdatedAt=moment, customerWaitingSince={"time": moment})
    for thread in body["_embedded"]["threads"]:
        thread["createdAt"] = moment
    return body


@st.composite
def truncated_conversations(draw: Any) -> bytes:
    raw = json.dumps(draw(conversations())).encode()
    return raw[: draw(st.integers(min_value=0, max_value=len(raw) - 1))]


GARBAGE = st.one_of(
    st.binary(max_size=64),  # mostly not JSON, often not UTF-8
    st.builds(lambda value: json.dumps(value).encode(), JSON_VALUES.filter(lambda value: not isinstance(value, dict))),
    st.builds(lambda body: b"\xff" + json.dumps(body).encode(), conversations()),  # not UTF-8
    truncated_conversations(),
)
CONVERSATION_EVENTS = st.sampled_from(sorted(EVENTS - {"convo.deleted"}))


def stored() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (InboundDelivery, HelpScoutConversation, SupportTicket, TicketComment, TicketEvent)
    )


@pytest.fixture
def webhook_secret(settings):
    """Deliveries are verified; the Mailbox API is not configured, so the task never calls out."""
    settings.HELPSCOUT_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.HELPSCOUT_MAILBOX_ID = MAILBOX_ID
    settings.HELPSCOUT_APP_ID = settings.HELPSCOUT_APP_SECRET = ""


@given(event=st.sampled_from(sorted(EVENTS)), raw=GARBAGE)
def test_a_signed_body_that_is_not_a_conversation_is_400_and_stores_nothing(webhook_secret, post_webhook, event, raw):
    before = stored()
    response = post_webhook(event, raw)

    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("Malformed Help Scout payload: ")
    assert stored() == before


@given(event=CONVERSATION_EVENTS, body=conversations())
# What this test found once: values the parser let through and the database refused.
@example(event="convo.created", body={**conversation(), "subject": "a\x00b"})
@example(event="convo.created", body={**conversation(), "status": "x" * 30})
@example(event="convo.created", body={**conversation(), "id": 10**40})
@example(event="convo.created", body=at_time("2026-11-20T10:00:00+23:00"))  # PostgreSQL takes offsets to 15:59
@example(event="convo.created", body=at_time("0001-01-01T00:00:00+23:00"))  # no such time in UTC
def test_a_signed_conversation_with_odd_fields_is_applied_or_refused_never_an_error(
    webhook_secret, post_webhook, event, body
):
    before = stored()
    response = post_webhook(event, json.dumps(body).encode())

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["detail"].startswith("Malformed Help Scout payload: ")
        assert stored() == before  # nothing half-written
    elif response.json()["status"] == "queued":
        tasks.helpscout_webhook(event, body)  # applies it, or logs why not; never raises


def test_a_huge_conversation_under_the_body_limit_is_applied(webhook_secret, post_webhook):
    body = {**conversation(), "subject": "S" * 300_000, "primaryCustomer": {"id": 7, "first": "N" * 300_000}}
    assert post_webhook("convo.created", json.dumps(body).encode()).json() == {"status": "queued"}
    tasks.helpscout_webhook("convo.created", body)
    ticket = SupportTicket.objects.get()
    assert (len(ticket.subject), len(ticket.customer_name)) == (200, 100)
