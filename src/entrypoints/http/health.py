"""Liveness and readiness probes for the load balancer and the orchestrator."""

from __future__ import annotations

import logging

import marshmallow as ma
from sqlalchemy.exc import SQLAlchemyError

from adapters.postgres.database import is_migrated
from entrypoints.http.api import Blueprint, services
from entrypoints.http.problems import problem

log = logging.getLogger(__name__)

blp = Blueprint("health", __name__, url_prefix="/", description="Probes")


class StatusSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})


@blp.route("/healthz")
@blp.response(200, StatusSchema)
def healthz():
    """The process is up (it does not touch the database)."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, StatusSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def readyz():
    """The database answers and stands at the newest migration."""
    try:
        ready = is_migrated(services().engine)
    except SQLAlchemyError:
        log.warning("readiness check: database unreachable", exc_info=True)
        return problem(503, "The database cannot be reached.")
    if not ready:
        return problem(503, "The database is not migrated to the newest revision; run `tutorhub db upgrade`.")
    return {"status": "ok"}
