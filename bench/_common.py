"""Helpers shared by the benchmarks: a scratch database on DATABASE_URL's server, timing and percentiles."""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # works without the editable install too
    sys.path.append(str(ROOT / "src"))

from adapters.postgres import database  # noqa: E402

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_SERVER_URL


def with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` (plain postgresql:// form, for psycopg and Settings alike)."""
    return database.sqlalchemy_url(url).set(database=name, drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def scratch_database(prefix: str, *, keep: bool = False) -> Iterator[str]:
    """Creates an empty database on the server, migrated to head; yields its URL; drops it afterwards unless `keep`."""
    server = server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    database.create_database(server, name)
    url = with_database(server, name)
    shown = database.sqlalchemy_url(url).set(drivername="postgresql").render_as_string(hide_password=True)
    print(f"scratch database {shown}", flush=True)
    try:
        with step("migrate to head"):
            database.upgrade(url)
        yield url
    finally:
        if keep:
            print(f"kept database {name}: {url}")
        else:
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            print(f"dropped database {name}")


@contextlib.contextmanager
def step(label: str) -> Iterator[None]:
    """Prints how long a set-up step took."""
    print(f"  {label} …", end="", flush=True)
    started = time.perf_counter()
    yield
    print(f" {time.perf_counter() - started:.1f} s", flush=True)


def skip_row_triggers(connection: psycopg.Connection) -> bool:
    """For the rest of the current transaction, skip per-row triggers, foreign-key checks included, when the role
    may (a superuser: session_replication_role); returns whether it did. For seeds that are consistent by
    construction; constraints backed by indexes (unique, exclusion) still hold."""
    if not connection.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
        return False
    connection.execute("SET LOCAL session_replication_role = replica")
    return True


@contextlib.contextmanager
def indexes_built_after(connection: psycopg.Connection, table: str) -> Iterator[None]:
    """The bulk-load idiom: drops `table`'s indexes and the constraints they back (primary key, unique, exclusion),
    except those a foreign key needs, and builds them again from their own definitions after the block, which is
    much faster than maintaining them row by row. Building an exclusion or unique constraint checks every row."""
    constraints = connection.execute(
        """SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint AS c
            WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u', 'x')
              AND NOT EXISTS (SELECT FROM pg_constraint AS f WHERE f.contype = 'f' AND f.conindid = c.conindid)""",
        (table,),
    ).fetchall()
    indexes = connection.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index AS i
            WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)""",
        (table,),
    ).fetchall()
    for name, _ in constraints:
        connection.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name)))
    for name, _ in indexes:
        connection.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    for name, definition in constraints:
        connection.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(sql.Identifier(table), sql.Identifier(name), sql.SQL(definition))
        )
    for _, definition in indexes:
        connection.execute(sql.SQL(definition))


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 200 samples is the 198th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))


def _cell(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)
