"""Writing many rows of one table at once: insert, upsert, update by key, delete by key (imports,
shortlist entries and their history).

Rows are plain dicts of column name to Python value (as the ORM would take them); the columns
are those of the first row. Each call is one round trip per batch, in the caller's transaction.

PostgreSQL: COPY (``matcher.storage.copy``): inserts stream straight into the table, updates
and upserts through a temporary table and one ``UPDATE ... FROM`` or ``INSERT ... ON
CONFLICT``, deletes with one array parameter; psycopg turns the values into COPY's format (no
statement per row, no hand-built literals).

SQLite (in-process, no round trips): the driver's ``executemany``, each value first put
through its column type's bind processor exactly as SQLAlchemy would; upserts through
SQLAlchemy's ``INSERT ... ON CONFLICT DO UPDATE``, one executemany.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection

from matcher.storage import copy

Row = dict[str, Any]


class BulkWriter:
    """Set-based writes through one connection (``session.connection()``)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        self.postgres = self.dialect.name == "postgresql"
        self._ident = self.dialect.identifier_preparer.quote

    def _table(self, table: Table) -> str:
        return self.dialect.identifier_preparer.format_table(table)

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
            copy.insert(self.conn, table, rows)
            return
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {self._table(table)} ({names}) VALUES ({marks})"
        self.conn.exec_driver_sql(sql, self._tuples(table, columns, rows))

    def upsert(
        self, table: Table, rows: Sequence[Row], *, conflict: Sequence[str], update_columns: Sequence[str]
    ) -> None:
        """Insert ``rows``; a row that conflicts on ``conflict`` updates ``update_columns`` only."""
        if not rows:
            return
        if self.postgres:
            copy.upsert(self.conn, table, rows, conflict=conflict, update_columns=update_columns)
            return
        stmt = sqlite.insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(conflict), set_={name: stmt.excluded[name] for name in update_columns}
        )
        self.conn.execute(stmt, list(rows))

    def update(self, table: Table, key: str, rows: Sequence[Row]) -> None:
        """Set every other column of each row on the row whose ``key`` column equals its own."""
        if not rows:
            return
        columns = list(rows[0])
        others = [c for c in columns if c != key]
        if self.postgres:
            copy.update(self.conn, table, key, rows)
            return
        sets = ", ".join(f"{self._ident(c)} = ?" for c in others)
        sql = f"UPDATE {self._table(table)} SET {sets} WHERE {self._ident(key)} = ?"
        self.conn.exec_driver_sql(sql, self._tuples(table, [*others, key], rows))

    def delete(self, table: Table, column: str, values: Sequence[Any]) -> None:
        """Delete the rows whose ``column`` is one of ``values``."""
        if not values:
            return
        if self.postgres:
            copy.delete_any(self.conn, table, column, values)
            return
        where = f"DELETE FROM {self._table(table)} WHERE {self._ident(column)}"
        self.conn.exec_driver_sql(
            f"{where} = ?", self._tuples(table, [column], [{column: v} for v in values])
        )
