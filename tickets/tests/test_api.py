"""REST API contract (docs/api.md): tokens, public endpoints, paths, creating
and reading tickets.

The rest of the contract: test_api_list.py (list, filters, search, sort, query counts),
test_api_changes.py (status, assign, comments, activity, bulk), test_api_reports.py
(statistics, integration status, sync, export). Who is refused where, on every endpoint:
fractionax_support/tests/test_access_matrix.py.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets import services
from tickets.tests.api_helpers import COMMENT_KEYS, URL, client_for, frozen_at, parse_time, ticket_url, utc
from tickets.tests.factories import TEST_ACTOR, make_ticket

NEW_TICKET = {"subject": "Wallet balance is wrong", "description": "It shows zero.", "customerEmail": "ann@example.com"}
PASSWORD = "correct horse battery"


@pytest.fixture
def staff_login(staff_agent):
    """The staff agent's credentials (the factories' password)."""
    return {"username": staff_agent.username, "password": PASSWORD}


def create(client, **fields):
    return client.post(URL, {**NEW_TICKET, **fields}, format="json")


# --- Authentication ---


@pytest.mark.parametrize("path", ["/api/auth/token/", "/api/auth/token"])
def test_token_obtain_gives_access_and_refresh(anonymous_client, staff_login, path):
    response = anonymous_client.post(path, staff_login, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_obtained_access_token_opens_the_api(anonymous_client, staff_login):
    tokens = anonymous_client.post("/api/auth/token/", staff_login, format="json").json()
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    assert anonymous_client.get(URL).status_code == 200


def test_token_obtain_with_wrong_password_is_401(anonymous_client, staff_login):
    response = anonymous_client.post("/api/auth/token/", {**staff_login, "password": "wrong"}, format="json")

    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/api/auth/token/refresh/", "/api/auth/token/refresh"])
def test_token_refresh_gives_a_new_access_token(anonymous_client, staff_login, path):
    refresh = anonymous_client.post("/api/auth/token/", staff_login, format="json").json()["refresh"]

    response = anonymous_client.post(path, {"refresh": refresh}, format="json")

    assert response.status_code == 200
    assert "access" in response.json()


def test_token_refresh_with_garbage_is_401(anonymous_client, db):
    response = anonymous_client.post("/api/auth/token/refresh/", {"refresh": "not-a-token"}, format="json")

    assert response.status_code == 401


# --- Public endpoints ---


def test_schema_is_public_json(anonymous_client, db):
    response = anonymous_client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert "openapi" in response.json()


def test_docs_are_public(anonymous_client, db):
    assert anonymous_client.get("/api/docs/").status_code == 200


def test_webhook_test_lists_the_endpoints(anonymous_client, db):
    response = anonymous_client.get("/api/webhooks/test")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {"/api/webhooks/helpscout", "/api/webhooks/slack", "/api/webhooks/slack/slash-commands"} <= set(
        body["endpoints"]
    )


# --- Paths answer with and without a trailing slash, without redirecting ---


@pytest.mark.parametrize("slash", ["", "/"])
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("get", URL, None, 200),
        ("post", URL, NEW_TICKET, 201),
        ("get", f"{URL}/{{id}}", None, 200),
        ("get", f"{URL}/{{number}}", None, 200),
        ("put", f"{URL}/{{id}}/status", {"status": "in_progress"}, 200),
        ("put", f"{URL}/{{id}}/assign", {"assignedTo": "John Doe"}, 200),
        ("post", f"{URL}/{{id}}/comments", {"comment": "On it."}, 201),
        ("get", f"{URL}/{{id}}/activity", None, 200),
        ("post", f"{URL}/bulk", {"ids": ["{id}"], "updates": {"priority": "high"}}, 200),
        ("get", f"{URL}/statistics", None, 200),
        ("get", f"{URL}/integration-status", None, 200),
        ("post", f"{URL}/sync/helpscout", None, 503),
        ("get", f"{URL}/export", None, 200),
        ("get", "/api/webhooks/test", None, 200),
    ],
)
def test_path_answers_with_and_without_trailing_slash(staff_client, settings, method, path, body, expected, slash):
    settings.HELPSCOUT_APP_ID = settings.HELPSCOUT_APP_SECRET = settings.HELPSCOUT_MAILBOX_ID = ""
    ticket = make_ticket()
    path = path.format(id=ticket.pk, number=ticket.ticket_number) + slash
    if body and "ids" in body:
        body = {**body, "ids": [ticket.pk]}

    response = getattr(staff_client, method)(path, body, format="json")

    assert response.status_code == expected, response.content


# --- Create ---


def test_create_answers_201_with_the_defaults(staff_client):
    response = create(staff_client)

    assert response.status_code == 201
    ticket = response.json()
    assert (ticket["priority"], ticket["category"], ticket["source"]) == ("medium", "general", "web")
    assert ticket["status"] == "open"
    assert ticket["ticketNumber"] == "FCT-000001"


def test_create_answers_the_full_camel_case_shape(staff_client):
    ticket = create(staff_client, customerName="Ann Example", tags=["Wallet", "vip"], assignedTo="John Doe").json()

    assert set(ticket) == {
        "id",
        "ticketNumber",
        "subject",
        "description",
        "status",
        "priority",
        "category",
        "source",
        "customerName",
        "customerEmail",
        "customerUserId",
        "assignedTo",
        "assigneeId",
        "teamId",
        "tags",
        "customFields",
        "integration",
        "sla",
        "statistics",
        "resolution",
        "createdAt",
        "updatedAt",
    }
    assert ticket["integration"] == {
        "helpScout": {"conversationId": None, "lastSyncAt": None, "syncStatus": None},
        "slack": {"threadId": None, "channelId": None, "messageTs": None, "lastSyncAt": None, "isArchived": False},
    }
    assert set(ticket["sla"]) == {"responseTime", "responseDeadline", "resolutionDeadline", "isOverdue"}
    assert ticket["sla"]["isOverdue"] is False
    assert set(ticket["statistics"]) == {"firstResponseAt", "lastActivityAt", "totalComments", "viewCount"}
    assert (ticket["statistics"]["totalComments"], ticket["statistics"]["viewCount"]) == (0, 0)
    assert ticket["statistics"]["firstResponseAt"] is None
    assert ticket["resolution"] == {
        "resolvedBy": None,
        "resolutionNote": None,
        "resolutionTime": None,
        "resolvedAt": None,
    }
    assert ticket["customerName"] == "Ann Example"
    assert ticket["customerEmail"] == "ann@example.com"
    assert ticket["assignedTo"] == "John Doe"
    assert ticket["tags"] == ["wallet", "vip"]
    assert "comments" not in ticket
    for stamp in (ticket["createdAt"], ticket["updatedAt"], ticket["statistics"]["lastActivityAt"]):
        parse_time(stamp)


@pytest.mark.parametrize("field", ["subject", "description", "customerEmail"])
def test_create_without_a_required_field_is_400_naming_it(staff_client, field):
    body = {key: value for key, value in NEW_TICKET.items() if key != field}

    response = staff_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customerEmail", "not-an-email"),
        ("priority", "critical"),
        ("category", "gossip"),
        ("source", "pigeon"),
        ("subject", "   "),
    ],
)
def test_create_with_an_invalid_value_is_400_naming_the_field(staff_client, field, value):
    response = create(staff_client, **{field: value})

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("body", [[], "just a string", {"subject": None}])
def test_create_with_a_malformed_body_is_400(staff_client, body):
    assert staff_client.post(URL, body, format="json").status_code == 400


def test_create_with_unparseable_json_is_400(staff_client):
    assert staff_client.post(URL, "{not json", content_type="application/json").status_code == 400


@pytest.mark.parametrize("priority", ["low", "medium", "high", "urgent"])
def test_create_sets_sla_deadlines_from_created_at_by_priority(staff_agent, priority):
    response_minutes, resolution_minutes = settings.SLA_TARGETS_MINUTES[priority]
    with frozen_at(utc(2025, 3, 10, 9, 0)):
        ticket = create(client_for(staff_agent), priority=priority).json()

    created_at = parse_time(ticket["createdAt"])
    assert created_at == utc(2025, 3, 10, 9, 0)
    assert ticket["sla"]["responseTime"] == response_minutes
    assert parse_time(ticket["sla"]["responseDeadline"]) == created_at + timedelta(minutes=response_minutes)
    assert parse_time(ticket["sla"]["resolutionDeadline"]) == created_at + timedelta(minutes=resolution_minutes)


# --- Retrieve ---


def test_retrieve_by_id(staff_client):
    ticket = make_ticket(subject="Deposit missing")

    response = staff_client.get(ticket_url(ticket))

    assert response.status_code == 200
    assert response.json()["id"] == ticket.pk
    assert response.json()["subject"] == "Deposit missing"


def test_retrieve_by_ticket_number(staff_client):
    make_ticket()
    second = make_ticket(subject="Second one")

    response = staff_client.get(ticket_url("FCT-000002"))

    assert response.status_code == 200
    assert response.json()["id"] == second.pk


def test_retrieve_includes_comments_oldest_first(staff_client):
    with frozen_at(utc(2025, 3, 10, 9, 0)):
        ticket = make_ticket()
    # The later-written comment is the older one: order must follow createdAt, not insertion.
    with frozen_at(utc(2025, 3, 10, 11, 0)):
        services.comment_add(ticket_id=ticket.pk, body="Second", is_internal=False, author="Bo", actor=TEST_ACTOR)
    with frozen_at(utc(2025, 3, 10, 10, 0)):
        services.comment_add(ticket_id=ticket.pk, body="First", is_internal=True, author="Al", actor=TEST_ACTOR)

    comments = staff_client.get(ticket_url(ticket)).json()["comments"]

    assert [comment["comment"] for comment in comments] == ["First", "Second"]
    assert set(comments[0]) == COMMENT_KEYS
    assert comments[0]["isInternal"] is True


def test_retrieve_counts_a_view_per_get(staff_client):
    ticket = make_ticket()

    first = staff_client.get(ticket_url(ticket)).json()["statistics"]["viewCount"]
    second = staff_client.get(ticket_url(ticket)).json()["statistics"]["viewCount"]

    assert second == first + 1
    ticket.refresh_from_db()
    assert ticket.view_count == 2


@pytest.mark.parametrize(
    "key", ["999999", "FCT-999999", "garbage", "FCT-", "FCT-abc", "99999999999999999999999", "-1", "²", "%20"]
)
def test_retrieve_unknown_or_garbage_id_is_404(staff_client, key):
    make_ticket()

    assert staff_client.get(ticket_url(key)).status_code == 404


def test_retrieve_uses_few_queries_whatever_the_number_of_comments(staff_client):
    def detail_queries(ticket):
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(ticket_url(ticket)).status_code == 200
        return len(captured)

    quiet, busy = make_ticket(), make_ticket()
    for index in range(15):
        services.comment_add(
            ticket_id=busy.pk, body=f"Note {index}", is_internal=index % 2 == 0, author="Al", actor=TEST_ACTOR
        )

    assert detail_queries(busy) == detail_queries(quiet)
    assert detail_queries(busy) <= 4  # the benchmark's target: user, ticket, comments, view count


@pytest.mark.parametrize(
    "change",
    [
        lambda client, url: client.put(f"{url}/status", {"status": "in_progress"}, format="json"),
        lambda client, url: client.put(f"{url}/assign", {"assignedTo": "Blair Agent"}, format="json"),
        lambda client, url: client.post(f"{url}/comments", {"comment": "On it", "isInternal": True}, format="json"),
    ],
    ids=["status", "assign", "comment"],
)
def test_a_change_never_reads_the_tickets_comments(staff_client, change):
    """The change's service reads the ticket under lock; the view only looks up its id."""
    ticket = make_ticket()
    for index in range(5):
        services.comment_add(ticket_id=ticket.pk, body=f"Note {index}", is_internal=True, author="Al", actor=TEST_ACTOR)

    with CaptureQueriesContext(connection) as captured:
        response = change(staff_client, ticket_url(ticket))

    assert response.status_code in (200, 201), response.content
    reads_of_comments = [q["sql"] for q in captured if q["sql"].startswith("SELECT") and "ticketcomment" in q["sql"]]
    assert reads_of_comments == []


@pytest.mark.parametrize("key", ["999999", "FCT-999999", "garbage"])
def test_a_change_to_an_unknown_ticket_is_404(staff_client, key):
    response = staff_client.put(f"{ticket_url(key)}/status", {"status": "closed"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "No ticket with this id or number."}
