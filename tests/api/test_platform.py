"""The platform under every endpoint: problem+json errors, request ids and JSON logs, probes, OpenAPI and Swagger UI,
UTF-8 JSON, and the command line."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.postgres import database
from entrypoints.cli import cli
from entrypoints.config import Settings
from entrypoints.http.app import create_app
from tests.conftest import TEST_PASSWORD

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def build_app(settings, **changes):
    """A second, independent app with its own container; close it with `close_app`."""
    app = create_app(dataclasses.replace(settings, **changes))
    app.config["TESTING"] = True
    return app


def close_app(app) -> None:
    app.extensions["tutorhub"].close()


# --- errors are problem+json -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/nope", "/api/nope/", "/api/auth/", "/api/me/extra/"])
def test_an_unknown_url_is_a_404_problem(client, assert_problem, url):
    assert_problem(client.get(url), 404)


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("DELETE", "/api/me/", {"GET", "PATCH"}),
        ("PUT", "/api/me/", {"GET", "PATCH"}),
        ("GET", "/api/auth/login/", {"POST"}),
        ("POST", "/healthz", {"GET"}),
    ],
)
def test_a_wrong_method_is_a_405_problem_that_keeps_allow(client, assert_problem, method, url, allowed):
    response = client.open(url, method=method)

    assert_problem(response, 405)
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("url", ["/api/auth/register/", "/api/auth/login/"])
def test_a_body_over_the_size_cap_is_a_413_problem(client, settings, assert_problem, url):
    oversized = '{"email": "' + "a" * settings.max_request_bytes + '@example.com", "password": "x"}'
    assert_problem(client.post(url, data=oversized, content_type="application/json"), 413)


def test_a_body_just_under_the_cap_is_read(client, settings, engine):
    body = json.dumps({"email": "ann@example.com", "password": TEST_PASSWORD, "full_name": "Ann", "role": "tutor"})
    padded = " " * (settings.max_request_bytes - len(body)) + body  # JSON whitespace up to the cap
    assert client.post("/api/auth/register/", data=padded, content_type="application/json").status_code == 201


@pytest.fixture
def failing_client(app):
    @app.get("/test/boom/")
    def boom():
        raise RuntimeError("secret internals: password=hunter2 SELECT * FROM users")

    return app.test_client()


def test_an_unexpected_exception_is_a_500_problem_without_internals(failing_client, assert_problem):
    response = failing_client.get("/test/boom/", headers={"X-Request-ID": "req-500"})

    problem = assert_problem(response, 500)
    text = response.get_data(as_text=True)
    assert "hunter2" not in text and "RuntimeError" not in text and "SELECT" not in text
    assert problem["title"] == "Internal Server Error"
    assert response.headers["X-Request-ID"] == "req-500"


def test_every_domain_error_status_is_documented_as_a_problem(client, engine, assert_problem):
    """401, 409 and 422 come from domain errors; 400 from the parser: all the same shape."""
    body = {"email": "ann@example.com", "password": TEST_PASSWORD, "full_name": "Ann", "role": "tutor"}
    client.post("/api/auth/register/", json=body)
    problems = [
        assert_problem(client.post("/api/auth/register/", json=body), 409),
        assert_problem(client.post("/api/auth/register/", json=body | {"password": "short"}), 422),
        assert_problem(client.post("/api/auth/login/", json={"email": "x@example.com", "password": "nope"}), 401),
        assert_problem(client.post("/api/auth/login/", data="{", content_type="application/json"), 400),
    ]
    assert all(problem["type"] == "about:blank" for problem in problems)
    assert "password" in problems[1]["errors"]


# --- request ids and JSON logs -----------------------------------------------------------------------------------


def test_a_given_request_id_is_echoed(client):
    for url in ["/healthz", "/nope", "/api/me/"]:
        assert client.get(url, headers={"X-Request-ID": "abc-123.XYZ:9"}).headers["X-Request-ID"] == "abc-123.XYZ:9"


@pytest.mark.parametrize("given", [None, "", "has spaces", "a" * 129, "quote\"d", "ünïcode"])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_generated_one(client, given):
    headers = {} if given is None else {"X-Request-ID": given}

    first = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    second = client.get("/healthz", headers=headers).headers["X-Request-ID"]

    assert first and second and first != second
    assert given is None or given not in (first, second)
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", first)


@pytest.fixture
def logging_app(settings, container, engine, capsys):
    """Builds (call it in the test: stdout is captured per phase) an app that logs at INFO; returns its client and
    a function that returns the log lines written so far, each parsed as the one JSON object it must be."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level

    def build():
        app = create_app(dataclasses.replace(settings, log_level="INFO"), container=container)

        @app.get("/test/boom/")
        def boom():
            raise RuntimeError("kaboom")

        def read() -> list[dict]:
            return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]

        return app.test_client(), read

    yield build
    root.handlers[:], level = saved
    root.setLevel(level)


def access_lines(lines: list[dict], path: str) -> list[dict]:
    return [line for line in lines if line.get("path") == path]


def test_each_request_writes_one_json_access_line(logging_app):
    client, read = logging_app()
    read()

    client.get("/healthz", headers={"X-Request-ID": "req-1"})
    client.post("/api/auth/login/", json={"email": "x@example.com", "password": "nope"})

    lines = read()
    [health] = access_lines(lines, "/healthz")
    assert {key: health[key] for key in ("request_id", "method", "path", "status")} == {
        "request_id": "req-1", "method": "GET", "path": "/healthz", "status": 200,
    }
    assert isinstance(health["duration_ms"], int | float) and health["duration_ms"] >= 0
    [login] = access_lines(lines, "/api/auth/login/")
    assert (login["method"], login["status"]) == ("POST", 401)
    assert login["request_id"] and login["request_id"] != "req-1"


def test_an_unexpected_error_is_logged_as_json_with_its_request_id(logging_app):
    client, read = logging_app()
    read()

    response = client.get("/test/boom/")

    lines = read()
    request_id = response.headers["X-Request-ID"]
    assert [line["status"] for line in access_lines(lines, "/test/boom/")] == [500]
    errors = [line for line in lines if line.get("level") == "ERROR"]
    assert errors and all(line["request_id"] == request_id for line in errors)
    assert "kaboom" in json.dumps(errors)  # the details go to the log, not to the client
    assert "kaboom" not in response.get_data(as_text=True)


# --- probes ------------------------------------------------------------------------------------------------------


def test_healthz_and_readyz_are_ok_on_the_migrated_database(client):
    for url in ["/healthz", "/readyz"]:
        response = client.get(url)
        assert response.status_code == 200
        assert response.get_json() == {"status": "ok"}


def test_readyz_is_a_503_problem_on_a_database_that_is_not_migrated(settings, make_database, assert_problem):
    app = build_app(settings, database_url=make_database())
    try:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        assert "migrat" in assert_problem(client.get("/readyz"), 503)["detail"]
    finally:
        close_app(app)


def test_readyz_is_a_503_problem_when_the_database_is_unreachable(settings, assert_problem):
    app = build_app(settings, database_url="postgresql://postgres@127.0.0.1:5432/tutorhub_missing_database")
    try:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        problem = assert_problem(client.get("/readyz"), 503)
        assert "tutorhub_missing_database" not in problem["detail"]
    finally:
        close_app(app)


# --- OpenAPI and Swagger UI --------------------------------------------------------------------------------------

EXPECTED_RESPONSES = {
    ("/healthz", "get"): {"200"},
    ("/readyz", "get"): {"200", "503"},
    ("/api/auth/register/", "post"): {"201", "409", "422"},
    ("/api/auth/login/", "post"): {"200", "401", "422", "429"},
    ("/api/auth/logout/", "post"): {"204", "401"},
    ("/api/me/", "get"): {"200", "401"},
    ("/api/me/", "patch"): {"200", "401", "422"},
}
NOT_IN_THE_API = {"static", "swagger_ui_assets"}
PUBLIC = {("/healthz", "get"), ("/readyz", "get"), ("/api/auth/register/", "post"), ("/api/auth/login/", "post")}


def operations(spec: dict):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method != "parameters":
                yield (path, method), operation


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_openapi_documents_each_endpoint_with_its_success_and_error_responses(spec):
    assert spec["openapi"].startswith("3.")
    for (path, method), statuses in EXPECTED_RESPONSES.items():
        documented = spec["paths"][path][method]["responses"]
        assert statuses <= set(documented), (path, method, sorted(documented))


def test_openapi_lists_every_route_of_the_app(app, spec):
    routes = {
        (re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in NOT_IN_THE_API and not rule.endpoint.startswith("api-docs")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {key for key, _ in operations(spec)}

    assert routes == documented
    assert set(EXPECTED_RESPONSES) <= documented


def test_openapi_error_responses_carry_the_problem_schema(spec):
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem)
    for (path, method), statuses in EXPECTED_RESPONSES.items():
        for status in statuses - {"200", "201", "204"}:
            response = spec["paths"][path][method]["responses"][status]
            ref = response.get("$ref", "")
            resolved = spec["components"]["responses"][ref.rsplit("/", 1)[-1]] if ref else response
            schemas = [content["schema"] for content in resolved["content"].values()]
            assert {"$ref": "#/components/schemas/Problem"} in schemas, (path, method, status)


def test_openapi_marks_the_endpoints_that_need_a_bearer_token(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    secured = {key for key, operation in operations(spec) if operation.get("security")}

    assert set(EXPECTED_RESPONSES) - PUBLIC <= secured
    assert not PUBLIC & secured
    for key, operation in operations(spec):
        if key in secured:
            assert operation["security"] == [{"bearerAuth": []}], key
            assert "401" in operation["responses"], key


def test_openapi_documents_errors_as_problem_json_and_successes_as_json(spec):
    for name, response in spec["components"]["responses"].items():
        if "content" in response:
            assert set(response["content"]) == {"application/problem+json"}, name
    for key, operation in operations(spec):
        for status, response in operation["responses"].items():
            if status.startswith("2") and "content" in response:
                assert set(response["content"]) == {"application/json"}, (key, status)


def test_swagger_ui_is_served_from_local_assets(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)

    assets = re.findall(r'(?:src|href)="([^"]+)"', html)

    assert any(asset.endswith(".js") for asset in assets) and any(asset.endswith(".css") for asset in assets)
    assert not [asset for asset in assets if "//" in asset], "every asset must be served locally (no internet)"
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.get_data()) > 1000, asset
    assert "/api/openapi.json" in html


def test_a_missing_swagger_asset_is_a_404_problem(client, assert_problem):
    assert_problem(client.get("/api/docs/assets/no-such-file.js"), 404)
    assert_problem(client.get("/api/docs/assets/../../../etc/passwd"), 404)


# --- JSON out ----------------------------------------------------------------------------------------------------


def test_non_ascii_text_comes_back_as_utf8_not_escapes(client, engine, auth_headers):
    name = "Олена Ковальчук ✓ Łódź"
    created = client.post(
        "/api/auth/register/",
        json={"email": "olena@example.com", "password": TEST_PASSWORD, "full_name": name, "role": "tutor"},
    )
    headers = auth_headers("olena@example.com")
    fetched = client.get("/api/me/", headers=headers)

    for response in (created, fetched):
        raw = response.get_data()
        assert name.encode("utf-8") in raw
        assert b"\\u" not in raw
        assert json.loads(raw.decode("utf-8"))["full_name"] == name


def test_problem_details_are_utf8_too(client, engine):
    response = client.post(
        "/api/auth/register/",
        json={"email": "a@example.com", "password": TEST_PASSWORD, "full_name": "A", "role": "tutor", "timezone": "Київ"},
    )
    assert response.status_code == 422
    assert b"\\u" not in response.get_data()
    assert "Київ".encode() in response.get_data()


# --- command line ------------------------------------------------------------------------------------------------


def run_cli(settings, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), obj={"settings": settings}, input=input)


def test_db_upgrade_migrates_a_fresh_database_and_is_idempotent(settings, make_database):
    fresh = dataclasses.replace(settings, database_url=make_database())

    first = run_cli(fresh, "db", "upgrade")
    second = run_cli(fresh, "db", "upgrade")

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert database.head_revision() in first.output
    engine = database.make_engine(fresh.database_url)
    try:
        assert database.is_migrated(engine)
    finally:
        engine.dispose()


def test_create_admin_makes_an_admin_who_can_log_in(settings, client, engine):
    result = run_cli(settings, "create-admin", "--email", " Root@Example.com ", "--password", "a long admin password")

    assert result.exit_code == 0, result.output
    assert "root@example.com" in result.output
    login = client.post("/api/auth/login/", json={"email": "root@example.com", "password": "a long admin password"})
    assert login.status_code == 200
    me = client.get("/api/me/", headers={"Authorization": f"Bearer {login.get_json()['token']}"}).get_json()
    assert (me["email"], me["role"], me["full_name"]) == ("root@example.com", "admin", "Administrator")


def test_create_admin_prompts_for_the_password_twice(settings, client, engine):
    password = "typed at the prompt"
    typed = f"{password}\n{password}\n"

    result = run_cli(settings, "create-admin", "--email", "root@example.com", "--full-name", "Root", input=typed)

    assert result.exit_code == 0, result.output
    assert password not in result.output
    assert client.post("/api/auth/login/", json={"email": "root@example.com", "password": password}).status_code == 200


def test_create_admin_refuses_a_taken_email(settings, engine, register_user):
    register_user("ann@example.com")

    result = run_cli(settings, "create-admin", "--email", "ANN@example.com", "--password", "a long admin password")

    assert result.exit_code != 0
    assert "already exists" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [("root@example.com", "short", "at least 10"), ("not-an-email", "a long admin password", "email")],
)
def test_create_admin_refuses_invalid_input_with_a_clear_message(settings, client, engine, email, password, message):
    result = run_cli(settings, "create-admin", "--email", email, "--password", password)

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert client.post("/api/auth/login/", json={"email": email, "password": password}).status_code == 401


@pytest.mark.parametrize(
    "args", [["--help"], ["db", "--help"], ["db", "upgrade", "--help"], ["create-admin", "--help"], ["serve", "--help"]]
)
def test_help_works_without_a_database(settings, args):
    nowhere = dataclasses.replace(settings, database_url="postgresql://nobody@127.0.0.1:1/nowhere")

    result = run_cli(nowhere, *args)

    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_manage_py_runs_the_same_command_group():
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "manage.py"), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert all(command in result.stdout for command in ("serve", "db", "create-admin"))


# --- settings ----------------------------------------------------------------------------------------------------


def test_settings_come_from_the_environment_when_asked():
    env = {
        "DATABASE_URL": "postgresql://app:pw@db:5432/tutorhub",
        "TUTORHUB_PGDATA": "/srv/pgdata",
        "SECRET_KEY": "s3cret",
        "TOKEN_TTL_DAYS": "7",
        "RATELIMIT_STORAGE_URI": "redis://redis:6379/0",
        "LOG_LEVEL": "debug",
        "DB_POOL_SIZE": "3",
    }

    configured = Settings.from_env(env)

    assert (configured.database_url, str(configured.embedded_pgdata), configured.secret_key) == (
        "postgresql://app:pw@db:5432/tutorhub", "/srv/pgdata", "s3cret",
    )
    assert (configured.token_ttl, configured.ratelimit_storage_uri, configured.log_level, configured.db_pool_size) == (
        timedelta(days=7), "redis://redis:6379/0", "DEBUG", 3,
    )
    assert "s3cret" not in repr(configured)


def test_settings_defaults():
    defaults = Settings.from_env({})
    assert defaults.database_url is None  # the embedded PostgreSQL
    assert (defaults.token_ttl, defaults.ratelimit_storage_uri, defaults.log_level) == (timedelta(days=30), "memory://", "INFO")
    assert defaults.secret_key and defaults.secret_key != Settings.from_env({}).secret_key


@pytest.mark.parametrize(
    ("name", "value"), [("TOKEN_TTL_DAYS", "0"), ("TOKEN_TTL_DAYS", "-3"), ("TOKEN_TTL_DAYS", "soon"), ("DB_POOL_SIZE", "0")]
)
def test_a_bad_number_in_the_environment_is_refused_by_name(name, value):
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})


def test_behind_a_trusted_proxy_links_keep_the_public_scheme_and_host(settings, engine, auth_headers):
    app = build_app(settings, trusted_proxies=1)
    try:
        client = app.test_client()
        login = client.post("/api/auth/register/", json={"email": "p@example.com", "password": TEST_PASSWORD, "full_name": "P", "role": "tutor"})
        assert login.status_code == 201
        token = client.post("/api/auth/login/", json={"email": "p@example.com", "password": TEST_PASSWORD}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.tutorhub.example"}
        for name in ("Algebra", "Biology"):
            assert client.post("/api/topics/", headers=headers, json={"name": name}).status_code == 201

        page = client.get("/api/topics/?page_size=1", headers=headers).get_json()

        assert page["next"].startswith("https://api.tutorhub.example/api/topics/?")
    finally:
        close_app(app)
