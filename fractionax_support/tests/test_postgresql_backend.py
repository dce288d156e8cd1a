"""The PostgreSQL backend reads timestamps exactly as Django's own does, in C."""

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from hypothesis import given
from hypothesis import strategies as st
from psycopg.pq import Format

from fractionax_support.postgresql.base import TIMESTAMPTZ_OID, UtcTimestamptzLoader
from tickets.models import SupportTicket
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
INSTANTS = st.datetimes(
    min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30), timezones=OFFSETS
)


def read_back(values: list[datetime.datetime], *, with_djangos_loader: bool) -> list[datetime.datetime]:
    with connection.cursor() as cursor:
        if with_djangos_loader:
            register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute("SELECT unnest(%s::timestamptz[])", [values])
        return [row[0] for row in cursor.fetchall()]


def test_cursors_use_the_c_parser():
    assert connection.vendor == "postgresql", "this is the PostgreSQL backend's test"
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert loader is UtcTimestamptzLoader


@given(st.lists(INSTANTS, min_size=1, max_size=20))
def test_timestamps_read_as_djangos_loader_reads_them(values):
    ours = read_back(values, with_djangos_loader=False)
    djangos = read_back(values, with_djangos_loader=True)
    assert ours == djangos == values
    assert {value.tzinfo for value in ours} == {datetime.UTC}


def test_a_ticket_reads_back_its_times_in_utc():
    created = datetime.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    ticket = make_ticket()
    SupportTicket.objects.filter(pk=ticket.pk).update(created_at=created)
    read = SupportTicket.objects.values_list("created_at", flat=True).get(pk=ticket.pk)
    assert read == created
    assert read.tzinfo is datetime.UTC
    assert read.isoformat() == "2026-03-28T23:30:15.123456+00:00"
