"""The unit of work: one transaction, the repositories that work inside it, and the events it dispatches."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Self

from domain.aggregate import Aggregate
from domain.events import Event
from services import ports

EventHandler = Callable[[Event, "AbstractUnitOfWork"], None]


class AbstractUnitOfWork(abc.ABC):
    users: ports.UserRepository
    tokens: ports.AuthTokenRepository
    topics: ports.TopicRepository
    relations: ports.RelationRepository
    lessons: ports.LessonRepository
    drafts: ports.DraftRepository

    def __init__(self, handlers: Mapping[type[Event], Sequence[EventHandler]] | None = None) -> None:
        self._handlers = handlers or {}
        self.dispatched: list[Event] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Whatever was not committed is undone: an exception or an early return never leaves a partial write.
        self.rollback()

    def commit(self) -> None:
        """Run the handlers of every recorded event inside this transaction, then commit it all at once."""
        pending = self._collect_events()
        while pending:
            event = pending.pop(0)
            for handler in self._handlers.get(type(event), ()):
                handler(event, self)
            self.dispatched.append(event)
            pending.extend(self._collect_events())
        self._commit()

    def _collect_events(self) -> list[Event]:
        return [event for aggregate in self._seen() for event in aggregate.pull_events()]

    @abc.abstractmethod
    def _seen(self) -> Iterable[Aggregate]:
        """Every aggregate added or loaded in this unit of work."""

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...
