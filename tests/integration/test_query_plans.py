"""Query plans on real PostgreSQL: every read-model list/read and every hot-path repository query uses its index.

Each test seeds a few thousand to a few tens of thousands of rows with set-based SQL, runs VACUUM ANALYZE, calls
the real read model or repository method while an engine event captures the SQL it sends (so the statements tested
are exactly the application's, sqlakeyset's keyset conditions and all), then runs EXPLAIN (FORMAT JSON) on that SQL
with the same parameters and walks the plan for the index it should use. No planner setting is changed (no
enable_seqscan = off): the tables are big enough for the planner to choose the index by itself, as it does on
production volumes. (With only a few thousand lessons or users it rightly prefers to scan or hash a tiny table.)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from psycopg import sql as pg_sql
from sqlalchemy import event
from sqlalchemy.orm import Session

from adapters.postgres.read_models import SqlAlchemyReadModel, calendar_query
from adapters.postgres.repositories import (
    SqlAlchemyAuthTokenRepository,
    SqlAlchemyDraftRepository,
    SqlAlchemyLessonRepository,
    SqlAlchemyUserRepository,
)
from services.pagination import PageRequest

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BASE = NOW - timedelta(weeks=30)  # the busy tutor's first lesson

TUTORS, STUDENTS, TOPICS, TUTOR_TOPICS = 1000, 20_000, 2000, 50
WEEKS = 10  # every other tutor teaches a lesson a week for WEEKS weeks
TOKENS, DRAFTS = 10_000, 20_000
BUSY_LESSONS = 2000  # the busy tutor (user 0): one hour every two hours, from BASE on
INDEX_NODES = {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}


def uid(kind: str, n: int) -> UUID:
    """The id the seed SQL gives row n of a kind: md5('<kind>:<n>')::uuid."""
    return UUID(hashlib.md5(f"{kind}:{n}".encode()).hexdigest())


def student(n: int) -> UUID:
    return uid("user", TUTORS + n)


# --- seeding (set-based) ------------------------------------------------------------------------------------------

SEED_USERS = """
INSERT INTO users (id, email, password_hash, full_name, role, timezone, locale, created_at, updated_at, headline, is_active)
SELECT md5('user:' || n)::uuid, 'user' || n || '@example.com', 'not a hash',
       'Person ' || lpad(n::text, 5, '0'), CASE WHEN n < :tutors THEN 'tutor' ELSE 'student' END, 'UTC', 'uk',
       :now - n * interval '1 minute', :now - n * interval '1 minute', '', n % 50 <> 7
  FROM generate_series(0, :tutors + :students - 1) AS n
"""
SEED_TOPICS = """
INSERT INTO topics (id, name, slug, created_at)
SELECT md5('topic:' || n)::uuid, 'Topic ' || lpad(n::text, 5, '0'), 'topic-' || n, :now
  FROM generate_series(0, :topics - 1) AS n;
INSERT INTO tutor_topics (tutor_id, topic_id)
SELECT md5('user:' || t)::uuid, md5('topic:' || (t + k * 17) % :tutor_topics)::uuid
  FROM generate_series(0, :tutors - 1) AS t, generate_series(0, 2) AS k
"""
# Every tutor invites 4 students (pending, accepted, declined or cancelled), one of them by an email with no account.
SEED_RELATIONS = """
INSERT INTO relations (id, tutor_id, student_id, student_email, status, created_at, version)
SELECT md5('relation:' || t || ':' || k)::uuid, md5('user:' || t)::uuid,
       CASE WHEN k = 3 THEN NULL ELSE md5('user:' || (:tutors + (t * 4 + k) % :students))::uuid END,
       CASE WHEN k = 3 THEN 'invited' || t || '@example.com' ELSE 'user' || (:tutors + (t * 4 + k) % :students) || '@example.com' END,
       (ARRAY['pending', 'accepted', 'declined', 'cancelled'])[1 + (t + k) % 4],
       :now - (t * 4 + k) * interval '1 minute', 1
  FROM generate_series(0, :tutors - 1) AS t, generate_series(0, 3) AS k
"""
# The busy tutor's lessons with 5 students of their own, then a lesson a week for every other tutor with a student
# of their own. lesson_participants gets the rows the trigger of migration 0002 would write, in one statement
# (row by row, the trigger takes seconds for this many lessons).
SEED_LESSONS = """
INSERT INTO lessons (id, tutor_id, student_id, title, utc_start, utc_end, status, created_by, created_at, updated_at, version)
SELECT md5('lesson:' || n)::uuid, md5('user:' || tutor)::uuid, md5('user:' || student)::uuid, 'Lesson ' || n,
       start, start + interval '1 hour',
       CASE WHEN n % 10 = 0 THEN 'cancelled' WHEN start < :now THEN 'completed' ELSE 'scheduled' END,
       md5('user:' || tutor)::uuid, :now - interval '30 days', :now - interval '30 days', 1
  FROM (
        SELECT k AS n, 0 AS tutor, :tutors + k % 5 AS student, :base + k * interval '2 hours' AS start
          FROM generate_series(0, :busy - 1) AS k
        UNION ALL
        SELECT :busy + t * :weeks + w, t, :tutors + 5 + t, :now + (t % 24 + (w - :weeks / 2) * 168) * interval '1 hour'
          FROM generate_series(1, :tutors - 1) AS t, generate_series(0, :weeks - 1) AS w
       ) AS planned
"""
SEED_PARTICIPANTS = """
INSERT INTO lesson_participants (lesson_id, user_id, utc_start, utc_end, status)
SELECT l.id, p.user_id, l.utc_start, l.utc_end, l.status
  FROM lessons AS l CROSS JOIN LATERAL (VALUES (l.tutor_id), (l.student_id)) AS p (user_id)
"""
SEED_TOKENS = """
INSERT INTO auth_tokens (id, user_id, token_hash, created_at, expires_at)
SELECT md5('token:' || n)::uuid, md5('user:' || n % (:tutors + :students))::uuid,
       sha256(('token:' || n)::bytea), :now, :now + interval '30 days'
  FROM generate_series(0, :tokens - 1) AS n
"""
# Drafts of every user; one in ten was last touched 60 days ago.
SEED_DRAFTS = """
INSERT INTO autosave_drafts (id, user_id, key, data, created_at, updated_at)
SELECT md5('draft:' || n)::uuid, md5('user:' || n % (:tutors + :students))::uuid, 'lesson:' || n || '\\:notes',
       '{"text": "notes"}', stamp, stamp
  FROM generate_series(0, :drafts - 1) AS n,
       LATERAL (SELECT :now - CASE WHEN n % 10 = 0 THEN interval '60 days' ELSE interval '1 day' END
                       - n * interval '1 second' AS stamp) AS s
"""

SEEDS = {
    "users": [SEED_USERS],
    "topics": SEED_TOPICS.split(";"),
    "relations": [SEED_RELATIONS],
    "lessons": [
        "ALTER TABLE lessons DISABLE TRIGGER lessons_sync_participants",
        SEED_LESSONS,
        SEED_PARTICIPANTS,
        "ALTER TABLE lessons ENABLE TRIGGER lessons_sync_participants",
    ],
    "tokens": [SEED_TOKENS],
    "drafts": [SEED_DRAFTS],
}
PARAMS = {
    "tutors": TUTORS,
    "students": STUDENTS,
    "topics": TOPICS,
    "tutor_topics": TUTOR_TOPICS,
    "busy": BUSY_LESSONS,
    "weeks": WEEKS,
    "tokens": TOKENS,
    "drafts": DRAFTS,
    "now": NOW,
    "base": BASE,
}


def seed(engine: sa.Engine, *parts: str) -> None:
    """Users plus the named parts, then VACUUM ANALYZE (as autovacuum would) so the planner knows the sizes."""
    with engine.begin() as connection:
        for part in ("users", *parts):
            for statement in SEEDS[part]:
                connection.execute(sa.text(statement), {k: v for k, v in PARAMS.items() if f":{k}" in statement})
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


# --- capturing SQL and reading plans ------------------------------------------------------------------------------


@contextlib.contextmanager
def captured_sql(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every (statement, parameters) the engine sends to the driver inside the block."""
    statements: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def first_query(statements: list[tuple[str, Any]], starts_with: str = "SELECT") -> tuple[str, Any]:
    """The first statement of that kind (an ORM load may follow it with a selectin load of a relationship)."""
    matching = [(s, p) for s, p in statements if s.lstrip().upper().startswith(starts_with)]
    assert matching, f"no {starts_with} statement among: {[s for s, _ in statements]}"
    return matching[0]


def explain(engine: sa.Engine, statement: str, parameters: Any) -> dict[str, Any]:
    with engine.connect() as connection:
        (document,) = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).one()
        connection.rollback()
    if isinstance(document, str):
        document = json.loads(document)
    return document[0]["Plan"]


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def outline(plan: dict[str, Any], depth: int = 0) -> str:
    """The plan as an indented outline, for assertion messages."""
    where = " ".join(
        f"{key}={plan[key]}" for key in ("Relation Name", "Index Name", "Index Cond", "Filter", "Subplan Name") if key in plan
    )
    lines = [f"{'  ' * depth}{plan['Node Type']} {where}".rstrip()]
    lines += [outline(child, depth + 1) for child in plan.get("Plans", ())]
    return "\n".join(lines)


def index_scans(plan: dict[str, Any], index: str) -> list[dict[str, Any]]:
    return [node for node in nodes(plan) if node["Node Type"] in INDEX_NODES and node.get("Index Name") == index]


def assert_uses_index(plan: dict[str, Any], index: str) -> dict[str, Any]:
    found = index_scans(plan, index)
    assert found, f"the plan does not use {index}:\n{outline(plan)}"
    return found[0]


def assert_no_seq_scan(plan: dict[str, Any], *tables: str) -> None:
    scanned = {node["Relation Name"] for node in nodes(plan) if node["Node Type"] == "Seq Scan"}
    assert not scanned & set(tables), f"sequential scan of {sorted(scanned & set(tables))}:\n{outline(plan)}"


def plan_of_call(engine: sa.Engine, call: Callable[[], Any], starts_with: str = "SELECT") -> dict[str, Any]:
    """Runs the application's method and returns the plan of the first statement of that kind it sent."""
    with captured_sql(engine) as statements:
        call()
    return explain(engine, *first_query(statements, starts_with))


# --- the read model -----------------------------------------------------------------------------------------------


@pytest.fixture
def read_model(engine: sa.Engine) -> SqlAlchemyReadModel:
    return SqlAlchemyReadModel(engine)


def test_topics_pages_walk_the_name_index(engine, read_model):
    seed(engine, "topics")
    first = plan_of_call(engine, lambda: read_model.topics(PageRequest()))
    cursor = read_model.topics(PageRequest()).next_cursor
    later = plan_of_call(engine, lambda: read_model.topics(PageRequest(cursor=cursor)))

    for plan in (first, later):
        assert_uses_index(plan, "uq_topics_lower_name")
        assert_no_seq_scan(plan, "topics")
    # The keyset condition of a later page is an index condition, not a filter over the rows before it.
    assert "lower" in assert_uses_index(later, "uq_topics_lower_name").get("Index Cond", ""), outline(later)


def test_topic_by_id_uses_the_primary_key(engine, read_model):
    seed(engine, "topics")
    plan = plan_of_call(engine, lambda: read_model.topic(uid("topic", 42)))
    assert_uses_index(plan, "pk_topics")


def test_tutor_directory_walks_the_partial_name_index(engine, read_model):
    seed(engine, "topics")
    first = plan_of_call(engine, lambda: read_model.tutors(None, PageRequest()))
    cursor = read_model.tutors(None, PageRequest()).next_cursor
    later = plan_of_call(engine, lambda: read_model.tutors(None, PageRequest(cursor=cursor)))

    for plan in (first, later):
        assert_uses_index(plan, "ix_users_tutors_by_name")
        assert_no_seq_scan(plan, "users", "tutor_topics", "topics")
        # Each tutor's topics (the JSON sub-select) come from the tutor_topics key, not a scan per row.
        assert_uses_index(plan, "pk_tutor_topics")


def test_tutor_directory_by_topic_starts_from_the_topic_index(engine, read_model):
    seed(engine, "topics")
    topic = uid("topic", 3)
    plan = plan_of_call(engine, lambda: read_model.tutors(topic, PageRequest()))

    assert_uses_index(plan, "ix_tutor_topics_topic_id_tutor_id")
    assert_no_seq_scan(plan, "users", "tutor_topics", "topics")


def test_tutor_by_id_uses_the_primary_key(engine, read_model):
    seed(engine, "topics")
    plan = plan_of_call(engine, lambda: read_model.tutor(uid("user", 5)))
    assert_uses_index(plan, "pk_users")
    assert_no_seq_scan(plan, "users", "tutor_topics", "topics")


@pytest.mark.parametrize("status", [None, "accepted"])
@pytest.mark.parametrize("viewer", ["tutor", "student"])
def test_relations_list_reads_both_sides_by_index(engine, read_model, status, viewer):
    seed(engine, "relations")
    viewer_id = uid("user", 7) if viewer == "tutor" else student(29)
    plan = plan_of_call(engine, lambda: read_model.relations(viewer_id, status, PageRequest()))

    # tutor_id = :viewer OR student_id = :viewer: one index scan for each side, OR-ed together. The tutor side may
    # come from uq_relations_open_pair (tutor_id, student_email) when the status filter implies its predicate.
    tutor_side = {"ix_relations_tutor_id_created_at_id"} | ({"uq_relations_open_pair"} if status == "accepted" else set())
    student_side = {"ix_relations_student_id_created_at_id"}
    used = {node["Index Name"] for node in nodes(plan) if node["Node Type"] in INDEX_NODES}
    assert used & tutor_side and used & student_side, outline(plan)
    assert_no_seq_scan(plan, "relations", "users")


def test_relation_by_id_uses_the_primary_key(engine, read_model):
    seed(engine, "relations")
    plan = plan_of_call(engine, lambda: read_model.relation(uid("relation", "7:1"), uid("user", 7)))
    assert_uses_index(plan, "pk_relations")
    assert_no_seq_scan(plan, "relations", "users")


def test_lesson_by_id_uses_the_primary_key(engine, read_model):
    seed(engine, "lessons")
    plan = plan_of_call(engine, lambda: read_model.lesson(uid("lesson", 12), uid("user", 0)))
    assert_uses_index(plan, "pk_lessons")


def busy_late_week() -> tuple[datetime, datetime]:
    end = BASE + BUSY_LESSONS * timedelta(hours=2)
    return end - timedelta(days=7), end


def assert_calendar_range_scan(plan: dict[str, Any]) -> None:
    scan = assert_uses_index(plan, "ix_lesson_participants_user_id_utc_start")
    assert scan["Node Type"] in {"Index Scan", "Index Only Scan"}, outline(plan)
    # One range: user_id = … AND utc_start >= from - 8h AND utc_start < to, all in the index condition, so a busy
    # user's late window reads a few index pages instead of every earlier lesson of theirs.
    condition = scan["Index Cond"]
    assert "user_id =" in condition and "utc_start >=" in condition and "utc_start <" in condition, outline(plan)
    assert_no_seq_scan(plan, "lesson_participants", "lessons")
    assert_uses_index(plan, "pk_lessons")


def test_calendar_of_a_busy_user_is_one_range_scan(engine, read_model):
    seed(engine, "lessons")
    start, end = busy_late_week()
    calendar = read_model.calendar(uid("user", 0), start, end, 500)
    assert len(calendar.results) == 84 and not calendar.has_more_events  # 7 days of a lesson every 2 hours

    plan = plan_of_call(engine, lambda: read_model.calendar(uid("user", 0), start, end, 500))

    assert_calendar_range_scan(plan)


def test_calendar_query_keeps_the_range_scan_as_a_generic_plan(engine):
    """psycopg prepares a statement it has run 5 times, and PostgreSQL may then reuse one generic plan for any
    parameters: that plan must still be the range scan."""
    seed(engine, "lessons")
    start, end = busy_late_week()
    compiled = calendar_query(uid("user", 0), start, end, 501).compile(dialect=engine.dialect)
    names = list(compiled.params)
    positional = str(compiled) % {name: f"${i}" for i, name in enumerate(names, 1)}
    arguments = pg_sql.SQL(", ").join(pg_sql.Literal(compiled.params[name]) for name in names)
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("SET plan_cache_mode = force_generic_plan")
        raw.execute(f"PREPARE calendar AS {positional}")
        try:
            explain_execute = pg_sql.SQL("EXPLAIN (FORMAT JSON) EXECUTE calendar({})").format(arguments)
            (document,) = raw.execute(explain_execute).fetchone()
        finally:
            raw.execute("DEALLOCATE calendar")
            raw.execute("RESET plan_cache_mode")
        connection.rollback()

    assert_calendar_range_scan(document[0]["Plan"])


def test_drafts_list_uses_the_user_key_index(engine, read_model):
    seed(engine, "drafts")
    plan = plan_of_call(engine, lambda: read_model.drafts(uid("user", 11), PageRequest()))
    assert_uses_index(plan, "uq_autosave_drafts_user_id_key")
    assert_no_seq_scan(plan, "autosave_drafts")


# --- repositories on hot paths ------------------------------------------------------------------------------------


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session
        session.rollback()


@pytest.mark.parametrize("except_lesson", [False, True], ids=["schedule", "reschedule"])
def test_find_overlapping_range_scans_both_participants(engine, session, except_lesson):
    seed(engine, "lessons")
    start, end = busy_late_week()
    repository = SqlAlchemyLessonRepository(session)
    participants = [uid("user", 0), student(0)]
    kwargs = {"except_lesson": uid("lesson", BUSY_LESSONS - 1)} if except_lesson else {}

    plan = plan_of_call(engine, lambda: repository.find_overlapping(participants, start, end, **kwargs))

    scan = assert_uses_index(plan, "ix_lesson_participants_user_id_utc_start")
    assert "utc_start >=" in scan["Index Cond"] and "utc_start <" in scan["Index Cond"], outline(plan)
    assert_no_seq_scan(plan, "lesson_participants")


def test_cleanup_selects_old_drafts_by_the_updated_at_index(engine, session):
    seed(engine, "drafts")
    repository = SqlAlchemyDraftRepository(session)

    plan = plan_of_call(engine, lambda: repository.delete_older_than(NOW - timedelta(days=30), 5000), "DELETE")

    # The batch is chosen (and locked) by a range scan of the updated_at index. How its rows are then deleted is
    # the planner's call by size: a hash join over a table this small, a nested loop on the primary key over a
    # table of millions (bench/cleanup_autosave.py prints that plan).
    (selection,) = [node for node in nodes(plan) if node["Node Type"] == "LockRows"]
    assert_uses_index(selection, "ix_autosave_drafts_updated_at")
    assert_no_seq_scan(selection, "autosave_drafts")


def test_login_finds_the_user_by_the_unique_email_index(engine, session):
    seed(engine)
    repository = SqlAlchemyUserRepository(session)
    plan = plan_of_call(engine, lambda: repository.get_by_email("user1234@example.com"))
    assert_uses_index(plan, "uq_users_email")


def test_a_user_and_their_topics_load_by_primary_keys(engine, session):
    seed(engine, "topics")
    repository = SqlAlchemyUserRepository(session)
    with captured_sql(engine) as statements:
        assert repository.get(uid("user", 5)).topic_ids  # a tutor: the topics load when first read
    user_load, topics_load = (explain(engine, *query) for query in statements)

    assert_uses_index(user_load, "pk_users")
    assert_uses_index(topics_load, "pk_tutor_topics")
    assert_no_seq_scan(topics_load, "tutor_topics")


def test_every_request_finds_its_token_by_the_unique_hash_index(engine, session):
    seed(engine, "tokens")
    repository = SqlAlchemyAuthTokenRepository(session)
    token_hash = hashlib.sha256(b"token:77").digest()
    assert repository.get_by_hash(token_hash) is not None

    plan = plan_of_call(engine, lambda: repository.get_by_hash(token_hash))

    assert_uses_index(plan, "uq_auth_tokens_token_hash")
