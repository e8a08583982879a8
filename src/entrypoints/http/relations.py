"""Tutor–student relations."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from domain.relations import RelationStatus
from domain.users import MAX_EMAIL_LENGTH
from entrypoints.http.api import Blueprint, current_principal, services
from entrypoints.http.pagination import page_request, page_response
from entrypoints.http.schemas import PageArgsSchema, StrictSchema, UtcDateTime, page_schema
from services import relations

blp = Blueprint("relations", __name__, url_prefix="/api/relations", description="Tutor–student relations")


class PersonSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    full_name = ma.fields.String(required=True)


class RelationSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    status = ma.fields.String(required=True, metadata={"enum": [s.value for s in RelationStatus]})
    tutor = ma.fields.Nested(PersonSchema, required=True)
    student = ma.fields.Nested(PersonSchema, allow_none=True, required=True, metadata={"description": "null until the invited email has an account"})
    student_email = ma.fields.String(required=True)
    created_at = UtcDateTime(required=True)
    responded_at = UtcDateTime(allow_none=True, required=True)
    ended_at = UtcDateTime(allow_none=True, required=True)


class InviteSchema(StrictSchema):
    student_email = ma.fields.String(required=True, validate=validate.Length(min=3, max=MAX_EMAIL_LENGTH))


class RelationListArgsSchema(PageArgsSchema):
    status = ma.fields.String(validate=validate.OneOf([s.value for s in RelationStatus]))


@blp.route("/")
class Relations(MethodView):
    @blp.authenticated
    @blp.arguments(RelationListArgsSchema, location="query")
    @blp.response(200, page_schema(RelationSchema))
    @blp.alt_response(400, response="BAD_REQUEST")
    def get(self, args):
        """The caller's relations, newest first, optionally of one status."""
        page = services().run(relations.list_relations, current_principal(), args.get("status"), page_request(args))
        return page_response(page)

    @blp.authenticated
    @blp.arguments(InviteSchema)
    @blp.response(201, RelationSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, body):
        """Invite a student by email (tutors only); an email without an account yet is claimed when it signs up."""
        relation_id = services().run(relations.invite_student, body["student_email"], current_principal())
        return services().run(relations.get_relation, relation_id, current_principal())


@blp.route("/<uuid:relation_id>/")
class RelationDetail(MethodView):
    @blp.authenticated
    @blp.response(200, RelationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, relation_id):
        """One of the caller's relations."""
        return services().run(relations.get_relation, relation_id, current_principal())


def _move(use_case, relation_id):
    services().run(use_case, relation_id, current_principal())
    return services().run(relations.get_relation, relation_id, current_principal())


@blp.route("/<uuid:relation_id>/accept/", methods=["POST"])
@blp.authenticated
@blp.response(200, RelationSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def accept(relation_id):
    """The invited student accepts the tutor (only while pending)."""
    return _move(relations.accept_relation, relation_id)


@blp.route("/<uuid:relation_id>/decline/", methods=["POST"])
@blp.authenticated
@blp.response(200, RelationSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def decline(relation_id):
    """The invited student declines (only while pending)."""
    return _move(relations.decline_relation, relation_id)


@blp.route("/<uuid:relation_id>/cancel/", methods=["POST"])
@blp.authenticated
@blp.response(200, RelationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def cancel(relation_id):
    """Either side ends the relation (while pending or accepted)."""
    return _move(relations.cancel_relation, relation_id)
