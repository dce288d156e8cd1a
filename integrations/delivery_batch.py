"""What one task's deliveries read and write, each together.

A delivery's bookkeeping (the ticket's link to what a call made, the message delivered,
the integration healthy) used to cost some thirty statements, more CPU than the call
itself (bench/RESULTS.md, findings 36 and 38). A task's deliveries now read their
tickets in one statement (finding 49), mark their messages sending in one before any
call goes out, and record their results in one short transaction once the calls are
made, retried locally (`record_locally`), never by sending again. A result waiting here when the worker dies is
not lost: its message is still marked, and the next attempt finds it at the provider.
"""

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db.models import F
from django.utils import timezone

from tickets import selectors

from . import status
from .attempts import record_locally
from .models import OutboxMessage

if TYPE_CHECKING:
    from tickets.models import SupportTicket

    from .attempts import Attempt


class DeliveryBatch:
    def __init__(self, integration: str) -> None:
        self.integration = integration
        self._writes: list[tuple[int, Callable[[], object]]] = []  # (ticket, write), in order
        self._delivered: list[int] = []
        self._unmarked: list[int] = []
        self._tickets: dict[int, SupportTicket] = {}

    def read_tickets(self, ticket_ids: Iterable[int]) -> None:
        """The task's tickets, in one query rather than one per delivery."""
        self._tickets = selectors.ticket_list().in_bulk(list(ticket_ids))

    def ticket(self, ticket_id: int) -> "SupportTicket":
        """The ticket for a delivery: as the task read it for the ticket's first, read again
        for each later one (which must see what the earlier recorded)."""
        found = self._tickets.pop(ticket_id, None)
        return found if found is not None else selectors.ticket_list().get(pk=ticket_id)

    def mark_sending(self, attempts: Iterable["Attempt"]) -> None:
        """Marks the messages about to be attempted, in one statement, before any call."""
        fresh = [attempt.message for attempt in attempts if attempt.message.sending_since is None]
        if not fresh:
            return
        now = timezone.now()
        unmarked = OutboxMessage.objects.filter(pk__in=[message.pk for message in fresh], sending_since__isnull=True)
        record_locally(lambda: unmarked.update(sending_since=now))
        for message in fresh:
            message.sending_since = now

    def add(self, ticket_id: int, write: Callable[[], object]) -> None:
        """A step's result, to record with the rest (it may run again if the first try fails)."""
        self._writes.append((ticket_id, write))

    def holds(self, ticket_id: int) -> bool:
        """Whether results of the ticket wait here: its next delivery must read them."""
        return any(ticket == ticket_id for ticket, _ in self._writes)

    def delivered(self, message: OutboxMessage, finish: Callable[[], object] | None) -> None:
        if finish is not None:
            self.add(message.ticket_id, finish)
        self._delivered.append(message.pk)

    def not_attempted(self, attempt: "Attempt") -> None:
        """Held back behind a failure: its mark goes, unless an earlier attempt left it."""
        if not attempt.started_unsettled:
            self._unmarked.append(attempt.message.pk)
            attempt.message.sending_since = None

    def flush(self) -> None:
        writes, delivered, unmarked = [write for _, write in self._writes], self._delivered, self._unmarked
        if not (writes or delivered or unmarked):
            return

        def write_all() -> None:
            for write in writes:
                write()
            if delivered:
                OutboxMessage.objects.filter(pk__in=delivered).update(
                    delivered_at=timezone.now(), attempts=F("attempts") + 1, last_error="", sending_since=None
                )
                status.record_success(self.integration)
            if unmarked:
                OutboxMessage.objects.filter(pk__in=unmarked).update(sending_since=None)

        record_locally(write_all)
        self._writes, self._delivered, self._unmarked = [], [], []
