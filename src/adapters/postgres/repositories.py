"""Repositories: load and add aggregates through an SQLAlchemy session that the unit of work owns."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.postgres import tables
from domain.autosave import Draft
from domain.lessons import MAX_LESSON_DURATION, Lesson, LessonStatus
from domain.relations import OPEN_STATUSES, Relation, RelationStatus
from domain.topics import Topic
from domain.users import AuthToken, User

T = TypeVar("T")


class _Repository(Generic[T]):
    """Adds and loads aggregates of one class through the unit of work's session."""

    model: type[T]

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, obj: T) -> None:
        self._session.add(obj)

    def get(self, obj_id: UUID) -> T | None:
        return self._session.get(self.model, obj_id)


class SqlAlchemyUserRepository(_Repository[User]):
    model = User

    def get_by_email(self, email: str) -> User | None:
        return self._session.scalars(sa.select(User).where(User.email == email)).one_or_none()

    def any(self) -> bool:
        return self._session.scalar(sa.select(sa.exists().select_from(tables.users)))


class SqlAlchemyAuthTokenRepository(_Repository[AuthToken]):
    model = AuthToken

    def get_by_hash(self, token_hash: bytes) -> AuthToken | None:
        return self._session.scalars(sa.select(AuthToken).where(AuthToken.token_hash == token_hash)).one_or_none()


class SqlAlchemyTopicRepository(_Repository[Topic]):
    model = Topic

    def get_by_name(self, name: str) -> Topic | None:
        query = sa.select(Topic).where(sa.func.lower(tables.topics.c.name) == name.lower())
        return self._session.scalars(query).one_or_none()

    def slug_exists(self, slug: str) -> bool:
        return self._session.scalar(sa.select(sa.exists().where(tables.topics.c.slug == slug)))

    def existing_ids(self, topic_ids: Collection[UUID]) -> set[UUID]:
        if not topic_ids:
            return set()
        return set(self._session.scalars(sa.select(tables.topics.c.id).where(tables.topics.c.id.in_(topic_ids))))


class SqlAlchemyRelationRepository(_Repository[Relation]):
    model = Relation

    def find_open(self, tutor_id: UUID, student_email: str) -> Relation | None:
        query = sa.select(Relation).where(
            tables.relations.c.tutor_id == tutor_id,
            tables.relations.c.student_email == student_email,
            tables.relations.c.status.in_(OPEN_STATUSES),
        )
        return self._session.scalars(query).one_or_none()

    def find_accepted(self, tutor_id: UUID, student_id: UUID) -> Relation | None:
        # FOR SHARE: a cancel of this relation waits until the lesson being booked on it is committed (and then
        # cancels it with the pair's other future lessons), instead of slipping in between.
        query = (
            sa.select(Relation)
            .where(
                tables.relations.c.tutor_id == tutor_id,
                tables.relations.c.student_id == student_id,
                tables.relations.c.status == RelationStatus.ACCEPTED,
            )
            .with_for_update(read=True)
        )
        return self._session.scalars(query).one_or_none()

    def unclaimed_for_email(self, student_email: str) -> list[Relation]:
        query = sa.select(Relation).where(
            tables.relations.c.student_email == student_email, tables.relations.c.student_id.is_(None)
        )
        return list(self._session.scalars(query))


class SqlAlchemyLessonRepository(_Repository[Lesson]):
    model = Lesson

    def find_overlapping(
        self, user_ids: Collection[UUID], utc_start: datetime, utc_end: datetime, *, except_lesson: UUID | None = None
    ) -> UUID | None:
        p = tables.lesson_participants.c
        query = (
            sa.select(p.lesson_id)
            .where(
                p.user_id.in_(user_ids),
                p.status == LessonStatus.SCHEDULED,
                p.utc_start >= utc_start - MAX_LESSON_DURATION,  # bounds the index range scan
                p.utc_start < utc_end,
                p.utc_end > utc_start,
            )
            .order_by(p.utc_start, p.lesson_id)
            .limit(1)
        )
        if except_lesson is not None:
            query = query.where(p.lesson_id != except_lesson)
        # No autoflush: flushing a pending change to this very lesson would trip the exclusion constraint
        # before we can name the lesson it overlaps.
        with self._session.no_autoflush:
            return self._session.scalar(query)


    def upcoming_between(self, tutor_id: UUID, student_id: UUID, after: datetime) -> list[Lesson]:
        c = tables.lessons.c
        query = (
            sa.select(Lesson)
            .where(
                c.tutor_id == tutor_id,
                c.student_id == student_id,
                c.status == LessonStatus.SCHEDULED,
                c.utc_start > after,
            )
            .order_by(c.utc_start)
        )
        return list(self._session.scalars(query))


class SqlAlchemyDraftRepository(_Repository[Draft]):
    model = Draft

    def get_by_key(self, user_id: UUID, key: str) -> Draft | None:
        query = sa.select(Draft).where(tables.autosave_drafts.c.user_id == user_id, tables.autosave_drafts.c.key == key)
        return self._session.scalars(query).one_or_none()

    def delete(self, draft: Draft) -> None:
        self._session.delete(draft)

    def count_older_than(self, cutoff: datetime) -> int:
        d = tables.autosave_drafts.c
        return self._session.scalar(sa.select(sa.func.count()).where(d.updated_at < cutoff))

    def delete_older_than(self, cutoff: datetime, limit: int) -> int:
        """Delete at most `limit` drafts last updated before `cutoff`; rows another transaction holds are skipped."""
        d = tables.autosave_drafts.c
        batch = sa.select(d.id).where(d.updated_at < cutoff).limit(limit).with_for_update(skip_locked=True)
        result = self._session.execute(sa.delete(tables.autosave_drafts).where(d.id.in_(batch.scalar_subquery())))
        return result.rowcount
