"""Custom fields in the domain (tickets/custom_fields.py through the services): each
type's values, required and inactive fields, definitions' rules, the audit trail and the
ticket-updated event."""

import pytest

from tickets import custom_fields, publishing, services
from tickets.actors import Actor
from tickets.events import TicketUpdated
from tickets.exceptions import TicketError
from tickets.models import ChangeSource, TicketEvent

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db

SLACK = Actor(name="Slack", source=ChangeSource.SLACK)


def define(key: str, type: str = "text", **fields):
    return custom_fields.definition_create(key=key, label=key.title(), type=type, **fields)


def refused(call, *args, **kwargs) -> TicketError:
    with pytest.raises(TicketError) as caught:
        call(*args, **kwargs)
    return caught.value


def update(ticket, **values):
    return services.ticket_update(ticket_id=ticket.pk, custom_fields=values, actor=TEST_ACTOR)


@pytest.mark.parametrize(
    ("type", "extra", "given", "stored"),
    [
        ("text", {}, "  Gold  ", "Gold"),
        ("number", {}, 12.5, 12.5),
        ("number", {}, 3.0, 3),
        ("date", {}, "2026-12-24", "2026-12-24"),
        ("choice", {"choices": ["free", "pro"]}, "pro", "pro"),
        ("boolean", {}, False, False),
    ],
)
def test_each_type_takes_its_values(type, extra, given, stored):
    define("thing", type, **extra)
    ticket = make_ticket(custom_fields={"thing": given})
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"thing": stored}


@pytest.mark.parametrize(
    ("type", "extra", "given"),
    [
        ("text", {}, 5),
        ("text", {}, "x" * 1001),
        ("number", {}, "5"),
        ("number", {}, True),
        ("number", {}, 10**16),
        ("date", {}, "2026-02-30"),
        ("date", {}, "24.12.2026"),
        ("choice", {"choices": ["free", "pro"]}, "gold"),
        ("boolean", {}, "yes"),
        ("boolean", {}, 1),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_key(type, extra, given):
    define("thing", type, **extra)
    ticket = make_ticket()
    error = refused(update, ticket, thing=given)
    assert error.field == "customFields.thing"
    ticket.refresh_from_db()
    assert ticket.custom_fields == {}


def test_an_unknown_key_is_refused_naming_it():
    error = refused(make_ticket, custom_fields={"nope": 1})
    assert error.field == "customFields.nope"
    assert "nope" in error.message


def test_required_fields_apply_to_api_and_dashboard_creations_not_to_integrations():
    define("plan", "choice", choices=["free", "pro"], required=True)

    error = refused(make_ticket)
    assert error.field == "customFields.plan"
    dashboard = Actor(name="Dana", source=ChangeSource.DASHBOARD)
    assert refused(make_ticket, actor=dashboard).field == "customFields.plan"
    # A customer's message from Slack or Help Scout is never lost for want of our fields.
    assert make_ticket(actor=SLACK).custom_fields == {}
    assert make_ticket(custom_fields={"plan": "pro"}).custom_fields == {"plan": "pro"}


def test_a_required_field_cannot_be_cleared_but_others_can():
    define("plan", "choice", choices=["free", "pro"], required=True)
    define("note")
    ticket = make_ticket(custom_fields={"plan": "pro", "note": "call back"})

    assert refused(update, ticket, plan=None).field == "customFields.plan"
    update(ticket, note=None)
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"plan": "pro"}


def test_an_inactive_field_is_kept_and_read_only():
    define("region")
    ticket = make_ticket(custom_fields={"region": "EU"})
    custom_fields.definition_update(key="region", fields={"active": False})

    assert refused(update, ticket, region="US").message == "This field is inactive: it is read-only."
    assert refused(make_ticket, custom_fields={"region": "US"}).field == "customFields.region"
    update(ticket, region="EU")  # sent back unchanged: nothing to refuse
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"region": "EU"}


def test_a_removed_choice_stays_where_it_was_set():
    define("plan", "choice", choices=["free", "legacy"])
    ticket = make_ticket(custom_fields={"plan": "legacy"})
    custom_fields.definition_update(key="plan", fields={"choices": ["free", "pro"]})

    update(ticket, plan="legacy")
    assert refused(make_ticket, custom_fields={"plan": "legacy"}).field == "customFields.plan"
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"plan": "legacy"}


def test_each_changed_value_is_audited_and_published_once():
    define("seats", "number")
    define("vip", "boolean")
    define("note")
    ticket = make_ticket(custom_fields={"note": "same"})
    seen = []
    publishing.subscribe(recorder=seen.extend)
    try:
        update(ticket, seats=12, vip=True, note="same")
    finally:
        publishing.unsubscribe(recorder=seen.extend)

    rows = TicketEvent.objects.filter(ticket=ticket, action="updated").order_by("id")
    assert [(row.field, row.old_value, row.new_value, row.actor) for row in rows] == [
        ("customFields.seats", None, "12", TEST_ACTOR.name),
        ("customFields.vip", None, "true", TEST_ACTOR.name),
    ]
    [event] = [event for event in seen if isinstance(event, TicketUpdated)]
    assert event.changes == {"custom_fields": {"seats": 12, "vip": True}}
    assert event.ticket.custom_fields == {"note": "same", "seats": 12, "vip": True}


def test_an_unchanged_value_changes_nothing():
    define("note")
    ticket = make_ticket(custom_fields={"note": "x"})
    version = ticket.version
    update(ticket, note="x")
    ticket.refresh_from_db()
    assert ticket.version == version
    assert not TicketEvent.objects.filter(ticket=ticket, action="updated").exists()


# --- Definitions ---


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": "Plan"}, "key"),
        ({"key": "1plan"}, "key"),
        ({"key": "p" * 28}, "key"),
        ({"label": " "}, "label"),
        ({"type": "colour"}, "type"),
        ({"type": "choice"}, "choices"),
        ({"type": "choice", "choices": ["a", "a"]}, "choices"),
        ({"type": "choice", "choices": ["a", " "]}, "choices"),
        ({"type": "text", "choices": ["a"]}, "choices"),
    ],
)
def test_a_bad_definition_is_refused_naming_the_field(fields, field):
    given = {"key": "plan", "label": "Plan", "type": "text", **fields}
    assert refused(custom_fields.definition_create, **given).field == field


def test_a_key_is_unique_and_fixed():
    define("plan")
    assert refused(define, "plan").field == "key"
    assert refused(custom_fields.definition_update, key="plan", fields={"key": "plan2"}).field == "key"
    assert custom_fields.definition_update(key="plan", fields={"key": "plan", "label": "Plan"}).key == "plan"


def test_a_type_changes_only_while_no_ticket_carries_a_value():
    define("seats", "text")
    custom_fields.definition_update(key="seats", fields={"type": "number"})
    make_ticket(custom_fields={"seats": 3})

    error = refused(custom_fields.definition_update, key="seats", fields={"type": "text"})
    assert error.field == "type"
    assert custom_fields.definition_update(key="seats", fields={"label": "Seats bought"}).type == "number"


def test_making_a_field_a_choice_needs_its_choices():
    define("tier")
    assert refused(custom_fields.definition_update, key="tier", fields={"type": "choice"}).field == "choices"
    changed = custom_fields.definition_update(key="tier", fields={"type": "choice", "choices": ["a", "b"]})
    assert changed.choices == ["a", "b"]
    assert custom_fields.definition_update(key="tier", fields={"type": "text"}).choices == []


def test_the_dashboards_hear_the_change_as_ticket_updated(dashboard, django_capture_on_commit_callbacks):
    define("seats", "number")
    ticket = make_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        update(ticket, seats=4)

    [message] = dashboard(1)
    assert message["event"] == "ticket-updated"
    assert message["data"]["changes"] == {"customFields": {"seats": 4}}
    assert message["data"]["ticket"]["customFields"] == {"seats": 4}
