"""Domain events: immutable facts in the past tense, recorded by aggregates and dispatched by the unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class Event:
    occurred_at: datetime


@dataclass(frozen=True)
class UserRegistered(Event):
    user_id: UUID
    email: str
    role: str


@dataclass(frozen=True)
class UserLoggedIn(Event):
    user_id: UUID
    token_id: UUID


@dataclass(frozen=True)
class UserLoggedOut(Event):
    user_id: UUID
    token_id: UUID


@dataclass(frozen=True)
class ProfileUpdated(Event):
    user_id: UUID
    changed_fields: tuple[str, ...]
