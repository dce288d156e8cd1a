"""Attachments in tests: each test stores its files in a folder of its own."""

import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.attachments import IncomingFile

# The smallest valid PNG (1x1, transparent): real image bytes for inline checks.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fe"
    "a7d6a4b60000000049454e44ae426082"
)


@pytest.fixture
def attachment_dir(settings, tmp_path) -> Path:
    """The attachments' storage: a fresh folder; the test can list what was written."""
    folder = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}},
    }
    return folder


def stored_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def upload(name: str, data: bytes = b"hello", content_type: str = "text/plain") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def incoming(name: str, data: bytes = b"hello", content_type: str = "text/plain") -> IncomingFile:
    return IncomingFile.from_bytes(name, content_type, data)


def png(width: int, height: int, rgb: tuple[int, int, int] = (37, 99, 235)) -> bytes:
    """A solid-colour PNG of the given size, written by hand (no imaging library here)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
