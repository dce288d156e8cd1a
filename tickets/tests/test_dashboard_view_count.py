"""A ticket's view count counts people opening its page, not the page shown again after
one of its forms posts (save, reply, the top bar's away switch)."""

import pytest

from tickets.models import SupportTicket

from .factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, staff_agent):
    client.force_login(staff_agent)
    return client


def views(ticket: SupportTicket) -> int:
    ticket.refresh_from_db()
    return ticket.view_count


def update_data(**overrides: str) -> dict[str, str]:
    return {"status": "open", "priority": "medium", "category": "general", "assignee": "", "team": "", "tags": ""} | {
        "version": "1",
        **overrides,
    }


def test_saving_and_replying_do_not_count_the_page_they_return_to(agent):
    ticket = make_ticket()
    url = f"/dashboard/tickets/{ticket.pk}/"
    page = agent.get(url)
    assert "1 view<" in page.content.decode()

    saved = agent.post(f"{url}update/", update_data(status="in_progress", version=str(ticket.version)), follow=True)
    assert saved.redirect_chain == [(url, 302)]
    assert "updated." in saved.content.decode()
    replied = agent.post(f"{url}comment/", {"comment": "On it.", "seen_comment_id": "0"}, follow=True)
    assert replied.redirect_chain == [(url, 302)]
    assert "1 comment, 1 view<" in replied.content.decode()
    assert views(ticket) == 1

    agent.get(url)  # opened again: a view
    assert views(ticket) == 2


def test_the_away_switch_on_a_ticket_page_does_not_count_a_view(client):
    jordan = make_agent("Jordan Lee")
    client.force_login(jordan.user)
    ticket = make_ticket()
    url = f"/dashboard/tickets/{ticket.pk}/"
    client.get(url)
    switched = client.post(
        f"/dashboard/settings/agents/{jordan.pk}/availability/", {"available": "false", "next": url}, follow=True
    )
    assert switched.redirect_chain == [(url, 302)]
    assert views(ticket) == 1


def test_a_created_ticket_opens_without_a_view_and_counts_the_next_opening(agent):
    created = agent.post(
        "/dashboard/tickets/new/",
        {
            "subject": "Card declined",
            "description": "Twice today.",
            "customer_email": "casey@example.com",
            "priority": "medium",
            "category": "general",
            "source": "phone",
        },
        follow=True,
    )
    assert created.status_code == 200
    ticket = SupportTicket.objects.get(subject="Card declined")
    assert views(ticket) == 0
    agent.get(f"/dashboard/tickets/{ticket.pk}/")
    assert views(ticket) == 1


def test_a_form_post_elsewhere_does_not_swallow_the_next_view_of_a_ticket(agent):
    ticket = make_ticket()
    other = make_ticket()
    agent.post("/dashboard/bulk/", {"ids": [other.pk], "status": "closed", "next": "/dashboard/"}, follow=True)
    agent.get(f"/dashboard/tickets/{ticket.pk}/")
    assert views(ticket) == 1
