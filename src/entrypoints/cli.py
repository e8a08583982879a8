"""The `tutorhub` command line (also `python manage.py …`): serve, migrate and operate."""

from __future__ import annotations

import copy
import signal
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from domain.errors import DomainError
from entrypoints.bootstrap import Container, bootstrap
from entrypoints.config import Settings
from services import accounts, autosave, demo

T = TypeVar("T")


def _container(ctx: click.Context) -> Container:
    """One container per command, built on first use so `--help` never touches a database."""
    obj = ctx.ensure_object(dict)
    if "container" not in obj:
        obj["container"] = bootstrap(obj.get("settings") or Settings.from_env())
        ctx.call_on_close(obj["container"].close)
    return obj["container"]


def _run(ctx: click.Context, use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a use case; a refusal (bad input, conflict) becomes click's error message and exit code 1."""
    try:
        return _container(ctx).run(use_case, *args, **kwargs)
    except DomainError as exc:
        fields = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.errors.items())
        raise click.ClickException(fields or exc.detail) from None


@click.group()
def cli() -> None:
    """tutorhub: the backend of a tutoring platform."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the API with the development server (production: gunicorn, see README)."""
    from entrypoints.http.app import create_app

    # SIGTERM ends the process like Ctrl-C, so exit handlers run and an embedded PostgreSQL stops cleanly.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    container = _container(ctx)
    app = create_app(container.settings, container=container)
    click.echo(f"tutorhub on http://{host}:{port}/  (docs: http://{host}:{port}/api/docs/)")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@cli.group()
def db() -> None:
    """Database schema."""


@db.command()
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Apply every pending migration."""
    from adapters.postgres import database

    database.upgrade(_container(ctx).database_url)
    click.echo(f"Database at revision {database.head_revision()}.")


@cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--full-name", default="Administrator", show_default=True)
@click.password_option(help="Prompted for (twice) when not given.")
@click.pass_context
def create_admin(ctx: click.Context, email: str, full_name: str, password: str) -> None:
    """Create an admin account."""
    user = _run(ctx, accounts.create_admin, email, password, full_name)
    click.echo(f"Admin {user.email} created (id {user.id}).")


@cli.command("cleanup-autosave")
@click.option(
    "--older-than", "older_than", required=True, type=click.IntRange(min=1), metavar="DAYS",
    help="Delete drafts not updated for more than this many days.",
)
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(min=1), help="Rows per transaction.")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.pass_context
def cleanup_autosave(ctx: click.Context, older_than: int, batch_size: int, dry_run: bool) -> None:
    """Delete old autosave drafts in short batches (safe to run again, e.g. from cron)."""
    # Counted first (cheap, on the updated_at index): the dry run's answer and the progress bar's length.
    expected = _run(ctx, autosave.cleanup_autosave, older_than, dry_run=True)
    if dry_run:
        click.echo(f"Would delete {expected} autosave drafts older than {older_than} days (dry run).")
        return
    with click.progressbar(length=expected, label="Deleting drafts", file=sys.stderr) as bar:  # drawn on a terminal
        deleted = _run(ctx, autosave.cleanup_autosave, older_than, batch_size=batch_size, on_batch=bar.update)
    click.echo(f"Deleted {deleted} autosave drafts older than {older_than} days.")


@cli.command("seed-demo")
@click.option("--force", is_flag=True, help="Add the demo data even though the database already has users.")
@click.pass_context
def seed_demo(ctx: click.Context, force: bool) -> None:
    """Fill an empty database with a small, realistic demo data set and print two logins to try."""
    logins = _run(ctx, demo.seed_demo, force=force)
    click.echo(f"Demo data: {logins.users} users, {logins.lessons} lessons, with topics, relations and drafts.")
    click.echo(f"  tutor:   {logins.tutor_email}  password: {logins.password}")
    click.echo(f"  student: {logins.student_email}  password: {logins.password}")


# The Django-style spelling operators type, `python manage.py cleanup_autosave --older-than=30`, kept out of --help.
_cleanup_autosave_alias = copy.copy(cleanup_autosave)
_cleanup_autosave_alias.hidden = True
cli.add_command(_cleanup_autosave_alias, "cleanup_autosave")
