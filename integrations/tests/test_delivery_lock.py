"""One deliverer per (integration, ticket): the lock excludes other processes and other
threads, and a holder that dies frees it at once (no lease to run out)."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

from fractionax_support.tests.processes import BASE_DIR
from integrations.delivery_lock import LockLostError, file_lock, pair_lock

HOLD = """
import sys, time
from integrations.delivery_lock import file_lock
with file_lock(int(sys.argv[1]), sys.argv[2]) as locked:
    print("held" if locked else "refused", flush=True)
    time.sleep(60)
"""


def hold_in_another_process(key: int, path: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(key), str(path)], cwd=BASE_DIR, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


@pytest.mark.slow
def test_sqlite_lock_excludes_another_process_until_it_dies(tmp_path):
    path = tmp_path / "db.sqlite3.delivery-locks"
    holder = hold_in_another_process(42, path)
    try:
        with file_lock(42, str(path)) as locked:
            assert not locked
        with file_lock(43, str(path)) as locked:
            assert locked  # another ticket is free
    finally:
        holder.kill()
        holder.wait()
    with file_lock(42, str(path)) as locked:
        assert locked  # freed by the holder's death, at once


def test_sqlite_lock_excludes_another_thread_of_the_same_process(tmp_path):
    path = str(tmp_path / "locks")
    seen: list[bool] = []
    with file_lock(7, path) as locked:
        assert locked
        thread = threading.Thread(target=lambda: seen.append(file_lock(7, path).__enter__()))
        thread.start()
        thread.join()
    assert seen == [False]
    with file_lock(7, path) as locked:
        assert locked  # released on leaving


@pytest.mark.django_db(transaction=True)
def test_postgresql_lock_excludes_another_session():
    assert connection.vendor == "postgresql"
    with pair_lock("slack", 5) as held:
        assert held is not None
        result: list[object] = []

        def other_session() -> None:
            with pair_lock("slack", 5) as other:
                result.append(other)
            connection.close()

        thread = threading.Thread(target=other_session)
        thread.start()
        thread.join()
        assert result == [None]
        held.confirm()  # still ours
    with pair_lock("slack", 5) as held:
        assert held is not None


@pytest.mark.django_db(transaction=True)
def test_postgresql_lock_lost_with_its_connection_is_known_before_sending():
    with pair_lock("helpscout", 6) as held:
        assert held is not None
        connection.close()  # as a cut connection: the session, and its lock, are gone
        connection.ensure_connection()
        with pytest.raises(LockLostError):
            held.confirm()
        # Another worker can take the pair meanwhile.
        result: list[object] = []
        thread = threading.Thread(
            target=lambda: (result.append(pair_lock("helpscout", 6).__enter__()), connection.close())
        )
        thread.start()
        thread.join()
        assert result[0] is not None
