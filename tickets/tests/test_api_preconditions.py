"""REST API contract: conditional writes. GET answers with an ETag; a change sent with
If-Match on an outdated ETag is 412 with the ticket as it is now, and a comment naming the
newest comment its writer saw (seenCommentId) is 409 when others have commented since.
The rule itself is tested in test_versions.py."""

import pytest

from tickets import services
from tickets.actors import Actor
from tickets.models import ChangeSource, SupportTicket, TicketComment, TicketEvent
from tickets.tests.api_helpers import ticket_url
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

SAM = Actor(name="Sam Other", source=ChangeSource.DASHBOARD)

# Each ticket change the API offers, with a body that changes an open, unassigned ticket.
WRITES = {
    "status": ("put", {"status": "resolved"}),
    "assign": ("put", {"assignedTo": "Jo"}),
    "comments": ("post", {"comment": "We are on it."}),
}


def write(client, ticket, name, **headers):
    method, body = WRITES[name]
    return getattr(client, method)(ticket_url(ticket, name), body, format="json", **headers)


def if_match(etag: str) -> dict[str, str]:
    return {"HTTP_IF_MATCH": etag}


@pytest.fixture
def ticket(db):
    return make_ticket()


def test_get_answers_the_tickets_version_as_etag_and_counting_views_keeps_it(staff_client, ticket):
    first = staff_client.get(ticket_url(ticket))
    second = staff_client.get(ticket_url(ticket.ticket_number))

    assert first["ETag"] == second["ETag"] == '"1"'
    assert second.json()["statistics"]["viewCount"] == 2


@pytest.mark.parametrize("name", ["status", "assign"])
def test_a_change_on_the_current_etag_is_made_and_answers_the_next_etag(staff_client, ticket, name):
    etag = staff_client.get(ticket_url(ticket))["ETag"]

    response = write(staff_client, ticket, name, **if_match(etag))

    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert staff_client.get(ticket_url(ticket))["ETag"] == '"2"'


@pytest.mark.parametrize("name", WRITES)
def test_a_change_on_an_outdated_etag_is_412_with_the_ticket_as_it_is_now(staff_client, ticket, name):
    etag = staff_client.get(ticket_url(ticket))["ETag"]
    services.ticket_change_priority(ticket_id=ticket.pk, priority="urgent", actor=SAM)
    audit_before = TicketEvent.objects.count()

    response = write(staff_client, ticket, name, **if_match(etag))

    assert response.status_code == 412
    assert response["ETag"] == '"2"'
    body = response.json()
    assert body["detail"].startswith(f"{ticket.ticket_number} was changed after the version you saw")
    current = staff_client.get(ticket_url(ticket))
    assert body["ticket"] | {"statistics": None} == current.json() | {"statistics": None}  # but the view count
    assert body["ticket"]["priority"] == "urgent"
    saved = SupportTicket.objects.get(pk=ticket.pk)
    assert (saved.status, saved.assigned_to, saved.total_comments) == ("open", "", 0)
    assert TicketEvent.objects.count() == audit_before


@pytest.mark.parametrize("name", WRITES)
@pytest.mark.parametrize("header", [None, "*"])
def test_without_if_match_or_with_a_star_nothing_is_checked(staff_client, ticket, name, header):
    services.ticket_change_priority(ticket_id=ticket.pk, priority="urgent", actor=SAM)
    response = write(staff_client, ticket, name, **({} if header is None else if_match(header)))
    assert response.status_code in (200, 201)


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("1", 'expected the ETag header\'s value, a number in double quotes such as "3"'),
        ('"v1"', 'expected the ETag header\'s value, a number in double quotes such as "3"'),
        ("", 'expected the ETag header\'s value, a number in double quotes such as "3"'),
        ('W/"1"', "a weak entity tag (W/...) cannot be used for a change"),
        ('"1", "2"', "give one entity tag, not a list"),
    ],
)
def test_a_malformed_if_match_is_400_naming_the_problem(staff_client, ticket, header, problem):
    response = write(staff_client, ticket, "status", **if_match(header))

    assert response.status_code == 400
    assert response.json() == {"If-Match": [f"If-Match: {problem}."]}
    assert SupportTicket.objects.get(pk=ticket.pk).status == "open"


# --- seenCommentId ---


def add_comment(client, ticket, seen):
    body = {"comment": "I will send the refund.", "seenCommentId": seen}
    return client.post(ticket_url(ticket, "comments"), body, format="json")


def test_a_comment_after_unseen_comments_of_others_is_409_with_them(staff_client, ticket):
    seen = services.comment_add(ticket_id=ticket.pk, body="Hello?", is_internal=False, author="Casey", actor=SAM)
    crossing = services.comment_add(ticket_id=ticket.pk, body="Refund sent.", is_internal=True, author="Sam", actor=SAM)

    response = add_comment(staff_client, ticket, seen.pk)

    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "Sam replied since you opened this ticket. Read the new replies, then send again."
    assert [(c["id"], c["comment"], c["author"], c["isInternal"]) for c in body["comments"]] == [
        (crossing.pk, "Refund sent.", "Sam", True)
    ]
    assert TicketComment.objects.count() == 2

    resent = add_comment(staff_client, ticket, body["comments"][-1]["id"])
    assert resent.status_code == 201
    assert resent.json()["author"] == "Alex Agent"


@pytest.mark.parametrize("seen", [-1, "abc", 2**63])
def test_a_seen_comment_id_that_is_not_one_is_400(staff_client, ticket, seen):
    response = add_comment(staff_client, ticket, seen)
    assert response.status_code == 400
    assert list(response.json()) == ["seenCommentId"]


def test_the_schema_documents_the_preconditions(anonymous_client):
    paths = anonymous_client.get("/api/schema/?format=json").json()["paths"]
    detail, base = paths["/api/admin/support-tickets/{id}"]["get"], "/api/admin/support-tickets/{id}/"
    assert "ETag" in detail["responses"]["200"]["headers"]
    for name, method in (("status", "put"), ("assign", "put"), ("comments", "post")):
        operation = paths[base + name][method]
        assert "If-Match" in {param["name"] for param in operation["parameters"] if param["in"] == "header"}
        assert "ETag" in operation["responses"]["412"]["headers"]
    assert "409" in paths[base + "comments"]["post"]["responses"]


def test_a_browser_client_on_an_allowed_origin_may_read_the_etag_and_send_if_match(settings, staff_client, ticket):
    settings.CORS_ALLOWED_ORIGINS = ["https://console.example.com"]
    origin = {"HTTP_ORIGIN": "https://console.example.com"}

    preflight = staff_client.options(
        ticket_url(ticket, "status"),
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, if-match",
        **origin,
    )
    read = staff_client.get(ticket_url(ticket), **origin)

    assert "if-match" in preflight["Access-Control-Allow-Headers"]
    assert read["Access-Control-Expose-Headers"] == "ETag"
