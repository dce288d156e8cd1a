"""Ticket changes as Slack sees them: the exact Web API calls each one makes."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from integrations.installation import installation_id
from integrations.models import OutboxMessage
from tickets import services
from tickets.actors import Actor
from tickets.models import ChangeSource
from tickets.tests.factories import TEST_ACTOR, make_ticket

from .conftest import ADMIN_URL, CHANNEL, TOKEN
from .helpers import deliver
from .slack_messages import buttons, shown

pytestmark = pytest.mark.django_db
SLACK_PERSON = Actor(name="Sam Slack", source=ChangeSource.SLACK)


@pytest.fixture
def change(django_capture_on_commit_callbacks):
    """Runs a change and commits it (its after-commit work included)."""

    def run(function, /, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def posted(slack, change):
    """A ticket whose root message is in the channel; the calls list starts empty."""
    ticket = change(make_ticket)
    assert deliver(ticket) == 1
    slack.calls.clear()
    ticket.refresh_from_db()
    return ticket


def test_new_ticket_posts_the_root_message_and_stores_where(slack, change, staff_client):
    ticket = change(make_ticket, priority="high")

    assert deliver(ticket) == 1

    assert slack.methods == ["chat.postMessage"]
    post = slack.calls[0]
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert post.args["channel"] == CHANNEL
    assert "thread_ts" not in post.args
    assert post.args["text"] == f"{ticket.ticket_number}: Cannot log in"
    text = shown(post.args["blocks"])
    for expected in (
        ticket.ticket_number,
        "Cannot log in",
        "Casey Customer (customer@example.com)",
        "*Priority*\nHigh",
        "*Status*\nOpen",
        "*Assigned to*\n_Unassigned_",
        f"<!date^{int(ticket.response_deadline.timestamp())}^",
        f"<!date^{int(ticket.resolution_deadline.timestamp())}^",
        ">The login page says my password is wrong.",
        "Source: Web · Category: General",
    ):
        assert expected in text
    assert buttons(post.args["blocks"]) == [
        ("View Ticket", f"{ADMIN_URL}/dashboard/tickets/{ticket.ticket_number}/"),
        ("Mark Resolved", f"{ticket.pk}:1"),
        ("Assign to Me", f"{ticket.pk}:1"),
    ]
    slack_link = staff_client.get(f"/api/admin/support-tickets/{ticket.pk}").json()["integration"]["slack"]
    assert slack_link["channelId"] == CHANNEL
    assert slack_link["messageTs"] == slack_link["threadId"] == slack.posted[0]["ts"]
    assert slack_link["lastSyncAt"] is not None
    assert slack_link["isArchived"] is False


def test_help_scout_button_only_when_the_ticket_has_a_conversation(slack, change):
    ticket = change(make_ticket, helpscout_conversation_id="987654")
    deliver(ticket)
    assert buttons(slack.calls_to("chat.postMessage")[0]["blocks"])[-1] == (
        "Help Scout",
        "https://secure.helpscout.net/conversation/987654",
    )


def test_status_change_updates_the_root_and_adds_a_thread_line(slack, change, posted):
    change(services.ticket_change_status, ticket_id=posted.pk, status="in_progress", actor=TEST_ACTOR)

    assert deliver(posted) == 1

    assert slack.methods == ["chat.update", "chat.postMessage"]
    update, line = (call.args for call in slack.calls)
    assert (update["channel"], update["ts"]) == (CHANNEL, posted.slack_message_ts)
    assert "*Status*\nIn progress" in shown(update["blocks"])
    assert line == {
        "channel": CHANNEL,
        "thread_ts": posted.slack_thread_id,
        "text": ":arrows_counterclockwise: Status: Open → *In progress*",
        "unfurl_links": False,
        # Names the change, so that a retry after an unknown outcome finds it, not posts it again.
        "metadata": {
            "event_type": "fractionax_ticket_update",
            "event_payload": {
                "installation": installation_id(),
                "outbox_message_id": OutboxMessage.objects.filter(ticket=posted).latest("id").pk,
            },
        },
    }


def test_assignment_updates_the_root_and_adds_a_thread_line(slack, change, posted):
    change(services.ticket_assign, ticket_id=posted.pk, assigned_to="Jo Doe", actor=TEST_ACTOR)
    assert deliver(posted) == 1
    change(services.ticket_assign, ticket_id=posted.pk, assigned_to="", actor=TEST_ACTOR)
    assert deliver(posted) == 1

    assert slack.methods == ["chat.update", "chat.postMessage"] * 2
    assigned_root, assigned, unassigned_root, unassigned = (call.args for call in slack.calls)
    assert "*Assigned to*\nJo Doe" in shown(assigned_root["blocks"])
    assert assigned["text"] == ":bust_in_silhouette: Assigned to *Jo Doe*"
    assert "*Assigned to*\n_Unassigned_" in shown(unassigned_root["blocks"])
    assert unassigned["text"] == ":bust_in_silhouette: Unassigned (was Jo Doe)"


def test_a_late_delivery_draws_the_root_as_the_ticket_is_now(slack, change, posted):
    change(services.ticket_change_priority, ticket_id=posted.pk, priority="high", actor=TEST_ACTOR)
    change(services.ticket_change_priority, ticket_id=posted.pk, priority="low", actor=TEST_ACTOR)

    assert deliver(posted) == 2

    assert all("*Priority*\nLow" in shown(args["blocks"]) for args in slack.calls_to("chat.update"))
    lines = [args["text"] for args in slack.calls_to("chat.postMessage")]
    assert lines == [
        ":triangular_flag_on_post: Priority changed to *High*",
        ":triangular_flag_on_post: Priority changed to *Low*",
    ]


def test_priority_change_adds_a_line_other_updates_only_redraw(slack, change, posted):
    change(services.ticket_change_priority, ticket_id=posted.pk, priority="urgent", actor=TEST_ACTOR)
    change(services.ticket_update, ticket_id=posted.pk, category="billing", actor=TEST_ACTOR)

    assert deliver(posted) == 2

    assert slack.methods == ["chat.postMessage", "chat.update"]  # delivered together: one redraw
    line, redraw = (call.args for call in slack.calls)
    assert line["text"] == ":triangular_flag_on_post: Priority changed to *Urgent*"
    assert "*Priority*\nUrgent" in shown(redraw["blocks"])
    assert "Category: Billing" in shown(redraw["blocks"])


def test_changes_delivered_together_redraw_the_root_once_after_their_lines(slack, change, posted):
    synced_before = posted.slack_last_sync_at
    for status in ("in_progress", "waiting_customer", "resolved"):
        change(services.ticket_change_status, ticket_id=posted.pk, status=status, actor=TEST_ACTOR)

    assert deliver(posted) == 3

    # Each change keeps its line; the root shows the ticket as it is now, so the last redraws it.
    assert slack.methods == ["chat.postMessage", "chat.postMessage", "chat.update", "chat.postMessage"]
    assert "*Status*\nResolved" in shown(slack.calls_to("chat.update")[0]["blocks"])
    posted.refresh_from_db()
    assert posted.slack_last_sync_at > synced_before  # stamped once, by the last


def test_a_new_ticket_and_its_next_change_delivered_together_make_one_root(slack, change):
    # The task reads its tickets once, up front: the change's delivery, after the
    # creation's, must still post into the root that one made, not make a second.
    ticket = change(make_ticket)
    change(services.ticket_change_status, ticket_id=ticket.pk, status="in_progress", actor=TEST_ACTOR)

    assert deliver(ticket) == 2

    root, line = slack.calls_to("chat.postMessage")
    assert "thread_ts" not in root
    ticket.refresh_from_db()
    assert line["thread_ts"] == ticket.slack_thread_id
    assert slack.methods == ["chat.postMessage", "chat.update", "chat.postMessage"]


def test_comments_go_to_the_thread_internal_ones_marked(slack, change, posted):
    for body, internal in (("We reset your password.", False), ("Customer sounded upset.\nCall back.", True)):
        change(
            services.comment_add,
            ticket_id=posted.pk,
            body=body,
            is_internal=internal,
            author="Alex Agent",
            actor=TEST_ACTOR,
        )

    assert deliver(posted) == 2

    lines = [args["text"] for args in slack.calls_to("chat.postMessage")]
    assert lines == [
        ":speech_balloon: Public comment from *Alex Agent*\n>We reset your password.",
        ":lock: *Internal note* from *Alex Agent*\n>Customer sounded upset.\n>Call back.",
    ]
    assert all(args["thread_ts"] == posted.slack_thread_id for args in slack.calls_to("chat.postMessage"))
    # The first public reply is the first response: the root shows it.
    assert "Responded" in shown(slack.calls_to("chat.update")[0]["blocks"])


def test_closing_archives_and_changes_the_buttons_reopening_restores_them(slack, change, posted):
    change(services.ticket_change_status, ticket_id=posted.pk, status="closed", actor=TEST_ACTOR)
    deliver(posted)

    closed = slack.calls_to("chat.update")[-1]["blocks"]
    assert buttons(closed) == [
        ("View Ticket", f"{ADMIN_URL}/dashboard/tickets/{posted.ticket_number}/"),
        ("Reopen", f"{posted.pk}:2"),  # the version the message shows: closing was change 2
    ]
    assert "Archived" in shown(closed)
    posted.refresh_from_db()
    assert posted.slack_is_archived is True

    change(services.ticket_change_status, ticket_id=posted.pk, status="open", actor=TEST_ACTOR)
    deliver(posted)

    reopened = slack.calls_to("chat.update")[-1]["blocks"]
    assert [label for label, _ in buttons(reopened)] == ["View Ticket", "Mark Resolved", "Assign to Me"]
    posted.refresh_from_db()
    assert posted.slack_is_archived is False


def test_resolved_ticket_offers_reopen_but_is_not_archived(slack, change, posted):
    change(services.ticket_change_status, ticket_id=posted.pk, status="resolved", actor=TEST_ACTOR)
    deliver(posted)

    assert [label for label, _ in buttons(slack.calls_to("chat.update")[-1]["blocks"])] == ["View Ticket", "Reopen"]
    posted.refresh_from_db()
    assert posted.slack_is_archived is False


def test_sla_breach_is_alerted_once_in_the_thread_mentioning_the_assignee(slack, change, posted, agent):
    slack.add_user("U0ALEX", email=agent.email, real_name="Alex A.")
    change(services.ticket_assign, ticket_id=posted.pk, assigned_to="Alex Agent", actor=TEST_ACTOR)
    deliver(posted)
    slack.calls.clear()
    later = posted.response_deadline + timedelta(minutes=1)

    with time_machine.travel(later, tick=False):
        assert change(services.tickets_announce_sla_breaches, now=later) == 1
        assert change(services.tickets_announce_sla_breaches, now=later) == 0
        assert deliver(posted) == 1

    assert slack.methods == ["chat.update", "users.lookupByEmail", "chat.postMessage"]
    assert slack.calls_to("users.lookupByEmail") == [{"email": agent.email}]
    assert ":warning: *Overdue*" in shown(slack.calls_to("chat.update")[0]["blocks"])
    alert = slack.calls_to("chat.postMessage")[0]
    assert alert["thread_ts"] == posted.slack_thread_id
    assert alert["text"] == ":rotating_light: *SLA breached*: first response deadline missed. <@U0ALEX>"


def test_sla_breach_names_an_assignee_without_a_known_slack_user(slack, change, posted):
    change(services.ticket_assign, ticket_id=posted.pk, assigned_to="Support Team <&>", actor=TEST_ACTOR)
    deliver(posted)
    slack.calls.clear()
    later = posted.resolution_deadline + timedelta(minutes=1)

    with time_machine.travel(later, tick=False):
        change(services.tickets_announce_sla_breaches, now=later)
        deliver(posted)

    [alert] = slack.calls_to("chat.postMessage")
    assert alert["text"] == (
        ":rotating_light: *SLA breached*: first response and resolution deadline missed."
        " Assigned to *Support Team &lt;&amp;&gt;*."
    )
    assert "users.lookupByEmail" not in slack.methods  # no agent of that name


def test_ticket_text_is_escaped_so_it_cannot_ping_or_link(slack, change):
    hostile = "<!channel> & <@U123> <https://evil.example|Reset here>"
    ticket = change(make_ticket, subject=hostile, customer_name="<!here>", description=f"Hi {hostile}")
    change(
        services.comment_add,
        ticket_id=ticket.pk,
        body=hostile,
        is_internal=False,
        author="<!everyone>",
        actor=TEST_ACTOR,
    )
    change(services.ticket_assign, ticket_id=ticket.pk, assigned_to="<@U999>", actor=TEST_ACTOR)

    deliver(ticket)

    sent = json.dumps([call.args for call in slack.calls])
    for raw in ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<@U999>", "<https://evil"):
        assert raw not in sent
    root = slack.calls_to("chat.postMessage")[0]
    assert root["text"].endswith("&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil.example|Reset here&gt;")
    assert "&lt;!here&gt; (customer@example.com)" in shown(root["blocks"])


def test_a_thread_reply_is_not_echoed_into_its_thread(slack, change, posted):
    change(
        services.comment_add,
        ticket_id=posted.pk,
        body="From the thread",
        is_internal=True,
        author="Sam Slack",
        actor=SLACK_PERSON,
    )

    assert not OutboxMessage.objects.filter(ticket=posted, delivered_at__isnull=True).exists()
    assert deliver(posted) == 0
    assert slack.calls == []


def test_a_status_change_made_in_slack_still_updates_the_slack_message(slack, change, posted):
    change(services.ticket_change_status, ticket_id=posted.pk, status="in_progress", actor=SLACK_PERSON)

    assert list(
        OutboxMessage.objects.filter(ticket=posted, delivered_at__isnull=True).values_list("event", flat=True)
    ) == ["ticket-status-updated"]


def test_a_ticket_from_before_slack_was_configured_gets_its_root_with_its_next_change(settings, slack, change):
    settings.SLACK_BOT_TOKEN = ""
    ticket = change(make_ticket)
    assert not OutboxMessage.objects.filter(ticket=ticket).exists()
    settings.SLACK_BOT_TOKEN = TOKEN

    change(services.ticket_change_status, ticket_id=ticket.pk, status="in_progress", actor=TEST_ACTOR)
    assert deliver(ticket) == 1

    assert slack.methods == ["chat.postMessage", "chat.postMessage"]
    root, line = slack.calls_to("chat.postMessage")
    assert "thread_ts" not in root and "*Status*\nIn progress" in shown(root["blocks"])
    assert line["thread_ts"] == slack.posted[0]["ts"]
    ticket.refresh_from_db()
    assert ticket.slack_message_ts == slack.posted[0]["ts"]


def test_nothing_is_queued_for_slack_when_it_is_not_configured(settings, change):
    settings.SLACK_BOT_TOKEN = settings.SLACK_SUPPORT_CHANNEL_ID = settings.SLACK_SIGNING_SECRET = ""
    ticket = change(make_ticket)
    change(services.ticket_change_status, ticket_id=ticket.pk, status="resolved", actor=TEST_ACTOR)
    assert not OutboxMessage.objects.filter(integration="slack").exists()


def test_sync_is_audited_as_slack(slack, change, posted):
    synced = posted.events.get(action="synced")
    assert (synced.actor, synced.source) == ("Slack", "slack")
    assert timezone.now() - posted.slack_last_sync_at < timedelta(minutes=1)
