"""Canned responses in the domain: placeholders filled in safely, refused when saving, and
who sees and changes which response (tickets/placeholders.py, tickets/canned_responses.py)."""

import pytest

from tickets import canned_responses, placeholders
from tickets.exceptions import TicketError
from tickets.models import CannedResponse, Team

from .factories import StaffFactory, make_agent, make_ticket

pytestmark = pytest.mark.django_db

EVERY_PLACEHOLDER = (
    "{{ customer.name }}|{{ customer.first_name }}|{{ customer.email }}|{{ ticket.number }}|"
    "{{ ticket.subject }}|{{ agent.display_name }}|{{ agent.first_name }}"
)


def create(owner, **fields):
    return canned_responses.canned_response_create(
        owner=owner, **{"title": "Reset", "shortcut": "reset", "body": "Hi", **fields}
    )


# --- Placeholders ---


def test_every_placeholder_is_filled_in_for_the_ticket_and_the_sending_agent():
    agent = make_agent("Tom B.")
    agent.user.first_name = "Thomas"
    ticket = make_ticket(customer_name="Casey Jones", customer_email="casey@example.com", subject="Cannot log in")

    text = placeholders.render(EVERY_PLACEHOLDER, ticket, placeholders.Sender.of(agent.user))

    assert text == "Casey Jones|Casey|casey@example.com|FCT-000001|Cannot log in|Tom B.|Thomas"


def test_no_known_placeholder_renders_blank():
    ticket = make_ticket(customer_name="", customer_email="casey@example.com")
    staff = StaffFactory(username="jo", first_name="", last_name="")  # no agent profile, no name

    text = placeholders.render(EVERY_PLACEHOLDER, ticket, placeholders.Sender.of(staff))

    assert text == "casey@example.com|there|casey@example.com|FCT-000001|Cannot log in|jo|jo"


def test_staff_who_are_no_agent_sign_with_their_full_name():
    staff = StaffFactory(first_name="Priya", last_name="Shah")
    text = placeholders.render(
        "{{ agent.display_name }} / {{agent.first_name}}", make_ticket(), placeholders.Sender.of(staff)
    )
    assert text == "Priya Shah / Priya"


def test_values_are_put_in_as_they_are_never_read_again_or_evaluated():
    ticket = make_ticket(customer_name="{{ ticket.number }} {% debug %} <b>", subject="{{ agent.first_name }}")
    sender = placeholders.Sender(display_name="A", first_name="A")

    text = placeholders.render("{{customer.name}}: {{ ticket.subject }} {braces} stay", ticket, sender)

    assert text == "{{ ticket.number }} {% debug %} <b>: {{ agent.first_name }} {braces} stay"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("Hi {{ customer.phone }}", '"{{ customer.phone }}"'),
        ("Hi {{ customer.__class__ }}", '"{{ customer.__class__ }}"'),
        ("Hi {{ ticket.customer.user.password }}", '"{{ ticket.customer.user.password }}"'),
        ("Hi {{ Customer.Name }}", '"{{ Customer.Name }}"'),
        ("Hi {{ }}", '"{{ }}" is not a placeholder'),
        ("Hi {{ customer.name | upper }}", '"{{ customer.name | upper }}" is not a placeholder'),
        ("Hi {{ customer.name", 'The "{{" before "customer.name" is never closed'),
        ("Hi {{ customer.name } and }", 'The "{{" before "customer.name } and }" is never closed'),
        ("Hi {{ a {{ customer.name }}", 'The "{{" before "a" is never closed'),
        ("Hi customer.name }}", 'The "}}" after "Hi customer.name" closes no placeholder'),
        ("{{ ticket.number }} done }}", 'The "}}" after "done" closes no placeholder'),
    ],
)
def test_unknown_placeholders_and_malformed_braces_are_refused_naming_them(body, named):
    with pytest.raises(TicketError) as refused:
        create(StaffFactory(), body=body)
    assert refused.value.field == "body"
    assert named in refused.value.message
    assert "{{ customer.first_name }}" in refused.value.message  # and says which names there are
    assert not CannedResponse.objects.exists()


def test_rendering_refuses_a_body_saved_around_the_checks():
    with pytest.raises(TicketError, match=r"customer\.phone"):
        placeholders.render("{{ customer.phone }}", make_ticket(), placeholders.Sender("A", "A"))


# --- Saving ---


def test_values_are_tidied_when_saved():
    team = Team.objects.create(name="Billing")
    response = create(
        StaffFactory(),
        title="  Refund   sent ",
        shortcut=" /Refund-1 ",
        body="  Hi {{ customer.first_name }}\n",
        actions={"status": "waiting_customer", "addTags": ["Refund", " refund "], "removeTags": [], "teamId": team.pk},
    )
    response.refresh_from_db()
    assert (response.title, response.shortcut, response.body) == (
        "Refund sent",
        "refund-1",
        "Hi {{ customer.first_name }}",
    )
    assert response.actions == {"status": "waiting_customer", "addTags": ["refund"], "teamId": team.pk}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": " "}, "title", "may not be blank"),
        ({"shortcut": "two words"}, "shortcut", 'Letters, digits, "-" and "_"'),
        ({"shortcut": "/"}, "shortcut", "may not be blank"),
        ({"shortcut": "x" * 31}, "shortcut", "At most 30"),
        ({"body": "x" * 10_001}, "body", "At most 10000"),
        ({"body": "", "actions": {}}, "body", "must reply or change something"),
        ({"actions": {"status": "done"}}, "actions", 'actions.status: "done" is not a status'),
        ({"actions": {"teamId": 404}}, "actions", "actions.teamId: no team with id 404."),
        ({"actions": {"assigneeId": "1"}}, "actions", "actions.assigneeId: must be the id of"),
        ({"actions": {"tags": ["x"]}}, "actions", 'unknown key "tags"'),
        ({"actions": {"addTags": ["a", "b"], "removeTags": ["B"]}}, "actions", "b also in addTags"),
        ({"actions": ["status"]}, "actions", "must be an object"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(fields, field, message):
    with pytest.raises(TicketError) as refused:
        create(StaffFactory(), **fields)
    assert refused.value.field == field
    assert message in refused.value.message


def test_shortcuts_are_unique_within_their_scope():
    alice, bob = StaffFactory(), StaffFactory()
    create(alice, shared=True)
    with pytest.raises(TicketError, match='Another shared canned response has the shortcut "/reset"'):
        create(bob, shared=True, shortcut="RESET")
    create(alice)  # personal: its own scope, beside the shared one
    create(bob)  # and each user's own
    with pytest.raises(TicketError, match='Another canned response of yours has the shortcut "/reset"'):
        create(alice, title="Again")
    assert CannedResponse.objects.count() == 3


def test_an_actions_only_response_needs_no_body():
    response = create(StaffFactory(), body="", actions={"priority": "urgent"})
    assert response.body == ""


# --- Who sees and changes what ---


def test_personal_responses_are_their_owner_s_alone_shared_ones_everyone_s():
    alice, bob = StaffFactory(), StaffFactory(is_superuser=True)
    mine = create(alice, title="Mine", shortcut="mine")
    shared = create(alice, title="Ours", shortcut="ours", shared=True)
    his = create(bob, title="His", shortcut="his")

    assert list(canned_responses.for_user(alice)) == [mine, shared]  # her own first
    assert list(canned_responses.for_user(bob)) == [his, shared]  # a superuser too sees only his own
    with pytest.raises(CannedResponse.DoesNotExist):
        canned_responses.find(bob, mine.pk)
    with pytest.raises(CannedResponse.DoesNotExist):
        canned_responses.canned_response_update(response_id=mine.pk, user=bob, title="Taken")
    with pytest.raises(CannedResponse.DoesNotExist):
        canned_responses.canned_response_delete(response_id=mine.pk, user=bob)
    mine.refresh_from_db()
    assert mine.title == "Mine"


def test_any_staff_user_changes_a_shared_response_and_unsharing_makes_it_theirs():
    alice, bob = StaffFactory(), StaffFactory()
    shared = create(alice, shared=True)

    changed = canned_responses.canned_response_update(response_id=shared.pk, user=bob, body="Hello {{ ticket.number }}")
    assert (changed.body, changed.owner) == ("Hello {{ ticket.number }}", alice)

    taken = canned_responses.canned_response_update(response_id=shared.pk, user=bob, shared=False)
    assert (taken.shared, taken.owner) == (False, bob)
    assert list(canned_responses.for_user(alice)) == []


def test_making_a_response_shared_checks_the_shared_shortcuts():
    alice, bob = StaffFactory(), StaffFactory()
    create(alice, shared=True)
    personal = create(bob)
    with pytest.raises(TicketError, match="shared canned response"):
        canned_responses.canned_response_update(response_id=personal.pk, user=bob, shared=True)
