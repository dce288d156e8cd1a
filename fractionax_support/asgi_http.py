"""Django's ASGI handler with the middleware chain built as under WSGI: all sync, entered
once per request on a worker thread.

Under ASGI, Django builds an async chain and runs each hook of its own (sync) middleware,
process_request and process_response, through a hop from the event loop to a thread and
back: a dozen hops per request, each waiting its turn on a busy loop. Our views are sync,
so one hop for the chain and the view is all a request needs. Responses, streaming ones
with async iterators included, are still sent by the handler on the event loop.
"""

from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        chain: Any = getattr(self, "_middleware_chain")  # noqa: B009 (untyped in django-stubs)
        self._middleware_chain = sync_to_async(chain, thread_sensitive=True)
