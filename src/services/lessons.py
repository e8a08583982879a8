"""Scheduling lessons: schedule, reschedule, cancel, complete, and the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.events import RelationCancelled
from domain.lessons import Lesson
from domain.users import Role
from services import ports
from services.accounts import Principal
from services.unit_of_work import AbstractUnitOfWork
from services.views import Calendar, LessonView

MAX_CALENDAR_WINDOW = timedelta(days=366)
MAX_CALENDAR_EVENTS = 500
ENDED_RELATION_REASON = "The tutor and the student ended their relation."


@dataclass(frozen=True)
class ScheduleLesson:
    student_id: UUID
    title: str
    utc_start: datetime
    utc_end: datetime
    topic_id: UUID | None = None
    description: str = ""
    series_id: UUID | None = None


def schedule_lesson(
    cmd: ScheduleLesson, principal: Principal, uow: AbstractUnitOfWork, *, clock: ports.Clock, ids: ports.IdGenerator
) -> LessonView:
    if principal.role is not Role.TUTOR:
        raise Forbidden("Only tutors schedule lessons.")
    with uow:
        if uow.relations.find_accepted(principal.user_id, cmd.student_id) is None:
            raise Forbidden("You can schedule lessons only with students who have accepted you.")
        if cmd.topic_id is not None and not uow.topics.existing_ids([cmd.topic_id]):
            raise InvalidInput.field("topic_id", "No such topic.")
        lesson = Lesson.schedule(
            id=ids.new_id(),
            tutor_id=principal.user_id,
            student_id=cmd.student_id,
            title=cmd.title,
            utc_start=cmd.utc_start,
            utc_end=cmd.utc_end,
            now=clock.now(),
            topic_id=cmd.topic_id,
            description=cmd.description,
            series_id=cmd.series_id,
        )
        _refuse_overlap(lesson, uow)
        uow.lessons.add(lesson)
        _commit_unless_overlapping(lesson, uow)
        return LessonView.of(lesson)


def reschedule_lesson(
    lesson_id: UUID,
    utc_start: datetime,
    utc_end: datetime,
    principal: Principal,
    uow: AbstractUnitOfWork,
    *,
    clock: ports.Clock,
) -> LessonView:
    with uow:
        lesson = _participant_lesson(lesson_id, principal, uow)
        lesson.reschedule(principal.user_id, utc_start, utc_end, clock.now())
        _refuse_overlap(lesson, uow)
        _commit_unless_overlapping(lesson, uow)
        return LessonView.of(lesson)


def cancel_lesson(
    lesson_id: UUID, reason: str | None, principal: Principal, uow: AbstractUnitOfWork, *, clock: ports.Clock
) -> LessonView:
    with uow:
        lesson = _participant_lesson(lesson_id, principal, uow)
        lesson.cancel(principal.user_id, reason, clock.now())
        uow.commit()
        return LessonView.of(lesson)


def complete_lesson(lesson_id: UUID, principal: Principal, uow: AbstractUnitOfWork, *, clock: ports.Clock) -> LessonView:
    with uow:
        lesson = _participant_lesson(lesson_id, principal, uow)
        lesson.complete(principal.user_id, clock.now())
        uow.commit()
        return LessonView.of(lesson)


def cancel_lessons_of_ended_relation(event: RelationCancelled, uow: AbstractUnitOfWork) -> None:
    """When a tutor and a student part, their lessons still ahead are cancelled in the same transaction."""
    if event.student_id is None:
        return
    for lesson in uow.lessons.upcoming_between(event.tutor_id, event.student_id, after=event.occurred_at):
        lesson.cancel(event.cancelled_by, ENDED_RELATION_REASON, event.occurred_at)


def get_lesson(lesson_id: UUID, principal: Principal, *, read_model: ports.ReadModel) -> LessonView:
    lesson = read_model.lesson(lesson_id, principal.user_id)
    if lesson is None:
        raise NotFound("Lesson not found.")
    return lesson


def lessons_calendar(
    principal: Principal, start: datetime, end: datetime, limit: int, *, read_model: ports.ReadModel
) -> Calendar:
    if end <= start:
        raise InvalidInput.field("to", "Must be after `from`.")
    if end - start > MAX_CALENDAR_WINDOW:
        raise InvalidInput.field("to", f"The window may span at most {MAX_CALENDAR_WINDOW.days} days.")
    if not 1 <= limit <= MAX_CALENDAR_EVENTS:
        raise InvalidInput.field("limit", f"Must be between 1 and {MAX_CALENDAR_EVENTS}.")
    return read_model.calendar(principal.user_id, start, end, limit)


def _participant_lesson(lesson_id: UUID, principal: Principal, uow: AbstractUnitOfWork) -> Lesson:
    lesson = uow.lessons.get(lesson_id)
    if lesson is None or not lesson.involves(principal.user_id):
        raise NotFound("Lesson not found.")
    return lesson


def _refuse_overlap(lesson: Lesson, uow: AbstractUnitOfWork) -> None:
    people = (lesson.tutor_id, lesson.student_id)
    conflicting = uow.lessons.find_overlapping(people, lesson.utc_start, lesson.utc_end, except_lesson=lesson.id)
    if conflicting is not None:
        raise _overlap_conflict(conflicting)


def _commit_unless_overlapping(lesson: Lesson, uow: AbstractUnitOfWork) -> None:
    """Commit; when a concurrent request took the slot first (the database's exclusion constraint refused this
    one), name the lesson that won."""
    # Read before committing: a failed commit rolls back and expires the lesson's attributes.
    lesson_id, people, utc_start, utc_end = lesson.id, (lesson.tutor_id, lesson.student_id), lesson.utc_start, lesson.utc_end
    try:
        uow.commit()
    except Conflict:
        conflicting = uow.lessons.find_overlapping(people, utc_start, utc_end, except_lesson=lesson_id)
        if conflicting is None:
            raise
        raise _overlap_conflict(conflicting) from None


def _overlap_conflict(conflicting_id: UUID) -> Conflict:
    return Conflict(
        f"The time overlaps lesson {conflicting_id} of the tutor or the student.",
        conflicting_lesson_id=str(conflicting_id),
    )
