"""A list page's count and rows from one compilation of its filters, for querysets of
named rows from one table (what the API's ticket list pages).

Through the ORM, the count and the page each compile the whole query (the count by way
of an aggregation over a copy of it), and the values iterator converts every row column
by column: most of a cheap list request's time beyond its SQL and the bare-DRF floor
(bench/RESULTS.md, finding 48). Here the ORM compiles the WHERE and ORDER BY clauses once,
the column list and the columns' converters are worked out once per set of columns, and
the two statements are plain text around them. Any other queryset (joins, annotations,
distinct, model instances) is not this module's to page: `OneTableRows.of()` gives None.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import NamedValuesListIterable
from django.db.models.utils import create_namedtuple_class


@dataclass(frozen=True)
class _Columns:
    select: str  # "table"."column", ...
    row: Callable[..., Any]  # the named tuple the ORM's values_list(named=True) makes
    converters: dict[int, tuple[list[Callable[..., Any]], Any]]  # as SQLCompiler.get_converters gives them


@cache
def _columns(database: str, model: type[Model], alias: str, names: tuple[str, ...]) -> _Columns:
    """As the ORM's compiler works them out for each query (get_select, get_converters)."""
    quote = connections[database].ops.quote_name
    columns = [model._meta.get_field(name).get_col(alias) for name in names]  # type: ignore[union-attr]
    return _Columns(
        select=", ".join(f"{quote(alias)}.{quote(str(column.target.column))}" for column in columns),
        row=create_namedtuple_class(*names),
        converters=model._base_manager.none().query.get_compiler(database).get_converters(columns),
    )


def _plain(queryset: QuerySet[Any, Any]) -> bool:
    """Named rows of one table's own columns, filtered and ordered, nothing else."""
    query = queryset.query
    return (
        queryset._iterable_class is NamedValuesListIterable
        and sum(1 for alias in query.alias_map if query.alias_refcount[alias]) == 1  # no joins
        and not (query.annotations or query.extra or query.extra_order_by or query.distinct or query.select_related)
        and query.combinator is None
        and query.group_by is None
        and not query.is_sliced
        and bool(query.values_select)
    )


@dataclass(frozen=True)
class OneTableRows:
    """A filtered queryset's count and pages, its WHERE clause compiled once."""

    _queryset: QuerySet[Any, Any]
    _connection: BaseDatabaseWrapper
    _where: str
    _params: tuple[Any, ...] | None  # None: the filters match nothing

    @classmethod
    def of(cls, queryset: QuerySet[Any, Any]) -> "OneTableRows | None":
        if not _plain(queryset):
            return None
        connection = connections[queryset.db]
        compiler = queryset.query.get_compiler(connection=connection)
        try:
            sql, params = compiler.compile(queryset.query.where)
        except EmptyResultSet:
            sql, params = "", None  # matches nothing
        except FullResultSet:
            sql, params = "", ()
        return cls(queryset, connection, sql, None if params is None else tuple(params))

    def _from(self) -> str:
        quote, query = self._connection.ops.quote_name, self._queryset.query
        table, alias = query.model._meta.db_table, query.base_table  # type: ignore[union-attr]
        source = quote(table) if alias == table else f"{quote(table)} {quote(alias)}"
        return f"FROM {source} WHERE {self._where}" if self._where else f"FROM {source}"

    def count(self) -> int:
        if self._params is None:
            return 0
        with self._connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) {self._from()}", self._params)
            return int(cursor.fetchone()[0])

    def page(self, ordered: QuerySet[Any, Any], offset: int, limit: int) -> list[Any]:
        """Rows `offset` to `offset + limit` in `ordered`'s order: this queryset, or one that
        differs from it in its ordering only."""
        if self._params is None:
            return []
        query = ordered.query
        columns = _columns(ordered.db, query.model, query.base_table, tuple(query.values_select))
        compiler = query.get_compiler(connection=self._connection)
        order_sql, order_params = [], []
        for _, (sql, params, _) in compiler.get_order_by():
            order_sql.append(sql)
            order_params.extend(params)
        order = f" ORDER BY {', '.join(order_sql)}" if order_sql else ""
        window = self._connection.ops.limit_offset_sql(offset, offset + limit)
        with self._connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns.select} {self._from()}{order} {window}", (*self._params, *order_params))
            found = cursor.fetchall()
        if columns.converters:
            found = compiler.apply_converters(found, columns.converters)
        return [columns.row(*values) for values in found]
