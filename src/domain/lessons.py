"""Lessons between a tutor and a student.

Invariants: a lesson lasts 15 minutes to 8 hours and ends after it starts; it is scheduled in the future; status
moves only scheduled → completed | cancelled; only the tutor completes it, and only once it has started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.aggregate import Aggregate
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.events import LessonCancelled, LessonCompleted, LessonRescheduled, LessonScheduled

MIN_LESSON_DURATION = timedelta(minutes=15)
MAX_LESSON_DURATION = timedelta(hours=8)
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_CANCEL_REASON_LENGTH = 1_000


class LessonStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


def validate_times(utc_start: datetime, utc_end: datetime, now: datetime) -> None:
    if utc_start.tzinfo is None or utc_end.tzinfo is None:
        raise InvalidInput.field("utc_start", "Times must carry a UTC offset.")
    if utc_end <= utc_start:
        raise InvalidInput.field("utc_end", "Must be after utc_start.")
    duration = utc_end - utc_start
    if not MIN_LESSON_DURATION <= duration <= MAX_LESSON_DURATION:
        raise InvalidInput.field("utc_end", "A lesson lasts from 15 minutes to 8 hours.")
    if utc_start <= now:
        raise InvalidInput.field("utc_start", "Must be in the future.")


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput.field("title", f"Must be 1 to {MAX_TITLE_LENGTH} characters long.")
    return title


@dataclass(eq=False)
class Lesson(Aggregate):
    id: UUID
    tutor_id: UUID
    student_id: UUID
    topic_id: UUID | None
    title: str
    description: str
    utc_start: datetime
    utc_end: datetime
    status: LessonStatus
    series_id: UUID | None
    cancel_reason: str | None
    created_by: UUID
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @classmethod
    def schedule(
        cls,
        *,
        id: UUID,
        tutor_id: UUID,
        student_id: UUID,
        title: str,
        utc_start: datetime,
        utc_end: datetime,
        now: datetime,
        topic_id: UUID | None = None,
        description: str = "",
        series_id: UUID | None = None,
    ) -> Lesson:
        validate_times(utc_start, utc_end, now)
        if len(description) > MAX_DESCRIPTION_LENGTH:
            raise InvalidInput.field("description", f"Must be at most {MAX_DESCRIPTION_LENGTH} characters long.")
        lesson = cls(
            id=id,
            tutor_id=tutor_id,
            student_id=student_id,
            topic_id=topic_id,
            title=_clean_title(title),
            description=description,
            utc_start=utc_start,
            utc_end=utc_end,
            status=LessonStatus.SCHEDULED,
            series_id=series_id,
            cancel_reason=None,
            created_by=tutor_id,
            created_at=now,
            updated_at=now,
        )
        lesson.record(
            LessonScheduled(
                occurred_at=now,
                lesson_id=id,
                tutor_id=tutor_id,
                student_id=student_id,
                utc_start=utc_start,
                utc_end=utc_end,
                scheduled_by=tutor_id,
            )
        )
        return lesson

    def involves(self, user_id: UUID) -> bool:
        return user_id in (self.tutor_id, self.student_id)

    def reschedule(self, by: UUID, utc_start: datetime, utc_end: datetime, now: datetime) -> None:
        self._require_scheduled("rescheduled")
        validate_times(utc_start, utc_end, now)
        old_start, old_end = self.utc_start, self.utc_end
        self.utc_start, self.utc_end, self.updated_at = utc_start, utc_end, now
        self.record(
            LessonRescheduled(
                occurred_at=now,
                lesson_id=self.id,
                tutor_id=self.tutor_id,
                student_id=self.student_id,
                old_start=old_start,
                old_end=old_end,
                new_start=utc_start,
                new_end=utc_end,
                rescheduled_by=by,
            )
        )

    def cancel(self, by: UUID, reason: str | None, now: datetime) -> None:
        self._require_scheduled("cancelled")
        reason = (reason or "").strip() or None
        if reason is not None and len(reason) > MAX_CANCEL_REASON_LENGTH:
            raise InvalidInput.field("reason", f"Must be at most {MAX_CANCEL_REASON_LENGTH} characters long.")
        self.status, self.cancel_reason, self.updated_at = LessonStatus.CANCELLED, reason, now
        self.record(
            LessonCancelled(
                occurred_at=now,
                lesson_id=self.id,
                tutor_id=self.tutor_id,
                student_id=self.student_id,
                reason=reason,
                cancelled_by=by,
            )
        )

    def complete(self, by: UUID, now: datetime) -> None:
        if by != self.tutor_id:
            raise Forbidden("Only the tutor can mark a lesson completed.")
        self._require_scheduled("completed")
        if now < self.utc_start:
            raise Conflict("A lesson can be completed only once it has started.")
        self.status, self.updated_at = LessonStatus.COMPLETED, now
        self.record(
            LessonCompleted(occurred_at=now, lesson_id=self.id, tutor_id=self.tutor_id, student_id=self.student_id)
        )

    def _require_scheduled(self, action: str) -> None:
        if self.status is not LessonStatus.SCHEDULED:
            raise Conflict(f"A {self.status.value} lesson cannot be {action}.")
