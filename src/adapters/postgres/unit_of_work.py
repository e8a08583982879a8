from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import Self

from psycopg import errors as pg_errors
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from adapters.postgres import repositories
from domain.aggregate import Aggregate
from domain.errors import Conflict
from domain.events import Event
from services.unit_of_work import AbstractUnitOfWork, EventHandler

# A concurrent request got there first: the caller may retry, so this is a 409, not a 500.
_CONFLICT_ERRORS = (pg_errors.UniqueViolation, pg_errors.ExclusionViolation)


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    def __init__(
        self, session_factory: sessionmaker[Session], handlers: Mapping[type[Event], Sequence[EventHandler]] | None = None
    ) -> None:
        super().__init__(handlers)
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.users = repositories.SqlAlchemyUserRepository(self.session)
        self.tokens = repositories.SqlAlchemyAuthTokenRepository(self.session)
        self.topics = repositories.SqlAlchemyTopicRepository(self.session)
        self.relations = repositories.SqlAlchemyRelationRepository(self.session)
        self.lessons = repositories.SqlAlchemyLessonRepository(self.session)
        self.drafts = repositories.SqlAlchemyDraftRepository(self.session)
        return super().__enter__()

    def __exit__(self, *exc_info: object) -> None:
        super().__exit__(*exc_info)
        self.session.close()

    def _seen(self) -> Iterable[Aggregate]:
        objects = chain(self.session.new, self.session.identity_map.values())
        return [obj for obj in objects if isinstance(obj, Aggregate)]

    def commit(self) -> None:
        # Handlers may flush too (a query autoflushes), so the translation covers the whole commit.
        try:
            super().commit()
        except (IntegrityError, StaleDataError) as exc:
            self.session.rollback()
            if isinstance(exc, StaleDataError) or isinstance(exc.orig, _CONFLICT_ERRORS):
                raise Conflict("The request conflicts with a change made at the same time; try again.") from exc
            raise

    def _commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
