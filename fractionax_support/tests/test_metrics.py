"""GET /metrics, read with Prometheus's own parser: who may read it, request latency by
route (never the raw path), figures read from the database as it is scraped, webhook
results; and, under a real multi-process server, the counts of every worker added up."""

import os
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from fractionax_support.local_ports import free_port
from fractionax_support.server_command import server_command
from integrations.models import OutboxMessage
from tickets import services
from tickets.models import SupportTicket
from tickets.tests.api_helpers import ticket_url
from tickets.tests.factories import TEST_ACTOR, make_ticket

from .processes import BASE_DIR, database_url_for_tests, listening, stop, wait_for

pytestmark = pytest.mark.django_db
METRICS_TOKEN = "scrape-token-for-tests-0123456789"


def parse(text: str) -> dict[str, Any]:
    """{sample name: [(labels, value), ...]} for every sample of the exposition."""
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples: dict[str, Any], name: str, **labels: str) -> float:
    """The sum of a sample's values over the series matching `labels` (0 when none)."""
    return sum(v for found, v in samples.get(name, []) if all(found.get(k) == w for k, w in labels.items()))


def scrape(client: Any, **headers: str) -> dict[str, Any]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return parse(response.content.decode())


# --- Who may read it ---


@pytest.fixture
def with_token(settings):
    settings.METRICS_TOKEN = METRICS_TOKEN


def test_anonymous_is_401_and_a_non_staff_user_403(anonymous_client, non_staff_client, with_token):
    assert anonymous_client.get("/metrics").status_code == 401
    assert non_staff_client.get("/metrics").status_code == 403


def test_staff_read_it_by_jwt_or_session(staff_client, staff_agent):
    scrape(staff_client)
    browser = Client()
    browser.force_login(staff_agent)
    scrape(browser)


def test_the_metrics_token_is_a_bearer_credential(anonymous_client, with_token):
    scrape(anonymous_client, HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert anonymous_client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}x").status_code == 401


def test_a_scrape_over_plain_http_is_not_redirected(anonymous_client, with_token, settings):
    settings.SECURE_SSL_REDIRECT = True
    scrape(anonymous_client, HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert anonymous_client.get("/api/webhooks/test").status_code == 301  # unlike the rest


def test_no_token_is_accepted_while_none_is_configured(anonymous_client, settings):
    settings.METRICS_TOKEN = ""
    assert anonymous_client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


# --- What it says ---

LATENCY = "fractionax_http_request_duration_seconds_count"


def test_request_latency_is_by_route_and_status_class_never_by_raw_path(staff_client):
    ticket = make_ticket()
    before = scrape(staff_client)

    assert staff_client.get(ticket_url(ticket)).status_code == 200
    assert staff_client.get(ticket_url(999_999)).status_code == 404
    assert staff_client.get("/no/such/page").status_code == 404

    after = scrape(staff_client)
    routes = {labels["route"] for labels, _ in after[LATENCY]}
    assert not any(str(ticket.pk) in route or "999999" in route or "no/such" in route for route in routes), routes
    detail = {"method": "GET", "route": "support-ticket-detail"}
    assert value(after, LATENCY, status="2xx", **detail) == value(before, LATENCY, status="2xx", **detail) + 1
    assert value(after, LATENCY, status="4xx", **detail) == value(before, LATENCY, status="4xx", **detail) + 1
    unmatched = {"route": "unmatched", "status": "4xx"}
    assert value(after, LATENCY, **unmatched) == value(before, LATENCY, **unmatched) + 1


def test_tickets_by_status_overdue_and_the_outbox_are_read_when_scraped(staff_client):
    now = timezone.now()
    make_ticket()
    late = make_ticket()
    services.ticket_change_status(ticket_id=late.pk, status="in_progress", actor=TEST_ACTOR)
    SupportTicket.objects.filter(pk=late.pk).update(resolution_deadline=now - timedelta(minutes=1))
    services.ticket_change_status(ticket_id=make_ticket().pk, status="resolved", actor=TEST_ACTOR)
    for integration, ticket, failed_at, delivered_at in (
        ("slack", late, None, None),
        ("slack", late, now, None),
        ("helpscout", late, None, None),
        ("helpscout", late, None, now),  # delivered: in neither count
    ):
        OutboxMessage.objects.create(
            integration=integration, ticket=ticket, event="ticket-updated", payload={},
            failed_at=failed_at, delivered_at=delivered_at,
        )  # fmt: skip

    samples = scrape(staff_client)

    assert value(samples, "fractionax_tickets", status="open") == 1
    assert value(samples, "fractionax_tickets", status="in_progress") == 1
    assert value(samples, "fractionax_tickets", status="resolved") == 1
    assert value(samples, "fractionax_tickets", status="closed") == 0
    assert value(samples, "fractionax_tickets_overdue") == 1
    assert value(samples, "fractionax_outbox_pending", integration="slack") == 1
    assert value(samples, "fractionax_outbox_failed", integration="slack") == 1
    assert value(samples, "fractionax_outbox_pending", integration="helpscout") == 1
    assert value(samples, "fractionax_outbox_failed", integration="helpscout") == 0


WEBHOOKS = "fractionax_webhook_deliveries_total"


def test_webhook_deliveries_are_counted_by_result(staff_client, client, settings):
    settings.HELPSCOUT_WEBHOOK_SECRET = "hs-secret"
    before = scrape(staff_client)

    refused = client.post("/api/webhooks/helpscout", b"{}", content_type="application/json")
    assert refused.status_code == 401
    assert client.get("/api/webhooks/slack").status_code == 405  # not a delivery: not counted

    after = scrape(staff_client)
    rejected = {"integration": "helpscout", "result": "rejected"}
    assert value(after, WEBHOOKS, **rejected) == value(before, WEBHOOKS, **rejected) + 1
    assert value(after, WEBHOOKS, integration="slack") == value(before, WEBHOOKS, integration="slack")


# --- Several processes ---


@pytest.mark.parametrize("shared_folder", [True, False], ids=["PROMETHEUS_MULTIPROC_DIR", "the server's own folder"])
@pytest.mark.slow
def test_a_multi_process_server_adds_up_the_requests_of_all_workers(tmp_path: Path, transactional_db, shared_folder):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {"DATABASE_URL": database_url_for_tests(), "METRICS_TOKEN": METRICS_TOKEN}
    if shared_folder:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    else:
        env["TMPDIR"] = str(folder)  # where the server makes its own
    process = subprocess.Popen(server_command(port, workers=2, graceful_shutdown_seconds=2), cwd=BASE_DIR, env=env)
    try:
        wait_for(lambda: process.poll() is not None or listening(port), 30, "the app server to listen")
        base = f"http://127.0.0.1:{port}"
        requests_sent = 40
        for _ in range(requests_sent):  # a new connection each: the kernel spreads them
            assert requests.get(f"{base}/api/webhooks/test", timeout=15).status_code == 200
        answer = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=15)
        assert answer.status_code == 200, answer.text[:500]
        if shared_folder:
            writers = {path.stem.rsplit("_", 1)[-1] for path in folder.glob("histogram_*.db")}
            assert len(writers) == 2, f"the requests did not reach both workers: {writers}"
    finally:
        stop(process)

    samples = parse(answer.text)
    assert value(samples, LATENCY, route="webhook-test", status="2xx") == requests_sent
    if not shared_folder:
        assert not list(folder.iterdir()), "the server left its metrics folder behind"
