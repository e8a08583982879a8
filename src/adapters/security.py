"""Password hashing (argon2id), login tokens and time-ordered ids."""

from __future__ import annotations

import secrets
from uuid import UUID

import argon2
from uuid_utils import compat as uuid_compat


class Argon2PasswordHasher:
    def __init__(self, *, time_cost: int = argon2.DEFAULT_TIME_COST, memory_cost: int = argon2.DEFAULT_MEMORY_COST) -> None:
        self._hasher = argon2.PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, type=argon2.Type.ID)
        self.dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


class SecretsTokenGenerator:
    def new_token(self) -> str:
        return secrets.token_urlsafe(32)  # 256 bits


class Uuid7Generator:
    def new_id(self) -> UUID:
        return uuid_compat.uuid7()
