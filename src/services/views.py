"""Plain data the use cases hand to the entry points (never ORM-mapped objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.lessons import Lesson
from domain.users import User


@dataclass(frozen=True)
class UserView:
    id: UUID
    email: str
    full_name: str
    role: str
    timezone: str
    locale: str
    bio: str
    is_active: bool
    created_at: datetime
    updated_at: datetime
    headline: str
    topic_ids: list[UUID]

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(
            id=user.id,
            email=user.email,
            full_name=user.full_name,
            role=user.role.value,
            timezone=user.timezone,
            locale=user.locale.value,
            bio=user.bio,
            is_active=user.is_active,
            created_at=user.created_at,
            updated_at=user.updated_at,
            headline=user.headline,
            topic_ids=sorted(user.topic_ids),
        )


@dataclass(frozen=True)
class TopicView:
    id: UUID
    name: str
    slug: str
    created_at: datetime


@dataclass(frozen=True)
class TopicRef:
    id: UUID
    name: str
    slug: str


@dataclass(frozen=True)
class TutorView:
    """A tutor's public profile: never their email."""

    id: UUID
    full_name: str
    headline: str
    bio: str
    topics: list[TopicRef]


@dataclass(frozen=True)
class PersonRef:
    id: UUID
    full_name: str


@dataclass(frozen=True)
class RelationView:
    id: UUID
    status: str
    tutor: PersonRef
    student: PersonRef | None  # None while the invited email has no account
    student_email: str
    created_at: datetime
    responded_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class LessonView:
    id: UUID
    tutor_id: UUID
    student_id: UUID
    topic_id: UUID | None
    title: str
    description: str
    utc_start: datetime
    utc_end: datetime
    status: str
    series_id: UUID | None
    cancel_reason: str | None
    created_by: UUID
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, lesson: Lesson) -> LessonView:
        return cls(**{name: getattr(lesson, name) for name in cls.__dataclass_fields__ if name != "status"}, status=lesson.status.value)


@dataclass(frozen=True)
class Calendar:
    results: list[LessonView]
    has_more_events: bool


@dataclass(frozen=True)
class DraftView:
    key: str
    data: Any
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DraftSummary:
    key: str
    created_at: datetime
    updated_at: datetime
