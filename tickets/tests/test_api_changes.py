"""REST API contract: changing tickets (status, assignment, comments, bulk) and the audit trail.

What the API adds to each change: parsing, status codes, error and answer shapes. The rules
behind a change (what is audited, how tags merge, when a first response counts) are tested
once, at the service, in test_services.py; the length limits in test_size_limits.py."""

from datetime import timedelta

import pytest
from django.conf import settings

from tickets.models import SupportTicket, TicketEvent
from tickets.tests.api_helpers import COMMENT_KEYS, URL, client_for, frozen_at, parse_time, ticket_url, utc
from tickets.tests.factories import make_ticket

BULK_URL = f"{URL}/bulk"


def put_status(client, ticket, status, **extra):
    return client.put(ticket_url(ticket, "status"), {"status": status, **extra}, format="json")


def assign(client, ticket, assigned_to):
    return client.put(ticket_url(ticket, "assign"), {"assignedTo": assigned_to}, format="json")


def add_comment(client, ticket, text, *, internal=False):
    return client.post(ticket_url(ticket, "comments"), {"comment": text, "isInternal": internal}, format="json")


def activity(client, ticket):
    response = client.get(ticket_url(ticket, "activity"))
    assert response.status_code == 200
    return response.json()


def bulk(client, ids, updates):
    return client.post(BULK_URL, {"ids": ids, "updates": updates}, format="json")


# --- Status ---


def test_status_change_answers_the_ticket(staff_client):
    ticket = make_ticket()

    response = put_status(staff_client, ticket, "in_progress")

    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert response.json()["resolution"]["resolvedAt"] is None


def test_resolving_records_the_resolution(staff_agent):
    with frozen_at(utc(2025, 3, 10, 9, 0)):
        ticket = make_ticket()
    with frozen_at(utc(2025, 3, 10, 10, 30)):
        response = put_status(client_for(staff_agent), ticket, "resolved", resolutionNote="Reset the 2FA device.")

    assert response.status_code == 200
    resolution = response.json()["resolution"]
    assert resolution["resolvedBy"] == "Alex Agent"
    assert parse_time(resolution["resolvedAt"]) == utc(2025, 3, 10, 10, 30)
    assert resolution["resolutionNote"] == "Reset the 2FA device."
    assert resolution["resolutionTime"] == 90


def test_reopening_clears_the_resolution(staff_client):
    ticket = make_ticket()
    put_status(staff_client, ticket, "resolved", resolutionNote="Fixed.")

    response = put_status(staff_client, ticket, "open")

    assert response.json()["status"] == "open"
    assert response.json()["resolution"] == {
        "resolvedBy": None,
        "resolutionNote": None,
        "resolutionTime": None,
        "resolvedAt": None,
    }


@pytest.mark.parametrize("body", [{"status": "done"}, {"status": ""}, {}, {"status": None}])
def test_status_change_with_a_bad_status_is_400_naming_it(staff_client, body):
    ticket = make_ticket()

    response = staff_client.put(ticket_url(ticket, "status"), body, format="json")

    assert response.status_code == 400
    assert "status" in response.json()
    ticket.refresh_from_db()
    assert ticket.status == "open"


@pytest.mark.parametrize("key", ["999999", "FCT-999999"])
def test_status_change_of_an_unknown_ticket_is_404(staff_client, key):
    assert put_status(staff_client, key, "resolved").status_code == 404


# --- Assign ---


def test_assign_sets_the_assignee(staff_client):
    ticket = make_ticket()

    response = assign(staff_client, ticket, "John Doe")

    assert response.status_code == 200
    assert response.json()["assignedTo"] == "John Doe"


@pytest.mark.parametrize("nobody", [None, ""])
def test_assign_null_or_empty_unassigns(staff_client, nobody):
    ticket = make_ticket(assigned_to="John Doe")

    response = assign(staff_client, ticket, nobody)

    assert response.status_code == 200
    assert response.json()["assignedTo"] is None
    ticket.refresh_from_db()
    assert ticket.assigned_to == ""


def test_assign_without_an_assignee_or_team_is_400_naming_them(staff_client):
    ticket = make_ticket()

    response = staff_client.put(ticket_url(ticket, "assign"), {}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Give assignedTo, assigneeId or teamId."]}


def test_assign_to_an_unknown_ticket_is_404(staff_client, db):
    assert assign(staff_client, 999999, "John Doe").status_code == 404


# --- Comments ---


def test_comment_answers_201_with_the_comment(staff_client):
    ticket = make_ticket()

    response = add_comment(staff_client, ticket, "We are looking into it.")

    assert response.status_code == 201
    comment = response.json()
    assert set(comment) == COMMENT_KEYS
    assert comment["comment"] == "We are looking into it."
    assert comment["isInternal"] is False
    assert comment["author"] == "Alex Agent"
    assert comment["source"] == "api"
    parse_time(comment["createdAt"])


def test_first_public_comment_sets_first_response_at(staff_agent):
    with frozen_at(utc(2025, 3, 10, 9, 0)):
        ticket = make_ticket()
    with frozen_at(utc(2025, 3, 10, 9, 20)):
        add_comment(client_for(staff_agent), ticket, "Hello!")
    with frozen_at(utc(2025, 3, 10, 9, 40)):
        details = client_for(staff_agent).get(ticket_url(ticket)).json()

    assert parse_time(details["statistics"]["firstResponseAt"]) == utc(2025, 3, 10, 9, 20)


def test_total_comments_counts_public_and_internal(staff_client):
    ticket = make_ticket()
    add_comment(staff_client, ticket, "Public reply.")
    add_comment(staff_client, ticket, "Internal note.", internal=True)

    details = staff_client.get(ticket_url(ticket)).json()

    assert details["statistics"]["totalComments"] == 2
    assert [(c["comment"], c["isInternal"]) for c in details["comments"]] == [
        ("Public reply.", False),
        ("Internal note.", True),
    ]


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_comment_is_400_naming_comment(staff_client, text):
    ticket = make_ticket()

    response = add_comment(staff_client, ticket, text)

    assert response.status_code == 400
    assert "comment" in response.json()
    ticket.refresh_from_db()
    assert ticket.total_comments == 0


def test_comment_on_an_unknown_ticket_is_404(staff_client, db):
    assert add_comment(staff_client, 999999, "Hello").status_code == 404


# --- Activity ---


def test_activity_lists_every_change_oldest_first(staff_client):
    ticket = staff_client.post(
        URL, {"subject": "Card declined", "description": "Twice.", "customerEmail": "a@example.com"}, format="json"
    ).json()
    put_status(staff_client, ticket["id"], "in_progress")
    assign(staff_client, ticket["id"], "John Doe")
    add_comment(staff_client, ticket["id"], "Checking with the bank.")
    bulk(staff_client, [ticket["id"]], {"priority": "high"})
    bulk(staff_client, [ticket["id"]], {"category": "billing"})
    bulk(staff_client, [ticket["id"]], {"addTags": ["card"]})

    events = activity(staff_client, ticket["id"])

    assert [(e["action"], e["field"], e["oldValue"], e["newValue"]) for e in events] == [
        ("created", None, None, "FCT-000001"),
        ("status_changed", "status", "open", "in_progress"),
        ("assigned", "assignedTo", None, "John Doe"),
        ("commented", "public", None, events[3]["newValue"]),
        ("priority_changed", "priority", "medium", "high"),
        ("category_changed", "category", "general", "billing"),
        ("tags_changed", "tags", None, "card"),
    ]
    event_keys = {"id", "action", "field", "oldValue", "newValue", "actor", "source", "createdAt"}
    assert all(set(e) == event_keys for e in events)
    assert {(e["actor"], e["source"]) for e in events} == {("Alex Agent", "api")}
    times = [parse_time(e["createdAt"]) for e in events]
    assert times == sorted(times)


def test_activity_is_ordered_by_time_not_by_insertion(staff_client):
    with frozen_at(utc(2025, 3, 10, 9, 0)):
        ticket = make_ticket()
    TicketEvent.objects.create(
        ticket=ticket, action="updated", actor="Sys", source="system", created_at=utc(2025, 3, 10, 8, 0)
    )

    assert [e["action"] for e in activity(staff_client, ticket)] == ["updated", "created"]


def test_activity_of_an_unknown_ticket_is_404(staff_client, db):
    assert staff_client.get(ticket_url(999999, "activity")).status_code == 404


# --- Bulk ---


def test_bulk_updates_every_ticket(staff_client):
    tickets = [make_ticket() for _ in range(3)]

    response = bulk(staff_client, [t.pk for t in tickets], {"status": "in_progress", "priority": "urgent"})

    assert response.status_code == 200
    assert response.json() == {"updated": 3, "notFound": []}
    assert {(t.status, t.priority) for t in SupportTicket.objects.all()} == {("in_progress", "urgent")}


def test_bulk_lists_unknown_ids_and_updates_the_rest(staff_client):
    ticket = make_ticket()

    response = bulk(staff_client, [ticket.pk, 999998, 999999], {"category": "billing"})

    assert response.status_code == 200
    assert response.json() == {"updated": 1, "notFound": [999998, 999999]}
    ticket.refresh_from_db()
    assert ticket.category == "billing"


@pytest.mark.parametrize(
    ("updates", "field"),
    [
        ({"status": "in_progress", "priority": "critical"}, "priority"),
        ({"status": "in_progress", "category": "gossip"}, "category"),
        ({"priority": "high", "status": "done"}, "status"),
        ({"status": "in_progress", "addTags": ["x" * 51]}, "addTags"),
        ({"status": "in_progress", "addTags": "not-a-list"}, "addTags"),
    ],
)
def test_bulk_with_an_invalid_update_changes_nothing(staff_client, updates, field):
    tickets = [make_ticket(), make_ticket()]
    events_before = TicketEvent.objects.count()

    response = bulk(staff_client, [t.pk for t in tickets], updates)

    assert response.status_code == 400
    assert field in str(response.json())
    assert {(t.status, t.priority, t.category) for t in SupportTicket.objects.all()} == {("open", "medium", "general")}
    assert TicketEvent.objects.count() == events_before


def test_bulk_with_empty_updates_is_400(staff_client):
    ticket = make_ticket()

    response = bulk(staff_client, [ticket.pk], {})

    assert response.status_code == 400
    assert "updates" in response.json()


def test_bulk_accepts_1000_ids(staff_client):
    ticket = make_ticket()
    ids = [ticket.pk, *range(ticket.pk + 1, ticket.pk + 1000)]

    response = bulk(staff_client, ids, {"status": "closed"})

    assert response.status_code == 200
    assert response.json()["updated"] == 1
    assert len(response.json()["notFound"]) == 999


@pytest.mark.parametrize("ids", [[], ["abc"], [0], [-5], "1,2", None])
def test_bulk_with_bad_ids_is_400(staff_client, db, ids):
    response = staff_client.post(BULK_URL, {"ids": ids, "updates": {"status": "closed"}}, format="json")

    assert response.status_code == 400
    assert "ids" in response.json()


def test_bulk_with_an_id_beyond_any_database_id_is_not_a_500(staff_client, db):
    # No ticket can have this id: it is either refused (400) or reported as not found.
    response = bulk(staff_client, [10**30], {"status": "closed"})

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json() == {"updated": 0, "notFound": [10**30]}


def test_bulk_adds_and_removes_tags(staff_client):
    """How tags merge is the service's rule (test_services.py); here, that both keys reach it."""
    ticket = make_ticket(tags=["wallet", "old"])

    response = bulk(staff_client, [ticket.pk], {"addTags": ["VIP"], "removeTags": ["old"]})

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.tags == ["wallet", "vip"]


def test_bulk_unassigns_with_an_empty_assignee(staff_client):
    ticket = make_ticket(assigned_to="John Doe")

    bulk(staff_client, [ticket.pk], {"assignedTo": ""})

    ticket.refresh_from_db()
    assert ticket.assigned_to == ""


def test_bulk_priority_change_recomputes_deadlines_from_created_at(staff_agent):
    with frozen_at(utc(2025, 3, 10, 9, 0)):
        ticket = make_ticket(priority="low")
    with frozen_at(utc(2025, 3, 10, 12, 0)):
        bulk(client_for(staff_agent), [ticket.pk], {"priority": "urgent"})
        sla = client_for(staff_agent).get(ticket_url(ticket)).json()["sla"]

    response_minutes, resolution_minutes = settings.SLA_TARGETS_MINUTES["urgent"]
    assert parse_time(sla["responseDeadline"]) == utc(2025, 3, 10, 9, 0) + timedelta(minutes=response_minutes)
    assert parse_time(sla["resolutionDeadline"]) == utc(2025, 3, 10, 9, 0) + timedelta(minutes=resolution_minutes)
