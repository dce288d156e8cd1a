"""In headless Chromium: an agent sets a custom field on the ticket page (the issue's
browser test for custom fields; the fixtures are test_browser.py's)."""

import pytest
from playwright.sync_api import expect

from tickets import custom_fields

from .factories import StaffFactory, make_ticket
from .test_browser import _orm_beside_playwright, _passwords_the_server_can_check, chromium, log_in, server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
__all__ = ["_orm_beside_playwright", "_passwords_the_server_can_check", "chromium", "server"]  # fixtures used here


def test_an_agent_sets_a_custom_field_and_sees_a_refusal_next_to_it(chromium, server):
    custom_fields.definition_create(key="plan", label="Plan", type="choice", choices=["free", "pro"])
    custom_fields.definition_create(key="seats", label="Seats", type="number")
    agent = StaffFactory(first_name="Alex", last_name="Agent")
    ticket = make_ticket(subject="Upgrade our plan")
    page = log_in(chromium, server, agent.username)

    page.goto(f"{server}/dashboard/tickets/{ticket.pk}/")
    form = page.locator("#update-form")
    form.get_by_label("Plan").select_option("pro")
    form.get_by_label("Seats").fill("many")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#id_cf_seats-error")).to_have_text('"many" is not a number.')

    page.locator("#update-form").get_by_label("Seats").fill("25")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".messages")).to_contain_text("updated")
    expect(page.locator("#ticket-summary")).to_contain_text("Plan")
    expect(page.locator("#ticket-summary")).to_contain_text("25")
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"plan": "pro", "seats": 25}
