"""One delivery attempt of an outbox message, and how it makes each call at most once.

A call that creates something at the provider (a Slack message, a Help Scout thread) is a
*step*. Its result is recorded in a short transaction of its own with the rest of the
task's (integrations/delivery_batch.py), and a failure to record is retried locally, never
by sending again. Before the first step goes out the message is marked `sending_since`; a
later attempt that finds the mark (a worker killed, a timeout, the database gone after the
call) cannot know whether the step it was on went through, so it looks for the step's
result at the provider, by a marker the product set on it, before sending again.
"""

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from .models import OutboxMessage

if TYPE_CHECKING:
    from .delivery_batch import DeliveryBatch

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long a result may wait for the database (busy, restarting) before the attempt gives
# up; the message then stays marked, and the next attempt finds the result at the provider.
RECORD_PATIENCE_SECONDS = 60.0


def record_locally(write: Callable[[], T], *, patience: float = RECORD_PATIENCE_SECONDS) -> T:
    """Runs `write` in a transaction of its own, again after a database error, until it
    commits or `patience` runs out. Never inside another transaction: it would not be its
    own, and a failed one cannot be retried."""
    deadline = time.monotonic() + patience
    pause = 0.05
    while True:
        try:
            with transaction.atomic():
                return write()
        except (OperationalError, InterfaceError) as error:
            if time.monotonic() + pause > deadline:
                raise
            logger.warning("Recording a delivery failed, trying again in %.2f s: %s", pause, error)
            # Only a dead connection is replaced: a live one may hold the delivery lock.
            if connection.connection is not None and not connection.is_usable():
                connection.close()
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


class Attempt:
    def __init__(
        self,
        message: OutboxMessage,
        batch: "DeliveryBatch",
        *,
        guard: Callable[[], None] = lambda: None,
        followed: bool = False,
    ) -> None:
        self.message = message
        self.batch = batch  # where the results are recorded
        self.guard = guard  # raises when sending is no longer ours to do (the delivery lock lost)
        # A later message of the ticket is delivered right after this one: what shows the
        # ticket as it is now (Slack's root message, the sync stamp) waits for that one.
        self.followed = followed
        # The last attempt may have sent the step it was on: look before sending it again.
        self.unsettled = self.started_unsettled = message.sending_since is not None
        self._step_out = False  # a step is out and its result not yet recorded
        self._recorded = False

    def once(
        self,
        step: str,
        *,
        send: Callable[[], str],
        find: Callable[[], str | None],
        record: Callable[[str], object] | None = None,
    ) -> str:
        """The provider's id of what `step` made: recorded by an earlier attempt, found at the
        provider after an attempt whose outcome is unknown, or made now by `send`. `record`
        stores it where the product needs it, with the rest of the task's results."""
        done = self.message.progress.get(step)
        if done is not None:
            return str(done)
        result = None
        if self.unsettled:
            result = find()
            if result is None:
                self.unsettled = False  # not there: the earlier attempt never sent it
            else:
                logger.info("Found %s of outbox message %s at the provider: not sent again", step, self.message.pk)
        if result is None:
            self.guard()
            self._mark_sending()
            self._step_out = True
            result = send()
        self._record(step, result, record)
        self.unsettled = self._step_out = False  # later steps were never started
        self._recorded = True
        return result

    def may_have_sent(self, error: BaseException) -> bool:
        """Whether the attempt ends with something possibly sent but unrecorded. An earlier
        attempt's call found missing may still land late: until a step is recorded, the
        mark stays."""
        if self.started_unsettled and not self._recorded:
            return True
        return self._step_out and getattr(error, "maybe_sent", True)

    def _mark_sending(self) -> None:
        if self.message.sending_since is not None:
            return
        now = timezone.now()
        record_locally(lambda: OutboxMessage.objects.filter(pk=self.message.pk).update(sending_since=now))
        self.message.sending_since = now

    def _record(self, step: str, result: str, record: Callable[[str], object] | None) -> None:
        # Written with a failure (outbox._record_failure), so that a retry skips the step; a
        # delivered message is never attempted again.
        self.message.progress = {**self.message.progress, step: result}
        if record is not None:
            self.batch.add(self.message.ticket_id, lambda: record(result))
