"""The `tutorhub` command line (also `python manage.py …`): serve, migrate and operate."""

from __future__ import annotations

import click

from domain.errors import DomainError
from entrypoints.bootstrap import Container, bootstrap
from entrypoints.config import Settings
from services import accounts


def _container(ctx: click.Context) -> Container:
    """One container per command, built on first use so `--help` never touches a database."""
    obj = ctx.ensure_object(dict)
    if "container" not in obj:
        obj["container"] = bootstrap(obj.get("settings") or Settings.from_env())
        ctx.call_on_close(obj["container"].close)
    return obj["container"]


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
    try:
        user = _container(ctx).run(accounts.create_admin, email, password, full_name)
    except DomainError as exc:
        raise click.ClickException(_describe(exc)) from None
    click.echo(f"Admin {user.email} created (id {user.id}).")


def _describe(error: DomainError) -> str:
    details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.errors.items())
    return f"{error.detail} ({details})" if details else error.detail
