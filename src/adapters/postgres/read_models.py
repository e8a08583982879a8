"""Display queries: one SQL statement each, straight into plain views (no aggregates, no N+1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from adapters.postgres import tables
from adapters.postgres.pagination import keyset_page
from domain.lessons import MAX_LESSON_DURATION
from domain.users import Role
from services.pagination import Page, PageRequest
from services.views import (
    Calendar,
    DraftSummary,
    LessonView,
    PersonRef,
    RelationView,
    TopicRef,
    TopicView,
    TutorView,
)

t, u, tt, r, les, lp, d = (
    tables.topics,
    tables.users,
    tables.tutor_topics,
    tables.relations,
    tables.lessons,
    tables.lesson_participants,
    tables.autosave_drafts,
)


def _topic(row: sa.Row[Any]) -> TopicView:
    return TopicView(id=row.id, name=row.name, slug=row.slug, created_at=row.created_at)


def _lesson(row: sa.Row[Any]) -> LessonView:
    return LessonView(**row._asdict())


# A tutor's topics as one JSON array per row, so the directory is one statement, not one query per tutor.
_tutor_topics_json = (
    sa.select(
        sa.func.coalesce(
            sa.func.json_agg(
                aggregate_order_by(sa.func.json_build_object("id", t.c.id, "name", t.c.name, "slug", t.c.slug), t.c.name)
            ),
            sa.text("'[]'::json"),
        )
    )
    .select_from(tt.join(t, t.c.id == tt.c.topic_id))
    .where(tt.c.tutor_id == u.c.id)
    .scalar_subquery()
    .label("topics")
)
_tutor_columns = (u.c.id, u.c.full_name, u.c.headline, u.c.bio, _tutor_topics_json)


def _tutor(row: sa.Row[Any]) -> TutorView:
    topics = [TopicRef(id=UUID(x["id"]), name=x["name"], slug=x["slug"]) for x in row.topics]
    return TutorView(id=row.id, full_name=row.full_name, headline=row.headline, bio=row.bio, topics=topics)


_tutor_u, _student_u = u.alias("tutor"), u.alias("student")
_relation_columns = (
    r.c.id,
    r.c.status,
    r.c.student_email,
    r.c.created_at,
    r.c.responded_at,
    r.c.ended_at,
    r.c.tutor_id,
    _tutor_u.c.full_name.label("tutor_name"),
    r.c.student_id,
    _student_u.c.full_name.label("student_name"),
)
_relation_from = r.join(_tutor_u, _tutor_u.c.id == r.c.tutor_id).outerjoin(_student_u, _student_u.c.id == r.c.student_id)


def _relation(row: sa.Row[Any]) -> RelationView:
    return RelationView(
        id=row.id,
        status=row.status.value,
        tutor=PersonRef(id=row.tutor_id, full_name=row.tutor_name),
        student=PersonRef(id=row.student_id, full_name=row.student_name) if row.student_id else None,
        student_email=row.student_email,
        created_at=row.created_at,
        responded_at=row.responded_at,
        ended_at=row.ended_at,
    )


_lesson_columns = [les.c[name] for name in LessonView.__dataclass_fields__]


class SqlAlchemyReadModel:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def _page(self, statement: sa.Select[Any], page: PageRequest, to_item: Any) -> Page[Any]:
        with self._engine.connect() as connection:
            return keyset_page(connection, statement, page, to_item)

    def _one(self, statement: sa.Select[Any], to_item: Any) -> Any:
        with self._engine.connect() as connection:
            row = connection.execute(statement).one_or_none()
        return None if row is None else to_item(row)

    def topics(self, page: PageRequest) -> Page[TopicView]:
        # lower(name) is unique (uq_topics_lower_name), so it alone orders the pages, case-insensitively.
        return self._page(sa.select(t).order_by(sa.func.lower(t.c.name)), page, _topic)

    def topic(self, topic_id: UUID) -> TopicView | None:
        return self._one(sa.select(t).where(t.c.id == topic_id), _topic)

    def tutors(self, topic_id: UUID | None, page: PageRequest) -> Page[TutorView]:
        query = (
            sa.select(*_tutor_columns)
            .where(u.c.role == Role.TUTOR, u.c.is_active)
            .order_by(sa.func.lower(u.c.full_name), u.c.id)  # "anna" next to "Anna", whatever the collation
        )
        if topic_id is not None:
            query = query.where(sa.exists().where(tt.c.tutor_id == u.c.id, tt.c.topic_id == topic_id))
        return self._page(query, page, _tutor)

    def tutor(self, tutor_id: UUID) -> TutorView | None:
        return self._one(
            sa.select(*_tutor_columns).where(u.c.id == tutor_id, u.c.role == Role.TUTOR, u.c.is_active), _tutor
        )

    def relations(self, viewer_id: UUID, status: str | None, page: PageRequest) -> Page[RelationView]:
        query = (
            sa.select(*_relation_columns)
            .select_from(_relation_from)
            .where(sa.or_(r.c.tutor_id == viewer_id, r.c.student_id == viewer_id))
            .order_by(r.c.created_at.desc(), r.c.id.desc())
        )
        if status is not None:
            query = query.where(r.c.status == status)
        return self._page(query, page, _relation)

    def relation(self, relation_id: UUID, viewer_id: UUID) -> RelationView | None:
        query = (
            sa.select(*_relation_columns)
            .select_from(_relation_from)
            .where(r.c.id == relation_id, sa.or_(r.c.tutor_id == viewer_id, r.c.student_id == viewer_id))
        )
        return self._one(query, _relation)

    def lesson(self, lesson_id: UUID, viewer_id: UUID) -> LessonView | None:
        query = sa.select(*_lesson_columns).where(
            les.c.id == lesson_id, sa.or_(les.c.tutor_id == viewer_id, les.c.student_id == viewer_id)
        )
        return self._one(query, _lesson)

    def calendar(self, user_id: UUID, start: datetime, end: datetime, limit: int) -> Calendar:
        statement = calendar_query(user_id, start, end, limit + 1)  # one more row tells whether more exist
        with self._engine.connect() as connection:
            rows = connection.execute(statement).all()
        return Calendar(results=[_lesson(row) for row in rows[:limit]], has_more_events=len(rows) > limit)

    def drafts(self, user_id: UUID, page: PageRequest) -> Page[DraftSummary]:
        query = sa.select(d.c.key, d.c.created_at, d.c.updated_at).where(d.c.user_id == user_id).order_by(d.c.key)  # unique per user
        return self._page(query, page, lambda row: DraftSummary(**row._asdict()))


def calendar_query(user_id: UUID, start: datetime, end: datetime, limit: int) -> sa.Select[Any]:
    """The user's lessons overlapping [start, end): one range scan of (user_id, utc_start).

    A lesson lasts at most 8 hours (a CHECK holds it), so one overlapping the window starts no earlier than
    start - 8h: that lower bound keeps a busy user's late window to a few index pages.
    """
    return (
        sa.select(*_lesson_columns)
        .select_from(lp.join(les, les.c.id == lp.c.lesson_id))
        .where(
            lp.c.user_id == user_id,
            lp.c.utc_start >= start - MAX_LESSON_DURATION,
            lp.c.utc_start < end,
            lp.c.utc_end > start,
        )
        .order_by(lp.c.utc_start, lp.c.lesson_id)
        .limit(limit)
    )
