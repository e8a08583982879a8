"""Topics and the public tutor directory."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from domain.topics import MAX_TOPIC_NAME_LENGTH
from entrypoints.http.api import Blueprint, current_principal, services
from entrypoints.http.pagination import page_request, page_response
from entrypoints.http.schemas import PageArgsSchema, StrictSchema, UtcDateTime, page_schema
from services import topics

topics_blp = Blueprint("topics", __name__, url_prefix="/api/topics", description="Topics tutors teach")
tutors_blp = Blueprint("tutors", __name__, url_prefix="/api/tutors", description="Tutors' public profiles")


class TopicSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    created_at = UtcDateTime(required=True)


class TopicCreateSchema(StrictSchema):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=MAX_TOPIC_NAME_LENGTH))


class TopicRefSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)


class TutorSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    full_name = ma.fields.String(required=True)
    headline = ma.fields.String(required=True)
    bio = ma.fields.String(required=True)
    topics = ma.fields.List(ma.fields.Nested(TopicRefSchema), required=True)


class TutorListArgsSchema(PageArgsSchema):
    topic = ma.fields.UUID(metadata={"description": "Only tutors who teach this topic"})


@topics_blp.route("/")
class Topics(MethodView):
    @topics_blp.authenticated
    @topics_blp.arguments(PageArgsSchema, location="query")
    @topics_blp.response(200, page_schema(TopicSchema))
    @topics_blp.alt_response(400, response="BAD_REQUEST")
    def get(self, args):
        """All topics, by name."""
        return page_response(services().run(topics.list_topics, page_request(args)))

    @topics_blp.authenticated
    @topics_blp.arguments(TopicCreateSchema)
    @topics_blp.response(201, TopicSchema)
    @topics_blp.alt_response(403, response="FORBIDDEN")
    @topics_blp.alt_response(409, response="CONFLICT")
    def post(self, body):
        """Add a topic (tutors and admins). Names are unique regardless of case."""
        return services().run(topics.create_topic, body["name"], current_principal())


@topics_blp.route("/<uuid:topic_id>/")
class TopicDetail(MethodView):
    @topics_blp.authenticated
    @topics_blp.response(200, TopicSchema)
    @topics_blp.alt_response(404, response="NOT_FOUND")
    def get(self, topic_id):
        """One topic."""
        return services().run(topics.get_topic, topic_id)


@tutors_blp.route("/")
class Tutors(MethodView):
    @tutors_blp.authenticated
    @tutors_blp.arguments(TutorListArgsSchema, location="query")
    @tutors_blp.response(200, page_schema(TutorSchema))
    @tutors_blp.alt_response(400, response="BAD_REQUEST")
    def get(self, args):
        """Tutors by name, optionally only those who teach `topic`."""
        return page_response(services().run(topics.list_tutors, args.get("topic"), page_request(args)))


@tutors_blp.route("/<uuid:tutor_id>/")
class TutorDetail(MethodView):
    @tutors_blp.authenticated
    @tutors_blp.response(200, TutorSchema)
    @tutors_blp.alt_response(404, response="NOT_FOUND")
    def get(self, tutor_id):
        """A tutor's public profile."""
        return services().run(topics.get_tutor, tutor_id)
