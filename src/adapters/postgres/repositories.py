"""Repositories: load and add aggregates through an SQLAlchemy session that the unit of work owns."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Session

from domain.users import AuthToken, User


class SqlAlchemyUserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, user: User) -> None:
        self._session.add(user)

    def get(self, user_id: UUID) -> User | None:
        return self._session.get(User, user_id)

    def get_by_email(self, email: str) -> User | None:
        return self._session.scalars(sa.select(User).where(User.email == email)).one_or_none()


class SqlAlchemyAuthTokenRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, token: AuthToken) -> None:
        self._session.add(token)

    def get(self, token_id: UUID) -> AuthToken | None:
        return self._session.get(AuthToken, token_id)

    def get_by_hash(self, token_hash: bytes) -> AuthToken | None:
        return self._session.scalars(sa.select(AuthToken).where(AuthToken.token_hash == token_hash)).one_or_none()
