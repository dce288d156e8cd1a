"""tickets/row_pages.py: the API list's count and page, compiled once, give what the ORM
gives for the same filtered queryset, whatever the filters and the order. Run on
PostgreSQL and on SQLite (the SQLite API run takes test_api_* files)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.test import RequestFactory
from django.utils import timezone

from tickets import custom_fields, selectors, services
from tickets.filters import TicketFilter
from tickets.paging import _sorted_without_index
from tickets.representation import TICKET_COLUMNS
from tickets.row_pages import OneTableRows
from tickets.tests.factories import TEST_ACTOR, make_agent, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets():
    custom_fields.definition_create(key="plan", label="Plan", type="choice", choices=["free", "pro"])
    agent = make_agent("Priya Shah")
    made = []
    for index in range(12):
        made.append(
            make_ticket(
                subject=f"Invoice {index}" if index % 3 else f"Zeppelin {index}",
                customer_email=f"c{index % 4}@example.com",
                priority=["low", "medium", "high", "urgent"][index % 4],
                category=["technical", "billing"][index % 2],
                tags=["vip"] if index % 5 == 0 else [],
                assignee_id=agent.pk if index % 2 else None,
                custom_fields={"plan": "pro"} if index % 3 == 0 else {},
            )
        )
    services.ticket_change_status(ticket_id=made[1].pk, status="resolved", actor=TEST_ACTOR)
    services.ticket_change_status(ticket_id=made[2].pk, status="waiting_customer", actor=TEST_ACTOR)
    return made


def filtered(params, user=None):
    request = RequestFactory().get("/", params)
    request.user = user or AnonymousUser()
    filterset = TicketFilter(params, queryset=selectors.ticket_rows(TICKET_COLUMNS), request=request)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "open,waiting_customer"},
        {"priority": "high", "sortBy": "priority", "sortOrder": "asc"},
        {"sortBy": "status"},  # a CASE expression, with parameters of its own
        {"search": "zeppelin"},
        {"search": "c1@example.com", "sortBy": "subject"},
        {"tags": "vip"},
        {"cf_plan": "pro"},
        {"assignedTo": "unassigned", "category": "billing"},
        {"assigneeId": "none"},
        {"overdue": "false", "sortBy": "resolutionDeadline"},
        {"createdFrom": "2000-01-01", "sortBy": "updatedAt"},
        {"assignedTo": "me"},  # nobody asking: a filter that matches nothing (`pk__in=[]`)
    ],
)
def test_the_count_and_every_page_are_the_orms(tickets, params):
    queryset = filtered(params)
    rows = OneTableRows.of(queryset)
    assert rows is not None

    assert rows.count() == queryset.count()
    for ordered in (queryset, _sorted_without_index(queryset)):
        for offset in (0, 5, 10):
            assert rows.page(ordered, offset, 5) == list(ordered[offset : offset + 5])


def test_rows_carry_converted_values(tickets):
    queryset = filtered({"cf_plan": "pro"})

    row = OneTableRows.of(queryset).page(queryset, 0, 1)[0]

    assert row.custom_fields == {"plan": "pro"}  # JSON decoded, as the ORM does
    assert row.created_at.tzinfo is not None
    assert row.created_at <= timezone.now() + timedelta(seconds=1)


def test_querysets_beyond_one_tables_rows_are_left_to_the_orm(tickets):
    rows = selectors.ticket_rows(TICKET_COLUMNS)

    assert OneTableRows.of(selectors.ticket_list()) is None  # model instances
    assert OneTableRows.of(rows.filter(comments__body__contains="x")) is None  # a join
    assert OneTableRows.of(rows.annotate(replies=Count("comments"))) is None
    assert OneTableRows.of(rows.distinct()) is None
    assert OneTableRows.of(rows[:5]) is None
