"""Users and their login tokens."""

from __future__ import annotations

import functools
import hashlib
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.aggregate import Aggregate
from domain.errors import InvalidInput
from domain.events import ProfileUpdated, UserLoggedIn, UserLoggedOut, UserRegistered


class Role(StrEnum):
    STUDENT = "student"
    TUTOR = "tutor"
    ADMIN = "admin"


class Locale(StrEnum):
    UK = "uk"
    EN = "en"


SELF_SERVICE_ROLES = (Role.STUDENT, Role.TUTOR)  # admins are made by operators only
MAX_EMAIL_LENGTH = 254
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte-long password would be a cheap denial of service
MAX_FULL_NAME_LENGTH = 200
MAX_BIO_LENGTH = 2000
MAX_TIMEZONE_LENGTH = 64
MAX_HEADLINE_LENGTH = 200
MAX_TUTOR_TOPICS = 20
EDITABLE_PROFILE_FIELDS = ("full_name", "timezone", "locale", "bio", "headline", "topic_ids")
TUTOR_ONLY_FIELDS = ("headline", "topic_ids")

_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def canonical_email(raw: str) -> str:
    """Emails are compared case-insensitively, so they are stored and looked up trimmed and lower-cased."""
    return raw.strip().lower()


def normalize_email(raw: str) -> str:
    """The canonical form of a valid email address; InvalidInput otherwise."""
    email = canonical_email(raw)
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL_SHAPE.match(email):
        raise InvalidInput.field("email", "Not a valid email address.")
    return email


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.field("password", f"Must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput.field("password", f"Must be at most {MAX_PASSWORD_LENGTH} characters long.")


@functools.cache
def _known_timezones() -> frozenset[str]:
    # The tz database also ships files that are not zones a person lives in.
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "Factory", "posixrules"}


def validate_timezone(name: str) -> str:
    if name not in _known_timezones():
        raise InvalidInput.field("timezone", f"Unknown time zone {name[:MAX_TIMEZONE_LENGTH]!r}; use an IANA name.")
    return name


def _clean_full_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_FULL_NAME_LENGTH:
        raise InvalidInput.field("full_name", f"Must be 1 to {MAX_FULL_NAME_LENGTH} characters long.")
    return name


def _clean_bio(bio: str) -> str:
    if len(bio) > MAX_BIO_LENGTH:
        raise InvalidInput.field("bio", f"Must be at most {MAX_BIO_LENGTH} characters long.")
    return bio


def _parse_choice(enum: type[StrEnum], field: str, value: str) -> StrEnum:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidInput.field(field, f"Must be one of: {allowed}.") from None


def _clean_headline(headline: str) -> str:
    headline = headline.strip()
    if len(headline) > MAX_HEADLINE_LENGTH:
        raise InvalidInput.field("headline", f"Must be at most {MAX_HEADLINE_LENGTH} characters long.")
    return headline


def _clean_topic_ids(topic_ids: object) -> frozenset[UUID]:
    unique = frozenset(topic_ids)
    if len(unique) > MAX_TUTOR_TOPICS:
        raise InvalidInput.field("topic_ids", f"At most {MAX_TUTOR_TOPICS} topics.")
    return unique


_PROFILE_CLEANERS = {
    "full_name": _clean_full_name,
    "timezone": validate_timezone,
    "locale": lambda value: _parse_choice(Locale, "locale", value),
    "bio": _clean_bio,
    "headline": _clean_headline,
    "topic_ids": _clean_topic_ids,
}


@dataclass(eq=False)
class TutorTopic:
    """A topic a tutor teaches (part of the User aggregate)."""

    tutor_id: UUID
    topic_id: UUID


@dataclass(eq=False)
class User(Aggregate):
    id: UUID
    email: str
    password_hash: str
    full_name: str
    role: Role
    timezone: str
    locale: Locale
    bio: str
    is_active: bool
    created_at: datetime
    updated_at: datetime
    headline: str = ""
    topic_links: list[TutorTopic] = field(default_factory=list)

    @property
    def topic_ids(self) -> frozenset[UUID]:
        return frozenset(link.topic_id for link in self.topic_links)

    @topic_ids.setter
    def topic_ids(self, topic_ids: frozenset[UUID]) -> None:
        # Keep the links that stay (no delete-and-reinsert of the same row), drop the others, add the new ones.
        self.topic_links[:] = [link for link in self.topic_links if link.topic_id in topic_ids]
        present = self.topic_ids
        self.topic_links.extend(TutorTopic(tutor_id=self.id, topic_id=t) for t in sorted(topic_ids - present))

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        email: str,
        password_hash: str,
        full_name: str,
        role: Role | str,
        timezone: str,
        locale: Locale | str,
        now: datetime,
    ) -> User:
        user = cls(
            id=id,
            email=normalize_email(email),
            password_hash=password_hash,
            full_name=_clean_full_name(full_name),
            role=_parse_choice(Role, "role", role),
            timezone=validate_timezone(timezone),
            locale=_parse_choice(Locale, "locale", locale),
            bio="",
            is_active=True,
            created_at=now,
            updated_at=now,
        )
        user.record(UserRegistered(occurred_at=now, user_id=user.id, email=user.email, role=user.role.value))
        return user

    def update_profile(self, changes: Mapping[str, object], now: datetime) -> tuple[str, ...]:
        """Apply the editable fields in `changes`; returns (and announces) the names of those that really changed."""
        unknown = sorted(set(changes) - set(EDITABLE_PROFILE_FIELDS))
        if unknown:
            raise InvalidInput("These fields cannot be changed here.", errors={f: ["Cannot be changed."] for f in unknown})
        if self.role is not Role.TUTOR and any(name in changes for name in TUTOR_ONLY_FIELDS):
            raise InvalidInput(
                "Only tutors have a headline and topics.",
                errors={f: ["Only tutors have this field."] for f in TUTOR_ONLY_FIELDS if f in changes},
            )
        changed = []
        for name in EDITABLE_PROFILE_FIELDS:
            if name in changes:
                value = _PROFILE_CLEANERS[name](changes[name])
                current = getattr(self, name)
                if current != value:
                    setattr(self, name, value)
                    changed.append(name)
        if changed:
            self.updated_at = now
            self.record(ProfileUpdated(occurred_at=now, user_id=self.id, changed_fields=tuple(changed)))
        return tuple(changed)

    def replace_password_hash(self, password_hash: str, now: datetime) -> None:
        self.password_hash = password_hash
        self.updated_at = now


def hash_token(raw_token: str) -> bytes:
    """Only this digest of a login token is stored, so a database leak does not leak sessions."""
    return hashlib.sha256(raw_token.encode()).digest()


@dataclass(eq=False)
class AuthToken(Aggregate):
    id: UUID
    user_id: UUID
    token_hash: bytes
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    @classmethod
    def issue(cls, *, id: UUID, user_id: UUID, raw_token: str, now: datetime, ttl: timedelta) -> AuthToken:
        token = cls(id=id, user_id=user_id, token_hash=hash_token(raw_token), created_at=now, expires_at=now + ttl)
        token.record(UserLoggedIn(occurred_at=now, user_id=user_id, token_id=id))
        return token

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now
            self.record(UserLoggedOut(occurred_at=now, user_id=self.user_id, token_id=self.id))
