"""New tickets follow the routing rules and SLA policies as they are now, however they were
written: each process keeps them in memory (tickets/configuration_cache.py), and a write
of any kind (the services, the ORM, a bulk update, a rolled-back transaction, another
connection) must show at the next creation. On PostgreSQL and SQLite (`make test-sqlite`)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tickets import routing
from tickets.models import BusinessCalendar, ConfigurationStamp, CustomField, RoutingRule, SlaPolicy, SupportTicket

from .api_helpers import URL, client_for, frozen_at, utc

pytestmark = pytest.mark.django_db


def create(client, **fields) -> SupportTicket:
    body = {"subject": "Refund please", "description": "Twice charged.", "customerEmail": "c@example.com", **fields}
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return SupportTicket.objects.get(pk=response.json()["id"])


def tag_rule(name: str, tag: str, **fields) -> RoutingRule:
    """A rule written straight to the table, as a fixture, a seed or SQL would."""
    return RoutingRule.objects.create(name=name, actions={"addTags": [tag]}, **fields)


def test_once_kept_a_creation_reads_only_the_configuration_stamp(staff_client):
    create(staff_client)
    with CaptureQueriesContext(connection) as captured:
        create(staff_client)

    tables = " ".join(query["sql"] for query in captured.captured_queries)
    read = set(tables.replace('"', " ").split())
    assert not {"tickets_routingrule", "tickets_slapolicy", "tickets_customfield"} & read
    assert tables.count("tickets_configurationstamp") == 1  # once for the rules, the policies, the fields


def test_a_lost_stamp_row_comes_back_and_keeping_resumes(staff_client):
    ConfigurationStamp.objects.all().delete()  # as `manage.py flush` leaves it
    tag_rule("Kept", "kept")
    assert create(staff_client).tags == ["kept"]

    with CaptureQueriesContext(connection) as captured:
        assert create(staff_client).tags == ["kept"]

    assert "tickets_routingrule" not in " ".join(query["sql"] for query in captured.captured_queries)


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda: routing.routing_rule_create(name="New", conditions={}, actions={"addTags": ["new"]}), id="service"
        ),
        pytest.param(lambda: tag_rule("New", "new"), id="orm-create"),
        pytest.param(
            lambda: RoutingRule.objects.filter(name="Old").update(actions={"addTags": ["new"]}), id="bulk-update"
        ),
        pytest.param(lambda: RoutingRule.objects.filter(name="Old").delete(), id="delete"),
    ],
)
def test_a_rule_written_any_way_applies_to_the_next_creation(staff_client, write):
    tag_rule("Old", "old")
    assert create(staff_client).tags == ["old"]

    write()

    expected = sorted(tag for rule in RoutingRule.objects.all() for tag in rule.actions["addTags"])
    assert sorted(create(staff_client).tags) == expected


def test_a_rolled_back_write_leaves_no_trace_in_later_creations(staff_client):
    create(staff_client)
    with pytest.raises(RuntimeError), transaction.atomic():
        tag_rule("Ghost", "ghost")
        assert create(staff_client).tags == ["ghost"]  # the transaction sees its own rule
        raise RuntimeError("rolled back")

    assert create(staff_client).tags == []
    tag_rule("Real", "real")  # a later write, whatever stamp the rolled-back one had
    assert create(staff_client).tags == ["real"]


def weekdays(opening: str, closing: str) -> dict[str, list[list[str]]]:
    return {day: [[opening, closing]] for day in ("mon", "tue", "wed", "thu", "fri")}


def test_a_policy_and_its_calendar_edited_any_way_apply_to_the_next_creation(staff_agent):
    calendar = BusinessCalendar.objects.create(name="Weekdays", timezone="UTC", hours=weekdays("09:00", "17:00"))
    with frozen_at(utc(2026, 12, 7, 16, 0)):  # a Monday, an hour before closing
        staff_client = client_for(staff_agent)
        create(staff_client)
        SlaPolicy.objects.create(
            name="Office", conditions={}, first_response_minutes=120, resolution_minutes=600, calendar=calendar
        )
        ticket = create(staff_client)
        assert ticket.sla_policy.name == "Office"
        assert ticket.response_deadline == utc(2026, 12, 8, 10, 0)  # one hour today, one tomorrow

        BusinessCalendar.objects.filter(pk=calendar.pk).update(hours=weekdays("09:00", "18:00"))
        assert create(staff_client).response_deadline == utc(2026, 12, 7, 18, 0)

        SlaPolicy.objects.all().delete()
        assert create(staff_client, priority="medium").response_deadline - utc(2026, 12, 7, 16, 0) == timedelta(
            minutes=SupportTicket.objects.latest("id").response_target_minutes
        )


def test_a_required_custom_field_written_any_way_applies_to_the_next_creation(staff_client):
    create(staff_client)
    CustomField.objects.create(key="plan", label="Plan", type="text", required=True)

    refused = staff_client.post(URL, {"subject": "s", "description": "d", "customerEmail": "c@example.com"})
    assert refused.status_code == 400 and "customFields.plan" in refused.json()

    CustomField.objects.filter(key="plan").update(active=False)
    assert create(staff_client).custom_fields == {}


@pytest.mark.django_db(transaction=True)
def test_a_rule_another_connection_commits_applies_to_the_next_creation(staff_client):
    assert create(staff_client).tags == []

    def elsewhere() -> None:
        try:
            tag_rule("Elsewhere", "elsewhere")
        finally:
            connection.close()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()

    assert create(staff_client).tags == ["elsewhere"]
