"""Files between Help Scout and tickets: a thread's attachments come in with its comment
(fetched from the attachment data endpoint), and a comment's files go out with its reply."""

import base64
import json

import pytest
from werkzeug import Response

from integrations import outbox
from tickets import services
from tickets.models import Attachment, SupportTicket, TicketComment
from tickets.tests.attachment_helpers import PNG, attachment_dir, incoming
from tickets.tests.factories import TEST_ACTOR, make_ticket

from .conftest import conversation, load

__all__ = ["attachment_dir"]

pytestmark = pytest.mark.django_db

DATA = "/v2/conversations/1001/attachments/{}/data"


def with_attachment_thread(**changes):
    data = conversation(**changes)
    data["_embedded"]["threads"].append(load("thread_customer_attachments"))
    data["threads"] = len(data["_embedded"]["threads"])
    return data


def test_a_threads_files_come_in_with_its_comment(helpscout, webhook, attachment_dir, requests_to):
    helpscout.expect_request(DATA.format(12391)).respond_with_json({"data": base64.b64encode(PNG).decode()})

    webhook("convo.customer.reply.created", with_attachment_thread())

    comment = TicketComment.objects.get(external_id="5004")
    assert comment.body == "Here is what I see."
    (attachment,) = Attachment.objects.filter(comment=comment)
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "withdrawal-error.png",
        "image/png",
        len(PNG),
    )
    assert (attachment_dir / attachment.storage_name).read_bytes() == PNG
    # The executable was never fetched: refused by its name and type as it was listed.
    assert requests_to("GET", DATA.format(12392)) == []


def test_a_redelivery_fetches_and_stores_nothing_again(helpscout, webhook, attachment_dir, requests_to):
    helpscout.expect_request(DATA.format(12391)).respond_with_json({"data": base64.b64encode(PNG).decode()})

    webhook("convo.customer.reply.created", with_attachment_thread())
    webhook("convo.customer.reply.created", with_attachment_thread())

    assert Attachment.objects.count() == 1
    assert len(requests_to("GET", DATA.format(12391))) == 1


def test_files_of_the_first_message_go_with_the_new_ticket(helpscout, webhook, attachment_dir):
    data = conversation()
    first = data["_embedded"]["threads"][0]
    first["_embedded"] = {"attachments": load("thread_customer_attachments")["_embedded"]["attachments"][:1]}
    helpscout.expect_request(DATA.format(12391)).respond_with_json({"data": base64.b64encode(PNG).decode()})

    webhook("convo.created", data)

    ticket = SupportTicket.objects.get()
    (attachment,) = ticket.attachments.all()
    assert attachment.comment_id is None and attachment.filename == "withdrawal-error.png"


def test_a_file_help_scout_no_longer_has_is_left_out(helpscout, webhook, attachment_dir):
    helpscout.expect_request(DATA.format(12391)).respond_with_data("Not found", status=404)

    webhook("convo.customer.reply.created", with_attachment_thread())

    assert TicketComment.objects.filter(external_id="5004").exists()
    assert not Attachment.objects.exists()


def test_a_help_scout_outage_fails_the_delivery_leaving_nothing(helpscout, webhook, attachment_dir):
    helpscout.expect_request(DATA.format(12391)).respond_with_data("Unavailable", status=503)

    with pytest.raises(Exception, match="503"):
        webhook("convo.customer.reply.created", with_attachment_thread())

    assert not TicketComment.objects.filter(external_id="5004").exists()
    assert not Attachment.objects.exists()


# --- Out ---


@pytest.fixture
def fake(helpscout):
    helpscout.expect_request("/v2/conversations", method="POST").respond_with_response(
        Response(status=201, headers={"Resource-ID": "555"})
    )
    helpscout.expect_request("/v2/conversations/555", method="GET").respond_with_json(conversation(id=555))
    helpscout.expect_request("/v2/conversations/555/reply", method="POST").respond_with_response(
        Response(status=201, headers={"Resource-ID": "9001"})
    )
    return helpscout


def test_a_reply_with_files_takes_them_to_help_scout(
    fake, attachment_dir, django_capture_on_commit_callbacks, requests_to
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(files=[incoming("form.pdf", b"%PDF-1.4", "application/pdf")])
    outbox.deliver_pending("helpscout", ticket.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(
            ticket_id=ticket.pk,
            body="The fixed page",
            is_internal=False,
            author="Alex Agent",
            actor=TEST_ACTOR,
            files=[incoming("fixed.png", PNG, "image/png")],
        )
    outbox.deliver_pending("helpscout", ticket.pk)

    (created,) = [json.loads(request.data) for request in requests_to("POST", "/v2/conversations")]
    assert created["threads"][0]["attachments"] == [
        {"fileName": "form.pdf", "mimeType": "application/pdf", "data": base64.b64encode(b"%PDF-1.4").decode()}
    ]
    (reply,) = [json.loads(request.data) for request in requests_to("POST", "/v2/conversations/555/reply")]
    assert reply["attachments"] == [
        {"fileName": "fixed.png", "mimeType": "image/png", "data": base64.b64encode(PNG).decode()}
    ]
