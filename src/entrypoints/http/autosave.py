"""Autosave drafts: each user sees only their own."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from entrypoints.http.api import Blueprint, current_principal, services
from entrypoints.http.pagination import page_request, page_response
from entrypoints.http.schemas import PageArgsSchema, StrictSchema, UtcDateTime, page_schema
from services import autosave

blp = Blueprint("autosave", __name__, url_prefix="/api/autosave", description="Drafts of unsaved work")


class DraftSummarySchema(ma.Schema):
    key = ma.fields.String(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class DraftSchema(DraftSummarySchema):
    data = ma.fields.Raw(required=True, allow_none=True, metadata={"description": "Any JSON, at most 256 KB"})


class DraftPutSchema(StrictSchema):
    data = ma.fields.Raw(required=True, allow_none=True)


@blp.route("/")
class Drafts(MethodView):
    @blp.authenticated
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_schema(DraftSummarySchema))
    @blp.alt_response(400, response="BAD_REQUEST")
    def get(self, args):
        """The caller's drafts by key (without their data)."""
        return page_response(services().run(autosave.list_drafts, current_principal().user_id, page_request(args)))


@blp.route("/<key>/")
class DraftDetail(MethodView):
    @blp.authenticated
    @blp.arguments(DraftPutSchema)
    @blp.response(200, DraftSchema)
    @blp.alt_response(201, schema=DraftSchema, description="Created", success=True)
    def put(self, body, key):
        """Create (201) or replace (200) the draft under `key`, e.g. `lesson:<id>:notes`."""
        draft, created = services().run(autosave.save_draft, current_principal().user_id, key, body["data"])
        return draft, 201 if created else 200

    @blp.authenticated
    @blp.response(200, DraftSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, key):
        """The draft under `key`."""
        return services().run(autosave.get_draft, current_principal().user_id, key)

    @blp.authenticated
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, key):
        """Remove the draft under `key`."""
        services().run(autosave.delete_draft, current_principal().user_id, key)
