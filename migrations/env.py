"""Alembic environment: migrations target the table metadata of adapters/postgres."""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from adapters.postgres.database import sqlalchemy_url
from adapters.postgres.tables import metadata

config = context.config


def _url() -> sa.URL:
    # `tutorhub db upgrade` passes the URL in; a bare `alembic` call reads DATABASE_URL.
    configured = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not configured:
        raise SystemExit("Set DATABASE_URL or use `tutorhub db upgrade`.")
    return sqlalchemy_url(configured)


def run_migrations_online() -> None:
    engine = sa.create_engine(_url(), poolclass=sa.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
