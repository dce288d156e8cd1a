"""POST /api/webhooks/helpscout: signed deliveries of each event, applied by the task."""

import json

import pytest

from integrations.helpscout.signatures import sign
from integrations.models import HelpScoutConversation, InboundDelivery, OutboxMessage
from tickets import services
from tickets.models import SupportTicket, TicketComment, TicketEvent
from tickets.tests.factories import TEST_ACTOR

from .conftest import WEBHOOK_SECRET, conversation

pytestmark = pytest.mark.django_db


def the_ticket() -> SupportTicket:
    return SupportTicket.objects.get(helpscout_conversation_id="1001")


def comments() -> list[tuple[str, bool, str, str]]:
    return [
        (c.external_id, c.is_internal, c.author, c.body)
        for c in TicketComment.objects.filter(ticket=the_ticket()).order_by("id")
    ]


def test_convo_created_makes_a_linked_helpscout_ticket(helpscout, webhook):
    webhook("convo.created", conversation())

    ticket = the_ticket()
    assert ticket.subject == "Cannot withdraw my tokens"
    assert ticket.description == "Hello,\nthe withdrawal page shows an error & nothing happens."
    assert (ticket.customer_email, ticket.customer_name) == ("bear@acme.com", "Vernon Bear")
    assert (ticket.source, ticket.status, ticket.helpscout_sync_status) == ("helpscout", "open", "synced")
    assert ticket.helpscout_last_sync_at is not None
    assert ticket.total_comments == 0  # the first message is the description
    created = TicketEvent.objects.get(ticket=ticket, action="created")
    assert (created.actor, created.source) == ("Vernon Bear", "helpscout")


def test_a_linked_conversation_makes_nothing_new(helpscout, webhook):
    webhook("convo.created", conversation())
    webhook("convo.created", conversation(preview="redelivered with another body"))

    assert SupportTicket.objects.count() == 1


def test_helpscout_test_event_is_answered_and_stores_nothing(helpscout, post_webhook):
    response = post_webhook("helpscout.test", {"id": 1})

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert not InboundDelivery.objects.exists()


def test_events_we_do_not_use_are_answered_200(helpscout, post_webhook):
    response = post_webhook("customer.created", {"id": 1})

    assert (response.status_code, response.json()) == (200, {"status": "ignored"})


@pytest.mark.parametrize("signature", ["", "AAAA", "7S2+kN8bZsrdAEADJ+yYfWWsf/4="])
def test_bad_or_missing_signature_is_401_and_stores_nothing(helpscout, post_webhook, signature):
    response = post_webhook("convo.created", conversation(), signature=signature)

    assert response.status_code == 401
    assert not InboundDelivery.objects.exists()
    assert not SupportTicket.objects.exists()


def test_a_body_signed_with_another_secret_is_401_and_stores_nothing(helpscout, post_webhook):
    body = json.dumps(conversation()).encode()

    response = post_webhook("convo.created", body, signature=sign(body, "not-" + WEBHOOK_SECRET))

    assert response.status_code == 401
    assert not InboundDelivery.objects.exists()
    assert not SupportTicket.objects.exists()


def test_without_a_configured_secret_nothing_is_accepted(helpscout, post_webhook, settings):
    settings.HELPSCOUT_WEBHOOK_SECRET = ""

    assert post_webhook("convo.created", conversation(), signature="").status_code == 401


def test_signature_is_checked_on_the_raw_bytes(helpscout, post_webhook):
    raw = b'{"id": 1001, "subject": "a\\/b"}'  # PHP-style escaping must not be re-encoded away

    assert post_webhook("convo.deleted", raw, signature=sign(raw, WEBHOOK_SECRET)).status_code == 200
    reencoded = json.dumps(json.loads(raw)).encode()
    assert post_webhook("convo.deleted", raw, signature=sign(reencoded, WEBHOOK_SECRET)).status_code == 401


def test_get_is_not_allowed(helpscout, client):
    assert client.get("/api/webhooks/helpscout").status_code == 405


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": 1001, "subject": "trunc',
        b"\xff\xfe{\x00}\x00",
        b"[1, 2]",
        b'"just a string"',
        b'{"id": "1001"}',
        b'{"id": true}',
        b'{"id": -5}',
        b'{"id": 1001, "status": 5}',
        b'{"id": 1001, "primaryCustomer": "bear@acme.com"}',
        b'{"id": 1001, "_embedded": {"threads": {"id": 1}}}',
        b'{"id": 1001, "_embedded": {"threads": [{"id": "x"}]}}',
        b'{"id": 1001, "userUpdatedAt": "yesterday"}',
        b'{"id": 1001, "createdAt": "2026-13-45T10:00:00Z"}',
        b'{"id": 1001, "tags": [{"tag": 3}]}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_malformed_bodies_are_400_and_store_nothing(helpscout, post_webhook, body):
    response = post_webhook("convo.created", body)

    assert response.status_code == 400
    assert not InboundDelivery.objects.exists()


def test_customer_reply_agent_reply_and_note_become_comments_once(helpscout, webhook):
    webhook("convo.created", conversation())
    webhook("convo.customer.reply.created", conversation(threads=("customer",)))
    webhook("convo.agent.reply.created", conversation(threads=("customer", "reply")))
    webhook("convo.note.created", conversation(threads=("customer", "reply", "note")))
    # Redelivered with another body (Help Scout may re-send a changed snapshot).
    webhook("convo.note.created", conversation(threads=("customer", "reply", "note"), preview="again"))

    assert comments() == [
        ("5002", False, "Vernon Bear", "Any news? I still cannot withdraw."),
        ("5003", False, "Jane Agent", "Hi Vernon,\nwe are on it."),
        ("5004", True, "Jane Agent", "Looks like the KYC check is stuck."),
    ]
    ticket = the_ticket()
    assert ticket.total_comments == 3
    reply_comment = TicketComment.objects.get(external_id="5003")
    assert ticket.first_response_at == reply_comment.created_at  # the agent's reply, not the customer's
    assert set(TicketComment.objects.values_list("source", flat=True)) == {"helpscout"}


def test_a_customer_reply_alone_does_not_count_as_first_response(helpscout, webhook):
    webhook("convo.created", conversation())
    webhook("convo.customer.reply.created", conversation(threads=("customer",)))

    assert the_ticket().first_response_at is None


def test_identical_redelivery_is_recorded_once(helpscout, post_webhook, webhook):
    body = conversation(threads=("customer",))
    webhook("convo.customer.reply.created", body)

    response = post_webhook("convo.customer.reply.created", body)

    assert response.json() == {"status": "duplicate"}
    assert InboundDelivery.objects.filter(key__startswith="webhook:").count() == 1
    assert len(comments()) == 1


def test_status_changes_are_mapped_and_audited_as_helpscout(helpscout, webhook):
    webhook("convo.created", conversation())
    webhook("convo.status", conversation(status="pending", userUpdatedAt="2026-11-20T11:00:00Z"))
    assert the_ticket().status == "waiting_customer"

    webhook("convo.status", conversation(status="closed", userUpdatedAt="2026-11-20T11:05:00Z"))
    ticket = the_ticket()
    assert ticket.status == "resolved"
    assert ticket.resolved_by == "Help Scout"
    event = TicketEvent.objects.filter(ticket=ticket, action="status_changed").last()
    assert (event.old_value, event.new_value, event.source) == ("waiting_customer", "resolved", "helpscout")

    webhook("convo.status", conversation(status="spam", userUpdatedAt="2026-11-20T11:10:00Z"))
    assert the_ticket().status == "closed"


def test_active_leaves_an_in_progress_ticket_in_progress(helpscout, webhook):
    webhook("convo.created", conversation())
    services.ticket_change_status(ticket_id=the_ticket().pk, status="in_progress", actor=TEST_ACTOR)
    HelpScoutConversation.objects.update(status="pending")  # as if Help Scout had been pending meanwhile

    webhook("convo.status", conversation(status="active", userUpdatedAt="2026-11-20T11:00:00Z"))

    assert the_ticket().status == "in_progress"


def test_assignment_is_applied_and_unassignment_too(helpscout, webhook):
    jane = {"id": 12, "first": "Jane", "last": "Agent", "email": "jane@fractionax.example", "type": "user"}
    webhook("convo.created", conversation())
    webhook("convo.assigned", conversation(assignee=jane, userUpdatedAt="2026-11-20T11:00:00Z"))
    ticket = the_ticket()
    assert ticket.assigned_to == "Jane Agent"
    event = TicketEvent.objects.get(ticket=ticket, action="assigned")
    assert (event.new_value, event.source) == ("Jane Agent", "helpscout")

    webhook("convo.assigned", conversation(assignee=None, userUpdatedAt="2026-11-20T11:05:00Z"))
    assert the_ticket().assigned_to == ""


def test_an_assignment_made_here_survives_later_help_scout_activity(helpscout, webhook):
    webhook("convo.created", conversation())
    services.ticket_assign(ticket_id=the_ticket().pk, assigned_to="Support Team", actor=TEST_ACTOR)

    webhook("convo.customer.reply.created", conversation(threads=("customer",)))

    assert the_ticket().assigned_to == "Support Team"


def test_out_of_order_deliveries_end_in_the_newest_state(helpscout, webhook):
    webhook("convo.created", conversation())
    newer = conversation(threads=("customer", "reply"), status="closed", userUpdatedAt="2026-11-20T13:00:00Z")
    older = conversation(threads=("customer",), status="active")  # the customer's reply, sent at 12:00

    webhook("convo.status", newer)
    webhook("convo.customer.reply.created", older)

    ticket = the_ticket()
    assert ticket.status == "resolved"
    assert [external_id for external_id, *_ in comments()] == ["5002", "5003"]
    assert TicketEvent.objects.filter(ticket=ticket, action="status_changed").count() == 1


def test_a_customer_reply_reopens_a_resolved_ticket(helpscout, webhook):
    webhook("convo.created", conversation())
    webhook("convo.status", conversation(status="closed", userUpdatedAt="2026-11-20T11:00:00Z"))

    webhook("convo.customer.reply.created", conversation(threads=("customer",), status="active"))

    assert the_ticket().status == "open"


def test_deleted_conversation_keeps_the_ticket_and_marks_the_link(helpscout, webhook):
    webhook("convo.created", conversation())

    webhook("convo.deleted", {"id": 1001})
    webhook("convo.status", conversation(status="closed", userUpdatedAt="2026-11-20T14:00:00Z"))

    ticket = the_ticket()
    assert (ticket.helpscout_sync_status, ticket.status) == ("deleted", "open")
    assert HelpScoutConversation.objects.get(conversation_id="1001").deleted


def test_deleted_before_created_makes_no_ticket(helpscout, webhook):
    webhook("convo.deleted", {"id": 1001})
    webhook("convo.created", conversation())

    assert not SupportTicket.objects.exists()


def test_a_body_without_threads_is_completed_from_the_api(helpscout, webhook):
    helpscout.expect_request("/v2/conversations/1001", query_string={"embed": "threads"}).respond_with_json(
        conversation(threads=("customer",))
    )

    webhook("convo.created", conversation(threads=None))

    ticket = the_ticket()
    assert ticket.description.startswith("Hello,")
    assert [external_id for external_id, *_ in comments()] == ["5002"]


def test_a_conversation_of_another_mailbox_makes_no_ticket(helpscout, webhook):
    webhook("convo.created", conversation(mailboxId=99))

    assert not SupportTicket.objects.exists()


def test_changes_from_help_scout_are_not_sent_back(helpscout, webhook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        webhook("convo.created", conversation())
        webhook("convo.agent.reply.created", conversation(threads=("reply",), status="pending"))
        webhook("convo.note.created", conversation(threads=("reply", "note"), status="closed"))

    assert the_ticket().status == "resolved"
    assert not OutboxMessage.objects.filter(integration="helpscout").exists()


def test_broker_down_is_503_and_the_delivery_is_not_recorded(helpscout, post_webhook, broker_down):
    response = post_webhook("convo.created", conversation())

    assert response.status_code == 503
    assert not InboundDelivery.objects.exists()


def test_every_delivery_twice_and_out_of_order_changes_state_once_in_the_right_order(helpscout, webhook):
    created = conversation()
    replied = conversation(threads=("customer",), status="active")  # the customer's reply, at 12:00
    closed = conversation(threads=("customer", "reply"), status="closed", userUpdatedAt="2026-11-20T13:00:00Z")

    for event, body in [
        ("convo.status", closed),
        ("convo.customer.reply.created", replied),
        ("convo.created", created),
        ("convo.customer.reply.created", replied),
        ("convo.status", closed),
        ("convo.created", created),
    ]:
        webhook(event, body)

    ticket = the_ticket()
    assert SupportTicket.objects.count() == 1
    assert ticket.status == "resolved"
    assert [external_id for external_id, *_ in comments()] == ["5002", "5003"]
    actions = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert sorted(actions) == ["commented", "commented", "created", "status_changed", "synced"]
    assert InboundDelivery.objects.filter(key__startswith="webhook:").count() == 3


def test_markup_from_help_scout_is_shown_as_text(helpscout, webhook, client, staff_agent):
    """Thread bodies are HTML: their tags are dropped, and what they showed as text (an
    escaped tag included) is stored as text, which the dashboard escapes again."""
    script = "<script>alert(1)</script>"
    hostile = {"first": "<img src=x onerror=alert(1)>", "last": "", "email": "bear@acme.com", "id": 77}
    body = conversation(threads=("customer",), subject=f"Help {script}", primaryCustomer=hostile)
    body["_embedded"]["threads"][-1]["body"] = "<p>Still &lt;script&gt;alert(2)&lt;/script&gt;</p><script>x()</script>"
    webhook("convo.created", body)

    ticket = the_ticket()
    assert ticket.subject == f"Help {script}"
    assert ticket.customer_name == "<img src=x onerror=alert(1)>"
    assert TicketComment.objects.get(ticket=ticket).body == "Still <script>alert(2)</script>\nx()"
    client.force_login(staff_agent)
    for page in ("/dashboard/", f"/dashboard/tickets/{ticket.pk}/"):
        html = client.get(page).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "Help &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Still &lt;script&gt;alert(2)&lt;/script&gt;" in html
