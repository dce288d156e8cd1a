"""Canned responses over the admin API (/api/admin/canned-responses) and applying one to a
ticket (POST .../support-tickets/{id}/apply-macro). Run on PostgreSQL and on SQLite."""

import pytest

from tickets import canned_responses, services
from tickets.models import CannedResponse, Team, TeamAssignment, TicketEvent

from .api_helpers import client_for, ticket_url
from .factories import TEST_ACTOR, StaffFactory, make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db

URL = "/api/admin/canned-responses"


@pytest.fixture
def colleague():
    return StaffFactory(first_name="Bo", last_name="Colleague")


def create(owner, **fields) -> CannedResponse:
    return canned_responses.canned_response_create(
        owner=owner, **{"title": "Reset", "shortcut": "reset", "body": "Hi {{ customer.first_name }}", **fields}
    )


# --- The collection ---


def test_crud(staff_client, staff_agent):
    billing = Team.objects.create(name="Billing")
    created = staff_client.post(
        URL,
        {
            "title": "Refund sent",
            "shortcut": "/Refund",
            "body": "Hi {{ customer.first_name }}, {{ ticket.number }} is refunded.",
            "actions": {"status": "waiting_customer", "addTags": ["Refund"], "teamId": billing.pk, "priority": None},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    response_id = body.pop("id")
    assert body == {
        "title": "Refund sent",
        "shortcut": "refund",
        "body": "Hi {{ customer.first_name }}, {{ ticket.number }} is refunded.",
        "shared": False,
        "ownerId": staff_agent.pk,
        "actions": {
            "status": "waiting_customer",
            "priority": None,
            "category": None,
            "addTags": ["refund"],
            "removeTags": [],
            "assigneeId": None,
            "teamId": billing.pk,
        },
    }
    assert staff_client.get(f"{URL}/{response_id}").json() == {**body, "id": response_id}

    # What GET answers can be sent back as it is.
    changed = staff_client.patch(f"{URL}/{response_id}", {**body, "shared": True, "title": "Refunded"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json() == {**body, "id": response_id, "shared": True, "title": "Refunded"}

    assert [row["title"] for row in staff_client.get(URL).json()] == ["Refunded"]
    assert staff_client.delete(f"{URL}/{response_id}/").status_code == 204
    assert staff_client.get(f"{URL}/{response_id}").status_code == 404


def test_the_list_searches_titles_and_shortcuts(staff_client, staff_agent):
    create(staff_agent, title="Password reset", shortcut="pw")
    create(staff_agent, title="Refund sent", shortcut="refund")
    create(staff_agent, title="Refund refused", shortcut="no-refund")

    def titles(search: str) -> list[str]:
        return [row["title"] for row in staff_client.get(URL, {"search": search}).json()]

    assert titles("refund") == ["Refund refused", "Refund sent"]
    assert titles("/pw") == ["Password reset"]
    assert titles("NO-") == ["Refund refused"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"title": "T", "shortcut": "t", "body": "Dear {{ customer.surname }}"},
            {"body": ['Unknown placeholder "{{ customer.surname }}".']},
        ),
        ({"title": "T", "shortcut": "t", "body": "Dear {{ customer.name"}, {"body": ['The "{{" before']}),
        ({"title": "T", "shortcut": "a b", "body": "x"}, {"shortcut": ['Letters, digits, "-" and "_"']}),
        ({"title": "", "shortcut": "t", "body": "x"}, {"title": ["This field may not be blank."]}),
        ({"title": "T", "shortcut": "t"}, {"body": ["A canned response must reply or change something"]}),
        ({"title": "T", "shortcut": "t", "body": "x", "actions": {"teamId": 404}}, {"actions": ["actions.teamId"]}),
        ({"title": "T", "shortcut": "t", "body": "x", "actions": {"status": "gone"}}, {"actions": ["actions.status"]}),
        (
            {"title": "T", "shortcut": "t", "body": "x", "actions": "close"},
            {"actions": ["actions: must be an object."]},
        ),
        ({"title": "T", "shortcut": "t", "body": "x", "shared": "maybe"}, {"shared": ["Must be a valid boolean."]}),
        ({"title": "T", "body": "x"}, {"shortcut": ["This field is required."]}),
        ({"title": "T", "shortcut": "t", "body": "x" * 10_001}, {"body": ["Ensure this field has no more than"]}),
    ],
)
def test_invalid_responses_are_refused_with_400_naming_the_field(staff_client, body, errors):
    response = staff_client.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    answer = response.json()
    assert set(answer) == set(errors)
    for field, (start,) in errors.items():
        assert answer[field][0].startswith(start), answer
    assert not CannedResponse.objects.exists()


def test_a_shortcut_taken_in_its_scope_is_a_400(staff_client, staff_agent, colleague):
    create(colleague, shared=True)
    taken = staff_client.post(URL, {"title": "T", "shortcut": "reset", "body": "x", "shared": True}, format="json")
    assert taken.json() == {"shortcut": ['Another shared canned response has the shortcut "/reset".']}
    assert staff_client.post(URL, {"title": "T", "shortcut": "reset", "body": "x"}, format="json").status_code == 201


def test_personal_responses_are_invisible_to_other_staff_shared_ones_are_anyone_s(staff_client, colleague):
    mine = create(colleague, title="Bo's", shortcut="bo")
    ours = create(colleague, title="Team's", shortcut="team", shared=True)

    assert [row["id"] for row in staff_client.get(URL).json()] == [ours.pk]
    for method in ("get", "patch", "delete"):
        answer = getattr(staff_client, method)(f"{URL}/{mine.pk}", {"title": "Mine now"}, format="json")
        assert answer.status_code == 404, method
        assert answer.json() == {"detail": "No canned response with this id."}
    assert CannedResponse.objects.get(pk=mine.pk).title == "Bo's"

    changed = staff_client.patch(f"{URL}/{ours.pk}", {"body": "Hello"}, format="json")
    assert (changed.status_code, changed.json()["body"], changed.json()["ownerId"]) == (200, "Hello", colleague.pk)
    assert staff_client.delete(f"{URL}/{ours.pk}").status_code == 204


@pytest.mark.parametrize("bad_id", ["abc", "0", "99999999999999999999", "1.5"])
def test_a_bad_id_is_a_404(staff_client, bad_id):
    assert staff_client.get(f"{URL}/{bad_id}").status_code == 404


def test_non_staff_and_anonymous_are_refused(non_staff_client, anonymous_client):
    assert non_staff_client.get(URL).status_code == 403
    assert anonymous_client.post(URL, {"title": "T", "shortcut": "t", "body": "x"}, format="json").status_code == 401


# --- Applying one ---


def test_apply_macro_sends_the_reply_makes_the_changes_and_answers_the_ticket(staff_client, staff_agent):
    tom = make_agent("Tom Becker")
    ticket = make_ticket(customer_name="Casey Jones")
    response = create(
        staff_agent, body="Hi {{ customer.first_name }}, from {{ agent.first_name }}", actions={"assigneeId": tom.pk}
    )

    answer = staff_client.post(
        ticket_url(ticket, "apply-macro"),
        {"cannedResponseId": response.pk, "comment": "P.S. Thanks!", "isInternal": False},
        format="json",
        HTTP_IF_MATCH=f'"{ticket.version}"',
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert answer["ETag"] == f'"{ticket.version + 1}"'
    assert (body["id"], body["assigneeId"], body["assignedTo"]) == (ticket.pk, tom.pk, "Tom Becker")
    [comment] = body["comments"]
    assert comment["comment"] == "Hi Casey, from Alex\n\nP.S. Thanks!"
    assert (comment["author"], comment["isInternal"], comment["source"]) == ("Alex Agent", False, "api")
    activity = staff_client.get(ticket_url(ticket, "activity")).json()
    assert [(row["action"], row["actor"]) for row in activity] == [
        ("created", "Test Agent"),
        ("commented", "Alex Agent"),
        ("assigned", "Alex Agent"),
    ]


def test_apply_macro_answers_by_ticket_number_too(staff_client, staff_agent):
    ticket = make_ticket()
    answer = staff_client.post(
        ticket_url(ticket.ticket_number, "apply-macro/"), {"cannedResponseId": create(staff_agent).pk}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["statistics"]["totalComments"] == 1


def test_someone_else_s_personal_response_is_a_404_and_changes_nothing(staff_client, colleague):
    ticket = make_ticket()
    for response_id in (create(colleague).pk, 999_999):
        answer = staff_client.post(ticket_url(ticket, "apply-macro"), {"cannedResponseId": response_id}, format="json")
        assert answer.status_code == 404
        assert answer.json() == {"detail": "No canned response with this id."}
    assert not ticket.comments.exists()
    assert (
        staff_client.post(ticket_url(999_999, "apply-macro"), {"cannedResponseId": 1}, format="json").status_code == 404
    )


def test_an_action_refused_is_a_400_and_nothing_is_written(staff_client, staff_agent):
    agent = make_agent("Gone Agent")
    team = make_team("Billing", TeamAssignment.ROUND_ROBIN, [agent])
    ticket = make_ticket()
    team_id = team.pk
    response = create(staff_agent, actions={"status": "waiting_customer", "teamId": team_id})
    team.delete()
    events_before = TicketEvent.objects.count()

    answer = staff_client.post(ticket_url(ticket, "apply-macro"), {"cannedResponseId": response.pk}, format="json")

    assert answer.status_code == 400
    assert answer.json() == {"cannedResponseId": [f'"Reset" cannot be applied: No team with id {team_id}.']}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.total_comments, ticket.version) == ("open", 0, 1)
    assert TicketEvent.objects.count() == events_before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "cannedResponseId"),
        ({"cannedResponseId": "one"}, "cannedResponseId"),
        ({"cannedResponseId": 0}, "cannedResponseId"),
        ({"cannedResponseId": 1, "isInternal": "perhaps"}, "isInternal"),
        ({"cannedResponseId": 1, "comment": "x" * 20_001}, "comment"),
        ({"cannedResponseId": 1, "seenCommentId": -1}, "seenCommentId"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(staff_client, body, field):
    ticket = make_ticket()
    answer = staff_client.post(ticket_url(ticket, "apply-macro"), body, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == [field]


def test_a_reply_too_long_once_filled_in_is_a_400_on_the_comment(staff_client, staff_agent):
    ticket = make_ticket()
    response = create(staff_agent, body="x" * 10_000)
    answer = staff_client.post(
        ticket_url(ticket, "apply-macro"), {"cannedResponseId": response.pk, "comment": "y" * 10_000}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json() == {"comment": ["At most 20000 characters."]}


def test_stale_if_match_is_a_412_and_unseen_comments_a_409(staff_client, staff_agent):
    ticket = make_ticket()
    response = create(staff_agent, actions={"priority": "urgent"})
    services.ticket_change_priority(ticket_id=ticket.pk, priority="low", actor=TEST_ACTOR)
    services.comment_add(ticket_id=ticket.pk, body="Any news?", is_internal=False, author="Casey", actor=TEST_ACTOR)
    url = ticket_url(ticket, "apply-macro")

    stale = staff_client.post(url, {"cannedResponseId": response.pk}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["ticket"]["priority"] == "low"
    unseen = staff_client.post(url, {"cannedResponseId": response.pk, "seenCommentId": 0}, format="json")
    assert unseen.status_code == 409
    assert [row["comment"] for row in unseen.json()["comments"]] == ["Any news?"]
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.total_comments) == ("low", 1)

    seen = unseen.json()["comments"][-1]["id"]
    again = staff_client.post(url, {"cannedResponseId": response.pk, "seenCommentId": seen}, format="json")
    assert again.status_code == 200
    assert again.json()["priority"] == "urgent"


def test_only_staff_apply_macros(non_staff_user, staff_agent):
    ticket = make_ticket()
    answer = client_for(non_staff_user).post(
        ticket_url(ticket, "apply-macro"), {"cannedResponseId": create(staff_agent, shared=True).pk}, format="json"
    )
    assert answer.status_code == 403
    assert not ticket.comments.exists()
