"""REST API contract: statistics, integration status, Help Scout resync and CSV export.

The statistics' hand-computed figures are tested in test_statistics.py; here, the shape and
a small sanity set.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.tests.api_helpers import URL, client_for, frozen_at, utc
from tickets.tests.factories import TEST_ACTOR, make_ticket

STATISTICS_URL = f"{URL}/statistics"
EXPORT_URL = f"{URL}/export"
STATUSES = {"open", "in_progress", "waiting_customer", "resolved", "closed"}
PRIORITIES = {"low", "medium", "high", "urgent"}
CATEGORIES = {"general", "technical", "billing", "account", "security", "feature_request", "other"}


@pytest.fixture
def helpscout_unconfigured(settings):
    settings.HELPSCOUT_APP_ID = settings.HELPSCOUT_APP_SECRET = settings.HELPSCOUT_MAILBOX_ID = ""


@pytest.fixture
def nothing_configured(helpscout_unconfigured, settings):
    settings.SLACK_BOT_TOKEN = settings.SLACK_SUPPORT_CHANNEL_ID = settings.SLACK_SIGNING_SECRET = ""
    settings.HELPSCOUT_WEBHOOK_SECRET = ""


# --- Statistics ---


def test_statistics_answers_every_key(staff_client, db):
    response = staff_client.get(STATISTICS_URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "total",
        "byStatus",
        "byPriority",
        "byCategory",
        "overdue",
        "averageResponseTimeMinutes",
        "averageResolutionTimeMinutes",
        "slaComplianceRate",
    }
    assert set(body["byStatus"]) == STATUSES
    assert set(body["byPriority"]) == PRIORITIES
    assert set(body["byCategory"]) == CATEGORIES


def test_statistics_without_tickets_has_zero_counts_and_null_averages(staff_client, db):
    body = staff_client.get(STATISTICS_URL).json()

    assert body["total"] == 0
    assert body["overdue"] == 0
    assert set(body["byStatus"].values()) == set(body["byPriority"].values()) == {0}
    assert body["averageResponseTimeMinutes"] is None
    assert body["averageResolutionTimeMinutes"] is None
    assert body["slaComplianceRate"] is None


def test_statistics_with_nothing_to_average_has_null_averages(staff_client):
    make_ticket()

    body = staff_client.get(STATISTICS_URL).json()

    assert body["total"] == 1
    assert body["averageResponseTimeMinutes"] is None
    assert body["averageResolutionTimeMinutes"] is None
    assert body["slaComplianceRate"] is None


def test_statistics_sanity(staff_agent):
    with frozen_at(utc(2025, 3, 10, 9, 0)):
        answered = make_ticket(priority="high")
        make_ticket(priority="low", category="billing")
    with frozen_at(utc(2025, 3, 10, 9, 30)):
        services.comment_add(ticket_id=answered.pk, body="On it.", is_internal=False, author="Al", actor=TEST_ACTOR)
    with frozen_at(utc(2025, 3, 10, 10, 30)):
        services.ticket_change_status(ticket_id=answered.pk, status="resolved", actor=TEST_ACTOR)
    with frozen_at(utc(2025, 3, 10, 11, 0)):
        body = client_for(staff_agent).get(STATISTICS_URL).json()

    assert body["total"] == 2
    assert body["byStatus"] == {"open": 1, "in_progress": 0, "waiting_customer": 0, "resolved": 1, "closed": 0}
    assert body["byPriority"] == {"low": 1, "medium": 0, "high": 1, "urgent": 0}
    assert (body["byCategory"]["general"], body["byCategory"]["billing"]) == (1, 1)
    assert body["overdue"] == 0
    assert body["averageResponseTimeMinutes"] == 30
    assert body["averageResolutionTimeMinutes"] == 90
    assert body["slaComplianceRate"] == 100


def test_statistics_date_range_keeps_recent_tickets(staff_client, db):
    with frozen_at(timezone.now() - timedelta(days=10)):
        make_ticket()
    make_ticket()

    assert staff_client.get(STATISTICS_URL, {"dateRange": "7d"}).json()["total"] == 1
    assert staff_client.get(STATISTICS_URL, {"dateRange": "30d"}).json()["total"] == 2


@pytest.mark.parametrize("date_range", ["1y", "7", "all", "24H"])
def test_statistics_with_an_unknown_date_range_is_400(staff_client, db, date_range):
    response = staff_client.get(STATISTICS_URL, {"dateRange": date_range})

    assert response.status_code == 400
    assert "dateRange" in response.json()


# --- Integrations ---


def test_integration_status_when_nothing_is_configured(staff_client, db, nothing_configured):
    response = staff_client.get(f"{URL}/integration-status")

    assert response.status_code == 200
    not_configured = {"configured": False, "status": "not_configured", "lastSyncAt": None, "lastError": None}
    assert response.json() == {
        "helpScout": {
            **not_configured,
            "missing": ["HELPSCOUT_APP_ID", "HELPSCOUT_APP_SECRET", "HELPSCOUT_MAILBOX_ID", "HELPSCOUT_WEBHOOK_SECRET"],
        },
        "slack": {**not_configured, "missing": ["SLACK_BOT_TOKEN", "SLACK_SUPPORT_CHANNEL_ID", "SLACK_SIGNING_SECRET"]},
    }


def test_integration_status_names_what_is_left_to_set(staff_client, db, nothing_configured, settings):
    settings.SLACK_BOT_TOKEN, settings.SLACK_SUPPORT_CHANNEL_ID = "xoxb-1", "C1"
    settings.HELPSCOUT_APP_ID = settings.HELPSCOUT_APP_SECRET = settings.HELPSCOUT_MAILBOX_ID = "set"

    report = staff_client.get(f"{URL}/integration-status").json()

    assert (report["slack"]["configured"], report["slack"]["missing"]) == (False, ["SLACK_SIGNING_SECRET"])
    # Sending works; webhooks from Help Scout are refused until their secret is set.
    assert (report["helpScout"]["configured"], report["helpScout"]["missing"]) == (True, ["HELPSCOUT_WEBHOOK_SECRET"])
    settings.HELPSCOUT_WEBHOOK_SECRET = "hs-secret"
    assert staff_client.get(f"{URL}/integration-status").json()["helpScout"]["missing"] == []


def test_helpscout_sync_without_configuration_is_503_with_a_message(staff_client, db, helpscout_unconfigured):
    response = staff_client.post(f"{URL}/sync/helpscout")

    assert response.status_code == 503
    assert isinstance(response.json()["detail"], str)
    assert response.json()["detail"]


# --- Export ---


def export(client, **params):
    response = client.get(EXPORT_URL, params)
    assert response.status_code == 200, response.content if not response.streaming else ""
    text = b"".join(response.streaming_content).decode("utf-8")
    return response, list(csv.reader(io.StringIO(text)))


def as_dicts(rows):
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def test_export_is_a_streamed_csv_attachment(staff_client):
    make_ticket()

    response, _ = export(staff_client)

    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".csv" in response["Content-Disposition"]


def test_export_starts_with_a_header_of_json_names(staff_client):
    make_ticket()

    _, rows = export(staff_client)

    header = rows[0]
    assert {"id", "ticketNumber", "subject", "status", "priority", "category", "customerEmail", "createdAt"} <= set(
        header
    )
    assert all("_" not in column for column in header)


def test_export_without_tickets_is_the_header_alone(staff_client, db):
    _, rows = export(staff_client)

    assert len(rows) == 1
    assert "ticketNumber" in rows[0]


def test_export_has_one_row_per_ticket(staff_client):
    make_ticket(subject="First")
    make_ticket(subject="Second", assigned_to="John Doe")

    records = as_dicts(export(staff_client)[1])

    assert sorted((r["ticketNumber"], r["subject"]) for r in records) == [
        ("FCT-000001", "First"),
        ("FCT-000002", "Second"),
    ]


def test_export_applies_the_list_filters(staff_client):
    make_ticket(subject="Still open")
    done = make_ticket(subject="Done")
    services.ticket_change_status(ticket_id=done.pk, status="resolved", actor=TEST_ACTOR)
    make_ticket(subject="Zeppelin question")

    assert [r["subject"] for r in as_dicts(export(staff_client, status="resolved")[1])] == ["Done"]
    assert [r["subject"] for r in as_dicts(export(staff_client, search="zeppelin")[1])] == ["Zeppelin question"]


def test_export_with_an_invalid_filter_is_400(staff_client, db):
    response = staff_client.get(EXPORT_URL, {"status": "pending"})

    assert response.status_code == 400
    assert "status" in response.json()


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)"])
def test_export_neutralises_cells_that_a_spreadsheet_would_run(staff_client, formula):
    make_ticket(subject=formula, customer_name=formula)

    record = as_dicts(export(staff_client)[1])[0]

    assert record["subject"] == "'" + formula
    assert record["customerName"] == "'" + formula
