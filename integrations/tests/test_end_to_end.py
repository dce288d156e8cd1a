"""Slack and Help Scout end to end, on what users run (fractionax_support/tests/stack.py):
`make run`'s SQLite configuration and production's PostgreSQL one, each with a real worker
of two processes. Faults are injected at each step of a delivery, and every message must
reach the fake provider exactly once: refused before the call, accepted but answered
with an error, the worker killed after the provider acted, the database failing while
the result is recorded. Rate limits are on, as for users, and a fake that enforces them
must never have to answer 429.
"""

import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Response

from fractionax_support.tests.processes import wait_for
from fractionax_support.tests.stack import BACKENDS, Stack, running_stack
from integrations.helpscout import signatures
from integrations.helpscout.tests.fake import FakeHelpScout
from integrations.slack.tests.fake import CHANNEL, TOKEN, FakeSlack

pytestmark = pytest.mark.slow

API = "/api/admin/support-tickets"
MAILBOX_ID = "85"
WEBHOOK_SECRET = "stack-webhook-secret"
# The documented limits, scaled up so that a burst drains in seconds, are what the fakes
# enforce. The stack keeps 80% of them, as a deployment would: providers count arrivals,
# and a call that waits for the GIL or a busy server arrives bunched with later ones.
# At 100%, a delay of a quarter second refuses a call; at 80%, it takes most of a window.
SLACK_RATES = {
    "chat.postMessage": "20/second",
    "chat.update": "10/second",
    "conversations.history": "10/second",
    "conversations.replies": "10/second",
}
HELPSCOUT_RATE = "100/2 seconds"
STACK_SLACK_RATES = {
    "chat.postMessage": "16/second",
    "chat.update": "8/second",
    "conversations.history": "8/second",
    "conversations.replies": "8/second",
}
STACK_HELPSCOUT_RATE = "80/2 seconds"
SQLITE_BUSY_TIMEOUT_SECONDS = 10


@pytest.fixture(scope="module", params=BACKENDS)
def stack(request: Any, make_httpserver: HTTPServer) -> Iterator[Stack]:
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SUPPORT_CHANNEL_ID": CHANNEL,
        "SLACK_SIGNING_SECRET": "stack-signing-secret",
        "SLACK_API_URL": make_httpserver.url_for("/"),
        "HELPSCOUT_APP_ID": "app-id",
        "HELPSCOUT_APP_SECRET": "app-secret",
        "HELPSCOUT_MAILBOX_ID": MAILBOX_ID,
        "HELPSCOUT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "HELPSCOUT_API_URL": make_httpserver.url_for("/v2/"),
        "INTEGRATION_RATE_LIMITS": "true",
        "SLACK_RATE_LIMITS": ",".join(f"{method}={rate}" for method, rate in STACK_SLACK_RATES.items()),
        "HELPSCOUT_RATE_LIMIT": STACK_HELPSCOUT_RATE,
        # Short (production waits 30 s), so that a lock held by the test turns into the
        # "database is locked" error; long enough that ten clients queueing behind each other
        # and the worker on a loaded two-core machine never wait that long.
        "SQLITE_BUSY_TIMEOUT_SECONDS": str(SQLITE_BUSY_TIMEOUT_SECONDS),
    }
    with running_stack(request.param, env) as stack:
        yield stack


@pytest.fixture
def slack(httpserver: HTTPServer) -> FakeSlack:
    fake = FakeSlack(httpserver)
    fake.enforce(SLACK_RATES)
    return fake


@pytest.fixture
def helpscout(httpserver: HTTPServer) -> FakeHelpScout:
    fake = FakeHelpScout(httpserver, mailbox_id=MAILBOX_ID)
    fake.enforce(HELPSCOUT_RATE)
    return fake


@pytest.fixture
def api(stack: Stack, slack: FakeSlack, helpscout: FakeHelpScout) -> Iterator[requests.Session]:
    """The stack's API, with both fakes answering; checks afterwards that neither refused a call."""
    session = stack.client()
    yield session
    assert (slack.refused, helpscout.refused) == ([], 0), "a call went over a rate limit"


def create_ticket(api: requests.Session, stack: Stack, subject: str) -> dict[str, Any]:
    body = {"subject": subject, "description": "It broke.", "customerEmail": "bear@acme.com", "customerName": "Vernon"}
    response = api.post(f"{stack.base_url}{API}", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def comment(api: requests.Session, stack: Stack, ticket: dict[str, Any], text: str, *, internal: bool) -> None:
    response = api.post(
        f"{stack.base_url}{API}/{ticket['id']}/comments", json={"comment": text, "isInternal": internal}
    )
    assert response.status_code == 201, response.text


def roots(slack: FakeSlack, ticket: dict[str, Any]) -> list[dict[str, Any]]:
    """The ticket's root messages in the channel (there must be one)."""
    return [
        message
        for message in slack.posted
        if "thread_ts" not in message and message["metadata"]["event_payload"]["ticket_id"] == ticket["id"]
    ]


def conversation_of(helpscout: FakeHelpScout, ticket: dict[str, Any]) -> list[dict[str, Any]]:
    tag = ticket["ticketNumber"].lower()
    return [c for c in helpscout.conversations.values() if any(t["tag"] == tag for t in c["tags"])]


def test_every_change_reaches_slack_and_help_scout_exactly_once(stack, api, slack, helpscout):
    ticket = create_ticket(api, stack, "Withdrawal stuck")
    comment(api, stack, ticket, "We are on it.", internal=False)
    comment(api, stack, ticket, "Checked the ledger.", internal=True)
    response = api.put(f"{stack.base_url}{API}/{ticket['id']}/status", json={"status": "waiting_customer"})
    assert response.status_code == 200

    stack.wait_delivered()

    [root] = roots(slack, ticket)
    lines = slack.thread_of(root["ts"])[1:]
    assert [line["text"].split(":", 2)[1] for line in lines] == ["speech_balloon", "lock", "arrows_counterclockwise"]
    assert len({line["metadata"]["event_payload"]["outbox_message_id"] for line in lines}) == 3
    [conversation] = conversation_of(helpscout, ticket)
    assert [len(helpscout.threads(conversation["id"], kind)) for kind in ("reply", "note")] == [1, 1]
    assert conversation["status"] == "pending"
    linked = api.get(f"{stack.base_url}{API}/{ticket['id']}").json()["integration"]
    assert linked["slack"]["messageTs"] == root["ts"]
    assert linked["helpScout"]["conversationId"] == str(conversation["id"])


def test_calls_that_took_effect_but_answered_an_error_are_not_sent_again(stack, api, slack, helpscout):
    slack.accept_then_fail("chat.postMessage", status=500)
    helpscout.after("POST reply", lambda: Response("bad gateway", status=502))
    ticket = create_ticket(api, stack, "Answered with an error")
    comment(api, stack, ticket, "Reset done.", internal=False)

    stack.wait_delivered()

    assert len(roots(slack, ticket)) == 1
    [conversation] = conversation_of(helpscout, ticket)
    assert len(helpscout.threads(conversation["id"], "reply")) == 1
    # The retries looked before sending again.
    assert [call.method for call in slack.calls].count("conversations.history") == 1
    assert helpscout.count("GET", rf"/v2/conversations/{conversation['id']}") >= 1


def test_a_worker_killed_after_the_provider_acted_sends_nothing_twice(stack, api, slack, helpscout):
    """Slack first, then Help Scout: each provider acts on a call, then the worker is killed
    before it records the result; a supervisor starts a new one."""
    for provider, script in (("slack", slack.after), ("helpscout", helpscout.after)):
        killed = threading.Event()
        doomed = stack.worker

        def kill(doomed: Any = doomed, killed: threading.Event = killed) -> None:
            stack.kill_worker(doomed)
            killed.set()

        script("chat.postMessage" if provider == "slack" else "POST conversations", kill)
        ticket = create_ticket(api, stack, f"Worker killed after {provider} acted")
        assert killed.wait(30), f"no call reached {provider}"

        def delivered_restarting_the_worker() -> bool:
            if not stack.worker_running():
                stack.start_worker()  # as a supervisor would
            return stack.pending_deliveries() == 0

        wait_for(delivered_restarting_the_worker, 90, "delivery across a worker restart")

        [root] = roots(slack, ticket)
        [conversation] = conversation_of(helpscout, ticket)
        linked = api.get(f"{stack.base_url}{API}/{ticket['id']}").json()["integration"]
        assert linked["slack"]["messageTs"] == root["ts"]
        assert linked["helpScout"]["conversationId"] == str(conversation["id"])


def test_the_database_failing_while_a_result_is_recorded_sends_nothing_twice(stack, api, slack, helpscout):
    slack.after("chat.postMessage", lambda: database_hiccup(stack))
    ticket = create_ticket(api, stack, "Database hiccup")

    stack.wait_delivered()

    [root] = roots(slack, ticket)
    assert api.get(f"{stack.base_url}{API}/{ticket['id']}").json()["integration"]["slack"]["messageTs"] == root["ts"]
    assert len(conversation_of(helpscout, ticket)) == 1


def database_hiccup(stack: Stack) -> None:
    """SQLite: another process holds the write lock for longer than the busy timeout.
    PostgreSQL: every connection to the database is cut, as in a restart or failover."""
    if stack.backend == "sqlite":
        import sqlite3

        holder = sqlite3.connect(stack.database, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        release = threading.Timer(SQLITE_BUSY_TIMEOUT_SECONDS + 2, lambda: (holder.execute("ROLLBACK"), holder.close()))
        release.start()
        return
    with psycopg.connect(stack.database, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def test_our_reply_coming_back_before_it_is_recorded_is_not_a_new_comment(stack, api, slack, helpscout):
    ticket = create_ticket(api, stack, "Echo")
    stack.wait_delivered()
    [conversation] = conversation_of(helpscout, ticket)

    def echo() -> None:
        # Help Scout's webhook for the reply just made, delivered before we have its id (its
        # time set apart, to see when it has been applied).
        body = json.dumps({**conversation, "userUpdatedAt": ECHO_TIME}).encode()
        headers = {
            "Content-Type": "application/json",
            "X-HelpScout-Event": "convo.agent.reply.created",
            "X-HelpScout-Signature": signatures.sign(body, WEBHOOK_SECRET),
        }
        for _ in range(5):  # Help Scout delivers again after a 503, as after any failure
            response = requests.post(f"{stack.base_url}/api/webhooks/helpscout", data=body, headers=headers, timeout=10)
            if response.status_code != 503:
                break
            time.sleep(1)
        assert response.status_code == 200, response.text

    helpscout.after("POST reply", echo)
    comment(api, stack, ticket, "Here is the fix.", internal=False)
    stack.wait_delivered()
    wait_for(lambda: echo_applied(stack, conversation["id"]), 30, "the webhook to be applied")

    comments = api.get(f"{stack.base_url}{API}/{ticket['id']}").json()["comments"]
    assert [c["comment"] for c in comments] == ["Here is the fix."]


ECHO_TIME = "2030-01-01T00:00:00Z"


def echo_applied(stack: Stack, conversation_id: int) -> bool:
    sql = "SELECT count(*) FROM integrations_helpscoutconversation WHERE conversation_id = %s AND modified_at > %s"
    return bool(stack.rows(sql, (str(conversation_id), "2029-12-31"))[0][0])


def test_twenty_concurrent_writers_lose_nothing_and_get_no_server_error(stack, api, slack, helpscout):
    ticket = create_ticket(api, stack, "Busy ticket")
    clients = [stack.client() for _ in range(20)]
    barrier = threading.Barrier(len(clients))

    def write(index: int) -> list[int]:
        barrier.wait()
        url = f"{stack.base_url}{API}/{ticket['id']}/comments"
        return [
            clients[index].post(url, json={"comment": f"{index}-{n}", "isInternal": True}).status_code for n in range(5)
        ]

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = [status for result in pool.map(write, range(len(clients))) for status in result]

    assert statuses == [201] * 100
    detail = api.get(f"{stack.base_url}{API}/{ticket['id']}").json()
    assert detail["statistics"]["totalComments"] == 100
    assert sorted(c["comment"] for c in detail["comments"]) == sorted(f"{i}-{n}" for i in range(20) for n in range(5))
    stack.wait_delivered(120)
    [root] = roots(slack, ticket)
    assert len(slack.thread_of(root["ts"])) == 1 + 100


def test_a_burst_of_changes_stays_under_the_rate_limits_and_all_arrives(stack, api, slack, helpscout):
    """500 changes: 50 tickets, each with 9 more (comments, public and internal, and
    status changes), from 10 clients at once."""
    tickets = [create_ticket(api, stack, f"Burst {n}") for n in range(50)]
    statuses = ["in_progress", "waiting_customer", "open"]

    def change(ticket: dict[str, Any]) -> None:
        session = stack.client()
        for step in range(9):
            if step % 3 == 2:
                url, body = f"{API}/{ticket['id']}/status", {"status": statuses[step // 3]}
                assert session.put(f"{stack.base_url}{url}", json=body).status_code == 200
            else:
                body = {"comment": f"Step {step}", "isInternal": step % 3 == 1}
                assert session.post(f"{stack.base_url}{API}/{ticket['id']}/comments", json=body).status_code == 201

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(change, tickets))
    stack.wait_delivered(240)

    for ticket in tickets:
        [root] = roots(slack, ticket)
        assert len(slack.thread_of(root["ts"])) == 1 + 9
        [conversation] = conversation_of(helpscout, ticket)
        threads = [len(helpscout.threads(conversation["id"], kind)) for kind in ("reply", "note")]
        assert threads == [3, 3]
        assert conversation["status"] == "active"
    assert wait_for_quietly(lambda: not slack.refused and not helpscout.refused)


def wait_for_quietly(check: Callable[[], bool]) -> bool:
    time.sleep(0.1)
    return check()
