"""The files of a multipart request, for the services (which check them, naming each)."""

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from ..attachments import FIELD, IncomingFile


def uploaded_files(request: Request) -> list[IncomingFile]:
    """`files`, repeated once per file. A file under another field name is refused rather
    than dropped, so a client that misnames it learns so."""
    other = sorted(set(request.FILES) - {FIELD})
    if other:
        raise ValidationError({other[0]: [f'Send files as "{FIELD}" (repeated once per file).']})
    return [IncomingFile.from_upload(upload) for upload in request.FILES.getlist(FIELD)]
