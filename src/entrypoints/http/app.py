"""create_app(settings): builds one complete, independent application (tests build as many as they like)."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Flask, Response, request, send_from_directory
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from domain.users import MAX_EMAIL_LENGTH, canonical_email
from entrypoints.bootstrap import Container, bootstrap
from entrypoints.config import Settings
from entrypoints.http import accounts, autosave, health, lessons, relations, topics
from entrypoints.http.api import BEARER_SCHEME, ProblemApi
from entrypoints.http.json import OrjsonProvider
from entrypoints.http.observability import configure_logging, init_request_logging
from entrypoints.http.problems import register_error_handlers

SWAGGER_UI_ASSETS = Path(flask_swagger_ui.__file__).parent / "dist"
BLUEPRINTS = (
    health.blp,
    accounts.auth_blp,
    accounts.me_blp,
    topics.topics_blp,
    topics.tutors_blp,
    relations.blp,
    lessons.blp,
    autosave.blp,
)


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    app = Flask("tutorhub")
    if settings.trusted_proxies:
        # Behind a reverse proxy: take the client address, scheme and host (used in pagination links and the
        # login throttle's fallback key) from that many X-Forwarded-* hops.
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    app.json = OrjsonProvider(app)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        API_TITLE="tutorhub",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs/",
        OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_STRATEGY="moving-window",
    )
    app.extensions["tutorhub"] = container or bootstrap(settings)

    init_request_logging(app)
    register_error_handlers(app)
    api = ProblemApi(app)
    api.spec.components.security_scheme(BEARER_SCHEME, {"type": "http", "scheme": "bearer"})
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.add_url_rule(
        "/api/docs/assets/<path:filename>",
        endpoint="swagger_ui_assets",
        view_func=lambda filename: send_from_directory(SWAGGER_UI_ASSETS, filename),
    )
    _throttle_failed_logins(app, settings)
    return app


def _throttle_failed_logins(app: Flask, settings: Settings) -> None:
    """Only failed attempts count, per email: 5 within 15 minutes, then 429 with Retry-After."""

    # Registered before the limiter's own hook, so it runs after it (Flask runs these last-in, first-out).
    @app.after_request
    def _rate_limit_headers_only_on_429(response: Response) -> Response:
        if response.status_code != 429:
            for header in ("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
                response.headers.pop(header, None)
        return response

    limiter = Limiter(get_remote_address, app=app)
    endpoint = "auth.Login"
    app.view_functions[endpoint] = limiter.limit(
        settings.login_attempts_limit,
        key_func=_login_email,
        deduct_when=lambda response: response.status_code == 401,
        error_message="Too many failed logins for this email; wait before trying again.",
    )(app.view_functions[endpoint])


def _login_email() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    if isinstance(email, str) and email.strip():
        return "login-email:" + canonical_email(email)[:MAX_EMAIL_LENGTH]
    return "login-ip:" + (get_remote_address() or "unknown")
