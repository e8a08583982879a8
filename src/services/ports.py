"""Ports: what the use cases need from the outside world, as typing.Protocols the adapters implement."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.users import AuthToken, User


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class IdGenerator(Protocol):
    def new_id(self) -> UUID:
        """A new time-ordered (UUIDv7) id."""


class PasswordHasher(Protocol):
    dummy_hash: str  # a valid hash of no real password, to spend the same time on unknown emails

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than the current ones."""


class TokenGenerator(Protocol):
    def new_token(self) -> str:
        """An unguessable, URL-safe random string."""


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...

    def get(self, user_id: UUID) -> User | None: ...

    def get_by_email(self, email: str) -> User | None:
        """`email` is already normalized."""


class AuthTokenRepository(Protocol):
    def add(self, token: AuthToken) -> None: ...

    def get(self, token_id: UUID) -> AuthToken | None: ...

    def get_by_hash(self, token_hash: bytes) -> AuthToken | None: ...
