"""A bulk change of two or more tickets is confirmed first, naming the count and the changes;
without the page's script, the server asks on a page of its own."""

import re
from html import unescape

import pytest

from tickets.models import SupportTicket, TicketEvent

from .factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, staff_agent):
    client.force_login(staff_agent)
    return client


def hidden_inputs(html: str) -> list[tuple[str, str]]:
    form = html[html.index('<form method="post" action="/dashboard/bulk/"') :]
    form = form[: form.index("</form>")]
    return [
        (name, unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
        if name != "csrfmiddlewaretoken"
    ]


def test_the_list_offers_select_all_and_a_selected_count(agent):
    make_ticket()
    html = agent.get("/dashboard/").content.decode()
    # Both appear once the page's script runs (without it they could do nothing).
    assert '<label class="select-all" id="select-all-label" hidden><input type="checkbox" id="select-all">' in html
    assert '<strong id="selected-count" class="selected-count" aria-live="polite" hidden></strong>' in html
    assert 'data-confirm-from="2"' in html
    assert "dashboard/list.js" in html


def test_changing_many_tickets_asks_first_and_changes_nothing_yet(agent):
    jordan = make_agent("Jordan Lee")
    tickets = [make_ticket() for _ in range(3)]
    before = TicketEvent.objects.count()
    data = {"ids": [t.pk for t in tickets], "status": "closed", "assignee": str(jordan.pk), "next": "/dashboard/?q=1"}

    response = agent.post("/dashboard/bulk/", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="confirm-title">Change 3 tickets?</h1>' in html
    assert "<li>Status: <strong>Closed</strong></li><li>Assignee: <strong>Jordan Lee</strong></li>" in html
    assert "FCT-000001, FCT-000002, FCT-000003" in html
    assert '<a href="/dashboard/?q=1">Cancel</a>' in html
    assert TicketEvent.objects.count() == before
    assert set(SupportTicket.objects.values_list("status", flat=True)) == {"open"}

    # The page's button posts the same change, confirmed.
    confirmed = dict(hidden_inputs(html))
    assert [value for name, value in hidden_inputs(html) if name == "ids"] == [str(t.pk) for t in tickets]
    assert confirmed["confirmed"] == "True"
    assert (confirmed["status"], confirmed["assignee"], confirmed["priority"]) == ("closed", str(jordan.pk), "")
    done = agent.post("/dashboard/bulk/", {**confirmed, "ids": [t.pk for t in tickets]}, follow=True)
    assert done.redirect_chain == [("/dashboard/?q=1", 302)]
    assert "Updated 3 tickets." in done.content.decode()
    assert set(SupportTicket.objects.values_list("status", "assigned_to")) == {("closed", "Jordan Lee")}


def test_the_confirmation_names_twenty_tickets_and_counts_the_rest(agent):
    tickets = [make_ticket() for _ in range(23)]
    html = agent.post("/dashboard/bulk/", {"ids": [t.pk for t in tickets], "priority": "high"}).content.decode()
    assert "Change 23 tickets?" in html
    assert "FCT-000020 and 3 more" in html
    assert "FCT-000021" not in html


def test_one_ticket_changes_without_asking(agent):
    ticket = make_ticket()
    response = agent.post("/dashboard/bulk/", {"ids": [ticket.pk], "status": "closed", "next": "/dashboard/"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert "Updated 1 ticket." in agent.get(response.url).content.decode()


def test_a_ticket_posted_twice_counts_once(agent):
    ticket = make_ticket()
    response = agent.post("/dashboard/bulk/", {"ids": [ticket.pk, ticket.pk], "status": "closed"})
    assert response.status_code == 302  # one ticket: no confirmation
    ticket.refresh_from_db()
    assert ticket.status == "closed"
