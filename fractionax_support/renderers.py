"""The API's JSON renderer: orjson's, as fast, with DRF's own for what orjson refuses."""

from typing import Any

import orjson
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer


class JSONRenderer(ORJSONRenderer):
    """The same JSON as DRF's renderer writes, in a fraction of its time (bench/RESULTS.md,
    finding 27).
    orjson refuses integers beyond 64 bits, which a request can make a response echo (a
    page number of sixty digits): those responses go through DRF's renderer. Like DRF's,
    it escapes U+2028 and U+2029, so that the JSON is also valid JavaScript."""

    # Validation errors key list items by index, written "0" as json.dumps writes them.
    options = ORJSONRenderer.options | orjson.OPT_NON_STR_KEYS

    def render(self, data: Any, media_type: str | None = None, renderer_context: Any = None) -> bytes:
        try:
            rendered = super().render(data, media_type, renderer_context)
        except TypeError:
            return DRFJSONRenderer().render(data, media_type, renderer_context)
        return rendered.replace(LINE_SEPARATOR, b"\\u2028").replace(PARAGRAPH_SEPARATOR, b"\\u2029")


LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()
