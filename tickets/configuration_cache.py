"""The routing rules, SLA policies and custom field definitions, read once per process and
kept while the configuration stamp (tickets/models/configuration.py) is unchanged.

Every ticket creation needs them; reading them costs a query each and their rows' objects
(the first two were about a quarter of a creation's time). Reading the stamp is one
primary-key lookup, and as the stamp changes in the same transaction as any write to
those tables, a process never uses rows older than what its own transaction can see. The rows kept are shared by every
thread of the process: callers only read them."""

import contextlib
import contextvars
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import connection

from .models import ConfigurationStamp

T = TypeVar("T")

_kept: dict[str, tuple[str, object]] = {}
_lock = threading.Lock()
# The stamp read by the innermost `one_reading()` block, for the rest of it.
_held: contextvars.ContextVar[str | None] = contextvars.ContextVar("configuration_stamp", default=None)


@contextlib.contextmanager
def one_reading() -> Iterator[None]:
    """Within the block, every `kept()` call uses the stamp the first one read: a ticket's
    creation needs the policies, the rules and the fields, and read the stamp three times.
    Only for blocks that write no configuration themselves (they would not see their own
    write); another transaction's commit in between is seen as if it came after the block."""
    if _held.get() is not None:
        yield
        return
    token = _held.set(_read_stamp())
    try:
        yield
    finally:
        _held.reset(token)


def _stamp() -> str:
    return _held.get() or _read_stamp()


def _read_stamp() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT stamp FROM tickets_configurationstamp WHERE id = 1")
        row = cursor.fetchone()
    if row is None:  # emptied by `manage.py flush` (as tests do): a new stamp, unlike any before
        return ConfigurationStamp.objects.get_or_create(id=1, defaults={"stamp": str(uuid.uuid4())})[0].stamp
    return row[0]


def kept(name: str, load: Callable[[], T]) -> T:
    """`load()`'s result, read again only when the stamp has changed since it was read.
    The stamp is read first: a write committed in between makes the next call read again."""
    stamp = _stamp()
    with _lock:
        held = _kept.get(name)
    if held is not None and held[0] == stamp:
        return held[1]  # type: ignore[return-value]
    value = load()
    with _lock:
        _kept[name] = (stamp, value)
    return value
