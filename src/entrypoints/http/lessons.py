"""Lessons and the lessons calendar."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from domain import lessons as rules
from entrypoints.http.api import Blueprint, current_principal, services
from entrypoints.http.schemas import StrictSchema, UtcDateTime
from services import lessons

blp = Blueprint("lessons", __name__, url_prefix="/api/lessons", description="Lessons and the calendar")

_IN_QUERY = (
    "Must be an ISO 8601 date-time with an offset, e.g. 2026-03-01T09:00:00Z; in a query string send a + in "
    "the offset as %2B (2026-03-01T09:00:00%2B02:00)."
)


class QueryUtcDateTime(UtcDateTime):
    default_error_messages = {"invalid_awareness": _IN_QUERY, "invalid": _IN_QUERY, "required": "Required: " + _IN_QUERY}


class LessonSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    tutor_id = ma.fields.UUID(required=True)
    student_id = ma.fields.UUID(required=True)
    topic_id = ma.fields.UUID(allow_none=True, required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    utc_start = UtcDateTime(required=True)
    utc_end = UtcDateTime(required=True)
    status = ma.fields.String(required=True, metadata={"enum": [s.value for s in rules.LessonStatus]})
    series_id = ma.fields.UUID(allow_none=True, required=True)
    cancel_reason = ma.fields.String(allow_none=True, required=True)
    created_by = ma.fields.UUID(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    version = ma.fields.Integer(required=True)


class ScheduleSchema(StrictSchema):
    student_id = ma.fields.UUID(required=True)
    title = ma.fields.String(required=True, validate=validate.Length(min=1, max=rules.MAX_TITLE_LENGTH))
    utc_start = UtcDateTime(required=True)
    utc_end = UtcDateTime(required=True)
    topic_id = ma.fields.UUID(allow_none=True, load_default=None)
    description = ma.fields.String(load_default="", validate=validate.Length(max=rules.MAX_DESCRIPTION_LENGTH))
    series_id = ma.fields.UUID(allow_none=True, load_default=None, metadata={"description": "Groups lessons of one series; stored and returned as is"})


class RescheduleSchema(StrictSchema):
    utc_start = UtcDateTime(required=True)
    utc_end = UtcDateTime(required=True)


class CancelSchema(StrictSchema):
    reason = ma.fields.String(allow_none=True, load_default=None, validate=validate.Length(max=rules.MAX_CANCEL_REASON_LENGTH))


class CalendarArgsSchema(StrictSchema):
    start = QueryUtcDateTime(required=True, data_key="from", metadata={"description": "Window start (inclusive)"})
    end = QueryUtcDateTime(required=True, data_key="to", metadata={"description": "Window end (exclusive)"})
    limit = ma.fields.Integer(
        load_default=lessons.MAX_CALENDAR_EVENTS, validate=validate.Range(min=1, max=lessons.MAX_CALENDAR_EVENTS)
    )


class CalendarSchema(ma.Schema):
    results = ma.fields.List(ma.fields.Nested(LessonSchema), required=True)
    has_more_events = ma.fields.Boolean(required=True, metadata={"description": "More lessons overlap the window"})


@blp.route("/")
class Lessons(MethodView):
    @blp.authenticated
    @blp.arguments(ScheduleSchema)
    @blp.response(201, LessonSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(409, response="CONFLICT", description="Overlaps `conflicting_lesson_id`")
    def post(self, body):
        """Schedule a lesson with a student who accepted the tutor: 15 minutes to 8 hours, in the future, not
        overlapping another scheduled lesson of either of them."""
        return services().run(lessons.schedule_lesson, lessons.ScheduleLesson(**body), current_principal())


@blp.route("/my/")
class Calendar(MethodView):
    @blp.authenticated
    @blp.arguments(CalendarArgsSchema, location="query")
    @blp.response(200, CalendarSchema)
    def get(self, args):
        """The caller's lessons (as tutor or student, every status) overlapping [from, to), by start time."""
        return services().run(lessons.lessons_calendar, current_principal(), args["start"], args["end"], args["limit"])


@blp.route("/<uuid:lesson_id>/")
class LessonDetail(MethodView):
    @blp.authenticated
    @blp.response(200, LessonSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, lesson_id):
        """A lesson of the caller's."""
        return services().run(lessons.get_lesson, lesson_id, current_principal())


@blp.route("/<uuid:lesson_id>/reschedule/", methods=["POST"])
@blp.authenticated
@blp.arguments(RescheduleSchema)
@blp.response(200, LessonSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def reschedule(body, lesson_id):
    """Move a scheduled lesson (either participant; same rules as scheduling)."""
    return services().run(lessons.reschedule_lesson, lesson_id, body["utc_start"], body["utc_end"], current_principal())


@blp.route("/<uuid:lesson_id>/cancel/", methods=["POST"])
@blp.authenticated
@blp.arguments(CancelSchema)
@blp.response(200, LessonSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def cancel(body, lesson_id):
    """Cancel a scheduled lesson (either participant), with an optional reason."""
    return services().run(lessons.cancel_lesson, lesson_id, body["reason"], current_principal())


@blp.route("/<uuid:lesson_id>/complete/", methods=["POST"])
@blp.authenticated
@blp.response(200, LessonSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def complete(lesson_id):
    """The tutor marks a lesson completed, once it has started."""
    return services().run(lessons.complete_lesson, lesson_id, current_principal())
