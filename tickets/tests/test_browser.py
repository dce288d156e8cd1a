"""End to end in headless Chromium against the real ASGI server (uvicorn, as in production),
PostgreSQL and Redis: what an agent does, and what a second agent's screen shows live."""

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import global_settings, settings
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect, sync_playwright

from fractionax_support.tests.processes import app_server, database_url_for_tests
from tickets.models import SupportTicket

from .factories import StaffFactory, make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Flags for a closed network and a root user (see the machine notes in README).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# `make screenshots` points this at docs/screenshots, the README's; a test run writes to var/
# and leaves the working tree as it was.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or Path(settings.BASE_DIR) / "var" / "screenshots")
PASSWORD = "correct horse battery"
PHONE = {"width": 375, "height": 812}
# True when the page itself scrolls sideways (a wide table may scroll within its own box).
PAGE_SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API drives an event loop of its own in this thread; the ORM calls
    made here between browser steps are ordinary blocking calls, so Django may allow them
    (for this module only)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _passwords_the_server_can_check(settings: Any) -> None:
    """The server, a subprocess, knows only production's hashers (conftest.py makes tests
    hash with MD5)."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: run `make install-browser`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(transactional_db) -> Iterator[str]:
    """uvicorn serving this test's database, on its own port and channel-layer prefix."""
    env = {
        "DEBUG": "true",  # static files straight from the app folders, no collectstatic step
        "DATABASE_URL": database_url_for_tests(),
        "CHANNEL_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
    }
    with app_server(env) as base:
        yield base


def log_in(browser: Browser, base: str, username: str, viewport: dict[str, int] | None = None) -> Page:
    page = browser.new_page(viewport=viewport or {"width": 1400, "height": 900})
    page.goto(f"{base}/dashboard/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Tickets")).to_be_visible()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    return page


def test_agent_filters_searches_opens_a_ticket_changes_status_and_replies(chromium, server):
    agent = StaffFactory(first_name="Alex", last_name="Agent")
    make_ticket(subject="Withdrawal stuck at pending", priority="urgent", tags=["withdrawal"])
    make_ticket(subject="Zeppelin tokens missing from wallet", priority="high")
    make_ticket(subject="Feature idea: dark mode", priority="low")
    page = log_in(chromium, server, agent.username)
    expect(page.locator("#ticket-rows tr")).to_have_count(3)

    page.locator(".filters select[name=priority]").select_option("urgent")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page).to_have_url(re.compile(r"priority=urgent"))
    expect(page.locator("#ticket-rows tr")).to_have_count(1)
    expect(page.locator("#ticket-rows")).to_contain_text("Withdrawal stuck at pending")

    page.goto(f"{server}/dashboard/")
    page.locator(".filters input[name=search]").fill("zeppelin")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator("#ticket-rows tr")).to_have_count(1)
    page.get_by_role("link", name="Zeppelin tokens missing from wallet").click()

    expect(page.get_by_role("heading", name=re.compile("Zeppelin tokens"))).to_be_visible()
    page.locator("#update-form").get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".messages")).to_contain_text("updated")
    expect(page.locator("#ticket-summary")).to_contain_text("In progress")

    page.get_by_label("Comment").fill("We found the transfer; it will arrive within the hour.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#conversation .comment--public")).to_contain_text("arrive within the hour")
    expect(page.locator("#timeline")).to_contain_text("changed the status: Open → In progress")


def test_screenshots_of_the_list_and_statistics_for_the_readme(chromium, server):
    agent = StaffFactory(first_name="Alex", last_name="Agent")
    call_command("seed_demo", count=80, stdout=io.StringIO())
    page = log_in(chromium, server, agent.username)
    expect(page.locator("#ticket-rows tr")).to_have_count(50)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ticket-list.png"))
    # seed_demo spreads its tickets over 60 days: the 90-day view holds them all.
    page.goto(f"{server}/dashboard/statistics/?dateRange=90d")
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 5")
    expect(page.locator(".kpi-value").first).to_have_text("80")
    page.screenshot(path=str(SCREENSHOTS / "statistics.png"), full_page=True)

    phone = log_in(chromium, server, agent.username, viewport=PHONE)
    assert not phone.evaluate(PAGE_SCROLLS_SIDEWAYS)
    phone.screenshot(path=str(SCREENSHOTS / "ticket-list-phone.png"))
    busiest = SupportTicket.objects.order_by("-total_comments", "number").first()
    assert busiest is not None
    phone.goto(f"{server}/dashboard/tickets/{busiest.pk}/")
    expect(phone.locator("#live-status")).to_have_attribute("data-state", "live")
    assert not phone.evaluate(PAGE_SCROLLS_SIDEWAYS)
    phone.screenshot(path=str(SCREENSHOTS / "ticket-phone.png"))


def test_select_all_and_a_confirmed_bulk_change(chromium, server):
    agent = StaffFactory(first_name="Alex", last_name="Agent")
    tickets = [make_ticket(subject=f"Card payment failed #{n}") for n in range(3)]
    page = log_in(chromium, server, agent.username)
    count = page.locator("#selected-count")
    select_all = page.get_by_label("Select all on this page")
    expect(count).to_have_text("None selected")

    select_all.check()
    expect(count).to_have_text("3 selected")
    page.get_by_label(f"Select {tickets[0].ticket_number}").uncheck()
    expect(count).to_have_text("2 selected")
    assert page.evaluate("() => document.getElementById('select-all').indeterminate")
    select_all.check()
    expect(count).to_have_text("3 selected")

    bulk = page.locator("#bulk-form")
    bulk.locator("select[name=status]").select_option("resolved")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    bulk.get_by_role("button", name="Apply to selected").click()
    assert asked and asked[0].startswith("Change 3 tickets?")
    assert "Status: Resolved" in asked[0]
    assert set(SupportTicket.objects.values_list("status", flat=True)) == {"open"}

    page.once("dialog", lambda dialog: dialog.accept())
    bulk.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".messages")).to_contain_text("Updated 3 tickets.")
    assert set(SupportTicket.objects.values_list("status", flat=True)) == {"resolved"}


def test_pages_fit_a_phone_without_scrolling_sideways(chromium, server):
    agent = StaffFactory(first_name="Alex", last_name="Agent", is_superuser=True)
    ticket = make_ticket(
        subject="Withdrawal of 0.25 BTC to bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh still pending after two days",
        customer_email="a.very.long.customer.address.for.testing@subdomain.example.com",
        customer_name="",
        tags=["withdrawal", "btc", "escalated"],
    )
    for _ in range(3):
        make_ticket()
    page = log_in(chromium, server, agent.username, viewport=PHONE)
    urls = [
        "/dashboard/",
        "/dashboard/?sortBy=priority&limit=1&page=2",
        f"/dashboard/tickets/{ticket.pk}/",
        "/dashboard/tickets/new/",
        "/dashboard/statistics/",
        "/dashboard/settings/agents/",
    ]
    for url in urls:
        page.goto(f"{server}{url}")
        assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS), url
    page.goto(f"{server}/dashboard/")
    row = page.locator(f"#ticket-row-{ticket.pk}")
    assert row.evaluate("(row) => getComputedStyle(row).display") == "block"  # a card, not a table row
    expect(row.locator("td.customer")).to_be_visible()
    expect(page.get_by_role("link", name="Statistics")).to_be_visible()  # the navigation wraps

    # The admin's ticket list, on a desktop: every column shown, each number on one line.
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{server}/admin/tickets/supportticket/")
    results = page.locator("#changelist .results")
    assert results.evaluate("(box) => box.scrollWidth <= box.clientWidth")
    for number in page.locator("#result_list .field-ticket_number a").all():
        assert number.evaluate("(link) => link.getClientRects().length") == 1  # one box: not wrapped


def test_a_ticket_created_through_the_api_appears_live_on_another_agents_list(chromium, server):
    watcher = StaffFactory(first_name="Wren", last_name="Watcher")
    creator = StaffFactory(first_name="Casey", last_name="Creator")
    page = log_in(chromium, server, watcher.username)

    token = requests.post(
        f"{server}/api/auth/token/", json={"username": creator.username, "password": PASSWORD}, timeout=10
    ).json()["access"]
    created = requests.post(
        f"{server}/api/admin/support-tickets",
        json={"subject": "Arrived while you watched", "description": "Live!", "customerEmail": "live@example.com"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()

    row = page.locator(f"#ticket-row-{created['id']}")
    expect(row).to_contain_text("Arrived while you watched", timeout=15000)
    expect(row).to_contain_text(created["ticketNumber"])

    requests.put(
        f"{server}/api/admin/support-tickets/{created['id']}/assign",
        json={"assignedTo": "Casey Creator"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    expect(row).to_contain_text("Casey Creator", timeout=15000)


def test_ticket_page_shows_who_else_is_viewing_and_warns_of_a_new_reply(chromium, server):
    alex = StaffFactory(first_name="Alex", last_name="Agent")
    blair = StaffFactory(first_name="Blair", last_name="Agent")
    ticket = make_ticket(subject="Two agents, one ticket")
    first = log_in(chromium, server, alex.username)
    second = log_in(chromium, server, blair.username)
    first.goto(f"{server}/dashboard/tickets/{ticket.pk}/")
    second.goto(f"{server}/dashboard/tickets/{ticket.pk}/")

    expect(first.locator("#presence")).to_have_text("Also viewing now: Blair Agent", timeout=15000)
    expect(second.locator("#presence")).to_have_text("Also viewing now: Alex Agent", timeout=15000)

    second.get_by_label("Comment").fill("I'll take this one.")
    second.get_by_role("button", name="Send").click()
    expect(first.locator("#collision-warning")).to_contain_text("Blair Agent added a reply", timeout=15000)
    expect(first.locator("#conversation")).to_contain_text("I'll take this one.")

    second.close()
    expect(first.locator("#presence")).to_be_hidden(timeout=15000)
