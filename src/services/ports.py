"""Ports: what the use cases need from the outside world, as typing.Protocols the adapters implement."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.autosave import Draft
from domain.lessons import Lesson
from domain.relations import Relation
from domain.topics import Topic
from domain.users import AuthToken, User
from services.pagination import Page, PageRequest
from services.views import Calendar, DraftSummary, LessonView, RelationView, TopicView, TutorView


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class IdGenerator(Protocol):
    def new_id(self) -> UUID:
        """A new time-ordered (UUIDv7) id."""


class PasswordHasher(Protocol):
    dummy_hash: str  # a valid hash of no real password, to spend the same time on unknown emails

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than the current ones."""


class TokenGenerator(Protocol):
    def new_token(self) -> str:
        """An unguessable, URL-safe random string."""


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...

    def get(self, user_id: UUID) -> User | None: ...

    def get_by_email(self, email: str) -> User | None:
        """`email` is already normalized."""

    def any(self) -> bool:
        """Whether there is at least one user."""


class AuthTokenRepository(Protocol):
    def add(self, token: AuthToken) -> None: ...

    def get(self, token_id: UUID) -> AuthToken | None: ...

    def get_by_hash(self, token_hash: bytes) -> AuthToken | None: ...


class TopicRepository(Protocol):
    def add(self, topic: Topic) -> None: ...

    def get(self, topic_id: UUID) -> Topic | None: ...

    def get_by_name(self, name: str) -> Topic | None:
        """Case-insensitive."""

    def slug_exists(self, slug: str) -> bool: ...

    def existing_ids(self, topic_ids: Collection[UUID]) -> set[UUID]: ...


class RelationRepository(Protocol):
    def add(self, relation: Relation) -> None: ...

    def get(self, relation_id: UUID) -> Relation | None: ...

    def find_open(self, tutor_id: UUID, student_email: str) -> Relation | None:
        """The pending or accepted relation of this pair, if any."""

    def find_accepted(self, tutor_id: UUID, student_id: UUID) -> Relation | None: ...

    def unclaimed_for_email(self, student_email: str) -> list[Relation]:
        """Invitations sent to an email that had no account yet."""


class LessonRepository(Protocol):
    def add(self, lesson: Lesson) -> None: ...

    def get(self, lesson_id: UUID) -> Lesson | None: ...

    def find_overlapping(
        self, user_ids: Collection[UUID], utc_start: datetime, utc_end: datetime, *, except_lesson: UUID | None = None
    ) -> UUID | None:
        """The id of a scheduled lesson of any of `user_ids` overlapping [utc_start, utc_end), if there is one."""

    def upcoming_between(self, tutor_id: UUID, student_id: UUID, after: datetime) -> list[Lesson]:
        """The pair's scheduled lessons starting after `after`, earliest first."""


class DraftRepository(Protocol):
    def add(self, draft: Draft) -> None: ...

    def get_by_key(self, user_id: UUID, key: str) -> Draft | None: ...

    def delete(self, draft: Draft) -> None: ...

    def count_older_than(self, cutoff: datetime) -> int: ...

    def delete_older_than(self, cutoff: datetime, limit: int) -> int:
        """Delete at most `limit` drafts last updated before `cutoff`; returns how many."""


class ReadModel(Protocol):
    """Display queries: one SQL statement each, plain views out, no aggregates loaded."""

    def topics(self, page: PageRequest) -> Page[TopicView]: ...

    def topic(self, topic_id: UUID) -> TopicView | None: ...

    def tutors(self, topic_id: UUID | None, page: PageRequest) -> Page[TutorView]: ...

    def tutor(self, tutor_id: UUID) -> TutorView | None: ...

    def relations(self, viewer_id: UUID, status: str | None, page: PageRequest) -> Page[RelationView]:
        """The relations in which `viewer_id` is the tutor or the student, newest first."""

    def relation(self, relation_id: UUID, viewer_id: UUID) -> RelationView | None:
        """None also when the viewer is not a party to it."""

    def lesson(self, lesson_id: UUID, viewer_id: UUID) -> LessonView | None:
        """None also when the viewer is not a participant."""

    def calendar(self, user_id: UUID, start: datetime, end: datetime, limit: int) -> Calendar:
        """The user's lessons overlapping [start, end), by utc_start then id, at most `limit`."""

    def drafts(self, user_id: UUID, page: PageRequest) -> Page[DraftSummary]: ...
