"""HTTP through the ASGI application the servers run (its middleware chain built as under
WSGI): every middleware takes part, and responses, streamed ones included, arrive whole."""

import asyncio
import csv
import gc
import io
import json
import threading
import warnings

import pytest
from asgiref.sync import sync_to_async
from django.core.signals import request_finished, request_started
from django.db import connections
from rest_framework_simplejwt.tokens import RefreshToken

from tickets.tests.factories import StaffFactory, make_ticket

from .asgi_requests import Answer, asgi_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def connections_closed_after():
    """The factories run on asgiref's thread for sync code, whose connection would outlive
    the test and keep its database from being dropped."""
    yield
    await sync_to_async(connections.close_all)()


API = "/api/admin/support-tickets"


async def get(path: str) -> Answer:
    staff = await sync_to_async(StaffFactory)()
    token = await sync_to_async(lambda: str(RefreshToken.for_user(staff).access_token))()
    return await asgi_request("GET", path, headers=[(b"authorization", f"Bearer {token}".encode())])


async def test_an_api_request_passes_the_whole_middleware_chain():
    ticket = await sync_to_async(make_ticket)(subject="Through ASGI")

    response = await get(f"{API}/{ticket.pk}")

    assert response.status == 200
    headers = response.headers
    assert headers["x-frame-options"] == "DENY"  # a process_response hook ran
    assert "content-security-policy" in headers
    assert json.loads(response.body)["subject"] == "Through ASGI"


async def test_a_list_page_is_freed_as_its_request_ends():
    """By reference counting, not by the cyclic collector, whose pauses were what the
    slowest list requests waited for: nothing of the page is left once it is sent."""
    for number in range(3):
        await sync_to_async(make_ticket)(subject=f"Freed {number}")
    gc.collect()
    gc.disable()
    try:
        response = await get(API)
        left = [thing for thing in gc.get_objects() if _of_the_page(thing)]
    finally:
        gc.enable()

    assert response.status == 200
    assert b"Freed 2" in response.body
    assert left == []


def _of_the_page(thing: object) -> bool:
    """A rendered ticket or a row of the page. By type() alone: isinstance() would ask a lazy
    object for its __class__, and evaluate it."""
    kind = type(thing)
    if kind is dict:
        return str(thing.get("subject")).startswith("Freed")  # type: ignore[attr-defined]
    return issubclass(kind, tuple) and hasattr(kind, "subject") and thing.subject.startswith("Freed")  # type: ignore[attr-defined]


async def test_the_export_streams_every_row_from_an_async_iterator():
    """A synchronous iterator would be read whole into memory before the first byte is sent
    (Django warns when it has to)."""
    for number in range(3):
        await sync_to_async(make_ticket)(subject=f"Exported {number}")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = await get(f"{API}/export")

    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.body.decode())))
    assert sorted(row[rows[0].index("subject")] for row in rows[1:]) == ["Exported 0", "Exported 1", "Exported 2"]
    assert not [warning for warning in caught if "consume synchronous iterators" in str(warning.message)]


async def test_requests_run_their_sync_code_on_one_thread_kept_for_the_next():
    threads: list[tuple[str, threading.Thread]] = []

    def started(**kwargs):
        threads.append(("started", threading.current_thread()))

    def finished(**kwargs):
        threads.append(("finished", threading.current_thread()))

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        for _ in range(3):
            assert (await asgi_request("GET", "/login/")).status == 200
            await asyncio.sleep(0.05)  # the thread is idle again once its request's work is done
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)

    assert [signal for signal, _ in threads] == ["started", "finished"] * 3
    assert len({id(thread) for _, thread in threads}) == 1
    assert threads[0][1] is not threading.main_thread()
