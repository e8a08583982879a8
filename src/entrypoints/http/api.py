"""flask-smorest's Api and Blueprint, made to speak problem+json and bearer auth."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import flask_smorest
import orjson
from flask import Request, current_app, g, request
from flask_smorest import abort
from marshmallow import missing
from webargs.core import is_json
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from domain.errors import AuthenticationFailed
from entrypoints.bootstrap import Container
from entrypoints.http.problems import PROBLEM_MIMETYPE, ProblemSchema, http_exception_problem
from services import accounts
from services.accounts import Principal

BEARER_SCHEME = "bearerAuth"


class ProblemApi(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def handle_http_exception(self, error: HTTPException) -> Any:
        return http_exception_problem(error)

    def _register_responses(self) -> None:
        # Document the shared error responses (NOT_FOUND, CONFLICT, …) as problem+json, as they are sent;
        # success bodies keep application/json.
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_MIMETYPE
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE


class OrjsonParser(FlaskParser):
    """Request bodies parsed by orjson, which refuses what is not JSON (NaN, Infinity) and bounds nesting depth,
    and then refuses NUL characters, which PostgreSQL cannot store in text: a 400 or 422 instead of a 500."""

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json(req.mimetype):
            return missing
        data = orjson.loads(req.get_data(cache=True))
        field = _nul_field(data)
        if field is not None:
            abort(422, messages={"json": {field: ["Must not contain NUL (\\u0000) characters."]}})
        return data


def _nul_field(data: Any) -> str | None:
    """The dotted path of the first text holding a NUL character (e.g. "title", "data.items.3"), or None."""
    pending: list[tuple[Any, str]] = [(data, "")]
    while pending:  # a loop, not recursion: bodies may nest as deep as orjson allows
        value, path = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            return path or "_body"
        if isinstance(value, dict):
            for key, child in value.items():
                child_path = f"{path}.{key}" if path else key
                if "\x00" in key:
                    return child_path.replace("\x00", "\\u0000")
                pending.append((child, child_path))
        elif isinstance(value, list):
            pending.extend((child, f"{path}.{i}" if path else str(i)) for i, child in enumerate(value))
    return None


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = OrjsonParser()

    def authenticated(self, view: Callable[..., Any]) -> Callable[..., Any]:
        """Require a valid bearer token; the caller is then `current_principal()`."""

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.principal = _authenticate_request()
            return view(*args, **kwargs)

        wrapper = self.alt_response(401, response="UNAUTHORIZED")(wrapper)
        return self.doc(security=[{BEARER_SCHEME: []}])(wrapper)


def _authenticate_request() -> Principal:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("Send `Authorization: Bearer <token>`; log in to get a token.")
    return services().run(accounts.authenticate, token.strip())


def current_principal() -> Principal:
    return g.principal


def services() -> Container:
    """The composition root's Container of this app."""
    return current_app.extensions["tutorhub"]
