"""RFC 9457 problem details (application/problem+json) for every error, 4xx and 5xx alike."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

import marshmallow as ma
import orjson
from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from domain import errors

log = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"

DOMAIN_ERROR_STATUS: Mapping[type[errors.DomainError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Forbidden: 403,
    errors.Conflict: 409,
    errors.AuthenticationFailed: 401,
}


class ProblemSchema(ma.Schema):
    """Only documents the error payload; responses are built by `problem()`."""

    type = ma.fields.String(metadata={"description": "A URI reference naming the kind of problem", "example": "about:blank"})
    title = ma.fields.String(metadata={"description": "Short summary of the kind of problem"})
    status = ma.fields.Integer(metadata={"description": "The HTTP status code"})
    detail = ma.fields.String(metadata={"description": "What went wrong with this request"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Validation messages by field name"},
    )


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: Mapping[str, list[str]] | None = None,
    headers: Iterable[tuple[str, str]] = (),
    **extensions: Any,
) -> Response:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {"type": "about:blank", "title": phrase, "status": status, "detail": detail or phrase}
    if errors:
        body["errors"] = dict(errors)
    body.update(extensions)
    response = Response(orjson.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    response.headers.extend(headers)
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow/webargs messages ({"json": {"field": [...]}}, nested dicts) as {"field.sub": [messages]}."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_request": messages}
    if not isinstance(messages, Mapping):
        return {prefix or "_request": [str(messages)]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        flat.update(flatten_messages(value, name))
    return flat


def _strip_location(messages: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[str]]:
    """webargs nests messages under the location (json, query, …); clients want field names.

    Returns the field messages and the messages about the request as a whole (e.g. "Invalid JSON body.").
    """
    fields: dict[str, Any] = {}
    general: list[str] = []
    for location_messages in messages.values():
        if isinstance(location_messages, Mapping):
            fields.update(location_messages)
        else:
            general.extend(map(str, location_messages))
    return fields, general


def http_exception_problem(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    headers.extend((data.get("headers") or {}).items())
    if "messages" in data:
        fields, general = _strip_location(data["messages"])
        detail = " ".join(general) or "The request is not valid; see `errors` for each field."
        return problem(status, detail, errors=flatten_messages(fields) if fields else None, headers=headers)
    detail = data.get("message") or (error.description if status < 500 else None)
    return problem(status, detail, headers=headers)


def domain_error_problem(error: errors.DomainError) -> Response:
    status = next(code for kind, code in DOMAIN_ERROR_STATUS.items() if isinstance(error, kind))
    headers = [("WWW-Authenticate", "Bearer")] if status == 401 else []
    return problem(status, error.detail, errors=error.errors, headers=headers, **error.extensions)


def unexpected_error_problem(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return problem(500, "An unexpected error occurred; it has been logged.")


def register_error_handlers(app: Flask) -> None:
    """HTTP errors come through flask-smorest's Api.handle_http_exception (see ProblemApi)."""
    app.register_error_handler(errors.DomainError, domain_error_problem)
    app.register_error_handler(Exception, unexpected_error_problem)
