"""Lessons calendar benchmark: GET /api/lessons/my/ through the real Flask app, next to the same SQL run bare.

Seeds (set-based SQL) 1,000,000 lessons for 100,000 users in a scratch database, then prints p50/p99 latencies for
a busy user's late one-week window, a busy user's full 500-event window (has_more_events true) and random users'
windows, and the EXPLAIN (ANALYZE, BUFFERS) of the busy user's late week. See bench/README.md.

    .venv/bin/python bench/calendar.py                       # full size, a few minutes
    .venv/bin/python bench/calendar.py --lessons 20000 --users 2000 --requests 50
"""

from __future__ import annotations

import os
import sys

# This file is named like the standard library's `calendar`, which Flask and psycopg import: keep our directory
# off the front of sys.path so they get the real one (and `_common` is still found, from the end).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]

import argparse  # noqa: E402
import gc  # noqa: E402
import hashlib  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from uuid import UUID  # noqa: E402

import psycopg  # noqa: E402
from psycopg.types.numeric import Int8Dumper  # noqa: E402

from _common import indexes_built_after, percentile, print_table, scratch_database, skip_row_triggers, step  # noqa: E402

from adapters.postgres.read_models import calendar_query  # noqa: E402
from adapters.security import Argon2PasswordHasher  # noqa: E402
from entrypoints.bootstrap import bootstrap  # noqa: E402
from entrypoints.config import Settings  # noqa: E402
from services.lessons import MAX_CALENDAR_EVENTS  # noqa: E402

PASSWORD = "bench password"
STUDENTS_PER_BUSY_TUTOR = 5
BUSY_SPACING = timedelta(hours=2)  # busy tutors: 1-hour lessons back to back with a 1-hour gap
WEEK = timedelta(days=7)
YEAR_WINDOW = timedelta(days=366)
TOPICS = 50
INDEX = "ix_lesson_participants_user_id_utc_start"


@dataclass(frozen=True)
class Layout:
    """Who teaches whom and when. Every participant has at most one lesson per slot, so nothing overlaps.

    Users 0..tutors-1 are tutors, the rest students. Tutors 0..busy-1 are busy: `busy_lessons` 1-hour lessons every
    2 hours, each with one of their 5 dedicated students (students 0..5*busy-1). The other lessons go, week by week
    ("slots"), one per regular tutor: in slot j, regular tutor r teaches regular student (r + R*(j mod m)) mod S
    (R regular tutors, S regular students, m = ceil(S/R)), so within a slot the students are distinct too and each
    tutor keeps m students; its start is at hour (r mod 144) of the week, so slots never overlap each other.
    """

    users: int
    lessons: int
    busy: int
    busy_lessons: int
    base: datetime
    now: datetime

    @property
    def tutors(self) -> int:
        return self.users // 5

    @property
    def students(self) -> int:
        return self.users - self.tutors

    @property
    def regular_tutors(self) -> int:
        return self.tutors - self.busy

    @property
    def regular_students(self) -> int:
        return self.students - STUDENTS_PER_BUSY_TUTOR * self.busy

    @property
    def regular_lessons(self) -> int:
        return self.lessons - self.busy * self.busy_lessons

    @property
    def slots(self) -> int:
        return math.ceil(self.regular_lessons / self.regular_tutors)

    @property
    def busy_end(self) -> datetime:
        return self.base + self.busy_lessons * BUSY_SPACING

    def params(self) -> dict[str, object]:
        return {
            "users": self.users,
            "tutors": self.tutors,
            "busy": self.busy,
            "busy_lessons": self.busy_lessons,
            "per_busy": STUDENTS_PER_BUSY_TUTOR,
            "regular_tutors": self.regular_tutors,
            "regular_students": self.regular_students,
            "regular_lessons": self.regular_lessons,
            "m": math.ceil(self.regular_students / self.regular_tutors),
            "base": self.base,
            "now": self.now,
            "topics": TOPICS,
        }


SEED_USERS = """
INSERT INTO users (id, email, password_hash, full_name, role, timezone, locale, bio, is_active, created_at, updated_at, headline)
SELECT md5('user:' || n)::uuid,
       CASE WHEN n < %(tutors)s THEN 'tutor' ELSE 'student' END || n || '@bench.example',
       %(password_hash)s,
       CASE WHEN n < %(tutors)s THEN 'Tutor ' ELSE 'Student ' END || n,
       CASE WHEN n < %(tutors)s THEN 'tutor' ELSE 'student' END,
       'UTC', CASE WHEN n %% 2 = 0 THEN 'uk' ELSE 'en' END, '', true,
       %(base)s::timestamptz - interval '90 days', %(base)s::timestamptz - interval '90 days',
       CASE WHEN n < %(tutors)s THEN 'Tutor of topic ' || n %% %(topics)s ELSE '' END
  FROM generate_series(0, %(users)s - 1) AS n
"""

SEED_TOPICS = """
INSERT INTO topics (id, name, slug, created_at)
SELECT md5('topic:' || n)::uuid, 'Topic ' || n, 'topic-' || n, %(base)s::timestamptz - interval '100 days'
  FROM generate_series(0, %(topics)s - 1) AS n;
INSERT INTO tutor_topics (tutor_id, topic_id)
SELECT md5('user:' || t)::uuid, md5('topic:' || ((t + k * 7) %% %(topics)s))::uuid
  FROM generate_series(0, %(tutors)s - 1) AS t, generate_series(0, 1) AS k
"""

# Regular and busy lessons in one statement, inserted in order of start time (roughly the order people book them),
# so a busy tutor's lessons lie scattered over the heap as they would in production.
SEED_LESSONS = """
INSERT INTO lessons (id, tutor_id, student_id, topic_id, title, description, utc_start, utc_end, status, series_id,
                     cancel_reason, created_by, created_at, updated_at, version)
WITH planned AS (
    SELECT 'r' || i AS key, i AS n,
           %(busy)s + i %% %(regular_tutors)s AS tutor,
           %(tutors)s + %(busy)s * %(per_busy)s
             + ((i %% %(regular_tutors)s) + %(regular_tutors)s * ((i / %(regular_tutors)s) %% %(m)s)) %% %(regular_students)s
             AS student,
           %(base)s::timestamptz + (i / %(regular_tutors)s) * interval '7 days'
             + ((i %% %(regular_tutors)s) %% 144) * interval '1 hour' AS utc_start,
           CASE WHEN i %% 4 = 0 THEN interval '90 minutes' ELSE interval '1 hour' END AS duration,
           NULL::uuid AS series_id
      FROM generate_series(0, %(regular_lessons)s - 1) AS i
    UNION ALL
    SELECT 'b' || g, g,
           g / %(busy_lessons)s,
           %(tutors)s + (g / %(busy_lessons)s) * %(per_busy)s + (g %% %(busy_lessons)s) %% %(per_busy)s,
           %(base)s::timestamptz + (g %% %(busy_lessons)s) * interval '2 hours',
           interval '1 hour',
           md5('series:' || (g / %(busy_lessons)s))::uuid
      FROM generate_series(0, %(busy)s * %(busy_lessons)s - 1) AS g
)
SELECT md5('lesson:' || key)::uuid, md5('user:' || tutor)::uuid, md5('user:' || student)::uuid,
       CASE WHEN n %% 3 = 0 THEN NULL ELSE md5('topic:' || n %% %(topics)s)::uuid END,
       'Lesson ' || key, '', utc_start, utc_start + duration,
       CASE WHEN n %% 10 = 0 THEN 'cancelled' WHEN utc_start + duration <= %(now)s THEN 'completed' ELSE 'scheduled' END,
       series_id,
       CASE WHEN n %% 10 = 0 THEN 'bench' END,
       md5('user:' || tutor)::uuid,
       LEAST(utc_start - interval '7 days', %(now)s), LEAST(utc_start - interval '7 days', %(now)s), 1
  FROM planned
 ORDER BY utc_start, key
"""

# What the trigger of migration 0002 would have written, in one statement.
SEED_PARTICIPANTS = """
INSERT INTO lesson_participants (lesson_id, user_id, utc_start, utc_end, status)
SELECT l.id, p.user_id, l.utc_start, l.utc_end, l.status
  FROM lessons AS l CROSS JOIN LATERAL (VALUES (l.tutor_id), (l.student_id)) AS p (user_id)
"""

SEED_RELATIONS = """
INSERT INTO relations (id, tutor_id, student_id, student_email, status, created_at, responded_at, version)
SELECT md5('relation:' || p.tutor_id || p.student_id)::uuid, p.tutor_id, p.student_id, u.email, 'accepted',
       %(base)s::timestamptz - interval '30 days', %(base)s::timestamptz - interval '29 days', 1
  FROM (SELECT DISTINCT tutor_id, student_id FROM lessons) AS p JOIN users AS u ON u.id = p.student_id
"""

CHECKS = """
SELECT (SELECT count(*) FROM lessons) AS lessons,
       (SELECT count(*) FROM lesson_participants) AS participants,
       (SELECT count(*) FROM users) AS users,
       (SELECT count(*) FROM relations) AS relations,
       (SELECT count(*) FROM lessons AS l WHERE NOT EXISTS (SELECT FROM users AS u WHERE u.id = l.tutor_id)
                                          OR NOT EXISTS (SELECT FROM users AS u WHERE u.id = l.student_id)) AS orphans,
       (SELECT string_agg(status || '=' || n, ' ' ORDER BY status)
          FROM (SELECT status, count(*) AS n FROM lessons GROUP BY status) AS s) AS statuses
"""


def seed(url: str, layout: Layout) -> None:
    params = layout.params() | {"password_hash": Argon2PasswordHasher().hash(PASSWORD)}
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SET work_mem = '256MB'")
        connection.execute("SET maintenance_work_mem = '1GB'")
        connection.adapters.register_dumper(int, Int8Dumper)  # not int2, which overflows in products like i * 19990
        with step(f"users ({layout.users:,}: {layout.tutors:,} tutors, {layout.students:,} students) and topics"):
            connection.execute(SEED_USERS, params)
            for statement in SEED_TOPICS.split(";"):
                connection.execute(statement, params)
        with connection.transaction():
            # The data are consistent by construction, so skip the per-row triggers: the participants trigger (we
            # write its rows below in one statement) and the foreign-key checks; and build lesson_participants'
            # indexes after its load. The exclusion constraint still holds: building it checks every row.
            if skip_row_triggers(connection):
                how = "triggers and FK checks off"
            else:  # the table's owner may still switch off its own trigger
                connection.execute("ALTER TABLE lessons DISABLE TRIGGER lessons_sync_participants")
                how = "sync trigger off"
            with step(f"lessons ({layout.lessons:,}; {layout.busy} busy tutors × {layout.busy_lessons:,}; {how})"):
                connection.execute(SEED_LESSONS, params)
            with step("lesson_participants (one INSERT … SELECT), then its indexes and exclusion constraint"):
                with indexes_built_after(connection, "lesson_participants"):
                    connection.execute(SEED_PARTICIPANTS)
            if how == "sync trigger off":
                connection.execute("ALTER TABLE lessons ENABLE TRIGGER lessons_sync_participants")
        with step("accepted relations for every pair"):
            connection.execute(SEED_RELATIONS, params)
        with step("VACUUM ANALYZE, CHECKPOINT"):
            connection.execute("VACUUM ANALYZE")
            connection.execute("CHECKPOINT")
        row = connection.execute(CHECKS).fetchone()
    lessons, participants, users, relations, orphans, statuses = row
    print(f"  seeded: {lessons:,} lessons ({statuses}), {participants:,} participant rows, {users:,} users, "
          f"{relations:,} accepted relations")
    assert lessons == layout.lessons and participants == 2 * lessons and orphans == 0, row


@dataclass
class Scenario:
    label: str
    # One (user n, from, to) per request; users cycle and windows vary for the random-user scenarios.
    requests: list[tuple[int, datetime, datetime]]
    expect_full_page: bool = False


def scenarios(layout: Layout, requests: int, rng: random.Random) -> list[Scenario]:
    busy_late_week = (0, layout.busy_end - WEEK, layout.busy_end)
    # The last 600 of the busy tutor's lessons: more than a page, so 500 come back with has_more_events true.
    many = min(layout.busy_lessons, MAX_CALENDAR_EVENTS + 100)
    busy_full = (0, layout.busy_end - many * BUSY_SPACING, layout.busy_end)
    span = layout.slots * WEEK
    regular = [rng.randrange(layout.busy, layout.tutors) for _ in range(10)]
    regular += [layout.tutors + rng.randrange(layout.busy * STUDENTS_PER_BUSY_TUTOR, layout.students) for _ in range(10)]

    def random_week(n: int) -> tuple[int, datetime, datetime]:
        start = layout.base + timedelta(hours=rng.randrange(int(span / timedelta(hours=1))))
        return n, start, start + WEEK

    return [
        Scenario("busy tutor, late 1-week window", [busy_late_week] * requests),
        Scenario(f"busy tutor, {many}-lesson window (page of 500)", [busy_full] * requests, expect_full_page=True),
        Scenario("20 random users, random 1-week window", [random_week(regular[i % 20]) for i in range(requests)]),
        Scenario(
            "20 random users, 366-day window (all theirs)",
            [(regular[i % 20], layout.base, layout.base + YEAR_WINDOW) for i in range(requests)],
        ),
    ]


def email(layout: Layout, n: int) -> str:
    return f"{'tutor' if n < layout.tutors else 'student'}{n}@bench.example"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def timed(calls: Sequence[Callable[[], tuple[float, int]]], warmup: int) -> tuple[list[float], list[int]]:
    """Runs `warmup` untimed calls, then all; each call returns (milliseconds it took, events it got)."""
    for call in calls[:warmup]:
        call()
    results = [call() for call in calls]
    return [ms for ms, _ in results], [count for _, count in results]


def stopwatch() -> Callable[[], float]:
    started = time.perf_counter()
    return lambda: (time.perf_counter() - started) * 1000


def measure(url: str, layout: Layout, requests: int, seed_value: int, gc_freeze: bool) -> None:
    from entrypoints.http.app import create_app

    settings = Settings(database_url=url, secret_key="bench-secret", log_level="WARNING")
    container = bootstrap(settings)
    app = create_app(settings, container=container)
    client = app.test_client()
    plan = scenarios(layout, requests, random.Random(seed_value))

    tokens: dict[int, str] = {}
    users = sorted({n for scenario in plan for n, _, _ in scenario.requests})
    with step(f"log in {len(users)} users through POST /api/auth/login/"):
        for n in users:
            response = client.post("/api/auth/login/", json={"email": email(layout, n), "password": PASSWORD})
            assert response.status_code == 200, response.get_json()
            tokens[n] = response.get_json()["token"]

    def http_call(n: int, start: datetime, end: datetime, full: bool) -> Callable[[], tuple[float, int]]:
        path = f"/api/lessons/my/?from={iso(start)}&to={iso(end)}"
        headers = {"Authorization": f"Bearer {tokens[n]}"}

        def call() -> tuple[float, int]:
            elapsed = stopwatch()
            response = client.get(path, headers=headers)  # the whole response is built by the time it returns
            ms = elapsed()
            if response.status_code != 200:
                raise AssertionError(response.get_data(as_text=True))
            body = response.get_json()
            if full:
                assert len(body["results"]) == MAX_CALENDAR_EVENTS and body["has_more_events"], body["has_more_events"]
            return ms, len(body["results"])

        return call

    dialect = container.engine.dialect
    bare = psycopg.connect(url, autocommit=True)

    def sql_call(n: int, start: datetime, end: datetime) -> Callable[[], tuple[float, int]]:
        compiled = calendar_query(user_uuid(n), start, end, MAX_CALENDAR_EVENTS + 1).compile(dialect=dialect)
        statement, params = str(compiled), compiled.params

        def call() -> tuple[float, int]:
            elapsed = stopwatch()
            rows = bare.execute(statement, params).fetchall()
            return elapsed(), len(rows)

        return call

    if gc_freeze:  # move everything allocated so far out of the collector's reach, as a preloaded worker may
        gc.collect()
        gc.freeze()
    rows = []
    for scenario in plan:
        http_ms, http_counts = timed(
            [http_call(n, a, b, scenario.expect_full_page) for n, a, b in scenario.requests], warmup=10
        )
        sql_ms, _ = timed([sql_call(n, a, b) for n, a, b in scenario.requests], warmup=10)
        rows.append([
            scenario.label, len(http_ms), round(statistics.mean(http_counts), 1),
            percentile(http_ms, 50), percentile(http_ms, 99),
            percentile(sql_ms, 50), percentile(sql_ms, 99),
        ])

    print()
    print("GET /api/lessons/my/ (Flask test client, real app and token) vs the same SQL bare through psycopg, in ms")
    print_table(["window", "requests", "events", "HTTP p50", "HTTP p99", "SQL p50", "SQL p99"], rows)
    print("(events: mean results per response; the bare SQL fetches one row more than the page, as the app does)")

    n, start, end = plan[0].requests[0]
    compiled = calendar_query(user_uuid(n), start, end, MAX_CALENDAR_EVENTS + 1).compile(dialect=dialect)
    explain = bare.execute("EXPLAIN (ANALYZE, BUFFERS) " + str(compiled), compiled.params).fetchall()
    print()
    print(f"EXPLAIN (ANALYZE, BUFFERS) of the busy tutor's late week [{iso(start)}, {iso(end)}):")
    text = "\n".join(line for (line,) in explain)
    print(text)
    if f"Index Only Scan using {INDEX}" in text or f"Index Scan using {INDEX}" in text:
        print(f"-> one index range scan on {INDEX}")
    else:
        print(f"!! the plan does NOT range-scan {INDEX}")
    bare.close()
    container.close()


def user_uuid(n: int) -> UUID:
    """The id SEED_USERS gives user number n: md5('user:' || n)::uuid."""
    return UUID(hashlib.md5(f"user:{n}".encode()).hexdigest())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lessons", type=int, default=1_000_000, help="lessons to seed (default 1,000,000)")
    parser.add_argument("--users", type=int, default=100_000, help="users to seed, 1 in 5 a tutor (default 100,000)")
    parser.add_argument("--busy", type=int, default=10, help="busy tutors (default 10)")
    parser.add_argument(
        "--busy-lessons", type=int, default=10_000,
        help="lessons of each busy tutor (default 10,000, at most half of --lessons shared among them)",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per window (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the users and windows picked")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (its URL is printed)")
    parser.add_argument(
        "--gc-freeze", action="store_true",
        help="gc.freeze() before timing: the rare ~70-100 ms p99 outliers are Python's cyclic GC, not PostgreSQL",
    )
    args = parser.parse_args(argv)

    busy_lessons = min(args.busy_lessons, args.lessons // 2 // args.busy)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    layout = Layout(
        users=args.users, lessons=args.lessons, busy=args.busy, busy_lessons=busy_lessons,
        base=now - timedelta(weeks=24), now=now,
    )
    if layout.regular_students < layout.regular_tutors or layout.regular_tutors < 1:
        parser.error("too few users for that many busy tutors")
    if busy_lessons < MAX_CALENDAR_EVENTS + 1:
        parser.error(f"busy tutors need more than {MAX_CALENDAR_EVENTS} lessons: raise --lessons or lower --busy")
    if not 1 <= args.requests <= 10_000:
        parser.error("--requests must be between 1 and 10,000")

    started = time.perf_counter()
    with scratch_database("tutorhub_bench_calendar", keep=args.keep) as url:
        seed(url, layout)
        measure(url, layout, args.requests, args.seed, args.gc_freeze)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
