"""Use cases of accounts and authentication: register, log in and out, authenticate, read and edit the profile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from domain.users import (
    SELF_SERVICE_ROLES,
    AuthToken,
    Role,
    User,
    canonical_email,
    hash_token,
    normalize_email,
    validate_password,
)
from services import ports
from services.unit_of_work import AbstractUnitOfWork
from services.views import UserView

# Wrong email and wrong password must be indistinguishable, in the message and in the time taken.
_BAD_CREDENTIALS = "Invalid email or password."


@dataclass(frozen=True)
class Register:
    email: str
    password: str
    full_name: str
    role: str
    timezone: str = "UTC"
    locale: str = "uk"


@dataclass(frozen=True)
class LogIn:
    email: str
    password: str


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: datetime
    user: UserView


@dataclass(frozen=True)
class Principal:
    """Who is calling: the authenticated user and the token they used."""

    user_id: UUID
    role: Role
    token_id: UUID


def register(
    cmd: Register, uow: AbstractUnitOfWork, *, hasher: ports.PasswordHasher, clock: ports.Clock, ids: ports.IdGenerator
) -> UserView:
    """Self-service sign-up: students and tutors only."""
    if cmd.role not in SELF_SERVICE_ROLES:
        raise InvalidInput.field("role", "Must be one of: " + ", ".join(SELF_SERVICE_ROLES) + ".")
    return _create_user(cmd, uow, hasher=hasher, clock=clock, ids=ids)


def create_admin(
    email: str,
    password: str,
    full_name: str,
    uow: AbstractUnitOfWork,
    *,
    hasher: ports.PasswordHasher,
    clock: ports.Clock,
    ids: ports.IdGenerator,
) -> UserView:
    """Operators make admins from the command line; nobody can sign up as one."""
    cmd = Register(email=email, password=password, full_name=full_name, role=Role.ADMIN, timezone="UTC", locale="en")
    return _create_user(cmd, uow, hasher=hasher, clock=clock, ids=ids)


def _create_user(
    cmd: Register, uow: AbstractUnitOfWork, *, hasher: ports.PasswordHasher, clock: ports.Clock, ids: ports.IdGenerator
) -> UserView:
    validate_password(cmd.password)
    email = normalize_email(cmd.email)
    with uow:
        # The unique index settles a race between two sign-ups; this check gives the usual case a clear message.
        if uow.users.get_by_email(email) is not None:
            raise Conflict("An account with this email already exists.")
        user = User.register(
            id=ids.new_id(),
            email=email,
            password_hash=hasher.hash(cmd.password),
            full_name=cmd.full_name,
            role=cmd.role,
            timezone=cmd.timezone,
            locale=cmd.locale,
            now=clock.now(),
        )
        uow.users.add(user)
        uow.commit()
        return UserView.of(user)


def log_in(
    cmd: LogIn,
    uow: AbstractUnitOfWork,
    *,
    hasher: ports.PasswordHasher,
    clock: ports.Clock,
    ids: ports.IdGenerator,
    tokens: ports.TokenGenerator,
    token_ttl: timedelta,
) -> LoginResult:
    email = canonical_email(cmd.email)
    with uow:
        user = uow.users.get_by_email(email)
        if user is None:
            hasher.verify(hasher.dummy_hash, cmd.password)  # same cost as a real check: no timing oracle
            raise AuthenticationFailed(_BAD_CREDENTIALS)
        if not hasher.verify(user.password_hash, cmd.password) or not user.is_active:
            raise AuthenticationFailed(_BAD_CREDENTIALS)
        now = clock.now()
        if hasher.needs_rehash(user.password_hash):
            user.replace_password_hash(hasher.hash(cmd.password), now)
        raw_token = tokens.new_token()
        token = AuthToken.issue(id=ids.new_id(), user_id=user.id, raw_token=raw_token, now=now, ttl=token_ttl)
        uow.tokens.add(token)
        uow.commit()
        return LoginResult(token=raw_token, expires_at=token.expires_at, user=UserView.of(user))


def authenticate(raw_token: str, uow: AbstractUnitOfWork, *, clock: ports.Clock) -> Principal:
    """The caller behind a bearer token; unknown, expired and revoked tokens and inactive users all fail alike."""
    with uow:
        token = uow.tokens.get_by_hash(hash_token(raw_token))
        user = uow.users.get(token.user_id) if token is not None and token.is_active(clock.now()) else None
        if user is None or not user.is_active:
            raise AuthenticationFailed("The access token is missing, invalid, expired or revoked.")
        return Principal(user_id=user.id, role=user.role, token_id=token.id)


def log_out(principal: Principal, uow: AbstractUnitOfWork, *, clock: ports.Clock) -> None:
    """Revokes only the token of this request; the user's other sessions keep working."""
    with uow:
        token = uow.tokens.get(principal.token_id)
        if token is None:
            raise AuthenticationFailed("The access token is missing, invalid, expired or revoked.")
        token.revoke(clock.now())
        uow.commit()


def get_profile(user_id: UUID, uow: AbstractUnitOfWork) -> UserView:
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound("User not found.")
        return UserView.of(user)


def update_profile(
    user_id: UUID, changes: Mapping[str, object], uow: AbstractUnitOfWork, *, clock: ports.Clock
) -> UserView:
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound("User not found.")
        requested_topics = set(changes.get("topic_ids") or ())
        missing_topics = requested_topics - uow.topics.existing_ids(requested_topics)
        if missing_topics:
            raise InvalidInput.field("topic_ids", f"No such topic: {', '.join(sorted(map(str, missing_topics)))}.")
        user.update_profile(changes, clock.now())
        uow.commit()
        return UserView.of(user)
