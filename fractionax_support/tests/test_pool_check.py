"""The pool's check: free for a live connection, and it catches one the server closed."""

import time

import psycopg
import pytest
from django.db import connection

from fractionax_support.postgresql.pool import check_if_server_spoke


@pytest.fixture
def idle_connection():
    assert connection.vendor == "postgresql", "the pool is PostgreSQL's"
    with psycopg.connect(**{**connection.get_connection_params(), "autocommit": True}) as conn:
        conn.execute("SELECT 'last query'")
        yield conn


def last_query(conn: psycopg.Connection) -> str:
    with psycopg.connect(conn.info.dsn, autocommit=True) as observer:
        row = observer.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [conn.info.backend_pid]).fetchone()
    return row[0]


@pytest.mark.django_db
def test_a_live_connection_passes_without_a_round_trip(idle_connection):
    check_if_server_spoke(idle_connection)
    assert last_query(idle_connection) == "SELECT 'last query'"


@pytest.mark.django_db
def test_a_connection_the_server_closed_fails_the_check(idle_connection):
    with psycopg.connect(idle_connection.info.dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [idle_connection.info.backend_pid])
    deadline = time.monotonic() + 5
    with pytest.raises(psycopg.OperationalError):
        while time.monotonic() < deadline:  # the goodbye arrives within milliseconds
            check_if_server_spoke(idle_connection)
            time.sleep(0.01)
