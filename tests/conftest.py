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
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
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
