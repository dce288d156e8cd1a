"""Attachments through the services: checked before anything changes, stored with their
comment or ticket, and never left half-written."""

import os
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import transaction

from tickets import publishing, services
from tickets.attachments import IncomingFile, clean_filename, files_removed_on_failure
from tickets.exceptions import AttachmentTooLargeError, TicketError
from tickets.limits import MAX_ATTACHMENTS
from tickets.models import Attachment, TicketComment

from .attachment_helpers import PNG, attachment_dir, incoming, stored_files
from .factories import TEST_ACTOR, make_ticket

__all__ = ["attachment_dir"]

pytestmark = pytest.mark.django_db


def add_comment(ticket, files, **fields):
    return services.comment_add(
        ticket_id=ticket.pk,
        body="See attached",
        is_internal=False,
        author="Al",
        actor=TEST_ACTOR,
        files=files,
        **fields,
    )


def test_a_comments_files_are_stored_with_it(attachment_dir):
    ticket = make_ticket()
    comment = add_comment(ticket, [incoming("screenshot.png", PNG, "image/png"), incoming("notes.txt", b"abc")])

    rows = list(Attachment.objects.filter(comment=comment).order_by("id"))
    assert [(a.filename, a.content_type, a.size, a.ticket_id) for a in rows] == [
        ("screenshot.png", "image/png", len(PNG), ticket.pk),
        ("notes.txt", "text/plain", 3, ticket.pk),
    ]
    assert len(stored_files(attachment_dir)) == 2
    assert {(attachment_dir / row.storage_name).read_bytes() for row in rows} == {PNG, b"abc"}


def test_files_sent_with_a_new_ticket_belong_to_the_ticket(attachment_dir):
    ticket = make_ticket(files=[incoming("invoice.pdf", b"%PDF-1.4", "application/pdf")])

    (row,) = Attachment.objects.filter(ticket=ticket)
    assert row.comment_id is None
    assert (row.filename, row.content_type) == ("invoice.pdf", "application/pdf")
    assert (attachment_dir / row.storage_name).read_bytes() == b"%PDF-1.4"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("setup.exe", "application/octet-stream"),
        ("invoice.pdf.exe", "application/pdf"),
        ("run.BAT", "text/plain"),
        ("script.ps1", "text/plain"),
        ("app.apk", "application/octet-stream"),
        ("tool.jar", "application/zip"),
        ("innocent.txt", "application/x-msdownload"),
        ("page.js", "text/plain"),
    ],
)
def test_executable_files_are_refused_by_name_or_type(attachment_dir, name, content_type):
    ticket = make_ticket()

    with pytest.raises(TicketError) as refused:
        add_comment(ticket, [incoming("fine.png", PNG, "image/png"), incoming(name, b"MZ", content_type)])

    assert refused.value.field == "files"
    assert f'"{name}"' in refused.value.message
    assert not TicketComment.objects.filter(ticket=ticket).exists()
    assert stored_files(attachment_dir) == []


def test_a_file_over_the_limit_is_refused_by_name(attachment_dir, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    ticket = make_ticket()

    with pytest.raises(AttachmentTooLargeError) as refused:
        add_comment(ticket, [incoming("small.txt", b"x" * 10), incoming("big.log", b"x" * 11)])

    assert '"big.log" is too large: 11 bytes, at most 10 accepted.' in refused.value.message
    assert not Attachment.objects.exists()
    assert stored_files(attachment_dir) == []


def test_too_many_files_are_refused_naming_the_first_one_too_many(attachment_dir):
    files = [incoming(f"page-{n}.txt") for n in range(MAX_ATTACHMENTS + 1)]

    with pytest.raises(TicketError) as refused:
        make_ticket(files=files)

    assert f'"page-{MAX_ATTACHMENTS}.txt" is one file too many' in refused.value.message
    assert stored_files(attachment_dir) == []


def test_only_the_last_extension_decides(attachment_dir):
    ticket = make_ticket(files=[incoming("notes from example.com.txt"), incoming("build.sh.log")])
    assert sorted(Attachment.objects.filter(ticket=ticket).values_list("filename", flat=True)) == [
        "build.sh.log",
        "notes from example.com.txt",
    ]


def test_empty_files_are_refused(attachment_dir):
    with pytest.raises(TicketError, match=r'"empty\.txt" is empty'):
        make_ticket(files=[incoming("empty.txt", b"")])


def test_names_are_cleaned_and_types_guessed_when_missing():
    assert clean_filename("C:\\Users\\me\\report.pdf") == "report.pdf"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("a\x00b\nc.txt") == "abc.txt"
    assert clean_filename("") == "attachment"
    long = clean_filename("x" * 300 + ".png")
    assert len(long) == 255 and long.endswith(".png")
    assert IncomingFile.from_bytes("photo.JPG", "", b"x").content_type == "image/jpeg"
    assert IncomingFile.from_bytes("photo.png", "Image/PNG; charset=binary", b"x").content_type == "image/png"
    assert IncomingFile.from_bytes("blob", "not a type", b"x").content_type == "application/octet-stream"


def test_a_failing_transaction_leaves_no_row_and_no_file(attachment_dir):
    ticket = make_ticket()

    class StopError(Exception):
        pass

    # A caller's transaction around the service fails after it: rows and files go together.
    with pytest.raises(StopError), files_removed_on_failure(), publishing.atomic():
        add_comment(ticket, [incoming("a.txt"), incoming("b.txt")])
        assert len(stored_files(attachment_dir)) == 2
        raise StopError

    assert not Attachment.objects.exists()
    assert stored_files(attachment_dir) == []


class FailingOnSecondSave(FileSystemStorage):
    """A storage that breaks mid-way, as a full disk or an unreachable bucket would."""

    saves = 0

    def _save(self, name, content):
        FailingOnSecondSave.saves += 1
        if FailingOnSecondSave.saves == 2:
            raise OSError("No space left on device")
        return super()._save(name, content)


@pytest.mark.django_db(transaction=True)
def test_a_storage_failure_mid_way_leaves_no_row_and_no_file(settings, tmp_path):
    folder = tmp_path / "broken"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {"BACKEND": f"{__name__}.FailingOnSecondSave", "OPTIONS": {"location": folder}},
    }
    FailingOnSecondSave.saves = 0
    ticket = make_ticket()

    with pytest.raises(OSError, match="No space left"):
        add_comment(ticket, [incoming("a.txt"), incoming("b.txt")])

    assert not TicketComment.objects.filter(ticket=ticket).exists()
    assert not Attachment.objects.exists()
    assert stored_files(folder) == []
    with transaction.atomic():
        assert ticket.__class__.objects.get(pk=ticket.pk).total_comments == 0


def test_the_sweep_deletes_only_old_files_no_row_names(attachment_dir):
    ticket = make_ticket(files=[incoming("kept.txt", b"kept")])
    kept = Attachment.objects.get().storage_name
    orphan_dir = attachment_dir / "2020" / "01" / "02"
    orphan_dir.mkdir(parents=True)
    (orphan_dir / "abandoned").write_bytes(b"left by a rolled-back change")
    fresh = attachment_dir / "2020" / "01" / "03"
    fresh.mkdir(parents=True)
    (fresh / "in-progress").write_bytes(b"a change still running")
    old = datetime.now(tz=UTC) - timedelta(days=2)
    for path in [orphan_dir / "abandoned", attachment_dir / kept]:
        os.utime(path, (old.timestamp(), old.timestamp()))

    out = StringIO()
    call_command("attachments_sweep", "--hours", "24", stdout=out)

    assert out.getvalue().splitlines() == ["2020/01/02/abandoned", "Deleted 1 file no attachment names."]
    assert sorted(path.relative_to(attachment_dir).as_posix() for path in stored_files(attachment_dir)) == sorted(
        [kept, "2020/01/03/in-progress"]
    )
    assert ticket.attachments.count() == 1
