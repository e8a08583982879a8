"""POST /api/auth/register/, /login/ and /logout/ end to end on PostgreSQL, and bearer authentication."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from datetime import datetime, timedelta
from uuid import uuid4

import argon2
import pytest
import sqlalchemy as sa

from entrypoints.http.app import create_app
from tests.conftest import TEST_PASSWORD

REGISTER = "/api/auth/register/"
LOGIN = "/api/auth/login/"
LOGOUT = "/api/auth/logout/"
ME = "/api/me/"
USER_FIELDS = {"id", "email", "full_name", "role", "timezone", "locale", "bio", "is_active", "created_at", "updated_at"}


def sign_up(client, **overrides):
    body = {"email": "ann@example.com", "password": TEST_PASSWORD, "full_name": "Ann Smith", "role": "tutor"} | overrides
    return client.post(REGISTER, json=body)


def log_in(client, email: str = "ann@example.com", password: str = TEST_PASSWORD):
    return client.post(LOGIN, json={"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def stored_password_hash(engine: sa.Engine, email: str) -> str:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT password_hash FROM users WHERE email = :e"), {"e": email}).scalar_one()


def assert_utc_iso(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value)


# --- register ----------------------------------------------------------------------------------------------------


def test_register_creates_the_user_and_never_returns_the_password(client, engine):
    response = sign_up(client, email="  Ann.Smith@Example.COM ", role="tutor", timezone="Europe/Kyiv", locale="en")

    assert response.status_code == 201
    assert response.mimetype == "application/json"
    user = response.get_json()
    assert USER_FIELDS <= set(user)
    assert (user["email"], user["role"]) == ("ann.smith@example.com", "tutor")
    assert (user["timezone"], user["locale"]) == ("Europe/Kyiv", "en")
    assert (user["bio"], user["is_active"]) == ("", True)
    assert assert_utc_iso(user["created_at"]) == assert_utc_iso(user["updated_at"])
    raw = response.get_data(as_text=True)
    assert TEST_PASSWORD not in raw and "argon2" not in raw and "password" not in raw
    assert stored_password_hash(engine, "ann.smith@example.com").startswith("$argon2id$")


def test_register_defaults_to_utc_and_ukrainian(client, engine):
    user = sign_up(client, role="student").get_json()
    assert (user["role"], user["timezone"], user["locale"]) == ("student", "UTC", "uk")


@pytest.mark.parametrize("second", ["ann@example.com", "ANN@Example.com", "  ann@example.com\t"])
def test_a_second_account_with_the_same_email_is_a_409(client, engine, assert_problem, second):
    assert sign_up(client, email="Ann@example.com").status_code == 201

    assert_problem(sign_up(client, email=second, role="student"), 409)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "x" * 9}, "password"),
        ({"password": "x" * 1025}, "password"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"role": "teacher"}, "role"),
        ({"role": "admin"}, "role"),
        ({"locale": "fr"}, "locale"),
        ({"email": "not-an-email"}, "email"),
        ({"full_name": ""}, "full_name"),
        ({"is_active": False}, "is_active"),
        ({"bio": "sneaked in"}, "bio"),
        ({"id": "01890000-0000-7000-8000-000000000000"}, "id"),
        ({"email": 42}, "email"),
        ({"password": ["correct", "horse"]}, "password"),
        ({"full_name": {"first": "Ann"}}, "full_name"),
        ({"role": True}, "role"),
        ({"timezone": None}, "timezone"),
    ],
)
def test_invalid_sign_up_is_a_422_naming_the_field(client, engine, assert_problem, overrides, field):
    problem = assert_problem(sign_up(client, **overrides), 422)

    assert field in problem["errors"]
    assert all(isinstance(message, str) for message in problem["errors"][field])
    assert log_in(client).status_code == 401  # nothing was created


@pytest.mark.parametrize("missing", ["email", "password", "full_name", "role"])
def test_a_missing_required_field_is_a_422(client, engine, assert_problem, missing):
    body = {"email": "ann@example.com", "password": TEST_PASSWORD, "full_name": "Ann", "role": "tutor"}
    del body[missing]
    assert missing in assert_problem(client.post(REGISTER, json=body), 422)["errors"]


@pytest.mark.parametrize("body", ["[]", '"ann@example.com"', "42", "null", ""])
def test_a_body_that_is_not_an_object_is_a_422(client, engine, assert_problem, body):
    assert_problem(client.post(REGISTER, data=body, content_type="application/json"), 422)


@pytest.mark.parametrize("url", [REGISTER, LOGIN])
@pytest.mark.parametrize("raw", ['{"email": "ann@example.com",', "{'email': 'ann'}", "not json at all"])
def test_malformed_json_is_a_400(client, engine, assert_problem, url, raw):
    assert_problem(client.post(url, data=raw, content_type="application/json"), 400)


# --- log in ------------------------------------------------------------------------------------------------------


def test_log_in_returns_a_token_its_expiry_and_the_user(client, engine):
    user = sign_up(client).get_json()

    response = log_in(client, email="  ANN@example.com ")

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at", "user"}
    assert body["user"] == user
    expires_at = assert_utc_iso(body["expires_at"])
    created_at = assert_utc_iso(user["created_at"])
    assert timedelta(days=29) < expires_at - created_at < timedelta(days=31)  # 30 days by default
    assert len(body["token"]) >= 32
    assert client.get(ME, headers=bearer(body["token"])).get_json() == user


def test_only_the_sha256_of_a_token_is_stored(client, engine):
    sign_up(client)
    token = log_in(client).get_json()["token"]

    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT token_hash FROM auth_tokens")).scalars().all()

    assert stored == [hashlib.sha256(token.encode()).digest()]


def test_wrong_email_and_wrong_password_get_the_same_401(client, engine, assert_problem):
    sign_up(client)

    wrong_password = assert_problem(log_in(client, password="not the password"), 401)
    wrong_email = assert_problem(log_in(client, email="bob@example.com"), 401)

    assert wrong_password == wrong_email


@pytest.mark.parametrize(
    "body",
    [{"email": "ann@example.com"}, {"password": TEST_PASSWORD}, {"email": "ann@example.com", "password": TEST_PASSWORD, "keep": 1}],
)
def test_an_incomplete_or_unknown_login_body_is_a_422(client, engine, assert_problem, body):
    sign_up(client)
    assert_problem(client.post(LOGIN, json=body), 422)


def test_five_failed_logins_for_one_email_are_throttled(client, engine, assert_problem):
    sign_up(client)
    sign_up(client, email="bob@example.com")
    for _ in range(5):
        assert log_in(client, password="not the password").status_code == 401

    throttled = log_in(client, email=" ANN@example.com", password=TEST_PASSWORD)  # even the right password

    assert_problem(throttled, 429)
    assert int(throttled.headers["Retry-After"]) > 0
    assert "Retry-After" not in log_in(client, email="bob@example.com", password="not the password").headers
    assert log_in(client, email="bob@example.com").status_code == 200  # another email is not throttled
    assert log_in(client, email="bob@example.com", password="not the password").status_code == 401


def test_the_throttle_is_shared_by_every_process_through_redis(settings, container, engine):
    """With RATELIMIT_STORAGE_URI on Redis, failures counted by one app instance throttle the others."""
    redis_url = os.environ.get("RATELIMIT_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("set RATELIMIT_TEST_REDIS_URL (as .ci/run does) to test the Redis storage")
    shared = dataclasses.replace(settings, ratelimit_storage_uri=redis_url)
    first, second = (create_app(shared, container=container).test_client() for _ in range(2))
    email = f"throttle-{uuid4().hex}@example.com"  # the Redis database outlives the test run

    for client in (first, second, first, second, first):
        assert log_in(client, email=email, password="not the password").status_code == 401

    assert log_in(second, email=email).status_code == 429
    assert log_in(first, email=email).status_code == 429


def test_successful_logins_are_not_throttled(client, engine):
    sign_up(client)
    for _ in range(7):
        assert log_in(client).status_code == 200
    for _ in range(4):
        assert log_in(client, password="not the password").status_code == 401
    assert log_in(client).status_code == 200


def test_a_hash_with_older_argon2_parameters_is_upgraded_at_the_next_login(client, engine):
    sign_up(client)
    old_hash = argon2.PasswordHasher(time_cost=1, memory_cost=32).hash(TEST_PASSWORD)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET password_hash = :h WHERE email = 'ann@example.com'"), {"h": old_hash})

    assert log_in(client).status_code == 200

    new_hash = stored_password_hash(engine, "ann@example.com")
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$") and "m=32," not in new_hash
    assert argon2.PasswordHasher().verify(new_hash, TEST_PASSWORD)
    assert log_in(client).status_code == 200
    assert stored_password_hash(engine, "ann@example.com") == new_hash  # current parameters: left alone


def test_the_token_lifetime_is_configurable(settings, engine):
    app = create_app(dataclasses.replace(settings, token_ttl=timedelta(hours=2)))
    try:
        client = app.test_client()
        user = sign_up(client).get_json()
        expires_at = assert_utc_iso(log_in(client).get_json()["expires_at"])
        assert timedelta(hours=1) < expires_at - assert_utc_iso(user["created_at"]) < timedelta(hours=3)
    finally:
        app.extensions["tutorhub"].close()


# --- bearer tokens -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YW5uOnB3"},
        {"Authorization": "Bearer not-a-token-anyone-was-given"},
        {"Authorization": "Token abc"},
    ],
    ids=["missing", "empty", "scheme-only", "blank-token", "basic", "unknown", "other-scheme"],
)
@pytest.mark.parametrize(("method", "url"), [("GET", ME), ("PATCH", ME), ("POST", LOGOUT)])
def test_a_missing_or_unknown_token_is_a_401_bearer_challenge(client, engine, assert_problem, headers, method, url):
    response = client.open(url, method=method, headers=headers, json={} if method == "PATCH" else None)

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_an_expired_token_is_a_401(client, engine, assert_problem):
    sign_up(client)
    token = log_in(client).get_json()["token"]
    assert client.get(ME, headers=bearer(token)).status_code == 200
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE auth_tokens SET expires_at = now() - interval '1 second'"))

    response = client.get(ME, headers=bearer(token))

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_the_token_of_a_deactivated_user_is_a_401(client, engine, assert_problem):
    sign_up(client)
    token = log_in(client).get_json()["token"]
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET is_active = false"))

    assert_problem(client.get(ME, headers=bearer(token)), 401)
    assert_problem(log_in(client), 401)


# --- log out -----------------------------------------------------------------------------------------------------


def test_logout_revokes_only_that_token(client, engine, assert_problem):
    sign_up(client)
    laptop = log_in(client).get_json()["token"]
    phone = log_in(client).get_json()["token"]

    response = client.post(LOGOUT, headers=bearer(laptop))

    assert response.status_code == 204
    assert response.get_data() == b""
    revoked = client.get(ME, headers=bearer(laptop))
    assert_problem(revoked, 401)
    assert revoked.headers["WWW-Authenticate"] == "Bearer"
    assert_problem(client.post(LOGOUT, headers=bearer(laptop)), 401)
    assert client.get(ME, headers=bearer(phone)).status_code == 200
    with engine.connect() as connection:
        revoked_at = connection.execute(sa.text("SELECT count(*) FROM auth_tokens WHERE revoked_at IS NOT NULL")).scalar_one()
    assert revoked_at == 1


def test_register_login_me_logout_flow(client, engine):
    """The flow of the issue's 'done when', as curl would do it."""
    assert sign_up(client, email="ann@example.com").status_code == 201
    token = log_in(client).get_json()["token"]
    assert client.get(ME, headers=bearer(token)).get_json()["email"] == "ann@example.com"
    assert client.patch(ME, headers=bearer(token), json={"bio": "Algebra"}).get_json()["bio"] == "Algebra"
    assert client.post(LOGOUT, headers=bearer(token)).status_code == 204
    assert client.get(ME, headers=bearer(token)).status_code == 401
