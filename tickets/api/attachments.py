"""An attachment's file, for staff (401 without credentials, 403 for others)."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from ..downloads import attachment_response
from ..models import Attachment
from .row_ids import not_found_text, row_id


class AttachmentDownloadView(APIView):
    @extend_schema(
        operation_id="attachment_download",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The attachment.")],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="The file, in its own content type; raster images inline, everything else as a download.",
            )
        },
        summary="Download an attachment",
    )
    def get(self, request: Request, pk: str) -> FileResponse:
        # Any path segment reaches the view, so that a malformed id is this JSON 404 too.
        attachment = Attachment.objects.filter(pk=row_id(pk, "attachment")).first()
        if attachment is None:
            raise NotFound(not_found_text("attachment"))
        return attachment_response(attachment)
