"""cleanup_autosave benchmark: the real use case deletes 1,000,000 old drafts among 1,000,000 fresh ones.

Seeds (set-based SQL) a scratch database, then runs services.autosave.cleanup_autosave through
entrypoints.bootstrap.bootstrap(...).run, exactly as `tutorhub cleanup-autosave --older-than 30` does, timing every
batch with its on_batch callback. Prints rows deleted, total seconds, rows per second and the longest batch, and
checks that every fresh draft is still there. See bench/README.md.

    .venv/bin/python bench/cleanup_autosave.py                        # full size
    .venv/bin/python bench/cleanup_autosave.py --old 50000 --fresh 50000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

import psycopg  # noqa: E402
from psycopg.types.numeric import Int8Dumper  # noqa: E402
from sqlalchemy import event  # noqa: E402

from _common import indexes_built_after, percentile, print_table, scratch_database, skip_row_triggers, step  # noqa: E402

from adapters.postgres.repositories import SqlAlchemyDraftRepository  # noqa: E402
from entrypoints.bootstrap import bootstrap  # noqa: E402
from entrypoints.config import Settings  # noqa: E402
from services import autosave  # noqa: E402

OLD_AGE = timedelta(days=60)

SEED_USERS = """
INSERT INTO users (id, email, password_hash, full_name, role, timezone, locale, created_at, updated_at)
SELECT md5('user:' || n)::uuid, 'user' || n || '@bench.example', 'not a real hash', 'User ' || n, 'student', 'UTC',
       'uk', %(now)s::timestamptz - interval '1 year', %(now)s::timestamptz - interval '1 year'
  FROM generate_series(0, %(users)s - 1) AS n
"""

# Old and fresh drafts interleaved evenly in one pass (row i is old when the running share of old rows steps up),
# so the old ones are spread over the whole heap as they would be after months of use. Old drafts were last updated
# 60 days (plus up to a day) ago, fresh ones within the last day.
SEED_DRAFTS = """
INSERT INTO autosave_drafts (id, user_id, key, data, created_at, updated_at)
SELECT md5('draft:' || i)::uuid, md5('user:' || i %% %(users)s)::uuid, 'lesson:' || i || ':notes',
       jsonb_build_object('text', 'Notes of lesson ' || i || ': ' || repeat('x', 80), 'cursor', i %% 100),
       updated_at - interval '1 day', updated_at
  FROM generate_series(0, %(old)s + %(fresh)s - 1) AS i
 CROSS JOIN LATERAL (
        SELECT ((i + 1) * %(old)s) / (%(old)s + %(fresh)s) > (i * %(old)s) / (%(old)s + %(fresh)s) AS is_old
       ) AS kind
 CROSS JOIN LATERAL (
        SELECT %(now)s::timestamptz - (i %% 86400) * interval '1 second'
               - CASE WHEN is_old THEN %(old_age)s::interval ELSE interval '0' END AS updated_at
       ) AS stamp
"""

COUNTS = """
SELECT count(*) FILTER (WHERE updated_at < %(cutoff)s) AS old, count(*) FILTER (WHERE updated_at >= %(cutoff)s) AS fresh
  FROM autosave_drafts
"""


def seed(url: str, users: int, old: int, fresh: int, now: datetime) -> None:
    params = {"users": users, "old": old, "fresh": fresh, "now": now, "old_age": OLD_AGE}
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SET maintenance_work_mem = '1GB'")
        connection.adapters.register_dumper(int, Int8Dumper)  # not int2, which overflows in products like i * 19990
        with step(f"users ({users:,})"):
            connection.execute(SEED_USERS, params)
        with step(f"autosave_drafts ({old:,} old among {old + fresh:,}), then its indexes"):
            with connection.transaction():
                skip_row_triggers(connection)  # the foreign-key check per row: every owner exists
                with indexes_built_after(connection, "autosave_drafts"):
                    connection.execute(SEED_DRAFTS, params)
        with step("VACUUM ANALYZE, CHECKPOINT"):
            connection.execute("VACUUM ANALYZE")
            connection.execute("CHECKPOINT")


def counts(url: str, cutoff: datetime) -> tuple[int, int]:
    with psycopg.connect(url) as connection:
        return connection.execute(COUNTS, {"cutoff": cutoff}).fetchone()


def explain_one_batch(container, cutoff: datetime, batch_size: int) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the DELETE the repository really sends for one batch, rolled back."""
    plan: list[str] = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("DELETE"):
            statement = "EXPLAIN (ANALYZE, BUFFERS) " + statement
        return statement, parameters

    def fetch(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("EXPLAIN"):
            plan.extend(line for (line,) in cursor.fetchall())

    engine = container.engine
    event.listen(engine, "before_cursor_execute", explain, retval=True)
    event.listen(engine, "after_cursor_execute", fetch)
    try:
        uow = container.uow_factory()
        with uow:
            SqlAlchemyDraftRepository(uow.session).delete_older_than(cutoff, batch_size)
            uow.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", explain)
        event.remove(engine, "after_cursor_execute", fetch)
    return "\n".join(plan)


def run(url: str, older_than: int, batch_size: int, expected_old: int, expected_fresh: int) -> bool:
    settings = Settings(database_url=url, secret_key="bench-secret", log_level="WARNING")
    container = bootstrap(settings)
    # The use case computes the same cutoff from its clock a moment later; nothing lies near it (old drafts are
    # 60-61 days old, fresh ones at most a day), so the counts below are not sensitive to the difference.
    cutoff = datetime.now(UTC) - timedelta(days=older_than)

    print()
    print(f"EXPLAIN (ANALYZE, BUFFERS) of one batch of {batch_size:,} (rolled back):")
    print(explain_one_batch(container, cutoff, batch_size))

    batches: list[float] = []
    sizes: list[int] = []
    last = time.perf_counter()

    def on_batch(deleted: int) -> None:
        nonlocal last
        now = time.perf_counter()
        batches.append((now - last) * 1000)
        sizes.append(deleted)
        last = now

    started = last = time.perf_counter()
    deleted = container.run(autosave.cleanup_autosave, older_than, batch_size=batch_size, on_batch=on_batch)
    total = time.perf_counter() - started

    again_started = time.perf_counter()
    again = container.run(autosave.cleanup_autosave, older_than, batch_size=batch_size)
    again_ms = (time.perf_counter() - again_started) * 1000
    container.close()

    old_left, fresh_left = counts(url, cutoff)
    longest = max(range(len(batches)), key=batches.__getitem__)
    full = [ms for ms, size in zip(batches, sizes) if size] or [0.0]
    print()
    print(f"cleanup_autosave --older-than {older_than} --batch-size {batch_size:,} (bootstrap(...).run, real use case)")
    print_table(
        ["figure", "value"],
        [
            ["rows deleted", f"{deleted:,}"],
            ["batches (the last finds nothing left)", f"{len(batches):,}"],
            ["total seconds", round(total, 2)],
            ["rows per second", f"{deleted / total:,.0f}"],
            ["longest batch ms", f"{batches[longest]:.1f} (batch {longest + 1}, {sizes[longest]:,} rows)"],
            ["longest batch that deleted rows ms", round(max(full), 1)],
            ["median batch ms", round(percentile(batches, 50), 1)],
            ["p99 batch ms", round(percentile(batches, 99), 1)],
            ["first / last full batch ms", f"{batches[0]:.1f} / {batches[max(0, len(batches) - 2)]:.1f}"],
            ["second run: deleted, ms", f"{again}, {again_ms:.1f}"],
            ["old drafts left", f"{old_left:,}"],
            ["fresh drafts left", f"{fresh_left:,} of {expected_fresh:,}"],
        ],
    )
    ok = deleted == expected_old and again == 0 and old_left == 0 and fresh_left == expected_fresh
    print("OK: every old draft deleted, every fresh draft kept" if ok else "!! counts do not match")
    return ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=int, default=1_000_000, help="drafts last updated 60 days ago (default 1,000,000)")
    parser.add_argument("--fresh", type=int, default=1_000_000, help="drafts updated within a day (default 1,000,000)")
    parser.add_argument("--users", type=int, default=10_000, help="owners of the drafts (default 10,000)")
    parser.add_argument("--older-than", type=int, default=30, help="days, as the command's --older-than (default 30)")
    parser.add_argument("--batch-size", type=int, default=5000, help="rows per transaction (default 5,000)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (its URL is printed)")
    args = parser.parse_args(argv)
    if not 1 <= args.older_than < OLD_AGE.days:
        parser.error(f"--older-than must be between 1 and {OLD_AGE.days - 1} days for the seeded data")
    if args.batch_size < 1 or args.users < 1 or args.old < 0 or args.fresh < 0:
        parser.error("sizes must be positive")

    started = time.perf_counter()
    with scratch_database("tutorhub_bench_cleanup", keep=args.keep) as url:
        seed(url, args.users, args.old, args.fresh, datetime.now(UTC))
        ok = run(url, args.older_than, args.batch_size, args.old, args.fresh)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
