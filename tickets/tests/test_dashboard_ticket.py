"""The ticket page (detail, update form, comments with collision detection) and the create form."""

import re

import pytest

from tickets import services
from tickets.actors import Actor
from tickets.models import ChangeSource, SupportTicket, TicketComment, TicketEvent

from .factories import TEST_ACTOR, make_agent, make_ticket

pytestmark = pytest.mark.django_db

OTHER_AGENT = Actor(name="Sam Other", source=ChangeSource.DASHBOARD)


@pytest.fixture
def agent(client, staff_agent):
    client.force_login(staff_agent)
    return client


@pytest.fixture
def ticket() -> SupportTicket:
    return make_ticket(subject="Refund for a double charge", description="I was charged twice on May 3.")


def detail_url(ticket: SupportTicket, suffix: str = "") -> str:
    return f"/dashboard/tickets/{ticket.pk}/{suffix}"


def comment_article(html: str, comment: TicketComment) -> str:
    match = re.search(rf'<article class="comment [^"]*" id="comment-{comment.pk}".*?</article>', html, re.DOTALL)
    assert match, f"comment {comment.pk} not on the page"
    return match.group(0)


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}-error" role="alert">(.*?)</p>', html)
    assert match, f"no error shown for {field}"
    return match.group(1)


def seen_comment_id(html: str) -> str:
    match = re.search(r'<input type="hidden" name="seen_comment_id" value="(\d+)"', html)
    assert match
    return match.group(1)


def update_data(**overrides: str) -> dict[str, str]:
    return {
        "status": "open",
        "priority": "medium",
        "category": "general",
        "assignee": "",
        "team": "",
        "tags": "",
    } | overrides


# --- Detail ---


@pytest.mark.parametrize("lookup", ["pk", "number", "lower-case number"])
def test_detail_by_id_or_ticket_number(agent, ticket, lookup):
    key = {"pk": str(ticket.pk), "number": "FCT-000001", "lower-case number": "fct-000001"}[lookup]
    response = agent.get(f"/dashboard/tickets/{key}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="ticket-number">FCT-000001</span> Refund for a double charge' in html
    assert "I was charged twice on May 3." in html


def test_detail_shows_public_and_internal_comments_distinctly(agent, ticket):
    public = services.comment_add(
        ticket_id=ticket.pk, body="We are on it.", is_internal=False, author="Sam Other", actor=TEST_ACTOR
    )
    internal = services.comment_add(
        ticket_id=ticket.pk, body="Check the ledger first.", is_internal=True, author="Sam Other", actor=TEST_ACTOR
    )
    html = agent.get(detail_url(ticket)).content.decode()

    public_html = comment_article(html, public)
    assert 'class="comment comment--public"' in public_html
    assert "We are on it." in public_html
    assert "Public reply" in public_html
    assert "Internal note" not in public_html

    internal_html = comment_article(html, internal)
    assert 'class="comment comment--internal"' in internal_html
    assert "Check the ledger first." in internal_html
    assert '<span class="badge internal">Internal note</span>' in internal_html
    assert html.index(public_html) < html.index(internal_html)


def test_detail_shows_the_audit_history(agent, ticket):
    services.ticket_change_status(ticket_id=ticket.pk, status="in_progress", actor=TEST_ACTOR)
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Jordan Lee", actor=TEST_ACTOR)
    html = agent.get(detail_url(ticket)).content.decode()
    timeline = html[html.index('<section id="timeline"') :]
    assert "Test Agent created the ticket" in timeline
    assert "Test Agent changed the status: Open → In progress" in timeline
    assert "Test Agent assigned the ticket to Jordan Lee" in timeline
    assert timeline.index("created") < timeline.index("changed the status") < timeline.index("assigned")


def test_opening_the_page_counts_a_view_and_the_live_refresh_does_not(agent, ticket):
    first = agent.get(detail_url(ticket))
    assert "0 comments, 1 view<" in first.content.decode()
    agent.get(f"/dashboard/tickets/{ticket.ticket_number}/")
    ticket.refresh_from_db()
    assert ticket.view_count == 2

    live = agent.get(detail_url(ticket, "live/"))
    assert live.status_code == 200
    assert "2 views" in live.content.decode()
    ticket.refresh_from_db()
    assert ticket.view_count == 2


@pytest.mark.parametrize("key", ["999999", "FCT-999999", "nonsense", "FCT-abc", "1" * 30])
def test_unknown_ticket_is_404(agent, ticket, key):
    for suffix in ("", "live/"):
        assert agent.get(f"/dashboard/tickets/{key}/{suffix}").status_code == 404
    assert agent.post(f"/dashboard/tickets/{key}/update/", update_data()).status_code == 404
    assert agent.post(f"/dashboard/tickets/{key}/comment/", {"comment": "Hi"}).status_code == 404


# --- Update form ---


def test_update_changes_fields_through_the_services_and_redirects_back(agent, ticket):
    jordan = make_agent("Jordan Lee")
    data = update_data(status="in_progress", priority="urgent", category="billing", assignee=str(jordan.pk))
    response = agent.post(detail_url(ticket, "update/"), data | {"tags": "VIP, kyc"})
    assert response.status_code == 302
    assert response.url == detail_url(ticket)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.category) == ("in_progress", "urgent", "billing")
    assert (ticket.assignee, ticket.assigned_to, ticket.tags) == (jordan, "Jordan Lee", ["vip", "kyc"])
    events = TicketEvent.objects.filter(ticket=ticket).exclude(action="created")
    assert set(events.values_list("action", "source", "actor")) == {
        ("status_changed", "dashboard", "Alex Agent"),
        ("priority_changed", "dashboard", "Alex Agent"),
        ("category_changed", "dashboard", "Alex Agent"),
        ("assigned", "dashboard", "Alex Agent"),
        ("tags_changed", "dashboard", "Alex Agent"),
    }
    assert "FCT-000001 updated." in agent.get(response.url).content.decode()


def test_resolving_with_a_note_records_who_resolved(agent, ticket):
    response = agent.post(detail_url(ticket, "update/"), update_data(status="resolved", resolution_note="Refunded."))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_by, ticket.resolution_note) == ("resolved", "Alex Agent", "Refunded.")
    assert ticket.resolved_at is not None


def test_posting_the_same_values_changes_nothing(agent, ticket):
    response = agent.post(detail_url(ticket, "update/"), update_data())
    assert response.status_code == 302
    assert list(TicketEvent.objects.values_list("action", flat=True)) == ["created"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (update_data(priority="urgent", resolution_note="Done."), "resolution_note", "goes with Resolved or Closed"),
        (update_data(priority="urgent", assignee="999999"), "assignee", "Select a valid choice"),
        (update_data(priority="urgent", assignee="name:" + "x" * 101), "assignee", "At most 100 characters"),
        (update_data(priority="urgent", team="999999"), "team", "Select a valid choice"),
        (update_data(priority="urgent", tags=",".join(f"t{n}" for n in range(21))), "tags", "at most 20 tags"),
        (update_data(status="bogus"), "status", "Select a valid choice"),
    ],
)
def test_an_invalid_update_is_400_with_the_error_next_to_the_field(agent, ticket, data, field, message):
    response = agent.post(detail_url(ticket, "update/"), data)
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), field)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assigned_to, ticket.tags) == ("open", "medium", "", [])
    assert list(TicketEvent.objects.values_list("action", flat=True)) == ["created"]


# --- Comments ---


@pytest.mark.parametrize("internal", [False, True])
def test_comment_is_saved_with_the_agent_as_author(agent, ticket, internal):
    data = {"comment": "Looking into it.", "seen_comment_id": "0"} | ({"is_internal": "on"} if internal else {})
    response = agent.post(detail_url(ticket, "comment/"), data)
    assert response.status_code == 302
    assert response.url == detail_url(ticket)
    comment = TicketComment.objects.get(ticket=ticket)
    assert (comment.body, comment.is_internal, comment.author, comment.source) == (
        "Looking into it.",
        internal,
        "Alex Agent",
        "dashboard",
    )
    event = TicketEvent.objects.get(ticket=ticket, action="commented")
    assert (event.source, event.actor, event.field) == ("dashboard", "Alex Agent", "internal" if internal else "public")
    ticket.refresh_from_db()
    assert ticket.total_comments == 1
    assert (ticket.first_response_at is None) == internal  # only a public reply answers the customer
    page = agent.get(response.url).content.decode()
    assert ("Internal note added." if internal else "Reply added.") in page


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_comment_is_400_and_nothing_is_saved(agent, ticket, body):
    response = agent.post(detail_url(ticket, "comment/"), {"comment": body, "seen_comment_id": "0"})
    assert response.status_code == 400
    assert "This field is required." in field_error(response.content.decode(), "comment")
    assert not TicketComment.objects.exists()


def test_a_reply_that_crossed_another_agents_reply_is_held_back_once(agent, ticket):
    services.comment_add(
        ticket_id=ticket.pk, body="First reply.", is_internal=False, author="Sam Other", actor=OTHER_AGENT
    )
    loaded = agent.get(detail_url(ticket)).content.decode()
    seen = seen_comment_id(loaded)
    assert seen == str(TicketComment.objects.get().pk)

    crossing = services.comment_add(
        ticket_id=ticket.pk, body="Refund sent.", is_internal=False, author="Sam Other", actor=OTHER_AGENT
    )
    data = {"comment": "I will send the refund.", "seen_comment_id": seen}
    response = agent.post(detail_url(ticket, "comment/"), data)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Sam Other replied since you opened this ticket." in field_error(html, "comment")
    assert "Refund sent." in comment_article(html, crossing)  # the new reply is on the page
    assert "I will send the refund.</textarea>" in html  # the draft is kept
    assert TicketComment.objects.count() == 2

    resend = agent.post(detail_url(ticket, "comment/"), data | {"seen_comment_id": seen_comment_id(html)})
    assert resend.status_code == 302
    assert TicketComment.objects.latest("pk").body == "I will send the refund."


def page_version(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "the update form carries the ticket's version"
    return match.group(1)


def test_an_update_over_someone_elses_newer_change_is_held_back_once(agent, ticket):
    jordan = make_agent("Jordan Lee")
    seen = page_version(agent.get(detail_url(ticket)).content.decode())
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Sam Other", actor=TEST_ACTOR)
    data = update_data(status="resolved", assignee=str(jordan.pk)) | {"version": seen}

    response = agent.post(detail_url(ticket, "update/"), data)

    assert response.status_code == 409
    html = response.content.decode()
    assert "was changed after the version you saw" in html
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_to) == ("open", "Sam Other")  # nothing overwritten
    resend = agent.post(detail_url(ticket, "update/"), data | {"version": page_version(html)})
    assert resend.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_to) == ("resolved", "Jordan Lee")


def test_the_agents_own_newer_comment_is_no_collision(agent, ticket):
    loaded = agent.get(detail_url(ticket)).content.decode()
    services.comment_add(
        ticket_id=ticket.pk, body="From my other tab.", is_internal=True, author="Alex Agent", actor=OTHER_AGENT
    )
    response = agent.post(
        detail_url(ticket, "comment/"), {"comment": "Again.", "seen_comment_id": seen_comment_id(loaded)}
    )
    assert response.status_code == 302
    assert TicketComment.objects.count() == 2


# --- Create form ---


def test_create_form_renders(agent):
    response = agent.get("/dashboard/tickets/new/")
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("subject", "description", "customer_email", "customer_name", "priority", "category", "source"):
        assert f'name="{field}"' in html


def test_creating_a_ticket_uses_the_form_source_and_opens_its_page(agent):
    jordan = make_agent("Jordan Lee")
    response = agent.post(
        "/dashboard/tickets/new/",
        {
            "subject": "Phone call about fees",
            "description": "Caller asked about the withdrawal fee.",
            "customer_email": "caller@example.com",
            "customer_name": "Casey Caller",
            "priority": "high",
            "category": "billing",
            "source": "email",
            "assignee": str(jordan.pk),
            "tags": "fees, Phone",
        },
    )
    ticket = SupportTicket.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(ticket)
    assert (ticket.subject, ticket.source, ticket.priority, ticket.category) == (
        "Phone call about fees",
        "email",
        "high",
        "billing",
    )
    assert (ticket.customer_email, ticket.assignee, ticket.assigned_to, ticket.tags) == (
        "caller@example.com",
        jordan,
        "Jordan Lee",
        ["fees", "phone"],
    )
    created = TicketEvent.objects.get(ticket=ticket)
    assert (created.action, created.source, created.actor) == ("created", "dashboard", "Alex Agent")
    assert f"Created {ticket.ticket_number}." in agent.get(response.url).content.decode()


def test_creating_with_an_invalid_email_is_400_with_the_error_shown(agent):
    response = agent.post(
        "/dashboard/tickets/new/",
        {
            "subject": "Help",
            "description": "Body",
            "customer_email": "not-an-email",
            "priority": "medium",
            "category": "general",
            "source": "phone",
        },
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in field_error(response.content.decode(), "customer_email")
    assert 'value="Help"' in response.content.decode()  # what was typed is kept
    assert not SupportTicket.objects.exists()
