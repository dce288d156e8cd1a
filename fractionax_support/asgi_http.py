"""Django's ASGI handler with the middleware chain built as under WSGI (all sync, entered
once per request on a worker thread), and worker threads kept for the next request.

Under ASGI, Django builds an async chain and runs each hook of its own (sync) middleware,
process_request and process_response, through a hop from the event loop to a thread and
back: a dozen hops per request, each waiting its turn on a busy loop. Our views are sync,
so one hop for the chain and the view is all a request needs. Responses, streaming ones
with async iterators included, are still sent by the handler on the event loop.

Django also gives each request a thread of its own, so that all its sync code (the
request signals, the chain, closing the response) runs on one thread: it starts the
thread for the request and joins it after, a cost measured in bench/RESULTS.md (finding
24). The same
guarantee holds with threads that outlive their request and serve the next one.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpResponseBase
from rest_framework.response import Response

# Idle request threads kept per process; more than this many at once are let go.
MAX_IDLE_THREADS = 32


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self._idle: list[ThreadPoolExecutor] = []

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        chain: Any = getattr(self, "_middleware_chain")  # noqa: B009 (untyped in django-stubs)
        self._middleware_chain = sync_to_async(chain, thread_sensitive=True)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        thread = self._idle.pop() if self._idle else ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            self._release(thread)

    async def send_response(self, response: HttpResponseBase, send: Any) -> None:
        try:
            await super().send_response(response, send)
        finally:
            _let_go(response)

    def _release(self, thread: ThreadPoolExecutor) -> None:
        """Idle again once it has finished what it was given: a request cut short (the
        client went away) leaves its sync code running, and nobody else should queue
        behind it."""
        loop = asyncio.get_running_loop()

        def idle(_: object) -> None:
            if len(self._idle) < MAX_IDLE_THREADS:
                self._idle.append(thread)
            else:
                thread.shutdown(wait=False)

        def when_done(done: object) -> None:
            try:
                loop.call_soon_threadsafe(idle, done)
            except RuntimeError:  # the loop closed meanwhile (shutdown): nothing to keep
                thread.shutdown(wait=False)

        thread.submit(lambda: None).add_done_callback(when_done)


def _let_go(response: HttpResponseBase) -> None:
    """Once a DRF response is sent, its data and its view are no longer needed (closing it
    needs neither). The response sits in reference cycles (with its view; with the futures
    that carried it off its thread), so whatever it holds waited for the cyclic collector:
    a list page's rows and rendered tickets, freed in the collector's pauses (bench/RESULTS.md,
    finding 33). Without the references they go when the request ends."""
    if isinstance(response, Response):
        response.data = None
        response.renderer_context = None  # type: ignore[attr-defined]  # set by DRF before rendering
