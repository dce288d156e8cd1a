"""The resync (pages, idempotence, repair), its API trigger and its beat schedule."""

import json
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django_celery_beat.models import PeriodicTask
from werkzeug import Response

from fractionax_support.celery import app as celery_app
from integrations.helpscout.client import HelpScoutError
from integrations.helpscout.tasks import helpscout_resync
from integrations.models import HelpScoutSyncRun, IntegrationState
from integrations.schedules import ensure_schedules
from tickets.models import SupportTicket, TicketComment

from .conftest import conversation

pytestmark = pytest.mark.django_db

LIST = "/v2/conversations"


def page(number, total, *conversations):
    return {"_embedded": {"conversations": list(conversations)}, "page": {"number": number, "totalPages": total}}


def customer_thread(thread_id, text):
    return {"id": thread_id, "type": "customer", "body": text, "createdAt": "2026-11-20T12:00:00Z"}


@pytest.fixture
def two_pages(helpscout):
    first = conversation(id=2001, subject="First", threads=("reply",))
    second = conversation(id=2002, subject="Second", status="closed")
    second["_embedded"]["threads"][0]["id"] = 6001
    third = conversation(id=2003, subject="Third", threads=None, status="pending")  # threads not embedded
    third_full = conversation(id=2003, subject="Third", status="pending")
    third_full["_embedded"]["threads"][0]["id"] = 7001
    third_full["_embedded"]["threads"].append(customer_thread(7002, "Hello again"))
    third_full["threads"] = 2
    first["_embedded"]["threads"][0]["id"] = 8001
    pages = {"1": page(1, 2, first, second), "2": page(2, 2, third)}
    helpscout.expect_request(LIST, method="GET").respond_with_handler(
        lambda request: Response(json.dumps(pages[request.args["page"]]), content_type="application/hal+json")
    )
    helpscout.expect_request("/v2/conversations/2003", method="GET").respond_with_json(third_full)
    return helpscout


def list_requests(helpscout):
    return [request for request, _ in helpscout.log if request.path == LIST]


def test_resync_pulls_every_page_and_runs_idempotently(two_pages):
    helpscout_resync()
    helpscout_resync()

    tickets = {t.subject: t for t in SupportTicket.objects.all()}
    assert sorted(tickets) == ["First", "Second", "Third"]
    assert (tickets["Second"].status, tickets["Third"].status) == ("resolved", "waiting_customer")
    assert {t.source for t in tickets.values()} == {"helpscout"}
    assert sorted(TicketComment.objects.values_list("external_id", flat=True)) == ["5003", "7002"]

    first, second = HelpScoutSyncRun.objects.order_by("started_at")
    assert (first.succeeded, first.conversations, first.tickets_created, first.comments_added) == (True, 3, 3, 2)
    assert (second.succeeded, second.conversations, second.tickets_created, second.comments_added) == (True, 3, 0, 0)
    assert second.modified_since == first.started_at - timedelta(minutes=5)
    assert IntegrationState.objects.get(name="helpscout").last_sync_at is not None

    params = list_requests(two_pages)[0].args.to_dict()
    assert params == {
        "mailbox": "85",
        "status": "all",
        "modifiedSince": first.modified_since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sortField": "modifiedAt",
        "sortOrder": "asc",
        "embed": "threads",
        "page": "1",
    }
    assert [request.args["page"] for request in list_requests(two_pages)] == ["1", "2", "1", "2"]


def test_resync_repairs_a_missed_webhook(helpscout, webhook):
    webhook("convo.created", conversation())
    missed = conversation(threads=("customer", "reply"), status="closed", userUpdatedAt="2026-11-20T13:00:00Z")
    helpscout.expect_request(LIST).respond_with_json(page(1, 1, missed))

    helpscout_resync()

    ticket = SupportTicket.objects.get(helpscout_conversation_id="1001")
    assert ticket.status == "resolved"
    assert ticket.total_comments == 2
    run = HelpScoutSyncRun.objects.get()
    assert (run.tickets_created, run.tickets_updated, run.comments_added) == (0, 1, 2)


def test_an_unreadable_conversation_is_skipped_not_fatal(helpscout):
    helpscout.expect_request(LIST).respond_with_json(page(1, 1, {"id": "nope"}, conversation(id=2001)))

    helpscout_resync()

    assert SupportTicket.objects.get().helpscout_conversation_id == "2001"
    assert HelpScoutSyncRun.objects.get().succeeded


def test_a_failed_resync_is_recorded_and_does_not_move_the_window(helpscout):
    helpscout.expect_request(LIST).respond_with_data("down", status=500)

    with pytest.raises(HelpScoutError):
        helpscout_resync()

    run = HelpScoutSyncRun.objects.get()
    assert not run.succeeded
    assert "HTTP 500" in run.error
    assert "Resync failed" in IntegrationState.objects.get(name="helpscout").last_error


def test_resync_does_nothing_when_not_configured():
    assert helpscout_resync() == 0
    assert not HelpScoutSyncRun.objects.exists()


def test_sync_endpoint_queues_the_resync(helpscout, staff_client):
    with celery_app.connection_for_write() as connection:
        queue = connection.SimpleQueue("celery")
        queue.clear()

        response = staff_client.post("/api/admin/support-tickets/sync/helpscout")

        assert (response.status_code, response.json()) == (202, {"queued": True})
        message = queue.get(timeout=1)
        assert message.headers["task"] == "integrations.helpscout.tasks.helpscout_resync"
        message.ack()
        queue.close()


def test_sync_endpoint_is_503_when_not_configured(staff_client):
    response = staff_client.post("/api/admin/support-tickets/sync/helpscout/")

    assert response.status_code == 503
    assert "HELPSCOUT_APP_ID" in response.json()["detail"]


def test_sync_endpoint_is_503_when_the_broker_is_down(helpscout, staff_client, broker_down):
    response = staff_client.post("/api/admin/support-tickets/sync/helpscout")

    assert response.status_code == 503
    assert "queue" in response.json()["detail"]


def test_resync_runs_every_15_minutes_by_beat():
    # The migration stores the schedules; tests that flush the database remove its rows,
    # so store them again the way the migration does.
    ensure_schedules(django_apps)
    task = PeriodicTask.objects.get(name="Help Scout resync")
    assert task.task == "integrations.helpscout.tasks.helpscout_resync"
    assert (task.interval.every, task.interval.period, task.enabled) == (900, "seconds", True)
