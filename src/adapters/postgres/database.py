"""Engines, sessions and schema migrations."""

from __future__ import annotations

from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg import sql
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"


def sqlalchemy_url(database_url: str) -> sa.URL:
    """Accept the usual postgresql:// form and always drive it with psycopg 3."""
    return make_url(database_url).set(drivername="postgresql+psycopg")


def make_engine(database_url: str, *, pool_size: int = 5) -> sa.Engine:
    return sa.create_engine(sqlalchemy_url(database_url), pool_size=pool_size, pool_pre_ping=True)


def make_session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    # Use cases hand back plain data after commit; expiring would only cost a reload.
    return sessionmaker(bind=engine, expire_on_commit=False)


def create_database(server_url: str, name: str) -> None:
    """Create database `name` on the server of `server_url` (a postgresql:// URL psycopg understands).

    Case-insensitive rules (emails, topic names, ordering) rely on lower() knowing every alphabet, which a server
    initialised in the plain "C" locale does not. PostgreSQL 17+ has a built-in, OS-independent C.UTF-8 locale that
    does, so it is used where available; older servers keep their cluster default (C.UTF-8 or a language locale on
    the usual packages).
    """
    with psycopg.connect(server_url, autocommit=True) as connection:
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if connection.info.server_version >= 170000:
            statement += sql.SQL(" TEMPLATE template0 LOCALE_PROVIDER builtin BUILTIN_LOCALE 'C.UTF-8'")
        connection.execute(statement)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = sqlalchemy_url(database_url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # the option goes through configparser
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def is_migrated(engine: sa.Engine) -> bool:
    """True when the database answers and stands at the newest migration."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return False
        current = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    return current == [head_revision()]
