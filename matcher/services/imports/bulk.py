"""Writing many rows of one table at once, for imports: insert, update by key, delete by key.

Rows are plain dicts of column name to Python value (as the ORM would take them); the columns
are those of the first row. Each call is one round trip per batch, in the caller's transaction.

PostgreSQL: one statement per call whatever the number of rows, with one array parameter per
column, ``INSERT ... SELECT FROM unnest(...)`` and ``UPDATE ... FROM unnest(...)`` (no statement
per row, and no per-row parameter processing in SQLAlchemy or the driver; COPY is not needed).
Each array is sent as the text of an array literal and cast to the column's type by the
server; JSON columns travel as text and are cast back in the statement.

SQLite (in-process, no round trips): the driver's ``executemany``, each value first put
through its column type's bind processor exactly as SQLAlchemy would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, Numeric, Table, Uuid
from sqlalchemy.engine import Connection, Dialect

Row = dict[str, Any]


#: Types whose values print without any character an array literal would need quoted.
_BARE = (Integer, Float, Numeric, Uuid, Boolean)


def _quote(text: str) -> str:
    if '"' in text or "\\" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _array_literal(values: Iterable[Any], *, quoted: bool) -> str:
    """A PostgreSQL array literal, ``{1,NULL,3}`` or ``{"a","b \\"c\\""}``: building the text
    here costs a fraction of the driver's adaptation of a list, element by element."""
    if quoted:
        items = ("NULL" if v is None else _quote(str(v)) for v in values)
    else:
        items = ("NULL" if v is None else str(v) for v in values)
    return "{" + ",".join(items) + "}"


def _is_json(table: Table, column: str, dialect: Dialect) -> bool:
    return isinstance(table.c[column].type.dialect_impl(dialect), JSON)


class BulkWriter:
    """Set-based writes through one connection (``session.connection()``)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        self.postgres = self.dialect.name == "postgresql"
        self._ident = self.dialect.identifier_preparer.quote

    def _table(self, table: Table) -> str:
        return self.dialect.identifier_preparer.format_table(table)

    # PostgreSQL: arrays and unnest ---------------------------------------------------------

    def _array_type(self, table: Table, column: str) -> str:
        if _is_json(table, column, self.dialect):
            return "text[]"
        return f"{table.c[column].type.compile(dialect=self.dialect)}[]"

    def _unnest(self, table: Table, columns: Sequence[str], rows: Sequence[Row]) -> tuple[str, Row]:
        """``unnest(%(p0)s::type[], ...) AS u(p0, ...)`` and its parameters, one array literal
        per column."""
        params: Row = {}
        arrays = []
        for i, name in enumerate(columns):
            values: list[Any] = [r[name] for r in rows]
            if _is_json(table, name, self.dialect):
                values = [None if v is None else json.dumps(v) for v in values]
            params[f"p{i}"] = _array_literal(values, quoted=not isinstance(table.c[name].type, _BARE))
            arrays.append(f"%(p{i})s::{self._array_type(table, name)}")
        aliases = ", ".join(f"p{i}" for i in range(len(columns)))
        return f"unnest({', '.join(arrays)}) AS u({aliases})", params

    def _value(self, table: Table, columns: Sequence[str], name: str) -> str:
        i = list(columns).index(name)
        cast = (
            f"::{table.c[name].type.compile(dialect=self.dialect)}"
            if _is_json(table, name, self.dialect)
            else ""
        )
        return f"u.p{i}{cast}"

    # SQLite: executemany with bind processors ----------------------------------------------

    def _processors(self, table: Table, columns: Sequence[str]) -> list[Callable[[Any], Any] | None]:
        return [table.c[name].type._cached_bind_processor(self.dialect) for name in columns]

    def _tuples(self, table: Table, columns: Sequence[str], rows: Sequence[Row]) -> list[tuple[Any, ...]]:
        procs = self._processors(table, columns)
        if not any(procs):
            return [tuple(r[c] for c in columns) for r in rows]
        pairs = list(zip(columns, procs, strict=True))
        return [tuple(p(r[c]) if p else r[c] for c, p in pairs) for r in rows]

    # ---------------------------------------------------------------------------------------

    def insert(self, table: Table, rows: Sequence[Row]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        names = ", ".join(self._ident(c) for c in columns)
        if self.postgres:
            source, params = self._unnest(table, columns, rows)
            values = ", ".join(self._value(table, columns, c) for c in columns)
            sql = f"INSERT INTO {self._table(table)} ({names}) SELECT {values} FROM {source}"
            self.conn.exec_driver_sql(sql, params)
            return
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {self._table(table)} ({names}) VALUES ({marks})"
        self.conn.exec_driver_sql(sql, self._tuples(table, columns, rows))

    def update(self, table: Table, key: str, rows: Sequence[Row]) -> None:
        """Set every other column of each row on the row whose ``key`` column equals its own."""
        if not rows:
            return
        columns = list(rows[0])
        others = [c for c in columns if c != key]
        if self.postgres:
            source, params = self._unnest(table, columns, rows)
            sets = ", ".join(f"{self._ident(c)} = {self._value(table, columns, c)}" for c in others)
            sql = (
                f"UPDATE {self._table(table)} AS t SET {sets} FROM {source} "
                f"WHERE t.{self._ident(key)} = {self._value(table, columns, key)}"
            )
            self.conn.exec_driver_sql(sql, params)
            return
        sets = ", ".join(f"{self._ident(c)} = ?" for c in others)
        sql = f"UPDATE {self._table(table)} SET {sets} WHERE {self._ident(key)} = ?"
        self.conn.exec_driver_sql(sql, self._tuples(table, [*others, key], rows))

    def delete(self, table: Table, column: str, values: Sequence[Any]) -> None:
        """Delete the rows whose ``column`` is one of ``values``."""
        if not values:
            return
        where = f"DELETE FROM {self._table(table)} WHERE {self._ident(column)}"
        if self.postgres:
            array = self._array_type(table, column)
            literal = _array_literal(values, quoted=not isinstance(table.c[column].type, _BARE))
            self.conn.exec_driver_sql(f"{where} = ANY(%(p0)s::{array})", {"p0": literal})
            return
        self.conn.exec_driver_sql(
            f"{where} = ?", self._tuples(table, [column], [{column: v} for v in values])
        )
