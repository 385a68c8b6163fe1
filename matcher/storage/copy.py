"""Bulk writes on PostgreSQL through COPY (psycopg's ``Cursor.copy``), in the caller's transaction.

COPY streams rows in the server's own input format; psycopg turns each Python value into it
(escaping, NULLs, arrays, dates, UUIDs), so no statement text or array literal is built here.
JSON columns travel as their JSON text and are parsed by the column's type on the server.

* ``insert``: ``COPY table (columns) FROM STDIN``.
* ``update`` and ``upsert``: the rows are copied into a temporary table with the same column
  types (``CREATE TEMP TABLE ... AS SELECT columns FROM table WITH NO DATA``), then one
  ``UPDATE ... FROM`` or ``INSERT ... SELECT ... ON CONFLICT`` moves them; the temporary table is
  dropped at once (and would be at commit anyway).
* ``delete_any``: ``DELETE ... WHERE column = ANY(%s)`` with the values as one array parameter,
  adapted by psycopg.

The connection is an SQLAlchemy ``Connection`` on the psycopg driver (``session.connection()``);
its DBAPI connection carries the transaction, so these writes commit or roll back with the rest.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.engine import Connection

Row = dict[str, Any]
_names = itertools.count()


def _cursor(conn: Connection) -> Any:
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _table(conn: Connection, table: Table) -> str:
    return conn.dialect.identifier_preparer.format_table(table)


def _encoders(conn: Connection, table: Table, columns: Sequence[str]) -> list[bool]:
    return [isinstance(table.c[c].type.dialect_impl(conn.dialect), JSON) for c in columns]


def _copy_into(
    conn: Connection, target: str, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    is_json = _encoders(conn, table, columns)
    names = ", ".join(_quote(conn, c) for c in columns)
    with _cursor(conn) as cur, cur.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c]) if j and row[c] is not None else row[c]
                    for c, j in zip(columns, is_json, strict=True)
                ]
            )


def insert(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (dicts with the columns of the first row)."""
    if rows:
        _copy_into(conn, _table(conn, table), table, list(rows[0]), rows)


def _staged(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row]) -> str:
    """A temporary table with ``columns`` of ``table`` (same types) holding ``rows``."""
    name = _quote(conn, f"_copy_{table.name}_{next(_names)}")
    names = ", ".join(_quote(conn, c) for c in columns)
    with _cursor(conn) as cur:
        cur.execute(
            f"CREATE TEMP TABLE {name} ON COMMIT DROP AS "
            f"SELECT {names} FROM {_table(conn, table)} WITH NO DATA"
        )
    _copy_into(conn, name, table, columns, rows)
    return name


def _drop(conn: Connection, name: str) -> None:
    with _cursor(conn) as cur:
        cur.execute(f"DROP TABLE {name}")


def update(conn: Connection, table: Table, key: str, rows: Sequence[Row]) -> None:
    """Set every other column of each row on the row whose ``key`` column equals its own."""
    if not rows:
        return
    columns = list(rows[0])
    staged = _staged(conn, table, columns, rows)
    q = _quote
    sets = ", ".join(f"{q(conn, c)} = s.{q(conn, c)}" for c in columns if c != key)
    with _cursor(conn) as cur:
        cur.execute(
            f"UPDATE {_table(conn, table)} AS t SET {sets} FROM {staged} AS s "
            f"WHERE t.{q(conn, key)} = s.{q(conn, key)}"
        )
    _drop(conn, staged)


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Row],
    *,
    conflict: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    """Insert ``rows``; a row that conflicts on ``conflict`` updates ``update_columns`` only."""
    if not rows:
        return
    columns = list(rows[0])
    staged = _staged(conn, table, columns, rows)
    q = _quote
    names = ", ".join(q(conn, c) for c in columns)
    sets = ", ".join(f"{q(conn, c)} = EXCLUDED.{q(conn, c)}" for c in update_columns)
    keys = ", ".join(q(conn, c) for c in conflict)
    with _cursor(conn) as cur:
        cur.execute(
            f"INSERT INTO {_table(conn, table)} ({names}) SELECT {names} FROM {staged} "
            f"ON CONFLICT ({keys}) DO UPDATE SET {sets}"
        )
    _drop(conn, staged)


def delete_any(conn: Connection, table: Table, column: str, values: Sequence[Any]) -> None:
    """Delete the rows whose ``column`` is one of ``values`` (one array parameter)."""
    if values:
        with _cursor(conn) as cur:
            cur.execute(
                f"DELETE FROM {_table(conn, table)} WHERE {_quote(conn, column)} = ANY(%s)", (list(values),)
            )
