"""The Django admin changes tickets only through the services, as an admin actor."""

from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from integrations.models import IntegrationName, IntegrationState
from tickets import services
from tickets.models import SupportTicket, TicketAction, TicketComment, TicketEvent

from .factories import TEST_ACTOR, StaffFactory, make_ticket

CHANGELIST = reverse("admin:tickets_supportticket_changelist")


@pytest.fixture
def admin_client(db: None, client: Client) -> Client:
    client.force_login(StaffFactory(is_superuser=True, first_name="Ada", last_name="Admin"))
    return client


def change_url(ticket: SupportTicket) -> str:
    return reverse("admin:tickets_supportticket_change", args=[ticket.pk])


def change_form_data(ticket: SupportTicket, **overrides: Any) -> dict[str, Any]:
    """What the change form posts when nothing is edited: the editable fields as shown,
    the existing comments' hidden ids and an empty new-comment row."""
    comments = list(ticket.comments.all())
    data: dict[str, Any] = {
        "status": ticket.status,
        "resolution_note": ticket.resolution_note,
        "priority": ticket.priority,
        "category": ticket.category,
        "assigned_to": ticket.assigned_to,
        "tags": ", ".join(ticket.tags),
        "comments-TOTAL_FORMS": len(comments) + 1,
        "comments-INITIAL_FORMS": len(comments),
        "comments-MIN_NUM_FORMS": 0,
        "comments-MAX_NUM_FORMS": 1000,
        f"comments-{len(comments)}-body": "",
        f"comments-{len(comments)}-ticket": ticket.pk,
    }
    for index, comment in enumerate(comments):
        data[f"comments-{index}-id"] = comment.pk
        data[f"comments-{index}-ticket"] = ticket.pk
    data.update(overrides)
    return data


def admin_events(ticket: SupportTicket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, source="admin").order_by("id"))


def test_changelist_lists_tickets_and_finds_one_by_number(admin_client: Client) -> None:
    first = make_ticket(subject="Deposit not credited")
    second = make_ticket(subject="Two-factor codes rejected", customer_email="zoe@example.org")

    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [second, first]
    assert first.ticket_number in response.content.decode()

    by_number = admin_client.get(CHANGELIST, {"q": second.ticket_number})
    assert list(by_number.context["cl"].result_list) == [second]
    by_email = admin_client.get(CHANGELIST, {"q": "zoe@example.org"})
    assert list(by_email.context["cl"].result_list) == [second]


def test_change_form_saves_through_services_with_admin_audit(admin_client: Client) -> None:
    ticket = make_ticket(tags=["kyc"])

    response = admin_client.post(
        change_url(ticket),
        change_form_data(
            ticket, status="in_progress", priority="urgent", assigned_to="  Priya   Shah ", tags="kyc, VIP"
        ),
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assigned_to, ticket.tags) == (
        "in_progress",
        "urgent",
        "Priya Shah",
        ["kyc", "vip"],
    )
    # The service recomputed the SLA: the form only chose the priority.
    assert ticket.response_target_minutes == 30
    events = admin_events(ticket)
    assert {(event.action, event.new_value) for event in events} == {
        (TicketAction.STATUS_CHANGED, "in_progress"),
        (TicketAction.PRIORITY_CHANGED, "urgent"),
        (TicketAction.ASSIGNED, "Priya Shah"),
        (TicketAction.TAGS_CHANGED, "kyc,vip"),
    }
    assert {event.actor for event in events} == {"Ada Admin"}


def test_resolving_in_the_change_form_keeps_the_note(admin_client: Client) -> None:
    ticket = make_ticket()

    admin_client.post(change_url(ticket), change_form_data(ticket, status="resolved", resolution_note="Reset 2FA."))

    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution_note, ticket.resolved_by) == ("resolved", "Reset 2FA.", "Ada Admin")


def test_reopening_may_clear_the_note_but_a_resolved_ticket_keeps_it(admin_client: Client) -> None:
    ticket = services.ticket_change_status(
        ticket_id=make_ticket().pk, status="resolved", resolution_note="Refunded.", actor=TEST_ACTOR
    )

    kept = admin_client.post(change_url(ticket), change_form_data(ticket, resolution_note="Rewritten"))
    assert "resolution_note" in kept.context["adminform"].form.errors

    reopened = admin_client.post(change_url(ticket), change_form_data(ticket, status="open", resolution_note=""))
    assert reopened.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution_note, ticket.resolved_at) == ("open", "", None)


def test_invalid_change_shows_errors_and_writes_nothing(admin_client: Client) -> None:
    ticket = make_ticket()

    response = admin_client.post(
        change_url(ticket),
        change_form_data(ticket, priority="high", resolution_note="Not resolving", tags="kyc, " + "x" * 51),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"resolution_note", "tags"}
    ticket.refresh_from_db()
    assert ticket.priority == "medium"
    assert admin_events(ticket) == []


def test_inline_adds_a_comment_and_leaves_existing_ones_alone(admin_client: Client) -> None:
    ticket = make_ticket()
    existing = services.comment_add(
        ticket_id=ticket.pk, body="First reply", is_internal=False, author="Sam", actor=TEST_ACTOR
    )
    ticket.refresh_from_db()

    data = change_form_data(ticket, **{"comments-0-body": "Tampered", "comments-1-body": "Checked the ledger."})
    data["comments-1-is_internal"] = "on"
    response = admin_client.post(change_url(ticket), data)

    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.body == "First reply"
    added = TicketComment.objects.exclude(pk=existing.pk).get(ticket=ticket)
    assert (added.body, added.is_internal, added.author, added.source) == (
        "Checked the ledger.",
        True,
        "Ada Admin",
        "admin",
    )
    ticket.refresh_from_db()
    assert ticket.total_comments == 2
    assert [event.action for event in admin_events(ticket)] == [TicketAction.COMMENTED]


def test_change_page_shows_comments_read_only(admin_client: Client) -> None:
    ticket = make_ticket()
    services.comment_add(ticket_id=ticket.pk, body="Visible reply", is_internal=False, author="Sam", actor=TEST_ACTOR)

    page = admin_client.get(change_url(ticket)).content.decode()

    assert "Visible reply" in page
    assert 'name="comments-0-body"' not in page
    assert 'name="comments-1-body"' in page


def test_resolve_action_goes_through_services(admin_client: Client) -> None:
    tickets = [make_ticket(), make_ticket()]
    untouched = make_ticket()

    response = admin_client.post(
        CHANGELIST, {"action": "resolve_tickets", ACTION_CHECKBOX_NAME: [t.pk for t in tickets], "index": 0}
    )

    assert response.status_code == 302
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == "resolved"
        assert [(e.action, e.actor) for e in admin_events(ticket)] == [(TicketAction.STATUS_CHANGED, "Ada Admin")]
    untouched.refresh_from_db()
    assert untouched.status == "open"


def test_assign_action_asks_for_the_assignee_then_assigns(admin_client: Client) -> None:
    tickets = [make_ticket(), make_ticket()]
    selected = [t.pk for t in tickets]

    page = admin_client.post(CHANGELIST, {"action": "assign_tickets", ACTION_CHECKBOX_NAME: selected, "index": 0})

    assert page.status_code == 200
    assert "admin/tickets/assign_intermediate.html" in [template.name for template in page.templates]
    assert tickets[0].ticket_number in page.content.decode()
    assert not TicketEvent.objects.filter(source="admin").exists()

    done = admin_client.post(
        CHANGELIST,
        {"action": "assign_tickets", ACTION_CHECKBOX_NAME: selected, "assigned_to": "John Doe", "apply": "Assign"},
    )

    assert done.status_code == 302
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.assigned_to == "John Doe"
        assert [(e.action, e.new_value) for e in admin_events(ticket)] == [(TicketAction.ASSIGNED, "John Doe")]


def test_assign_action_rejects_a_too_long_name(admin_client: Client) -> None:
    ticket = make_ticket()

    page = admin_client.post(
        CHANGELIST,
        {"action": "assign_tickets", ACTION_CHECKBOX_NAME: [ticket.pk], "assigned_to": "x" * 101, "apply": "Assign"},
    )

    assert page.status_code == 200
    assert page.context["form"].errors
    ticket.refresh_from_db()
    assert ticket.assigned_to == ""


def test_adding_a_ticket_in_the_admin_creates_it_through_the_service(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:tickets_supportticket_add"),
        {
            "subject": "Withdrawal pending",
            "description": "Pending since Monday.",
            "source": "phone",
            "customer_name": "Mia Rossi",
            "customer_email": "mia.rossi@example.com",
            "customer_user_id": "",
            "priority": "high",
            "category": "technical",
            "assigned_to": "Sarah Lee",
            "tags": "withdrawal",
            "_continue": "Save and continue editing",
        },
    )

    assert response.status_code == 302
    ticket = SupportTicket.objects.get()
    assert response["Location"] == change_url(ticket)
    assert ticket.ticket_number.startswith("FCT-")
    assert (ticket.subject, ticket.source, ticket.priority, ticket.assigned_to, ticket.tags) == (
        "Withdrawal pending",
        "phone",
        "high",
        "Sarah Lee",
        ["withdrawal"],
    )
    assert [(e.action, e.actor) for e in admin_events(ticket)] == [(TicketAction.CREATED, "Ada Admin")]


def test_tickets_cannot_be_deleted(admin_client: Client) -> None:
    ticket = make_ticket()

    assert admin_client.get(reverse("admin:tickets_supportticket_delete", args=[ticket.pk])).status_code == 403


@pytest.mark.parametrize(
    ("model", "make_row"),
    [
        (
            "ticketcomment",
            lambda t: services.comment_add(
                ticket_id=t.pk, body="Hi", is_internal=False, author="Sam", actor=TEST_ACTOR
            ),
        ),
        ("ticketevent", lambda t: t.events.get()),
    ],
)
def test_comment_and_event_admins_are_read_only(admin_client: Client, model: str, make_row: Any) -> None:
    ticket = make_ticket()
    row = make_row(ticket)

    changelist = admin_client.get(reverse(f"admin:tickets_{model}_changelist"), {"q": ticket.ticket_number})
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].result_list) == [row]
    assert not changelist.context["has_add_permission"]
    assert admin_client.get(reverse(f"admin:tickets_{model}_add")).status_code == 403
    change = reverse(f"admin:tickets_{model}_change", args=[row.pk])
    assert admin_client.post(change, {"body": "Edited", "actor": "Mallory"}).status_code == 403
    delete = reverse(f"admin:tickets_{model}_delete", args=[row.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_integration_state_admin_is_read_only(admin_client: Client) -> None:
    state = IntegrationState.objects.create(name=IntegrationName.SLACK, last_error="channel_not_found")

    assert admin_client.get(reverse("admin:integrations_integrationstate_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:integrations_integrationstate_add")).status_code == 403
    change = reverse("admin:integrations_integrationstate_change", args=[state.pk])
    assert admin_client.post(change, {"last_error": ""}).status_code == 403
