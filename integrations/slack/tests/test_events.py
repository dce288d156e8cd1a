"""The Events API endpoint: signatures, url_verification, thread replies as internal
comments, duplicates, bots, and malformed deliveries."""

import json
import time

import pytest

from integrations.models import InboundDelivery, OutboxMessage
from tickets.models import TicketComment

from .helpers import EVENTS_URL, fixture, post_event, post_signed, signature

pytestmark = pytest.mark.django_db
REPLY_TEXT = "Checked the logs: the account is locked & needs a reset <soon>"


@pytest.fixture
def ticket(posted_ticket):
    return posted_ticket


def reply(ticket, **event_changes) -> dict:
    envelope = fixture("thread_reply")
    envelope["event"].update({"thread_ts": ticket.slack_thread_id, "channel": ticket.slack_channel_id, **event_changes})
    return envelope


def test_url_verification_answers_the_challenge(slack, client):
    envelope = fixture("url_verification")
    response = post_event(client, envelope)
    assert response.status_code == 200
    assert response.json() == {"challenge": envelope["challenge"]}


def test_a_reply_in_the_thread_becomes_an_internal_comment_by_the_agent(slack, client, ticket, agent):
    slack.add_user("U0ALEX", email=agent.email.upper(), real_name="Alex in Slack")

    response = post_event(client, reply(ticket))

    assert response.status_code == 200
    [comment] = TicketComment.objects.filter(ticket=ticket)
    assert comment.body == REPLY_TEXT
    assert comment.is_internal is True
    assert (comment.author, comment.source, comment.external_id) == ("Alex Agent", "slack", "1700000100.000200")
    commented = ticket.events.get(action="commented")
    assert (commented.actor, commented.source, commented.field) == ("Alex Agent", "slack", "internal")
    assert slack.calls_to("users.info") == [{"user": "U0ALEX"}]
    # Not echoed back into the thread it came from.
    assert not OutboxMessage.objects.filter(ticket=ticket, event="ticket-comment-added").exists()


def test_the_author_is_the_slack_name_without_a_matching_agent(slack, client, ticket):
    slack.add_user("U0ALEX", email="someone@elsewhere.example", real_name="Robin Slack")
    post_event(client, reply(ticket))
    assert TicketComment.objects.get(ticket=ticket).author == "Robin Slack"


def test_the_author_falls_back_to_the_slack_id_when_slack_does_not_know_them(slack, client, ticket):
    post_event(client, reply(ticket))  # users.info answers user_not_found
    assert TicketComment.objects.get(ticket=ticket).author == "Slack user U0ALEX"


def test_the_user_mapping_is_cached(slack, client, ticket):
    slack.add_user("U0ALEX", real_name="Robin Slack")
    post_event(client, reply(ticket))
    post_event(client, {**reply(ticket, ts="1700000300.000300"), "event_id": "Ev0REPLY02"})
    assert TicketComment.objects.filter(ticket=ticket, author="Robin Slack").count() == 2
    assert len(slack.calls_to("users.info")) == 1


def test_slack_retries_of_a_delivered_event_are_stored_once(slack, client, ticket):
    envelope = reply(ticket)
    for retry in ("", "1", "2"):
        headers = {"HTTP_X_SLACK_RETRY_NUM": retry, "HTTP_X_SLACK_RETRY_REASON": "http_timeout"} if retry else {}
        assert post_event(client, envelope, **headers).status_code == 200
    assert TicketComment.objects.filter(ticket=ticket).count() == 1
    assert InboundDelivery.objects.filter(integration="slack", key="Ev0REPLY01").count() == 1


def test_the_same_message_under_another_event_id_is_still_one_comment(slack, client, ticket):
    post_event(client, reply(ticket))
    post_event(client, {**reply(ticket), "event_id": "Ev0OTHER01"})
    assert TicketComment.objects.filter(ticket=ticket).count() == 1


def test_bot_messages_are_ignored(slack, client, ticket):
    bot = fixture("bot_thread_message")
    bot["event"]["thread_ts"] = ticket.slack_thread_id
    assert post_event(client, bot).status_code == 200
    # A bot's message without the subtype, as apps posting as a bot user send them.
    assert post_event(client, reply(ticket, bot_id="B0OTHER")).status_code == 200
    assert not TicketComment.objects.exists()
    assert not InboundDelivery.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"thread_ts": None},  # a message in the channel, not in a thread
        {"thread_ts": "1699999999.000009"},  # another thread
        {"channel": "C0ELSEWHERE"},
        {"subtype": "message_changed"},
        {"subtype": "channel_join"},
        {"type": "reaction_added"},
    ],
)
def test_messages_outside_a_ticket_thread_are_ignored(slack, client, ticket, changes):
    envelope = reply(ticket)
    envelope["event"].update(changes)
    envelope["event"] = {key: value for key, value in envelope["event"].items() if value is not None}
    assert post_event(client, envelope).status_code == 200
    assert not TicketComment.objects.exists()


def test_the_thread_root_itself_is_not_a_reply(slack, client, ticket):
    assert post_event(client, reply(ticket, ts=ticket.slack_thread_id)).status_code == 200
    assert not TicketComment.objects.exists()


def test_a_reply_with_no_text_left_is_ignored(slack, client, ticket):
    assert post_event(client, reply(ticket, text="   ")).status_code == 200
    assert not TicketComment.objects.exists()
    assert not InboundDelivery.objects.exists()


def test_bad_signature_is_refused_and_changes_nothing(slack, client, ticket):
    body = json.dumps(reply(ticket)).encode()
    response = client.post(
        EVENTS_URL,
        data=body,
        content_type="application/json",
        HTTP_X_SLACK_REQUEST_TIMESTAMP=str(int(time.time())),
        HTTP_X_SLACK_SIGNATURE=signature(body, str(int(time.time())), "not-our-secret"),
    )
    assert response.status_code == 401
    assert not TicketComment.objects.exists()
    assert not InboundDelivery.objects.exists()


# A future timestamp gets closer to "now" while the request is on its way: well past the
# five minutes, so a slow machine cannot bring it back inside them.
@pytest.mark.parametrize("age", [301, 3600, -330])
def test_stale_or_future_timestamps_are_refused(slack, client, ticket, age):
    response = post_event(client, reply(ticket), timestamp=str(int(time.time()) - age))
    assert response.status_code == 401
    assert not TicketComment.objects.exists()


def test_unsigned_requests_are_refused(slack, client):
    assert client.post(EVENTS_URL, data=fixture("url_verification"), content_type="application/json").status_code == 401
    response = client.post(
        EVENTS_URL,
        data=b"{}",
        content_type="application/json",
        HTTP_X_SLACK_REQUEST_TIMESTAMP="soon",
        HTTP_X_SLACK_SIGNATURE="v0=abc",
    )
    assert response.status_code == 401


def test_everything_is_refused_while_no_signing_secret_is_set(settings, slack, client):
    settings.SLACK_SIGNING_SECRET = ""
    assert post_event(client, fixture("url_verification"), secret="").status_code == 401


def test_trailing_slash_and_methods(slack, client):
    body = json.dumps(fixture("url_verification")).encode()
    assert post_signed(client, EVENTS_URL + "/", body, "application/json").status_code == 200
    assert client.get(EVENTS_URL).status_code == 405


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b"[" * 100_000, 400),
        (b'{"type": "url_verification"}', 400),
        (b'{"type": "url_verification", "challenge": 42}', 400),
        (b'{"type": "event_callback"}', 400),
        (b'{"type": "event_callback", "event_id": 7, "event": {}}', 400),
        (b'{"type": "event_callback", "event_id": "Ev1", "event": "message"}', 400),
        (b'{"type": "event_callback", "event_id": "Ev1", "event": {}}', 200),
        (b'{"type": "event_callback", "event_id": "Ev1", "event": {"type": "message", "subtype": []}}', 200),
        (b'{"type": "event_callback", "event_id": "Ev1", "event": {"type": "message", "text": ["x"]}}', 200),
        (b'{"type": "app_rate_limited", "minute_rate_limited": 1518467820}', 200),
        (b"{}", 200),
    ],
)
def test_malformed_deliveries_get_400_or_are_ignored_never_500(slack, client, ticket, body, status):
    assert post_event(client, body).status_code == status
    assert not TicketComment.objects.exists()


def test_a_body_that_is_not_utf8_cannot_be_verified(slack, client):
    assert post_event(client, b"\xff\xfe{}").status_code == 401


def test_malformed_reply_fields_are_ignored(slack, client, ticket):
    for changes in ({"user": 5}, {"ts": ["1"]}, {"thread_ts": {"a": 1}}, {"ts": "9" * 100}):
        assert post_event(client, reply(ticket, **changes)).status_code == 200
    assert not TicketComment.objects.exists()
