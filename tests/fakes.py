"""In-memory stand-ins for the ports, for unit tests of the use cases (no database, no network)."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.aggregate import Aggregate
from domain.autosave import Draft
from domain.lessons import Lesson, LessonStatus
from domain.relations import OPEN_STATUSES, Relation, RelationStatus
from domain.topics import Topic
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

    def _filter(self, **criteria: object) -> list:
        return [o for o in self._rows.values() if all(getattr(o, k) == v for k, v in criteria.items())]

    def _find(self, **criteria: object):
        return next(iter(self._filter(**criteria)), None)

    def all(self) -> list:
        return list(self._rows.values())


class FakeUserRepository(_FakeRepository):
    def get_by_email(self, email: str) -> User | None:
        return self._find(email=email)

    def any(self) -> bool:
        return bool(self._rows)


class FakeAuthTokenRepository(_FakeRepository):
    def get_by_hash(self, token_hash: bytes) -> AuthToken | None:
        return self._find(token_hash=token_hash)


class FakeTopicRepository(_FakeRepository):
    def get_by_name(self, name: str) -> Topic | None:
        return next((t for t in self._rows.values() if t.name.lower() == name.lower()), None)

    def slug_exists(self, slug: str) -> bool:
        return self._find(slug=slug) is not None

    def existing_ids(self, topic_ids: Collection[UUID]) -> set[UUID]:
        return set(topic_ids) & set(self._rows)


class FakeRelationRepository(_FakeRepository):
    def find_open(self, tutor_id: UUID, student_email: str) -> Relation | None:
        matches = self._filter(tutor_id=tutor_id, student_email=student_email)
        return next((r for r in matches if r.status in OPEN_STATUSES), None)

    def find_accepted(self, tutor_id: UUID, student_id: UUID) -> Relation | None:
        return self._find(tutor_id=tutor_id, student_id=student_id, status=RelationStatus.ACCEPTED)

    def unclaimed_for_email(self, student_email: str) -> list[Relation]:
        return self._filter(student_email=student_email, student_id=None)


class FakeLessonRepository(_FakeRepository):
    def find_overlapping(
        self, user_ids: Collection[UUID], utc_start: datetime, utc_end: datetime, *, except_lesson: UUID | None = None
    ) -> UUID | None:
        overlapping = sorted(
            (lesson.utc_start, lesson.id)
            for lesson in self._rows.values()
            if lesson.status is LessonStatus.SCHEDULED
            and lesson.id != except_lesson
            and ({lesson.tutor_id, lesson.student_id} & set(user_ids))
            and lesson.utc_start < utc_end
            and lesson.utc_end > utc_start
        )
        return overlapping[0][1] if overlapping else None

    def upcoming_between(self, tutor_id: UUID, student_id: UUID, after: datetime) -> list[Lesson]:
        pair = self._filter(tutor_id=tutor_id, student_id=student_id, status=LessonStatus.SCHEDULED)
        return sorted((lesson for lesson in pair if lesson.utc_start > after), key=lambda lesson: lesson.utc_start)


class FakeDraftRepository(_FakeRepository):
    def get_by_key(self, user_id: UUID, key: str) -> Draft | None:
        return self._find(user_id=user_id, key=key)

    def delete(self, draft: Draft) -> None:
        del self._rows[draft.id]

    def count_older_than(self, cutoff: datetime) -> int:
        return sum(1 for draft in self._rows.values() if draft.updated_at < cutoff)

    def delete_older_than(self, cutoff: datetime, limit: int) -> int:
        old = [draft.id for draft in self._rows.values() if draft.updated_at < cutoff][:limit]
        for draft_id in old:
            del self._rows[draft_id]
        return len(old)


def _state(obj: Aggregate) -> dict[str, object]:
    return {name: value for name, value in vars(obj).items() if not name.startswith("_")}


class FakeUnitOfWork(AbstractUnitOfWork):
    """Objects live in memory across units of work, like rows. Like a transaction, a rollback puts back what
    was committed last, so a failed use case leaves neither changes nor events behind."""

    def __init__(self) -> None:
        super().__init__(EVENT_HANDLERS)
        self.users = FakeUserRepository(self)
        self.tokens = FakeAuthTokenRepository(self)
        self.topics = FakeTopicRepository(self)
        self.relations = FakeRelationRepository(self)
        self.lessons = FakeLessonRepository(self)
        self.drafts = FakeDraftRepository(self)
        self.commits = 0
        self._committed = self._snapshot()

    def _repositories(self) -> tuple[_FakeRepository, ...]:
        return (self.users, self.tokens, self.topics, self.relations, self.lessons, self.drafts)

    def _snapshot(self) -> list[dict[UUID, Aggregate]]:
        return [copy.deepcopy(repo._rows) for repo in self._repositories()]

    def _seen(self) -> Iterable[Aggregate]:
        return [obj for repo in self._repositories() for obj in repo.all()]

    def _commit(self) -> None:
        self.commits += 1
        self._advance_versions()
        self._committed = self._snapshot()

    def _advance_versions(self) -> None:
        """Like the mapper's version_id_col: every versioned aggregate changed since the last commit goes up by one."""
        for repo, committed in zip(self._repositories(), self._committed):
            for obj_id, obj in repo._rows.items():
                before = committed.get(obj_id)
                if before is not None and hasattr(obj, "version") and _state(obj) != _state(before):
                    obj.version += 1

    def rollback(self) -> None:
        for repo, rows in zip(self._repositories(), self._snapshot_of_committed()):
            repo._rows = rows

    def _snapshot_of_committed(self) -> list[dict[UUID, Aggregate]]:
        # Copies again, so the committed state itself is never changed through objects handed out.
        return [copy.deepcopy(rows) for rows in self._committed]
