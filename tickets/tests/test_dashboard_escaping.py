"""Whatever customers and agents type is shown as text on every dashboard and admin page,
never as markup."""

import pytest
from django.urls import reverse

from tickets import services
from tickets.actors import Actor
from tickets.models import ChangeSource, SupportTicket, TeamAssignment

from .factories import StaffFactory, make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMG = "&lt;img src=x onerror=alert(1)&gt;"
HOSTILE = Actor(name=f"Eve {SCRIPT}", source=ChangeSource.API)


@pytest.fixture
def hostile_staff():
    return StaffFactory(first_name=SCRIPT, last_name=IMG)


@pytest.fixture
def agent(client, hostile_staff):
    client.force_login(hostile_staff)
    return client


@pytest.fixture
def ticket() -> SupportTicket:
    ticket = make_ticket(
        subject=f"Help {SCRIPT} {IMG}",
        description=f"{IMG}\n{SCRIPT}",
        customer_name=f"{SCRIPT}{IMG}",
        tags=[SCRIPT],
        assigned_to=IMG,
        actor=HOSTILE,
    )
    services.ticket_update(ticket_id=ticket.pk, tags=[SCRIPT, IMG], actor=HOSTILE)
    services.comment_add(ticket_id=ticket.pk, body=f"{SCRIPT} {IMG}", is_internal=False, author=IMG, actor=HOSTILE)
    services.comment_add(ticket_id=ticket.pk, body=f"{IMG} {SCRIPT}", is_internal=True, author=SCRIPT, actor=HOSTILE)
    return ticket


def assert_escaped(response) -> None:
    html = response.content.decode()
    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert "onerror=alert(1)>" not in html.replace(ESCAPED_IMG, "")
    assert ESCAPED_SCRIPT in html
    assert ESCAPED_IMG in html


@pytest.mark.parametrize("query", ["", "?search=help", "?tags=%3Cimg+src%3Dx+onerror%3Dalert%281%29%3E"])
def test_list_escapes_ticket_fields(agent, ticket, query):
    response = agent.get(f"/dashboard/{query}")
    assert response.status_code == 200
    assert ticket.ticket_number in response.content.decode()
    assert_escaped(response)


def test_row_partial_escapes_ticket_fields(agent, ticket):
    response = agent.get(f"/dashboard/tickets/{ticket.pk}/row/")
    assert response.status_code == 200
    assert_escaped(response)


@pytest.mark.parametrize("suffix", ["", "live/"])
def test_detail_escapes_ticket_comments_and_history(agent, ticket, suffix):
    response = agent.get(f"/dashboard/tickets/{ticket.pk}/{suffix}")
    assert response.status_code == 200
    assert_escaped(response)
    html = response.content.decode()
    timeline = html[html.index('<section id="timeline"') :]
    assert f"Eve {ESCAPED_SCRIPT} added the tag {ESCAPED_IMG}" in timeline


def test_statistics_escapes_the_agents_name(agent, ticket):
    # The only typed text this page shows is who is signed in; ticket text never appears.
    response = agent.get("/dashboard/statistics/")
    assert response.status_code == 200
    assert_escaped(response)
    assert "Help" not in response.content.decode()


def test_a_comment_posted_from_the_dashboard_is_escaped(agent, ticket):
    url, body = f"/dashboard/tickets/{ticket.pk}/comment/", f"</textarea>{SCRIPT}"
    crossed = agent.post(url, {"comment": body, "seen_comment_id": "0"})  # the page with the others' comments
    assert crossed.status_code == 409
    assert_escaped(crossed)
    newest = ticket.comments.latest("pk").pk
    assert agent.post(url, {"comment": body, "seen_comment_id": newest}).status_code == 302
    response = agent.get(f"/dashboard/tickets/{ticket.pk}/")
    assert_escaped(response)
    assert f"&lt;/textarea&gt;{ESCAPED_SCRIPT}" in response.content.decode()


def test_forms_shown_again_escape_what_was_typed(agent, ticket):
    update = agent.post(
        f"/dashboard/tickets/{ticket.pk}/update/",
        {"status": "open", "priority": "low", "category": "general", "resolution_note": f"</textarea>{SCRIPT}"},
    )
    assert update.status_code == 400
    assert_escaped(update)
    assert "&lt;/textarea&gt;" in update.content.decode()

    create = agent.post("/dashboard/tickets/new/", {"subject": f'">{SCRIPT}', "customer_email": IMG})
    assert create.status_code == 400
    assert_escaped(create)
    assert f"&quot;&gt;{ESCAPED_SCRIPT}" in create.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"search": f'">{SCRIPT}{IMG}'},
        {"status": f"open,{SCRIPT}{IMG}"},
        {"assignedTo": f'">{SCRIPT}{IMG}'},
    ],
)
def test_list_escapes_filters_reflected_from_the_url(agent, query):
    response = agent.get("/dashboard/", query)
    assert response.status_code in (200, 400)
    assert_escaped(response)
    assert '"><script' not in response.content.decode()


# --- Agents and teams ---


@pytest.fixture
def hostile_agent_and_team(ticket):
    agent = make_agent(f"Eve {SCRIPT}{IMG}", available=False)
    team = make_team(f"Team {SCRIPT}{IMG}", TeamAssignment.MANUAL, [agent])
    services.ticket_update(ticket_id=ticket.pk, assignee_id=agent.pk, team_id=team.pk, actor=HOSTILE)
    return agent, team


def test_agent_and_team_names_are_escaped_on_every_page_that_shows_them(agent, ticket, hostile_agent_and_team):
    eve, team = hostile_agent_and_team
    for url in (
        "/dashboard/",  # the team views, the team filter and the bulk pickers
        f"/dashboard/?teamId={team.pk}",
        f"/dashboard/tickets/{ticket.pk}/",  # the assignee and team pickers
        "/dashboard/settings/agents/",
        f"/dashboard/settings/agents/{eve.pk}/",
        f"/dashboard/settings/teams/{team.pk}/",
        "/dashboard/settings/teams/new/",
        "/dashboard/settings/agents/new/",
    ):
        response = agent.get(url)
        assert response.status_code == 200, url
        assert_escaped(response)


def test_the_top_bar_and_messages_escape_the_agents_name(client, hostile_agent_and_team):
    eve, _team = hostile_agent_and_team
    client.force_login(eve.user)
    response = client.post(f"/dashboard/settings/agents/{eve.pk}/", {"display_name": f"{SCRIPT}{IMG}"})
    assert response.status_code == 302
    page = client.get(response.url)
    assert_escaped(page)
    assert f"Saved {ESCAPED_SCRIPT}{ESCAPED_IMG}." in page.content.decode()


def test_agent_and_team_forms_shown_again_escape_what_was_typed(agent, hostile_agent_and_team):
    _eve, team = hostile_agent_and_team
    create = agent.post("/dashboard/settings/agents/new/", {"username": f"{SCRIPT}", "display_name": f'">{IMG}'})
    assert create.status_code == 400
    assert_escaped(create)
    assert f"&quot;&gt;{ESCAPED_IMG}" in create.content.decode()
    renamed = agent.post(f"/dashboard/settings/teams/{team.pk}/", {"name": team.name.upper(), "assignment": "x"})
    assert renamed.status_code == 400
    assert_escaped(renamed)


# --- The Django admin ---


@pytest.fixture
def admin(client, hostile_staff):
    hostile_staff.is_superuser = True
    hostile_staff.save(update_fields=["is_superuser"])
    client.force_login(hostile_staff)
    return client


@pytest.mark.parametrize("query", ["", "?q=help", "?status__exact=open"])
def test_admin_change_list_escapes_ticket_fields(admin, ticket, query):
    response = admin.get(reverse("admin:tickets_supportticket_changelist") + query)
    assert response.status_code == 200
    assert ticket.ticket_number in response.content.decode()
    assert_escaped(response)


def test_admin_change_form_escapes_ticket_fields_and_comments(admin, ticket):
    response = admin.get(reverse("admin:tickets_supportticket_change", args=[ticket.pk]))
    assert response.status_code == 200
    assert_escaped(response)
    html = response.content.decode()
    assert f"{ESCAPED_SCRIPT} {ESCAPED_IMG}" in html  # the public comment's body, as text


@pytest.mark.parametrize("model", ["ticketcomment", "ticketevent"])
def test_admin_comment_and_event_pages_escape_what_was_typed(admin, ticket, model):
    changelist = admin.get(reverse(f"admin:tickets_{model}_changelist"))
    assert changelist.status_code == 200
    assert_escaped(changelist)
    row = ticket.comments.first() if model == "ticketcomment" else ticket.events.latest("pk")
    change = admin.get(reverse(f"admin:tickets_{model}_change", args=[row.pk]))
    assert change.status_code == 200
    assert SCRIPT not in change.content.decode()
    assert "<img src=x" not in change.content.decode()
