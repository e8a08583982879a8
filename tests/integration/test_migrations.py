"""The alembic migrations build exactly the schema of adapters/postgres/tables.py, and undo it cleanly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from adapters.postgres import database
from adapters.postgres.tables import metadata


def schema_differences(engine: sa.Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, metadata)


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_builds_the_schema_of_the_metadata_and_downgrade_removes_it(make_database):
    url = make_database()
    engine = database.make_engine(url)
    try:
        assert not database.is_migrated(engine)

        database.upgrade(url)
        assert schema_differences(engine) == []
        assert table_names(engine) == set(metadata.tables)
        assert database.is_migrated(engine)

        database.downgrade(url, "base")
        assert table_names(engine) == set()
        assert not database.is_migrated(engine)

        database.upgrade(url)
        assert schema_differences(engine) == []
        database.upgrade(url)  # nothing left to do: a second upgrade is harmless
        assert database.is_migrated(engine)
    finally:
        engine.dispose()


def test_the_database_enforces_normalized_and_unique_emails(make_database):
    """The constraints of the metadata made it into the migration: the last line of defence against races."""
    url = make_database()
    database.upgrade(url)
    engine = database.make_engine(url)
    insert = sa.text(
        "INSERT INTO users (id, email, password_hash, full_name, role, timezone, locale, created_at, updated_at)"
        " VALUES (gen_random_uuid(), :email, 'h', 'N', :role, 'UTC', 'uk', now(), now())"
    )
    try:
        with engine.begin() as connection:
            connection.execute(insert, {"email": "ann@example.com", "role": "tutor"})
        for email, role in [("ann@example.com", "tutor"), ("Bob@example.com", "tutor"), ("bob@example.com", "superuser")]:
            with engine.begin() as connection:
                try:
                    connection.execute(insert, {"email": email, "role": role})
                except sa.exc.IntegrityError:
                    continue
            raise AssertionError(f"the database accepted {email!r} as {role!r}")
    finally:
        engine.dispose()
