"""Settings, read from the environment when asked for (never at import), so tests can build any number of apps."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    # None: start the embedded PostgreSQL under `embedded_pgdata`.
    database_url: str | None = None
    embedded_pgdata: Path = PROJECT_ROOT / "var" / "pgdata"
    # Signs pagination cursors. Random per process when unset, which is fine for one process only.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    token_ttl: timedelta = timedelta(days=30)
    ratelimit_storage_uri: str = "memory://"
    login_attempts_limit: str = "5 per 15 minutes"
    log_level: str = "INFO"
    max_request_bytes: int = 1024 * 1024
    db_pool_size: int = 5
    trusted_proxies: int = 0  # reverse proxies in front of the app whose X-Forwarded-* headers are believed
    # Lower argon2 costs only make the test suite fast; production keeps the library's defaults.
    argon2_time_cost: int | None = None
    argon2_memory_cost: int | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if env.get("DATABASE_URL"):
            values["database_url"] = env["DATABASE_URL"]
        if env.get("TUTORHUB_PGDATA"):
            values["embedded_pgdata"] = Path(env["TUTORHUB_PGDATA"])
        if env.get("SECRET_KEY"):
            values["secret_key"] = env["SECRET_KEY"]
        if env.get("TOKEN_TTL_DAYS"):
            values["token_ttl"] = timedelta(days=_positive_int(env, "TOKEN_TTL_DAYS"))
        if env.get("RATELIMIT_STORAGE_URI"):
            values["ratelimit_storage_uri"] = env["RATELIMIT_STORAGE_URI"]
        if env.get("LOG_LEVEL"):
            values["log_level"] = env["LOG_LEVEL"].upper()
        if env.get("DB_POOL_SIZE"):
            values["db_pool_size"] = _positive_int(env, "DB_POOL_SIZE")
        if env.get("TRUSTED_PROXIES"):
            values["trusted_proxies"] = _positive_int(env, "TRUSTED_PROXIES")
        values.update(overrides)
        return cls(**values)


def _positive_int(env: os._Environ[str] | dict[str, str], name: str) -> int:
    try:
        value = int(env[name])
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {env[name]!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive")
    return value
