"""The composition root: builds the adapters once and hands them to the use cases that ask for them."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

from adapters import embedded_postgres
from adapters.clock import SystemClock
from adapters.postgres import database, orm
from adapters.postgres.read_models import SqlAlchemyReadModel
from adapters.postgres.unit_of_work import SqlAlchemyUnitOfWork
from adapters.security import Argon2PasswordHasher, SecretsTokenGenerator, Uuid7Generator
from entrypoints.config import Settings
from services.handlers import EVENT_HANDLERS
from services.unit_of_work import AbstractUnitOfWork

T = TypeVar("T")

EMBEDDED_DATABASE_NAME = "tutorhub"


@dataclass
class Container:
    """Everything a use case may ask for, by parameter name: `uow` (a fresh one per call) and the ports."""

    settings: Settings
    database_url: str
    engine: sa.Engine
    uow_factory: Callable[[], AbstractUnitOfWork]
    ports: dict[str, Any]

    def run(self, use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call `use_case` with a new unit of work and the ports its keyword-only parameters name."""
        wanted = _injectable_parameters(use_case)
        injected = {name: self.ports[name] for name in wanted if name in self.ports and name not in kwargs}
        if "uow" in wanted and "uow" not in kwargs:
            injected["uow"] = self.uow_factory()
        return use_case(*args, **kwargs, **injected)

    def close(self) -> None:
        self.engine.dispose()


@functools.cache
def _injectable_parameters(use_case: Callable[..., Any]) -> frozenset[str]:
    parameters = inspect.signature(use_case).parameters.values()
    return frozenset(p.name for p in parameters if p.kind is p.KEYWORD_ONLY or p.name == "uow")


def resolve_database_url(settings: Settings) -> str:
    """The configured DATABASE_URL, or else the embedded server's (started on demand)."""
    return settings.database_url or embedded_postgres.start(settings.embedded_pgdata, EMBEDDED_DATABASE_NAME)


def bootstrap(settings: Settings) -> Container:
    orm.start_mappers()
    database_url = resolve_database_url(settings)
    engine = database.make_engine(database_url, pool_size=settings.db_pool_size)
    session_factory = database.make_session_factory(engine)
    hasher_costs = {
        name: value
        for name, value in (("time_cost", settings.argon2_time_cost), ("memory_cost", settings.argon2_memory_cost))
        if value is not None
    }
    return Container(
        settings=settings,
        database_url=database_url,
        engine=engine,
        uow_factory=lambda: SqlAlchemyUnitOfWork(session_factory, EVENT_HANDLERS),
        ports={
            "clock": SystemClock(),
            "ids": Uuid7Generator(),
            "hasher": Argon2PasswordHasher(**hasher_costs),
            "tokens": SecretsTokenGenerator(),
            "token_ttl": settings.token_ttl,
            "read_model": SqlAlchemyReadModel(engine),
        },
    )
