"""Single-use, short-lived tickets to open the WebSocket with (`?ticket=`), for clients that
can set neither a header nor a subprotocol. A ticket in a URL still lands in access logs
(ours redact it), but it is worth nothing there: it expires within seconds and works once.

Kept in the Django cache: Redis when REDIS_URL is set, so any web process can redeem what
another issued; without it, the per-process memory cache, which serves `make run`'s
single process. Keyed by the ticket's hash, so the cache never holds a usable ticket.
"""

import hashlib
import secrets

from django.core.cache import cache

TICKET_SECONDS = 30


def _key(ticket: str) -> str:
    return "ws-ticket:" + hashlib.sha256(ticket.encode()).hexdigest()


def ticket_issue(*, user_id: int) -> str:
    ticket = secrets.token_urlsafe(32)
    cache.set(_key(ticket), user_id, timeout=TICKET_SECONDS)
    return ticket


def ticket_redeem(ticket: str) -> int | None:
    """The user id the ticket was issued to, once; None for an unknown, used or expired one."""
    key = _key(ticket)
    user_id = cache.get(key)
    # Of two redeemers at once, only the one whose delete removed the key gets the user.
    if user_id is None or not cache.delete(key):
        return None
    return int(user_id)
