"""Canned responses on the dashboard's ticket page: the reply box offers those the agent sees,
each previewed for this ticket, and applying one sends the reply and makes its changes
through the same service as the API."""

import re

import pytest

from tickets import canned_responses, services
from tickets.models import CannedResponse, SupportTicket, TeamAssignment, TicketEvent

from .factories import TEST_ACTOR, StaffFactory, make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, staff_agent):
    client.force_login(staff_agent)
    return client


@pytest.fixture
def ticket() -> SupportTicket:
    return make_ticket(customer_name="Casey <b>Jones</b>", subject="Refund for a double charge")


def create(owner, **fields) -> CannedResponse:
    return canned_responses.canned_response_create(
        owner=owner, **{"title": "Refund sent", "shortcut": "refund", "body": "Hi {{ customer.first_name }}", **fields}
    )


def page(client, ticket: SupportTicket) -> str:
    response = client.get(f"/dashboard/tickets/{ticket.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def apply_url(ticket: SupportTicket) -> str:
    return f"/dashboard/tickets/{ticket.pk}/apply-macro/"


def preview(html: str, response: CannedResponse) -> str:
    match = re.search(rf'<div class="macro-preview" data-macro-preview="{response.pk}".*?</div>', html, re.DOTALL)
    assert match, f"no preview of {response.title}"
    return match.group(0)


def test_the_reply_box_offers_the_agent_s_own_and_the_shared_responses_previewed_for_the_ticket(
    agent, staff_agent, ticket
):
    billing = make_team("Billing", TeamAssignment.MANUAL, [])
    mine = create(staff_agent, body="Hi {{ customer.first_name }}, about {{ ticket.number }}: {{ ticket.subject }}")
    shared = create(
        StaffFactory(),
        title="Escalate",
        shortcut="esc",
        body="",
        shared=True,
        actions={"teamId": billing.pk, "priority": "urgent"},
    )
    hidden = create(StaffFactory(), title="Someone else's", shortcut="theirs")

    html = page(agent, ticket)

    assert f'<option value="{mine.pk}" data-shortcut="refund" data-title="refund sent"' in html
    assert f'<option value="{shared.pk}" data-shortcut="esc"' in html
    assert '<option value="/esc">Escalate</option>' in html  # the search box's suggestions
    assert f'value="{hidden.pk}"' not in html and "Someone else" not in html
    # Filled in for this ticket, and escaped as any text on the page.
    assert "Hi Casey, about FCT-000001: Refund for a double charge" in preview(html, mine)
    assert "<b>" not in preview(html, mine)
    assert "No reply: it only changes the ticket." in preview(html, shared)
    assert "<li>Priority: Urgent</li>" in preview(html, shared) and "<li>Team: Billing</li>" in preview(html, shared)
    assert 'formaction="/dashboard/tickets/' in html and "dashboard/macros.js" in html


def test_a_body_saved_around_the_checks_is_shown_as_a_problem_not_sent(agent, staff_agent, ticket):
    broken = create(staff_agent)
    CannedResponse.objects.filter(pk=broken.pk).update(body="Hi {{ customer.phone }}")
    assert "Unknown placeholder" in preview(page(agent, ticket), broken)


def test_applying_sends_the_reply_with_the_agent_s_words_and_makes_the_changes(agent, staff_agent, ticket):
    tom = make_agent("Tom Becker")
    response = create(staff_agent, actions={"status": "waiting_customer", "assigneeId": tom.pk, "addTags": ["refund"]})

    answer = agent.post(
        apply_url(ticket),
        {"canned_response": response.pk, "comment": "We sent it today.", "seen_comment_id": "0"},
        follow=True,
    )

    assert answer.redirect_chain == [(f"/dashboard/tickets/{ticket.pk}/", 302)]
    assert "Applied “Refund sent”." in answer.content.decode()
    ticket.refresh_from_db()
    [comment] = ticket.comments.all()
    assert (comment.body, comment.is_internal, comment.source) == ("Hi Casey\n\nWe sent it today.", False, "dashboard")
    assert (ticket.status, ticket.assignee, ticket.tags) == ("waiting_customer", tom, ["refund"])
    actions = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True).order_by("pk"))
    assert actions == ["created", "commented", "status_changed", "assigned", "tags_changed"]


def test_an_internal_note_from_a_shared_response(agent, ticket):
    shared = create(StaffFactory(), shared=True, body="Checked by {{ agent.display_name }}")
    agent.post(apply_url(ticket), {"canned_response": shared.pk, "is_internal": "on"})
    [comment] = ticket.comments.all()
    assert (comment.body, comment.is_internal) == ("Checked by Alex Agent", True)


def test_a_refused_action_shows_the_page_again_with_the_agent_s_text_and_writes_nothing(agent, staff_agent, ticket):
    team = make_team("Billing", TeamAssignment.MANUAL, [])
    response = create(staff_agent, actions={"teamId": team.pk})
    team.delete()

    answer = agent.post(apply_url(ticket), {"canned_response": response.pk, "comment": "My own words"})

    assert answer.status_code == 400
    html = answer.content.decode()
    assert "“Refund sent” cannot be applied: No team with id" in html.replace("&quot;", "“", 1).replace(
        "&quot;", "”", 1
    )
    assert "My own words</textarea>" in html
    assert re.search(rf'<option value="{response.pk}"[^>]* selected>', html)
    assert not ticket.comments.exists()


def test_someone_else_s_personal_response_cannot_be_applied(agent, ticket):
    theirs = create(StaffFactory())
    answer = agent.post(apply_url(ticket), {"canned_response": theirs.pk})
    assert answer.status_code == 400
    assert "No canned response of yours or your team" in answer.content.decode()
    assert not ticket.comments.exists()


def test_unseen_comments_are_shown_first_then_applying_again_goes_through(agent, staff_agent, ticket):
    response = create(staff_agent)
    newer = services.comment_add(
        ticket_id=ticket.pk, body="Any news?", is_internal=False, author="Casey", actor=TEST_ACTOR
    )

    first = agent.post(apply_url(ticket), {"canned_response": response.pk, "seen_comment_id": "0"})
    assert first.status_code == 409
    assert "Casey replied since you opened this ticket" in first.content.decode()
    assert f'name="seen_comment_id" value="{newer.pk}"' in first.content.decode()

    again = agent.post(apply_url(ticket), {"canned_response": response.pk, "seen_comment_id": str(newer.pk)})
    assert again.status_code == 302
    assert ticket.comments.count() == 2


def test_without_a_choice_the_page_asks_for_one(agent, ticket):
    create(StaffFactory(), shared=True)
    answer = agent.post(apply_url(ticket), {"comment": "Hello"})
    assert answer.status_code == 400
    assert "This field is required." in answer.content.decode()
    assert not ticket.comments.exists()
