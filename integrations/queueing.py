"""The Celery messages that start deliveries: kicks after a change commits, and retries
when they are due.

The delivery code (outbox.py) queues its tasks by name, since the tasks (tasks.py) call
the delivery code: importing them would close an import cycle. tests/test_queueing.py
checks that these names are the tasks' registered names.
"""

import logging
import time
from datetime import timedelta

from celery import current_app

from tickets.after_commit import add_to_batch

logger = logging.getLogger(__name__)

DELIVER = "integrations.tasks.outbox_deliver"
DELIVER_EACH = "integrations.tasks.outbox_deliver_each"

# After the broker refuses a kick, kicks are skipped for a while (the sweep delivers), so a
# down broker costs a change one failed attempt now and then, not one per change.
KICK_PAUSE_SECONDS = 10.0
_kicks_paused_until = 0.0


def kick(pairs: list[tuple[str, int]]) -> None:
    """Runs after commit: the change's (integration, ticket) deliveries join those of the
    changes committed with it, and go out as one Celery message (`_send_kicks`)."""
    add_to_batch(_send_kicks, pairs)


def _send_kicks(batch: list[tuple[str, int]]) -> None:
    """One Celery message for a burst of changes, whatever the number of integrations:
    each publish costs the web process CPU under load, and a worker fans them out
    (outbox_deliver_each)."""
    global _kicks_paused_until
    if time.monotonic() < _kicks_paused_until:
        return
    pairs = sorted(set(batch))
    try:
        if len(pairs) == 1:
            current_app.send_task(DELIVER, args=pairs[0])
        else:
            current_app.send_task(DELIVER_EACH, args=(pairs,))
    except Exception:  # the broker is down: the sweep will deliver them
        _kicks_paused_until = time.monotonic() + KICK_PAUSE_SECONDS
        logger.warning("Could not queue the deliveries %s", pairs, exc_info=True)


def deliver_later(integration: str, ticket_id: int, delay: timedelta) -> None:
    """The retry is queued for when it is due, so that it goes out within seconds of that,
    not with the next minutely sweep (which still catches it if the broker loses this)."""
    try:
        current_app.send_task(DELIVER, args=(integration, ticket_id), countdown=delay.total_seconds() + 0.05)
    except Exception:
        logger.warning("Could not queue the retry of %s for ticket %s", integration, ticket_id, exc_info=True)
