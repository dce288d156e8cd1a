"""Files posted in a ticket's Slack thread: the reply becomes a comment at once, its files
are fetched afterwards with the bot token and attached to it."""

import pytest
from werkzeug import Response

from fractionax_support.celery import app as celery_app
from integrations.slack import files
from integrations.slack.tasks import slack_files_fetch
from tickets.models import Attachment, TicketComment
from tickets.tests.attachment_helpers import PNG, attachment_dir

from .conftest import TOKEN
from .helpers import fixture, post_event

__all__ = ["attachment_dir"]

pytestmark = pytest.mark.django_db

SHOT = "/files-pri/T0TEAM-F0SHOT/download/error_screenshot.png"
TOOL = "/files-pri/T0TEAM-F0TOOL/download/fix.bat"


@pytest.fixture
def tasks_run_at_once():
    """Runs the file tasks queued after each commit, as a worker would, from the broker
    (the in-memory one the tests use); other tasks queued meanwhile are dropped."""

    def run() -> None:
        with celery_app.connection_for_read() as connection:
            queue = connection.SimpleQueue(celery_app.conf.task_default_queue)
            try:
                while True:
                    try:
                        message = queue.get(block=False)
                    except queue.Empty:
                        return
                    message.ack()
                    if message.headers.get("task") == slack_files_fetch.name:
                        args, kwargs, _ = message.decode()
                        slack_files_fetch(*args, **kwargs)
            finally:
                queue.close()

    run()  # whatever an earlier step queued
    return run


def file_share(ticket, httpserver, **event_changes):
    envelope = fixture("thread_file_share")
    event = envelope["event"]
    event.update({"thread_ts": ticket.slack_thread_id, "channel": ticket.slack_channel_id, **event_changes})
    for item in event["files"]:  # Slack's file host, here the fake's
        for key in ("url_private", "url_private_download"):
            if key in item:
                item[key] = httpserver.url_for(item[key].removeprefix("https://files.slack.com"))
    return envelope


def post(client, envelope, capture, run_tasks):
    with capture(execute=True):
        response = post_event(client, envelope)
    assert response.status_code == 200
    run_tasks()
    return response


def test_a_files_reply_comes_in_with_its_files(
    slack, client, posted_ticket, httpserver, attachment_dir, tasks_run_at_once, django_capture_on_commit_callbacks
):
    httpserver.expect_request(SHOT, headers={"Authorization": f"Bearer {TOKEN}"}).respond_with_data(
        PNG, content_type="image/png"
    )

    post(client, file_share(posted_ticket, httpserver), django_capture_on_commit_callbacks, tasks_run_at_once)

    comment = TicketComment.objects.get(ticket=posted_ticket, external_id="1700000200.000300")
    assert comment.body == "Here is the error the customer sees"
    (attachment,) = Attachment.objects.filter(comment=comment)
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "error screenshot.png",
        "image/png",
        len(PNG),
    )
    assert (attachment_dir / attachment.storage_name).read_bytes() == PNG
    # The batch file was refused by its listing: never fetched.
    assert not [request for request, _ in httpserver.log if request.path == TOOL]


def test_files_alone_make_a_comment_naming_them(
    slack, client, posted_ticket, httpserver, attachment_dir, tasks_run_at_once, django_capture_on_commit_callbacks
):
    httpserver.expect_request(SHOT).respond_with_data(PNG, content_type="image/png")

    post(client, file_share(posted_ticket, httpserver, text=""), django_capture_on_commit_callbacks, tasks_run_at_once)

    comment = TicketComment.objects.get(ticket=posted_ticket)
    assert comment.body == "error screenshot.png, fix.bat"
    assert comment.attachments.count() == 1


def test_a_redelivered_event_fetches_nothing_again(
    slack, client, posted_ticket, httpserver, attachment_dir, tasks_run_at_once, django_capture_on_commit_callbacks
):
    httpserver.expect_request(SHOT).respond_with_data(PNG, content_type="image/png")
    envelope = file_share(posted_ticket, httpserver)

    post(client, envelope, django_capture_on_commit_callbacks, tasks_run_at_once)
    post(client, envelope, django_capture_on_commit_callbacks, tasks_run_at_once)

    assert Attachment.objects.count() == 1
    assert len([request for request, _ in httpserver.log if request.path == SHOT]) == 1


def test_a_slack_outage_is_retried_by_the_task(slack, posted_ticket, httpserver, attachment_dir):
    comment = TicketComment.objects.create(ticket=posted_ticket, body="x", author="Al", source="slack")
    url = httpserver.url_for(SHOT)
    listed = [files.SlackFile(id="F0SHOT", name="a.png", mimetype="image/png", size=69, url=url).as_task_argument()]
    httpserver.expect_oneshot_request(SHOT).respond_with_response(Response("down", status=503))
    httpserver.expect_request(SHOT).respond_with_data(PNG, content_type="image/png")

    with pytest.raises(files.FileFetchError, match="503"):
        files.fetch_and_attach(comment.pk, listed)
    assert files.fetch_and_attach(comment.pk, listed) == 1  # the retry
    assert files.fetch_and_attach(comment.pk, listed) == 0  # a task run twice adds them once


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example/files-pri/T0TEAM-F0SHOT/download/a.png",
        "http://files.slack.com/files-pri/T0TEAM-F0SHOT/download/a.png",
        "https://files.slack.com.attacker.example/a.png",
    ],
)
def test_the_token_goes_to_slacks_file_host_only(slack, url):
    assert not files.allowed_url(url)
    assert files.allowed_url("https://files.slack.com/files-pri/T0TEAM-F0SHOT/download/a.png")
