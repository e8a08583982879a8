"""Domain events: immutable facts in the past tense, recorded by aggregates and dispatched by the unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class Event:
    occurred_at: datetime


@dataclass(frozen=True)
class UserRegistered(Event):
    user_id: UUID
    email: str
    role: str


@dataclass(frozen=True)
class UserLoggedIn(Event):
    user_id: UUID
    token_id: UUID


@dataclass(frozen=True)
class UserLoggedOut(Event):
    user_id: UUID
    token_id: UUID


@dataclass(frozen=True)
class ProfileUpdated(Event):
    user_id: UUID
    changed_fields: tuple[str, ...]


@dataclass(frozen=True)
class TopicCreated(Event):
    topic_id: UUID
    name: str
    created_by: UUID


@dataclass(frozen=True)
class StudentInvited(Event):
    relation_id: UUID
    tutor_id: UUID
    student_id: UUID | None  # None until someone registers with the invited email
    student_email: str


@dataclass(frozen=True)
class TutorAccepted(Event):
    relation_id: UUID
    tutor_id: UUID
    student_id: UUID


@dataclass(frozen=True)
class RelationDeclined(Event):
    relation_id: UUID
    tutor_id: UUID
    student_id: UUID


@dataclass(frozen=True)
class RelationCancelled(Event):
    relation_id: UUID
    tutor_id: UUID
    student_id: UUID | None
    cancelled_by: UUID


@dataclass(frozen=True)
class LessonScheduled(Event):
    lesson_id: UUID
    tutor_id: UUID
    student_id: UUID
    utc_start: datetime
    utc_end: datetime
    scheduled_by: UUID


@dataclass(frozen=True)
class LessonRescheduled(Event):
    lesson_id: UUID
    tutor_id: UUID
    student_id: UUID
    old_start: datetime
    old_end: datetime
    new_start: datetime
    new_end: datetime
    rescheduled_by: UUID


@dataclass(frozen=True)
class LessonCancelled(Event):
    lesson_id: UUID
    tutor_id: UUID
    student_id: UUID
    reason: str | None
    cancelled_by: UUID


@dataclass(frozen=True)
class LessonCompleted(Event):
    lesson_id: UUID
    tutor_id: UUID
    student_id: UUID
