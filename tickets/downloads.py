"""An attachment's download, as the API and the dashboard serve it to staff.

The file is someone else's: it must never run as our page. So it is a download
(`Content-Disposition: attachment`) unless it is a raster image, which the ticket page shows
inline; the browser may not guess another type (`nosniff`); and its own CSP allows nothing
and sandboxes it, so even an HTML or SVG file opened directly runs no script with our
origin. It is streamed from the storage (a file, or an S3 object read in chunks) through
this view, so access is checked here every time and no bucket URL is ever handed out.
"""

from urllib.parse import quote

from django.http import FileResponse

from .attachments import is_inline_image, storage
from .models import Attachment

DOWNLOAD_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def content_disposition(filename: str, *, inline: bool) -> str:
    """RFC 6266: an ASCII fallback name, and the exact name as RFC 5987 UTF-8."""
    fallback = "".join(char if 32 <= ord(char) < 127 and char not in '"\\%' else "_" for char in filename)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment_response(attachment: Attachment) -> FileResponse:
    inline = is_inline_image(attachment.content_type)
    response = FileResponse(storage().open(attachment.storage_name, "rb"), content_type=attachment.content_type)
    response["Content-Length"] = str(attachment.size)
    response["Content-Disposition"] = content_disposition(attachment.filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Staff-only content: the browser may keep it (thumbnails), shared caches may not.
    response["Cache-Control"] = "private, max-age=3600"
    return response
