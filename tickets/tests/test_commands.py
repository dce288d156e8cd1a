from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tickets.models import SupportTicket, TicketAction, TicketComment, TicketEvent, TicketStatus

pytestmark = pytest.mark.django_db


def seed(count: int, seed: int = 7) -> str:
    out = StringIO()
    call_command("seed_demo", count=count, seed=seed, stdout=out)
    return out.getvalue()


def test_seed_demo_creates_tickets_through_the_services() -> None:
    output = seed(20)

    tickets = SupportTicket.objects.all()
    assert tickets.count() == 20
    assert output.startswith("Seeded 20 tickets (") and output.count("\n") == 1
    # Every ticket has its creation audited, and its counters match the comments it has.
    assert TicketEvent.objects.filter(action=TicketAction.CREATED).count() == 20
    for ticket in tickets:
        assert ticket.total_comments == ticket.comments.count()
    assert TicketComment.objects.filter(is_internal=False).exists()
    assert len(set(tickets.values_list("status", flat=True))) >= 3
    resolved = tickets.filter(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
    assert all(ticket.resolved_at and ticket.resolution_note for ticket in resolved)
    emails = tickets.values_list("customer_email", flat=True)
    assert all(email.endswith(("@example.com", "@example.org")) for email in emails)


def test_seed_demo_is_reproducible_with_a_seed() -> None:
    seed(10, seed=3)
    seed(10, seed=3)

    rows = list(SupportTicket.objects.order_by("number").values_list("subject", "customer_email", "status"))
    assert rows[:10] == rows[10:]


def test_ensure_superuser_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long passphrase")

    call_command("ensure_superuser", stdout=StringIO())
    call_command("ensure_superuser", stdout=StringIO())

    user = get_user_model().objects.get()
    assert (user.username, user.is_staff, user.is_superuser) == ("root", True, True)
    assert user.check_password("a long passphrase")


def test_ensure_superuser_does_nothing_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long passphrase")

    call_command("ensure_superuser", stdout=StringIO())

    assert not get_user_model().objects.exists()
