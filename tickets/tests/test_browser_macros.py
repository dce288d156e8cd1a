"""End to end in headless Chromium: an agent answers a ticket with a canned reply, picked by
typing its /shortcut in the reply box, previewed, then applied (tickets/test_browser.py
has the server and the browser)."""

import pytest
from playwright.sync_api import expect

from tickets import canned_responses
from tickets.models import SupportTicket

from . import test_browser
from .factories import StaffFactory, make_ticket
from .test_browser import SCREENSHOTS, log_in

# The browser, the server and their settings, as tickets/tests/test_browser.py has them.
chromium = test_browser.chromium
server = test_browser.server
_orm_beside_playwright = test_browser._orm_beside_playwright
_passwords_the_server_can_check = test_browser._passwords_the_server_can_check

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_agent_answers_with_a_canned_reply_picked_by_its_shortcut(chromium, server):
    agent = StaffFactory(first_name="Alex", last_name="Agent")
    canned_responses.canned_response_create(
        owner=StaffFactory(),
        title="Password reset link",
        shortcut="reset",
        body="Hi {{ customer.first_name }},\n\nWe sent a reset link for {{ ticket.number }}.\n\n{{ agent.first_name }}",
        shared=True,
        actions={"status": "waiting_customer", "addTags": ["password"]},
    )
    ticket = make_ticket(subject="Cannot log in", customer_name="Casey Jones")
    page = log_in(chromium, server, agent.username)
    page.goto(f"{server}/dashboard/tickets/{ticket.pk}/")

    reply = page.get_by_label("Comment")
    reply.press_sequentially("/reset ")
    expect(reply).to_have_value("")  # the shortcut picked the response and left the box
    expect(page.locator("#macro-select")).to_have_value(str(canned_responses.CannedResponse.objects.get().pk))
    preview = page.locator(".macro-preview:visible")
    expect(preview).to_contain_text("Hi Casey,")
    expect(preview).to_contain_text("We sent a reset link for FCT-000001.")
    expect(preview).to_contain_text("Status: Waiting on customer")
    reply.fill("It is valid for an hour.")
    expect(preview.locator(".macro-extra")).to_have_text("It is valid for an hour.")  # where it will go
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#comment-form").screenshot(path=str(SCREENSHOTS / "canned-reply.png"))

    page.get_by_role("button", name="Apply canned response").click()

    expect(page.locator(".messages")).to_contain_text("Applied “Password reset link”.")
    expect(page.locator("#conversation")).to_contain_text("We sent a reset link for FCT-000001.")
    expect(page.locator("#conversation")).to_contain_text("It is valid for an hour.")
    expect(page.locator("#ticket-summary")).to_contain_text("Waiting on customer")
    ticket = SupportTicket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.tags, ticket.total_comments) == ("waiting_customer", ["password"], 1)


def test_the_search_box_finds_a_response_by_title(chromium, server):
    agent = StaffFactory()
    response = canned_responses.canned_response_create(
        owner=agent, title="Refund sent", shortcut="refund", body="Refunded {{ ticket.number }}."
    )
    ticket = make_ticket()
    page = log_in(chromium, server, agent.username)
    page.goto(f"{server}/dashboard/tickets/{ticket.pk}/")

    page.locator("#macro-search").fill("Refund sent")

    expect(page.locator("#macro-select")).to_have_value(str(response.pk))
    expect(page.locator(".macro-preview:visible")).to_contain_text("Refunded FCT-000001.")
