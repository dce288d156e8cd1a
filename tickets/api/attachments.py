"""An attachment's file, for staff (401 without credentials, 403 for others)."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from ..downloads import attachment_response
from ..models import Attachment


class AttachmentDownloadView(APIView):
    @extend_schema(
        operation_id="attachment_download",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="The file, in its own content type; raster images inline, everything else as a download.",
            )
        },
        summary="Download an attachment",
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        attachment = Attachment.objects.filter(pk=pk).first()
        if attachment is None:
            raise NotFound("No attachment with this id.")
        return attachment_response(attachment)
