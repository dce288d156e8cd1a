"""REST API contract: statistics, integration status and Help Scout resync.

The statistics' hand-computed figures are tested in test_statistics.py; here, the shape and
a small sanity set. The CSV export's contract is in test_api_export.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.tests.api_helpers import URL, client_for, frozen_at, utc
from tickets.tests.factories import TEST_ACTOR, make_ticket

STATISTICS_URL = f"{URL}/statistics"
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
    assert body["byStatus"] == {"open": 0, "in_progress": 0, "waiting_customer": 0, "resolved": 0, "closed": 0}
    assert body["byPriority"] == {"low": 0, "medium": 0, "high": 0, "urgent": 0}
    assert set(body["byCategory"].values()) == {0}
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
    for age in (timedelta(days=40), timedelta(days=10), timedelta(days=3)):
        with frozen_at(timezone.now() - age):
            make_ticket()

    totals = {
        days: staff_client.get(STATISTICS_URL, {"dateRange": days}).json()["total"] for days in ("7d", "30d", "90d")
    }
    assert totals == {"7d": 1, "30d": 2, "90d": 3}
    assert staff_client.get(STATISTICS_URL).json()["total"] == 3


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
