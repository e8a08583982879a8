"""Shared fixtures. Integration and API tests run on a real PostgreSQL database that the session creates and drops.

The server is DATABASE_URL's when set (CI: the machine's PostgreSQL 15), else the embedded PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from adapters import embedded_postgres
from adapters.postgres import database
from adapters.postgres.tables import metadata
from entrypoints.bootstrap import Container, bootstrap
from entrypoints.config import Settings
from tests import fakes

TEST_PASSWORD = "correct horse battery"


def _server_url() -> str:
    return os.environ.get("DATABASE_URL") or embedded_postgres.start(Settings().embedded_pgdata, "postgres")


def _with_database(url: str, name: str) -> str:
    return database.sqlalchemy_url(url).set(database=name).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def make_database() -> Iterator:
    """Creates empty databases on the test server; drops them all at the end of the session."""
    server = _server_url()
    created: list[str] = []

    def make() -> str:
        name = f"tutorhub_test_{uuid.uuid4().hex[:12]}"
        database.create_database(server, name)
        created.append(name)
        return _with_database(server, name)

    yield make
    with psycopg.connect(server, autocommit=True) as connection:
        for name in created:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def database_url(make_database) -> str:
    url = make_database()
    database.upgrade(url)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret",
        argon2_time_cost=1,
        argon2_memory_cost=64,
        log_level="WARNING",
    )


@pytest.fixture(scope="session")
def container(settings: Settings) -> Iterator[Container]:
    container = bootstrap(settings)
    yield container
    container.close()


@pytest.fixture
def engine(container: Container) -> Iterator[sa.Engine]:
    """The test database, emptied after each test that uses it."""
    yield container.engine
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with container.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} CASCADE"))


@pytest.fixture
def app(settings: Settings, container: Container, engine):
    from entrypoints.http.app import create_app

    app = create_app(settings, container=container)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def register_user(client):
    """Signs a user up through the API; returns the created user."""

    def register(email: str, *, role: str = "student", full_name: str = "Test User", **extra) -> dict:
        body = {"email": email, "password": TEST_PASSWORD, "full_name": full_name, "role": role, **extra}
        response = client.post("/api/auth/register/", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return register


@pytest.fixture
def auth_headers(client, register_user):
    """Registers (if needed) and logs in a user; returns the Authorization header for them."""

    def login(email: str, *, role: str = "student", **extra) -> dict[str, str]:
        response = client.post("/api/auth/login/", json={"email": email, "password": TEST_PASSWORD})
        if response.status_code == 401:
            register_user(email, role=role, **extra)
            response = client.post("/api/auth/login/", json={"email": email, "password": TEST_PASSWORD})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return login


@pytest.fixture
def uow() -> fakes.FakeUnitOfWork:
    return fakes.FakeUnitOfWork()


@pytest.fixture
def clock() -> fakes.FakeClock:
    return fakes.FakeClock()


@pytest.fixture
def assert_problem():
    """Checks that a response is an RFC 9457 problem+json with the given status and no internals; returns its body."""

    def check(response, status: int) -> dict:
        text = response.get_data(as_text=True)
        assert response.status_code == status, text
        assert response.mimetype == "application/problem+json", response.headers
        body = response.get_json()
        assert {"type", "title", "status", "detail"} <= set(body), body
        assert body["status"] == status
        assert isinstance(body["title"], str) and body["title"]
        assert isinstance(body["detail"], str) and body["detail"]
        assert "Traceback" not in text and "sqlalchemy" not in text.lower() and "psycopg" not in text.lower()
        return body

    return check


# --- tutoring: a tutor and a student who accepted them (used by the lessons and calendar API tests) --------------

from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402


@dataclass
class TutoringPair:
    """A tutor and a student with an accepted relation, each logged in, and a way to schedule lessons for them."""

    client: object
    tutor: dict[str, str]
    student: dict[str, str]
    tutor_id: str
    student_id: str
    relation_id: str

    def schedule(self, start: datetime, end: datetime | None = None, **fields):
        """POST /api/lessons/ as the tutor (one hour unless `end`); returns the response."""
        body = {
            "student_id": self.student_id,
            "title": "Lesson",
            "utc_start": start.isoformat(),
            "utc_end": (end or start + timedelta(hours=1)).isoformat(),
            **fields,
        }
        return self.client.post("/api/lessons/", headers=self.tutor, json=body)

    def lesson(self, start: datetime, end: datetime | None = None, **fields) -> dict:
        """Schedules a lesson that must succeed; returns it."""
        response = self.schedule(start, end, **fields)
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture
def make_pair(client, auth_headers):
    """make_pair(tutor_email, student_email) signs both up (or logs them in), invites and accepts: a TutoringPair."""

    def make(tutor_email: str = "tutor@example.com", student_email: str = "student@example.com") -> TutoringPair:
        tutor = auth_headers(tutor_email, role="tutor", full_name="Tutor " + tutor_email.split("@")[0])
        student = auth_headers(student_email, role="student", full_name="Student " + student_email.split("@")[0])
        invited = client.post("/api/relations/", headers=tutor, json={"student_email": student_email})
        assert invited.status_code == 201, invited.get_json()
        accepted = client.post(f"/api/relations/{invited.get_json()['id']}/accept/", headers=student)
        assert accepted.status_code == 200, accepted.get_json()
        relation = accepted.get_json()
        return TutoringPair(client, tutor, student, relation["tutor"]["id"], relation["student"]["id"], relation["id"])

    return make


@pytest.fixture
def later() -> datetime:
    """A whole UTC hour 30 days ahead: lesson times that stay in the future for the whole test."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=30)


@pytest.fixture
def walk_pages(client):
    """walk_pages(url, headers): GETs `url` and every `next` link after it (each must be a 200); returns the pages."""

    def walk(url: str, headers: dict[str, str]) -> list[dict]:
        pages: list[dict] = []
        while url:
            response = client.get(url, headers=headers)
            assert response.status_code == 200, response.get_json()
            pages.append(response.get_json())
            url = pages[-1]["next"]
        return pages

    return walk
