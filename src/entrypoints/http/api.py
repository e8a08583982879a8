"""flask-smorest's Api and Blueprint, made to speak problem+json and bearer auth."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import flask_smorest
from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

from domain.errors import AuthenticationFailed
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


class Blueprint(flask_smorest.Blueprint):
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


def services() -> Any:
    """The composition root's Container of this app."""
    return current_app.extensions["tutorhub"]
