"""Attachments through the API: multipart uploads beside JSON, the limits answered with the
file's name, the files on each comment, and downloads for staff only, served safely."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets import services
from tickets.limits import MAX_ATTACHMENTS
from tickets.models import Attachment, TicketComment

from .api_helpers import URL, ticket_url
from .attachment_helpers import PNG, attachment_dir, incoming, stored_files, upload
from .factories import TEST_ACTOR, make_ticket

__all__ = ["attachment_dir"]

pytestmark = pytest.mark.django_db


def post_comment(client, ticket, files, **fields):
    data = {"comment": "See attached", "isInternal": "false", **fields, "files": files}
    return client.post(ticket_url(ticket, "comments"), data, format="multipart")


def download(client, attachment):
    response = client.get(attachment["url"])
    body = b"".join(response.streaming_content) if response.status_code == 200 else response.content
    return response, body


def test_a_comment_with_files_shows_them_and_they_download(staff_client, attachment_dir):
    ticket = make_ticket()

    response = post_comment(staff_client, ticket, [upload("error.png", PNG, "image/png"), upload("log.txt", b"boom")])

    assert response.status_code == 201, response.json()
    created = response.json()["attachments"]
    assert [(a["filename"], a["contentType"], a["size"]) for a in created] == [
        ("error.png", "image/png", len(PNG)),
        ("log.txt", "text/plain", 4),
    ]
    assert all(a["url"] == f"/api/admin/attachments/{a['id']}" for a in created)
    (comment,) = staff_client.get(ticket_url(ticket)).json()["comments"]
    assert comment["attachments"] == created
    assert [download(staff_client, a)[1] for a in created] == [PNG, b"boom"]


def test_files_sent_with_a_new_ticket_are_on_the_ticket(staff_client, attachment_dir):
    data = {
        "subject": "Login page broken",
        "description": "Screenshot attached",
        "customerEmail": "c@example.com",
        "tags": ["vip", "login"],
        "files": [upload("screen.png", PNG, "image/png")],
    }
    response = staff_client.post(URL, data, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["tags"] == ["vip", "login"]
    detail = staff_client.get(ticket_url(response.json()["id"])).json()
    assert [a["filename"] for a in detail["attachments"]] == ["screen.png"]
    assert detail["comments"] == []


def test_json_bodies_still_work_and_show_no_attachments(staff_client, attachment_dir):
    created = staff_client.post(
        URL, {"subject": "Hi", "description": "There", "customerEmail": "c@example.com"}, format="json"
    )
    assert created.status_code == 201
    comment = staff_client.post(ticket_url(created.json()["id"], "comments"), {"comment": "Hello"}, format="json")
    assert comment.status_code == 201
    assert comment.json()["attachments"] == []
    assert staff_client.get(ticket_url(created.json()["id"])).json()["attachments"] == []


def test_a_comment_without_files_reads_no_attachments_back(staff_client, attachment_dir):
    ticket = make_ticket()

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.post(ticket_url(ticket, "comments"), {"comment": "No files"}, format="json")

    assert response.status_code == 201 and response.json()["attachments"] == []
    assert not [q["sql"] for q in captured.captured_queries if 'FROM "tickets_attachment"' in q["sql"]]


def test_a_file_over_the_limit_is_413_naming_it(staff_client, attachment_dir, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    ticket = make_ticket()

    response = post_comment(staff_client, ticket, [upload("ok.txt"), upload("huge.bin", b"x" * 1001, "")])

    assert response.status_code == 413
    assert response.json() == {"files": ['"huge.bin" is too large: 1001 bytes, at most 1000 accepted.']}
    assert not TicketComment.objects.exists()
    assert stored_files(attachment_dir) == []


@pytest.mark.parametrize(
    ("name", "content_type"), [("setup.exe", "application/octet-stream"), ("photo.png", "application/x-msdownload")]
)
def test_an_executable_is_400_naming_it(staff_client, attachment_dir, name, content_type):
    response = post_comment(staff_client, make_ticket(), [upload(name, b"MZ", content_type)])

    assert response.status_code == 400
    assert f'"{name}" is refused' in response.json()["files"][0]
    assert not Attachment.objects.exists()


def test_too_many_files_is_400_naming_the_first_one_too_many(staff_client, attachment_dir):
    files = [upload(f"{n}.txt") for n in range(MAX_ATTACHMENTS + 1)]

    response = post_comment(staff_client, make_ticket(), files)

    assert response.status_code == 400
    assert response.json()["files"][0].startswith(f'"{MAX_ATTACHMENTS}.txt" is one file too many')
    assert stored_files(attachment_dir) == []


def test_a_file_under_another_field_name_is_refused(staff_client, attachment_dir):
    response = staff_client.post(
        ticket_url(make_ticket(), "comments"), {"comment": "x", "file": upload("a.txt")}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()


def test_an_upload_larger_than_the_json_body_limit_is_accepted(staff_client, attachment_dir, settings):
    """DATA_UPLOAD_MAX_MEMORY_SIZE (1 MB) bounds JSON and form fields; a multipart upload may
    carry MAX_ATTACHMENTS files of ATTACHMENT_MAX_BYTES on top of it."""
    big = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = post_comment(staff_client, make_ticket(), [upload("big.txt", big)])

    assert response.status_code == 201, response.content
    assert response.json()["attachments"][0]["size"] == len(big)


def test_a_multipart_body_over_every_files_limit_is_413_before_reading(staff_client, attachment_dir, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + MAX_ATTACHMENTS * 10

    response = post_comment(staff_client, make_ticket(), [upload("a.txt", b"x" * (limit + 1))])

    assert response.status_code == 413
    assert f"at most {limit} accepted" in response.json()["detail"]


def test_the_detail_takes_as_few_queries_with_attachments(staff_client, attachment_dir):
    def detail_queries(ticket):
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(ticket_url(ticket)).status_code == 200
        return len(captured)

    quiet = make_ticket()
    busy = make_ticket(files=[incoming("a.png", PNG, "image/png")])
    for index in range(6):
        services.comment_add(
            ticket_id=busy.pk,
            body=f"Note {index}",
            is_internal=False,
            author="Al",
            actor=TEST_ACTOR,
            files=[incoming(f"{index}-{n}.txt") for n in range(3)],
        )

    assert detail_queries(busy) == detail_queries(quiet) <= 4
    comments = staff_client.get(ticket_url(busy)).json()["comments"]
    assert [[a["filename"] for a in c["attachments"]] for c in comments][1] == ["1-0.txt", "1-1.txt", "1-2.txt"]


# --- Downloads ---


@pytest.fixture
def attachments(attachment_dir):
    files = [
        incoming("screen shot.png", PNG, "image/png"),
        incoming('Résumé "final"; v2.pdf', b"%PDF", "application/pdf"),
        incoming("drawing.svg", b"<svg onload=alert(1)/>", "image/svg+xml"),
        incoming("page.html", b"<script>alert(1)</script>", "text/html"),
    ]
    ticket = make_ticket()
    comment = services.comment_add(
        ticket_id=ticket.pk, body="Files", is_internal=False, author="Al", actor=TEST_ACTOR, files=files
    )
    return {a.filename: {"url": a.url} for a in comment.attachment_list}


def test_downloads_are_for_staff_only(anonymous_client, non_staff_client, attachments):
    url = attachments["screen shot.png"]
    assert download(anonymous_client, url)[0].status_code == 401
    assert download(non_staff_client, url)[0].status_code == 403


@pytest.mark.parametrize("key", ["999999", "0", "abc", "1.5", str(2**63), "٣"])
def test_an_unknown_or_malformed_attachment_id_is_a_json_404(staff_client, attachment_dir, key):
    response = staff_client.get(f"/api/admin/attachments/{key}")

    assert response.status_code == 404
    assert response.json() == {"detail": "No attachment with this id."}


def test_a_raster_image_is_served_inline_safely(staff_client, attachments):
    response, body = download(staff_client, attachments["screen shot.png"])

    assert body == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline; filename=\"screen shot.png\"; filename*=UTF-8''screen%20shot.png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(PNG))
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["drawing.svg", "page.html"])
def test_svg_and_html_are_never_inline(staff_client, attachments, name):
    response, _ = download(staff_client, attachments[name])

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")


def test_a_name_with_quotes_and_accents_is_escaped(staff_client, attachments):
    response, _ = download(staff_client, attachments['Résumé "final"; v2.pdf'])

    assert response["Content-Disposition"] == (
        "attachment; filename=\"R_sum_ _final_; v2.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%3B%20v2.pdf"
    )
