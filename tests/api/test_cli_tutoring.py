"""`tutorhub cleanup-autosave` through click's CliRunner, and `python manage.py cleanup_autosave` as a real process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from entrypoints.cli import cli

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def drafts(client, auth_headers, engine):
    """drafts({key: age_in_days}) saves each draft through the API, then backdates its updated_at in SQL."""
    headers = auth_headers("ann@example.com")

    def make(ages: dict[str, float]) -> None:
        for key, days in ages.items():
            assert client.put(f"/api/autosave/{key}/", headers=headers, json={"data": {"key": key}}).status_code == 201
            with engine.begin() as connection:
                connection.execute(
                    sa.text("UPDATE autosave_drafts SET updated_at = now() - make_interval(secs => :secs) WHERE key = :key"),
                    {"secs": days * 86400, "key": key},
                )

    return make


def remaining(engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(sa.text("SELECT key FROM autosave_drafts")))


@pytest.fixture
def run(settings):
    def run(*args: str):
        return CliRunner().invoke(cli, list(args), obj={"settings": settings})

    return run


def reported_count(output: str) -> int:
    """The number the command reports (the first number it prints; the day count comes after it)."""
    return int(re.search(r"\d+", output).group())


AGES = {"old-45": 45, "old-31": 31, "just-over": 30.01, "just-under": 29.99, "fresh": 0}


def test_cleanup_deletes_only_drafts_not_updated_for_more_than_n_days(run, drafts, engine):
    drafts(AGES)

    result = run("cleanup-autosave", "--older-than", "30")

    assert result.exit_code == 0, result.output
    assert reported_count(result.stdout) == 3
    assert remaining(engine) == {"just-under", "fresh"}


def test_a_dry_run_prints_the_count_and_deletes_nothing(run, drafts, engine):
    drafts(AGES)

    result = run("cleanup-autosave", "--older-than", "30", "--dry-run")

    assert result.exit_code == 0, result.output
    assert reported_count(result.stdout) == 3
    assert remaining(engine) == set(AGES)


def test_small_batches_delete_every_old_draft(run, drafts, engine):
    drafts({f"old-{n}": 40 for n in range(5)} | {"fresh": 1})

    result = run("cleanup-autosave", "--older-than", "30", "--batch-size", "2")

    assert result.exit_code == 0, result.output
    assert reported_count(result.stdout) == 5
    assert remaining(engine) == {"fresh"}


def test_running_twice_is_safe(run, drafts, engine):
    drafts(AGES)

    first, second = run("cleanup-autosave", "--older-than", "30"), run("cleanup-autosave", "--older-than", "30")

    assert (first.exit_code, second.exit_code) == (0, 0)
    assert (reported_count(first.stdout), reported_count(second.stdout)) == (3, 0)
    assert remaining(engine) == {"just-under", "fresh"}


def test_nothing_to_delete_prints_zero(run, engine):
    result = run("cleanup-autosave", "--older-than", "1")
    assert result.exit_code == 0 and reported_count(result.stdout) == 0


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--older-than", "0"],
        ["--older-than", "-1"],
        ["--older-than", "1.5"],
        ["--older-than", "abc"],
        ["--older-than", ""],
        ["--older-than", "30", "--batch-size", "0"],
        ["--older-than", "30", "--batch-size", "x"],
    ],
)
def test_a_bad_option_is_a_usage_error_and_deletes_nothing(run, drafts, engine, args):
    drafts(AGES)

    for command in ("cleanup-autosave", "cleanup_autosave"):
        result = run(command, *args)
        assert result.exit_code == 2, result.output
        assert "Usage:" in result.output
    assert remaining(engine) == set(AGES)


def test_the_django_style_spelling_runs_the_same_command_but_stays_out_of_help(run, drafts, engine):
    drafts(AGES)

    result = run("cleanup_autosave", "--older-than=30", "--dry-run")
    listing = run("--help")

    assert result.exit_code == 0 and reported_count(result.stdout) == 3
    assert "cleanup-autosave" in listing.output and "cleanup_autosave" not in listing.output


def test_manage_py_cleanup_autosave_runs_against_database_url(drafts, engine, database_url):
    drafts(AGES)
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    refused = manage("cleanup_autosave", "--older-than=0")
    assert refused.returncode == 2, refused.stderr
    assert remaining(engine) == set(AGES)

    done = manage("cleanup_autosave", "--older-than=30")

    assert done.returncode == 0, done.stderr
    assert reported_count(done.stdout) == 3
    assert remaining(engine) == {"just-under", "fresh"}
