"""In-memory stand-ins for the ports, for unit tests of the use cases (no database, no network)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.aggregate import Aggregate
from domain.users import AuthToken, User
from services.handlers import EVENT_HANDLERS
from services.unit_of_work import AbstractUnitOfWork


class FakeClock:
    def __init__(self, now: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class FakeIdGenerator:
    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new_id(self) -> UUID:
        return UUID(int=next(self._counter))


class FakePasswordHasher:
    """Reversible on purpose; `scheme` stands for the hashing parameters, so a change of it needs a rehash."""

    def __init__(self, scheme: str = "v2") -> None:
        self.scheme = scheme
        self.dummy_hash = f"{scheme}$dummy"
        self.verified: list[str] = []

    def hash(self, password: str) -> str:
        return f"{self.scheme}${password}"

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return password_hash.split("$", 1)[1] == password

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"{self.scheme}$")


class FakeTokenGenerator:
    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new_token(self) -> str:
        return f"token-{next(self._counter)}"


class _FakeRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self._rows: dict[UUID, Aggregate] = {}

    def add(self, obj: Aggregate) -> None:
        self._rows[obj.id] = obj

    def get(self, obj_id: UUID):
        return self._rows.get(obj_id)

    def _find(self, **criteria: object):
        return next((o for o in self._rows.values() if all(getattr(o, k) == v for k, v in criteria.items())), None)

    def all(self) -> list:
        return list(self._rows.values())


class FakeUserRepository(_FakeRepository):
    def get_by_email(self, email: str) -> User | None:
        return self._find(email=email)


class FakeAuthTokenRepository(_FakeRepository):
    def get_by_hash(self, token_hash: bytes) -> AuthToken | None:
        return self._find(token_hash=token_hash)


class FakeUnitOfWork(AbstractUnitOfWork):
    """Commits are counted, not simulated: the objects live in memory across units of work, like rows."""

    def __init__(self) -> None:
        super().__init__(EVENT_HANDLERS)
        self.users = FakeUserRepository(self)
        self.tokens = FakeAuthTokenRepository(self)
        self.commits = 0

    def _seen(self) -> Iterable[Aggregate]:
        return [obj for repo in (self.users, self.tokens) for obj in repo.all()]

    def _commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        pass
