"""One deliverer per (integration, ticket) across every worker process, on any database.

The lock is held outside any transaction, so ticket writes never wait on a slow
integration, and it dies with its holder, so a killed worker's tickets are taken up by
the next delivery at once rather than after a lease runs out:
- PostgreSQL: a session advisory lock (workers may run on many machines). It belongs to
  the database session: if the connection is cut, the lock is gone, which `confirm()`
  tells before anything is sent under it;
- SQLite: a POSIX record lock on one byte of a file beside the database, since an SQLite
  database is shared only by processes of one machine. Record locks belong to the
  process, so threads of one process are kept apart by a set of their own.
"""

import fcntl
import os
import tempfile
import threading
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.db import connection

from .errors import DeliveryError


def _key(integration: str, ticket_id: int) -> int:
    key = (zlib.crc32(integration.encode()) << 32) ^ ticket_id
    return key - (1 << 64) if key >= (1 << 63) else key  # into bigint's range


class LockLostError(DeliveryError):
    def __init__(self) -> None:
        super().__init__("The delivery lock was lost with the database connection.", maybe_sent=False)


class Held:
    """A lock this process holds; `confirm()` raises LockLostError once it no longer does."""

    def __init__(self, session: int | None = None) -> None:
        self.session = session  # PostgreSQL's backend pid holding the lock

    def confirm(self) -> None:
        if self.session is not None and _backend_pid() != self.session:
            raise LockLostError()


@contextmanager
def pair_lock(integration: str, ticket_id: int) -> Iterator[Held | None]:
    """Yields the lock when this process got it, None when another holds the pair."""
    with pair_locks(integration, [ticket_id]) as held:
        yield held.get(ticket_id)


@contextmanager
def pair_locks(integration: str, ticket_ids: Iterable[int]) -> Iterator[dict[int, Held]]:
    """The locks of several of the integration's tickets, taken together: yields those this
    process got, by ticket; the others are another deliverer's."""
    keys = {ticket_id: _key(integration, ticket_id) for ticket_id in dict.fromkeys(ticket_ids)}
    if connection.vendor == "postgresql":
        with _advisory_locks(keys) as held:
            yield held
        return
    with ExitStack() as stack:
        path = _lock_path()
        locked = {ticket_id: stack.enter_context(file_lock(key, path)) for ticket_id, key in keys.items()}
        yield {ticket_id: Held() for ticket_id, got in locked.items() if got}


def _backend_pid() -> int | None:
    raw = connection.connection
    return None if raw is None or raw.closed else int(raw.info.backend_pid)


@contextmanager
def _advisory_locks(keys: dict[int, int]) -> Iterator[dict[int, Held]]:
    """One round trip to try them all, one to release them (a task's ten tickets cost two
    statements, not twenty)."""
    if not keys:
        yield {}
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key FROM unnest(%s::bigint[]) AS key WHERE pg_try_advisory_lock(key)", [list(keys.values())]
        )
        got = {row[0] for row in cursor.fetchall()}
    session = _backend_pid()
    held = {ticket_id: Held(session) for ticket_id, key in keys.items() if key in got}
    try:
        yield held
    finally:
        if got and _backend_pid() == session:  # otherwise they went with their session
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(key) FROM unnest(%s::bigint[]) AS key", [list(got)])


_held: set[tuple[str, int]] = set()
_held_guard = threading.Lock()
_lock_files: dict[str, int] = {}


def _lock_path() -> str:
    name = str(connection.settings_dict["NAME"])
    in_memory = name == ":memory:" or name.startswith("file:")
    return os.path.join(tempfile.gettempdir(), "fx-delivery-locks") if in_memory else f"{name}.delivery-locks"


def _lock_file(path: str) -> int:
    """This process's descriptor of the lock file, opened once and never closed: closing any
    descriptor of a file drops all of the process's record locks on it."""
    with _held_guard:
        if path not in _lock_files:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _lock_files[path] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        return _lock_files[path]


@contextmanager
def file_lock(key: int, path: str) -> Iterator[bool]:
    offset = key & ((1 << 62) - 1)  # a byte offset, in range on every platform
    with _held_guard:
        if (path, offset) in _held:
            locked = False
        else:
            _held.add((path, offset))
            locked = True
    if not locked:
        yield False
        return
    descriptor = _lock_file(path)
    try:
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
        except OSError:  # held by another process
            yield False
            return
        try:
            yield True
        finally:
            fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, offset)
    finally:
        with _held_guard:
            _held.discard((path, offset))
