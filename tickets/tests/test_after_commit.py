"""Side effects of committed changes run beside the response, in order, on one thread."""

import asyncio
import threading

import pytest

from fractionax_support.tests.processes import wait_for
from tickets import after_commit


@pytest.fixture
def in_background(settings):
    settings.AFTER_COMMIT_IN_BACKGROUND = True
    yield
    assert after_commit.wait_until_idle()


def test_jobs_run_on_another_thread_in_the_order_queued(in_background):
    ran: list[tuple[int, str]] = []

    def job(number: int):
        async def run() -> None:
            await asyncio.sleep(0.01 * (3 - number))  # the first is the slowest
            ran.append((number, threading.current_thread().name))

        return run

    for number in range(3):
        after_commit.run_after_commit(job(number))
    assert after_commit.wait_until_idle()
    assert [number for number, _ in ran] == [0, 1, 2]
    assert {name for _, name in ran} == {"after-commit"}


def test_queueing_does_not_wait_for_a_slow_job(in_background):
    """The job waits for the caller to go on: it finishes only if queueing returned first."""
    caller_went_on = threading.Event()
    saw: list[bool] = []

    async def slow() -> None:
        saw.append(await asyncio.to_thread(caller_went_on.wait, 10))

    after_commit.run_after_commit(slow)
    caller_went_on.set()
    assert after_commit.wait_until_idle()
    assert saw == [True]


def test_a_failing_job_is_logged_and_the_next_still_runs(in_background, caplog):
    ran = []

    async def broken() -> None:
        raise RuntimeError("Redis said no")

    async def fine() -> None:
        ran.append("fine")

    after_commit.run_after_commit(broken)
    after_commit.run_after_commit(fine)
    assert after_commit.wait_until_idle()
    assert ran == ["fine"]
    assert "A side effect of a committed change failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_created_ticket_reaches_dashboards_from_the_background_thread(in_background, dashboard, staff_client):
    """Over the Redis channel layer, as the servers run it."""
    response = staff_client.post(
        "/api/admin/support-tickets",
        {"subject": "Live", "description": "d", "customerEmail": "c@example.com"},
        format="json",
    )
    assert response.status_code == 201
    assert after_commit.wait_until_idle()
    [message] = dashboard(1)
    assert message["event"] == "new-ticket"
    assert message["data"]["id"] == response.json()["id"]


def test_a_burst_of_jobs_hands_its_batch_over_once(in_background):
    flushed: list[list[int]] = []
    gate = threading.Event()

    async def held() -> None:
        await asyncio.to_thread(gate.wait, 5)

    def job(number: int):
        async def run() -> None:
            after_commit.add_to_batch(flushed.append, [number])

        return run

    after_commit.run_after_commit(held)  # the burst queues up behind it
    for number in range(3):
        after_commit.run_after_commit(job(number))
    gate.set()
    assert after_commit.wait_until_idle()
    assert flushed == [[0, 1, 2]]


@pytest.mark.slow  # it waits out a 2 s batch window
def test_changes_apart_within_the_window_share_one_batch(in_background, monkeypatch):
    monkeypatch.setattr(after_commit, "BATCH_WINDOW_SECONDS", 2.0)
    flushed: list[list[int]] = []

    ran: list[int] = []

    def job(number: int):
        async def run() -> None:
            after_commit.add_to_batch(flushed.append, [number])
            ran.append(number)

        return run

    after_commit.run_after_commit(job(0))
    wait_for(lambda: ran == [0], 10, "the first job to run")
    assert flushed == []  # its batch waits for the window
    after_commit.run_after_commit(job(1))
    after_commit.run_after_commit(job(2))
    wait_for(lambda: flushed, 10, "the batch to be handed over")
    assert flushed == [[0, 1, 2]]


def test_a_job_alone_hands_its_batch_over_when_it_is_done(in_background):
    flushed: list[list[str]] = []

    async def run() -> None:
        after_commit.add_to_batch(flushed.append, ["kick"])

    after_commit.run_after_commit(run)
    wait_for(lambda: flushed, 10, "the batch to be handed over")
    assert flushed == [["kick"]]


def test_without_the_thread_a_batch_is_handed_over_after_its_job(settings):
    settings.AFTER_COMMIT_IN_BACKGROUND = False
    flushed: list[list[str]] = []

    async def run() -> None:
        after_commit.add_to_batch(flushed.append, ["kick"])

    after_commit.run_after_commit(run)
    assert flushed == [["kick"]]
