"""Attachments: the files sent with a new ticket or a comment, checked and stored.

The services call `refuse_any` before they change anything, then `store` inside their
transaction. The bytes go to the "attachments" storage (settings.STORAGES: a folder under
var/, or an S3-compatible bucket), the rows to the database.

Nothing is half-written: the files are written first, the rows after, and the services run
inside `files_removed_on_failure()`. When their transaction fails, whatever the reason,
the files it wrote are deleted again, so a failure leaves neither a row nor a file. (A
caller that wraps a service in a transaction of its own and rolls that back afterwards
without an exception passing through the service keeps the files: wrap such a block in
`files_removed_on_failure()` as well.) Storage writes are not transactional, so writing
after commit would be worse: a committed row could then point at a file never written.
"""

import logging
import mimetypes
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from threading import local
from typing import IO, Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone

from .exceptions import AttachmentTooLargeError, TicketError
from .limits import (
    MAX_ATTACHMENT_FILENAME_LENGTH,
    MAX_ATTACHMENTS,
    REFUSED_ATTACHMENT_CONTENT_TYPES,
    REFUSED_ATTACHMENT_EXTENSIONS,
    attachment_max_bytes,
)
from .models import Attachment, SupportTicket, TicketComment

logger = logging.getLogger(__name__)

STORAGE_ALIAS = "attachments"
FIELD = "files"  # the API's and the forms' field: errors name it
# Shown inline on the ticket page and served inline on download: raster images only. SVG
# can carry script, HTML is a page; those and everything else are always downloads.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


@dataclass(frozen=True)
class IncomingFile:
    """A file to attach, from wherever it came: an upload, or bytes an integration fetched."""

    filename: str
    content_type: str
    size: int
    content: IO[bytes]

    @classmethod
    def from_upload(cls, upload: Any) -> "IncomingFile":
        """`upload`: a Django UploadedFile (request.FILES)."""
        return cls.of(upload.name or "", upload.content_type or "", upload.size or 0, upload)

    @classmethod
    def from_bytes(cls, filename: str, content_type: str, data: bytes) -> "IncomingFile":
        return cls.of(filename, content_type, len(data), ContentFile(data))

    @classmethod
    def of(cls, filename: str, content_type: str, size: int, content: IO[bytes]) -> "IncomingFile":
        name = clean_filename(filename)
        return cls(filename=name, content_type=clean_content_type(content_type, name), size=size, content=content)


def clean_filename(filename: str) -> str:
    """The name as shown and offered on download: its last path part, without control
    characters, at most MAX_ATTACHMENT_FILENAME_LENGTH characters (the extension kept)."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip().strip(".")
    if len(name) > MAX_ATTACHMENT_FILENAME_LENGTH:
        _stem, dot, extension = name.rpartition(".")
        keep = extension[:20] if dot else ""
        name = name[: MAX_ATTACHMENT_FILENAME_LENGTH - len(keep) - 1].rstrip() + (f".{keep}" if keep else "")
    return name or "attachment"


def clean_content_type(content_type: str, filename: str) -> str:
    """The declared type without parameters, lower case; guessed from the name when missing
    or malformed."""
    declared = content_type.split(";", 1)[0].strip().lower()
    if _CONTENT_TYPE.match(declared) and declared != DEFAULT_CONTENT_TYPE:
        return declared
    return mimetypes.guess_type(filename, strict=False)[0] or DEFAULT_CONTENT_TYPE


def _extension(filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and stem else ""


def type_refusal(filename: str, content_type: str) -> TicketError | None:
    """Why a file of this name and type cannot be attached (an executable), before its bytes
    are read; None when it may be. Both as `IncomingFile.of` cleans them."""
    extension = _extension(filename)
    refused = extension in REFUSED_ATTACHMENT_EXTENSIONS
    if refused or content_type in REFUSED_ATTACHMENT_CONTENT_TYPES:
        kind = f".{extension}" if refused else content_type
        return TicketError(FIELD, f'"{filename}" is refused: {kind} files can run programs.')
    return None


def refusal(file: IncomingFile) -> TicketError | None:
    """Why `file` cannot be attached, naming it; None when it can."""
    refused = type_refusal(file.filename, file.content_type)
    if refused is not None:
        return refused
    limit = attachment_max_bytes()
    if file.size > limit:
        return AttachmentTooLargeError(
            FIELD, f'"{file.filename}" is too large: {file.size} bytes, at most {limit} accepted.'
        )
    if file.size <= 0:
        return TicketError(FIELD, f'"{file.filename}" is empty.')
    return None


def refuse_any(files: Sequence[IncomingFile]) -> None:
    """Raises the first reason, naming the file, why `files` cannot go with one message."""
    if len(files) > MAX_ATTACHMENTS:
        extra = files[MAX_ATTACHMENTS].filename
        raise TicketError(FIELD, f'"{extra}" is one file too many: at most {MAX_ATTACHMENTS} files per message.')
    for file in files:
        error = refusal(file)
        if error is not None:
            raise error


def acceptable(files: Iterable[IncomingFile]) -> list[IncomingFile]:
    """What an integration can bring in of a message's files: the refused ones are left out
    (and logged) rather than losing the message, and at most MAX_ATTACHMENTS."""
    kept: list[IncomingFile] = []
    for file in files:
        error = refusal(file)
        if error is not None:
            logger.warning("Attachment left out: %s", error.message)
        elif len(kept) < MAX_ATTACHMENTS:
            kept.append(file)
    return kept


def storage() -> Storage:
    return storages[STORAGE_ALIAS]


# --- Writing: files first, rows after, files deleted when the transaction fails ---

_state = local()


@contextmanager
def files_removed_on_failure() -> Iterator[None]:
    """Around a transaction that may `store` files: if an exception leaves it, the files
    stored within are deleted. Nested uses hand their files to the outermost one, so a
    failure anywhere in it removes them all."""
    outer: list[str] | None = getattr(_state, "written", None)
    written: list[str] = []
    _state.written = written
    try:
        yield
    except BaseException:
        _delete(written)
        raise
    finally:
        _state.written = outer
    if outer is not None:
        outer.extend(written)


def _delete(names: list[str]) -> None:
    for name in names:
        try:
            storage().delete(name)
        except Exception:
            logger.exception("Could not delete the attachment file %s after a failed change", name)


def _storage_name() -> str:
    # Nothing of the sender's in it: a name that is safe on any file system and bucket.
    return f"{timezone.now():%Y/%m/%d}/{uuid.uuid4().hex}"


def store(*, ticket: SupportTicket, comment: TicketComment | None, files: Sequence[IncomingFile]) -> list[Attachment]:
    """Writes `files` (checked by `refuse_any`) and their rows. Inside a service's
    transaction, itself inside `files_removed_on_failure()`."""
    written: list[str] | None = getattr(_state, "written", None)
    if written is None:
        raise RuntimeError("store() outside files_removed_on_failure(): a failure would leave files behind.")
    now = timezone.now()
    rows = []
    for file in files:
        file.content.seek(0)
        name = storage().save(_storage_name(), File(file.content))
        written.append(name)
        rows.append(
            Attachment(
                ticket=ticket,
                comment=comment,
                filename=file.filename,
                content_type=file.content_type,
                size=file.size,
                storage_name=name,
                created_at=now,
            )
        )
    return Attachment.objects.bulk_create(rows)


# --- Reading ---


# --- Sweeping ---


def orphans_delete(*, older_than: timedelta, dry_run: bool = False) -> list[str]:
    """Deletes the stored files no row names, written more than `older_than` ago: what a
    rollback outside `files_removed_on_failure()` left, or a deleted ticket's files (rows
    go with their ticket; the storage knows nothing of that). The age leaves alone the
    files of a change still in progress. The names found, deleted unless `dry_run`."""
    cutoff = timezone.now() - older_than
    found = []
    for folder, names in _walk(""):
        paths = [f"{folder}{name}" for name in names]
        known = set(Attachment.objects.filter(storage_name__in=paths).values_list("storage_name", flat=True))
        for path in paths:
            if path not in known and storage().get_modified_time(path) < cutoff:
                found.append(path)
                if not dry_run:
                    storage().delete(path)
    return found


def _walk(folder: str) -> Iterator[tuple[str, list[str]]]:
    try:
        folders, names = storage().listdir(folder)
    except FileNotFoundError:  # a local folder nothing was ever written to
        return
    yield folder, names
    for name in folders:
        yield from _walk(f"{folder}{name}/")


def is_inline_image(content_type: str) -> bool:
    return content_type in INLINE_IMAGE_TYPES
