"""In headless Chromium against the real server: an agent replies with a screenshot, sees
it inline on the ticket page (loaded through the staff-only download under the page's CSP)
and downloads a file under its own name."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from fractionax_support.tests.processes import app_server, database_url_for_tests

from .attachment_helpers import png
from .factories import StaffFactory, make_ticket
from .test_browser import SCREENSHOTS, _orm_beside_playwright, _passwords_the_server_can_check, chromium, log_in

__all__ = ["_orm_beside_playwright", "_passwords_the_server_can_check", "chromium"]

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(transactional_db, tmp_path) -> Iterator[str]:
    """The app server, its attachments in this test's folder."""
    env = {
        "DEBUG": "true",
        "DATABASE_URL": database_url_for_tests(),
        "CHANNEL_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        "ATTACHMENTS_DIR": str(tmp_path / "attachments"),
    }
    with app_server(env) as base:
        yield base


def test_an_agent_replies_with_a_screenshot_and_a_file(chromium, server, tmp_path):
    agent = StaffFactory(first_name="Alex", last_name="Agent")
    ticket = make_ticket(subject="Chart shows nothing")
    screenshot, notes = tmp_path / "chart.png", tmp_path / "steps to reproduce.txt"
    screenshot.write_bytes(png(320, 180))
    notes.write_text("1. Open the chart\n2. Nothing")
    page = log_in(chromium, server, agent.username)

    page.goto(f"{server}/dashboard/tickets/{ticket.pk}/")
    page.get_by_label("Comment").fill("Here is what I see.")
    page.locator("#comment-form").get_by_label("Attachments").set_input_files([screenshot, notes])
    page.get_by_role("button", name="Send").click()

    thumbnail = page.locator("#conversation img.attachment-thumb")
    expect(thumbnail).to_have_attribute("alt", "chart.png")
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=thumbnail.element_handle())
    with page.expect_download() as download:
        page.get_by_role("link", name="steps to reproduce.txt").click()
    assert download.value.suggested_filename == "steps to reproduce.txt"
    assert Path(download.value.path()).read_text() == "1. Open the chart\n2. Nothing"
    expect(page).to_have_url(re.compile(rf"/dashboard/tickets/{ticket.pk}/$"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#conversation").screenshot(path=str(SCREENSHOTS / "ticket-attachments.png"))
