"""`tutorhub seed-demo` through click's CliRunner: demo data of every kind, logins that work, and no second run
on a database that already has users unless --force. Each seed takes seconds, so there are few tests."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from entrypoints.cli import cli

LOGIN = re.compile(r"^\s*(tutor|student):\s+(\S+@\S+)\s+password:\s+(\S+)\s*$", re.MULTILINE)


@pytest.fixture
def run(settings, engine):
    """run(*args) invokes the CLI on the test database (emptied after the test, through `engine`)."""

    def run(*args: str):
        return CliRunner().invoke(cli, list(args), obj={"settings": settings})

    return run


def logins(output: str) -> dict[str, tuple[str, str]]:
    """{"tutor": (email, password), "student": (email, password)} as the command printed them."""
    found = {role: (email, password) for role, email, password in LOGIN.findall(output)}
    assert set(found) == {"tutor", "student"}, output
    return found


def log_in(client, email: str, password: str) -> str:
    response = client.post("/api/auth/login/", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def scalar(engine, query: str, **params: object):
    with engine.connect() as connection:
        return connection.scalar(sa.text(query), params)


def column(engine, query: str) -> set:
    with engine.connect() as connection:
        return set(connection.scalars(sa.text(query)))


def user_count(engine) -> int:
    return scalar(engine, "SELECT count(*) FROM users")


def test_seed_demo_fills_an_empty_database_and_prints_two_logins_that_work(run, client, engine):
    result = run("seed-demo")

    assert result.exit_code == 0, result.output
    printed = logins(result.output)
    for role, (email, password) in printed.items():
        token = log_in(client, email, password)
        me = client.get("/api/me/", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.get_json()["role"] == role, me.get_json()
    for side, (email, _) in printed.items():  # the logins to try have students / a tutor to look at
        accepted = f"SELECT count(*) FROM relations r JOIN users u ON u.id = r.{side}_id WHERE r.status = 'accepted' AND u.email = :email"
        assert scalar(engine, accepted, email=email) >= 1, side

    reported = re.search(r"(\d+) users, (\d+) lessons", result.output)
    assert reported, result.output
    assert (int(reported[1]), int(reported[2])) == (user_count(engine), scalar(engine, "SELECT count(*) FROM lessons"))

    assert column(engine, "SELECT DISTINCT status FROM relations") == {"pending", "accepted", "declined", "cancelled"}
    assert scalar(engine, "SELECT count(*) FROM relations WHERE status = 'pending' AND student_id IS NULL") >= 1
    assert column(engine, "SELECT DISTINCT status FROM lessons") == {"scheduled", "completed", "cancelled"}
    assert scalar(engine, "SELECT count(*) FROM lessons WHERE utc_start < now()") >= 1
    assert scalar(engine, "SELECT count(*) FROM lessons WHERE utc_start > now()") >= 1
    assert scalar(engine, "SELECT count(*) FROM lessons WHERE status = 'completed' AND utc_start > now()") == 0
    assert scalar(engine, "SELECT count(*) FROM topics") >= 1
    assert scalar(engine, "SELECT count(*) FROM tutor_topics") >= 1
    assert scalar(engine, "SELECT count(*) FROM autosave_drafts") >= 1


def test_seed_demo_refuses_to_run_again_without_force_and_adds_more_users_with_it(run, client, engine):
    first = run("seed-demo")
    assert first.exit_code == 0, first.output
    seeded = user_count(engine)

    again = run("seed-demo")

    assert again.exit_code != 0
    assert "already has users" in again.output and "--force" in again.output, again.output
    assert "Traceback" not in again.output
    assert user_count(engine) == seeded

    forced = run("seed-demo", "--force")

    assert forced.exit_code == 0, forced.output
    assert user_count(engine) > seeded
    printed = logins(forced.output)
    assert printed != logins(first.output)  # the second set of demo users has emails of its own
    for email, password in printed.values():
        log_in(client, email, password)


def test_seed_demo_refuses_a_database_that_has_any_user(run, register_user, engine):
    register_user("ann@example.com")

    result = run("seed-demo")

    assert result.exit_code != 0
    assert "--force" in result.output, result.output
    assert user_count(engine) == 1
