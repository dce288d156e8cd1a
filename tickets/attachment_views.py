"""The dashboard's attachment downloads (links and thumbnails on the ticket page): signed-in
staff only, served as the API serves them (tickets/downloads.py)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from .downloads import attachment_response
from .models import Attachment
from .views import staff_required


@require_GET
@staff_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404("No attachment with this id.")
    return attachment_response(attachment)  # type: ignore[return-value]  # a streaming response
