"""One contract for the unit of work and its repositories, passed by the in-memory fake and by PostgreSQL.

`new_uow()` gives a fresh unit of work on the same store: a new SqlAlchemyUnitOfWork (new session) for PostgreSQL;
for the fake, whose objects live in the FakeUnitOfWork itself, the same instance again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from adapters.postgres.database import make_session_factory
from adapters.postgres.unit_of_work import SqlAlchemyUnitOfWork
from domain.errors import Conflict
from domain.events import ProfileUpdated, UserLoggedOut, UserRegistered
from domain.users import AuthToken, User, hash_token
from services.unit_of_work import AbstractUnitOfWork
from tests.fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)

NewUow = Callable[[], AbstractUnitOfWork]


@pytest.fixture(params=["fake", "postgres"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def new_uow(request, backend) -> NewUow:
    if backend == "fake":
        fake = FakeUnitOfWork()
        return lambda: fake
    request.getfixturevalue("engine")  # empties the tables afterwards
    return request.getfixturevalue("container").uow_factory


def make_user(email: str = "ann@example.com", **overrides: object) -> User:
    values = {
        "id": uuid4(),
        "email": email,
        "password_hash": "$argon2id$fake",
        "full_name": "Ann Smith",
        "role": "tutor",
        "timezone": "Europe/Kyiv",
        "locale": "en",
        "now": NOW,
    } | overrides
    return User.register(**values)


def make_token(user: User, raw: str = "raw-token") -> AuthToken:
    return AuthToken.issue(id=uuid4(), user_id=user.id, raw_token=raw, now=NOW, ttl=timedelta(days=30))


def state(obj: object) -> dict:
    return {field.name: getattr(obj, field.name) for field in dataclasses.fields(obj)}


def add_committed(new_uow: NewUow, *objects: User | AuthToken) -> None:
    with new_uow() as uow:
        for obj in objects:
            (uow.users if isinstance(obj, User) else uow.tokens).add(obj)
        uow.commit()


# --- round trips -------------------------------------------------------------------------------------------------


def test_a_user_round_trips_by_id_and_by_email(new_uow):
    user = make_user()
    expected = state(user)
    add_committed(new_uow, user)

    with new_uow() as uow:
        assert state(uow.users.get(user.id)) == expected
        assert state(uow.users.get_by_email("ann@example.com")) == expected


def test_missing_users_are_none(new_uow):
    add_committed(new_uow, make_user("ann@example.com"))

    with new_uow() as uow:
        assert uow.users.get(uuid4()) is None
        assert uow.users.get_by_email("bob@example.com") is None


def test_get_by_email_tells_users_apart(new_uow):
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com", role="student")
    add_committed(new_uow, ann, bob)

    with new_uow() as uow:
        assert uow.users.get_by_email("bob@example.com").id == bob.id
        assert uow.users.get_by_email("ann@example.com").id == ann.id


def test_a_token_round_trips_by_id_and_by_hash(new_uow):
    user = make_user()
    token = make_token(user, "raw-1")
    other = make_token(user, "raw-2")
    expected = state(token)
    add_committed(new_uow, user)
    add_committed(new_uow, token, other)

    with new_uow() as uow:
        assert state(uow.tokens.get(token.id)) == expected
        assert state(uow.tokens.get_by_hash(hash_token("raw-1"))) == expected
        assert uow.tokens.get_by_hash(hash_token("raw-2")).id == other.id
        assert uow.tokens.get_by_hash(hash_token("raw-3")) is None
        assert uow.tokens.get(uuid4()) is None


def test_a_user_and_their_token_added_in_one_unit_of_work_commit_together(new_uow):
    user = make_user()
    token = make_token(user)
    add_committed(new_uow, user, token)

    with new_uow() as uow:
        assert uow.tokens.get(token.id).user_id == uow.users.get(user.id).id


# --- transactions ------------------------------------------------------------------------------------------------


def test_a_committed_change_is_visible_to_the_next_unit_of_work(new_uow):
    user = make_user()
    token = make_token(user)
    add_committed(new_uow, user)
    add_committed(new_uow, token)

    with new_uow() as uow:
        uow.users.get(user.id).update_profile({"bio": "Algebra", "timezone": "UTC"}, LATER)
        uow.tokens.get(token.id).revoke(LATER)
        uow.commit()

    with new_uow() as uow:
        stored = uow.users.get(user.id)
        assert (stored.bio, stored.timezone, stored.updated_at) == ("Algebra", "UTC", LATER)
        assert uow.tokens.get(token.id).revoked_at == LATER


def test_an_uncommitted_addition_is_not_visible(new_uow):

    with new_uow() as uow:
        uow.users.add(make_user())
        # no commit: leaving the block rolls back

    with new_uow() as uow:
        assert uow.users.get_by_email("ann@example.com") is None


def test_an_uncommitted_change_is_not_visible(new_uow):
    user = make_user()
    add_committed(new_uow, user)

    with pytest.raises(RuntimeError):
        with new_uow() as uow:
            uow.users.get(user.id).update_profile({"bio": "lost"}, LATER)
            raise RuntimeError("the use case failed before commit")

    with new_uow() as uow:
        assert uow.users.get(user.id).bio == ""


# --- events ------------------------------------------------------------------------------------------------------


def test_commit_dispatches_the_events_of_added_and_loaded_aggregates_once(new_uow):
    user = make_user()
    token = make_token(user)

    with new_uow() as uow:
        uow.users.add(user)
        uow.commit()
        assert [type(event) for event in uow.dispatched].count(UserRegistered) == 1

    with new_uow() as uow:
        already = len(uow.dispatched)
        uow.tokens.add(token)
        uow.users.get(user.id).update_profile({"bio": "Algebra"}, LATER)
        uow.commit()
        uow.tokens.get(token.id).revoke(LATER)
        uow.commit()
        uow.commit()  # nothing new: nothing dispatched again
        kinds = [type(event) for event in uow.dispatched[already:]]

    assert sorted(kind.__name__ for kind in kinds) == ["ProfileUpdated", "UserLoggedIn", "UserLoggedOut"]
    assert kinds.index(UserLoggedOut) > kinds.index(ProfileUpdated)


# --- PostgreSQL only ---------------------------------------------------------------------------------------------


def test_a_second_user_with_the_same_email_is_a_conflict_at_commit(new_uow, backend):
    """Two sign-ups racing past the use case's check: the unique index decides, and it is a Conflict, not a crash."""
    if backend == "fake":
        pytest.skip("the fake has no unique index; the use case's own check is covered by the unit tests")
    add_committed(new_uow, make_user("ann@example.com"))

    with pytest.raises(Conflict):
        add_committed(new_uow, make_user("ann@example.com"))

    with new_uow() as uow:  # the failed unit of work left the store usable and unchanged
        assert uow.users.get_by_email("ann@example.com") is not None
        uow.users.add(make_user("bob@example.com"))
        uow.commit()


def handled_uow(container, handlers) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(make_session_factory(container.engine), handlers)


def test_event_handlers_write_in_the_committing_transaction(container, engine):
    """What a handler changes (an audit entry, a counter…) commits with the change that raised the event."""

    def fill_in_bio(event, uow):
        uow.users.get(event.user_id).update_profile({"bio": f"registered as {event.role}"}, LATER)

    user = make_user()
    with handled_uow(container, {UserRegistered: [fill_in_bio]}) as uow:
        uow.users.add(user)
        uow.commit()
        dispatched = [type(event) for event in uow.dispatched]

    assert dispatched == [UserRegistered, ProfileUpdated]  # events raised by handlers are dispatched too
    with container.uow_factory() as uow:
        assert uow.users.get(user.id).bio == "registered as tutor"


def test_a_failing_handler_rolls_back_the_change_that_raised_the_event(container, engine):
    def fail(event, uow):
        raise RuntimeError("the audit log is down")

    with pytest.raises(RuntimeError), handled_uow(container, {UserRegistered: [fail]}) as uow:
        uow.users.add(make_user())
        uow.commit()

    with container.uow_factory() as uow:
        assert uow.users.get_by_email("ann@example.com") is None
