"""Tickets open at the upgrade get their warning instants, so they are warned too."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tickets import services, sla_policies, tasks
from tickets.models import SupportTicket

from .api_helpers import frozen_at
from .factories import TEST_ACTOR, make_ticket

# Migrating back and forth takes seconds.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE = [("tickets", "0017_routing_rules")]
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def migrate(targets=None):
    """To `targets`, or (None) forward to every app's latest migration, as the suite runs."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def test_open_tickets_on_the_settings_targets_get_their_warning_instants():
    with frozen_at(T0):
        urgent, resolved = make_ticket(priority="urgent"), make_ticket(priority="urgent")
        services.ticket_change_status(ticket_id=resolved.pk, status="resolved", actor=TEST_ACTOR)
        sla_policies.policy_create(name="Business", first_response_minutes=60, resolution_minutes=120)
        under_policy = make_ticket()

    migrate(BEFORE)
    migrate()

    warnings = dict(SupportTicket.objects.values_list("pk", "response_warning_at"))
    assert warnings[urgent.pk] == T0 + timedelta(minutes=24)
    assert SupportTicket.objects.get(pk=urgent.pk).resolution_warning_at == T0 + timedelta(hours=3, minutes=12)
    assert warnings[resolved.pk] is None  # finished: nothing to warn of
    assert warnings[under_policy.pk] is None  # until its SLA is next recomputed, as the refresh task does:

    with frozen_at(T0 + timedelta(minutes=1)):
        tasks.sla_refresh()
    assert SupportTicket.objects.get(pk=under_policy.pk).response_warning_at == T0 + timedelta(minutes=48)
