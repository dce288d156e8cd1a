"""How the list and the layout read to a person: sort options by name, paging links both
ways, the 24-hour clock everywhere, and a live indicator only where pages update live."""

import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from tickets.filters import SORT_FIELDS

from .factories import StaffFactory, make_ticket

pytestmark = pytest.mark.django_db

AFTERNOON = datetime(2026, 3, 4, 15, 7, tzinfo=UTC)


@pytest.fixture
def agent(client, staff_agent):
    client.force_login(staff_agent)
    return client


def select(html: str, name: str) -> list[tuple[str, str]]:
    match = re.search(rf'<select name="{name}">(.*?)</select>', html, re.DOTALL)
    assert match, f"no {name} select"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', match.group(1))


def links(html: str) -> dict[str, dict[str, list[str]]]:
    found = re.findall(r'<a href="([^"]*)" rel="(\w+)">', html)
    return {rel: parse_qs(urlsplit(unescape(href)).query) for href, rel in found}


def test_sort_options_read_as_words_and_post_the_api_names(agent):
    options = select(agent.get("/dashboard/?sortBy=resolutionDeadline").content.decode(), "sortBy")
    assert options == [
        ("createdAt", "Created"),
        ("updatedAt", "Last updated"),
        ("priority", "Priority"),
        ("status", "Status"),
        ("ticketNumber", "Ticket number"),
        ("subject", "Subject"),
        ("assignedTo", "Assignee"),
        ("resolutionDeadline", "Resolve by"),
    ]
    assert [value for value, _ in options] == list(SORT_FIELDS)


def test_pages_link_to_the_first_the_previous_and_the_next(agent):
    for _ in range(4):
        make_ticket(priority="high")
    html = agent.get("/dashboard/?priority=high&limit=1&page=3").content.decode()
    assert links(html) == {
        "first": {"priority": ["high"], "limit": ["1"], "page": ["1"]},
        "prev": {"priority": ["high"], "limit": ["1"], "page": ["2"]},
        "next": {"priority": ["high"], "limit": ["1"], "page": ["4"]},
    }
    assert "Page 3 of 4" in html
    second = agent.get("/dashboard/?limit=1&page=2").content.decode()
    assert set(links(second)) == {"prev", "next"}  # "previous" is the first page there
    first = agent.get("/dashboard/?limit=1").content.decode()
    assert set(links(first)) == {"next"}
    last = agent.get("/dashboard/?limit=1&page=4").content.decode()
    assert set(links(last)) == {"first", "prev"}


def test_times_use_the_24_hour_clock_on_the_dashboard_and_in_the_admin(client):
    with time_machine.travel(AFTERNOON, tick=False):
        ticket = make_ticket(subject="Afternoon ticket")
    client.force_login(StaffFactory(is_superuser=True))
    pages = {
        "list": client.get("/dashboard/").content.decode(),
        "ticket": client.get(f"/dashboard/tickets/{ticket.pk}/").content.decode(),
        "admin list": client.get(reverse("admin:tickets_supportticket_changelist")).content.decode(),
        "admin ticket": client.get(reverse("admin:tickets_supportticket_change", args=[ticket.pk])).content.decode(),
    }
    for name, html in pages.items():
        assert "15:07" in html, name
        assert not re.search(r"\b3:07|[ap]\.m\.", html), name
    assert '<time datetime="2026-03-04T15:07:00+00:00">Mar 4, 15:07</time>' in pages["list"]
    assert "Mar 4, 2026, 15:07" in pages["admin list"]


def test_the_live_indicator_shows_only_on_pages_that_update_live(agent):
    hidden = '<span class="live-status" id="live-status" role="status" data-state="connecting" hidden>'
    ticket = make_ticket()
    for url in ("/dashboard/tickets/new/", "/dashboard/settings/agents/", "/dashboard/settings/agents/new/"):
        html = agent.get(url).content.decode()
        assert hidden in html  # and no script to show it
        assert "live.js" not in html
        assert "Offline" not in html
    for url in ("/dashboard/", f"/dashboard/tickets/{ticket.pk}/"):
        html = agent.get(url).content.decode()
        assert hidden in html
        assert "dashboard/live.js" in html  # which shows it as it connects


def test_the_filter_panel_says_how_many_filters_are_applied(agent):
    html = agent.get("/dashboard/?status=open&search=card&sortBy=priority&limit=25").content.decode()
    assert '<details class="filter-panel" id="filter-panel" open>' in html  # folded on phones by list.js
    assert "<summary>Filters (2 applied)</summary>" in html
    assert "<summary>Filters</summary>" in agent.get("/dashboard/?sortOrder=asc").content.decode()
