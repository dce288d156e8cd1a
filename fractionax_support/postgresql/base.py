"""Django's PostgreSQL backend with two changes: timestamps are parsed in C, and the
connection pool checks connections without a round trip per request (see pool.py).

Django registers its own `timestamptz` loader, a subclass of psycopg's pure-Python one (the
C loader cannot be subclassed), so every timestamp a query returns is parsed in Python, some
thirty times slower than in C (bench/RESULTS.md, finding 21; Django ticket #36960, psycopg
issue #1273). Django's session time zone is UTC and
its loader stamps UTC on each value; psycopg's C loader returns the same aware datetimes
for a UTC session, so this backend hands the parsing to it. Under any other time zone it
is Django's backend unchanged.
"""

import datetime
from functools import lru_cache
from typing import Any, cast

from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg import adapt, adapters
from psycopg.pq import Format
from psycopg_pool import ConnectionPool

from .pool import check_if_server_spoke

TIMESTAMPTZ_OID = adapters.types["timestamptz"].oid
# psycopg's global map hands out its C loader when the C extension is installed (and its
# Python one otherwise: it always has one for timestamptz).
_PSYCOPG_LOADER = cast(type[adapt.Loader], adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT))


class UtcTimestamptzLoader(adapt.Loader):
    # Django compares this with the connection's zone before each cursor, and registers
    # its own loader again when they differ.
    timezone = datetime.UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        self.load = _PSYCOPG_LOADER(oid, context).load  # type: ignore[method-assign]

    def load(self, data: Any) -> datetime.datetime:  # replaced per instance in __init__
        raise NotImplementedError


@lru_cache
def _adapters_with_c_timestamps(template: adapt.AdaptersMap) -> adapt.AdaptersMap:
    context = adapt.AdaptersMap(template)
    context.register_loader(TIMESTAMPTZ_OID, UtcTimestamptzLoader)
    return context


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if self.timezone is datetime.UTC and "context" in params:
            params["context"] = _adapters_with_c_timestamps(params["context"])
        return params

    @property
    def pool(self) -> ConnectionPool | None:
        # Django's pool, made as Django makes it but with this check (Django's choice is its
        # own round-trip check or none); Django's property then finds it made.
        options = self.settings_dict["OPTIONS"].get("pool")
        if options and self.alias != NO_DB_ALIAS and self.alias not in self._connection_pools:  # type: ignore[attr-defined]
            pool = ConnectionPool(
                kwargs={**self.get_connection_params(), "autocommit": True},
                open=False,
                configure=self._configure_connection,  # type: ignore[attr-defined]
                check=check_if_server_spoke,
                **({} if options is True else options),
            )
            self._connection_pools.setdefault(self.alias, pool)  # type: ignore[attr-defined]
        return super().pool
