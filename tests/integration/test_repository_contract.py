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


# --- topics, relations, lessons and drafts -----------------------------------------------------------------------

from domain.autosave import Draft  # noqa: E402
from domain.lessons import Lesson  # noqa: E402
from domain.relations import Relation, RelationStatus  # noqa: E402
from domain.topics import Topic, slugify  # noqa: E402

DAY = datetime(2026, 3, 9, tzinfo=UTC)  # a week after NOW: lessons scheduled "now" lie in the future


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def fake_differs(reason: str):
    """Runs a contract test on both backends, the fake's case expected to fail: the fake disagrees with PostgreSQL."""
    fake = pytest.param("fake", marks=pytest.mark.xfail(strict=True, reason=reason))
    return pytest.mark.parametrize("backend", [fake, "postgres"])


def without_version(values: dict) -> dict:
    return {name: value for name, value in values.items() if name != "version"}


def make_topic(name: str = "Algebra") -> Topic:
    return Topic.create(id=uuid4(), name=name, slug=slugify(name), created_by=uuid4(), now=NOW)


def make_relation(tutor: User, student_email: str, student: User | None = None) -> Relation:
    return Relation.invite(
        id=uuid4(), tutor_id=tutor.id, student_email=student_email, student_id=student.id if student else None, now=NOW
    )


def make_lesson(tutor: User, student: User, start: datetime, minutes: int = 60, **overrides: object) -> Lesson:
    values = {
        "id": uuid4(),
        "tutor_id": tutor.id,
        "student_id": student.id,
        "title": "Fractions",
        "utc_start": start,
        "utc_end": start + timedelta(minutes=minutes),
        "now": NOW,
    } | overrides
    return Lesson.schedule(**values)


def make_draft(user: User, key: str = "lesson:1:notes", data: object = None, *, updated: datetime = NOW) -> Draft:
    data = {"text": "Чернетка…", "items": [1, 2.5, None, True]} if data is None else data
    return Draft.create(id=uuid4(), user_id=user.id, key=key, data=data, now=updated)


_REPOSITORY_OF = {User: "users", AuthToken: "tokens", Topic: "topics", Relation: "relations", Lesson: "lessons", Draft: "drafts"}


def save(new_uow: NewUow, *objects: object) -> None:
    """Adds the objects in one unit of work and commits (users before what refers to them, as the caller lists them)."""
    with new_uow() as uow:
        for obj in objects:
            getattr(uow, _REPOSITORY_OF[type(obj)]).add(obj)
        uow.commit()


def people() -> tuple[User, User, User, User]:
    """Two tutors and two students."""
    return (
        make_user("ann@example.com"),
        make_user("bob@example.com", role="student", full_name="Bob Brown"),
        make_user("cid@example.com", role="student", full_name="Cid Clark"),
        make_user("dan@example.com", full_name="Dan Davis"),
    )


# topics


def test_a_topic_round_trips_by_id(new_uow):
    topic = make_topic("Математика")
    expected = state(topic)
    save(new_uow, topic, make_topic("Algebra"))

    with new_uow() as uow:
        assert state(uow.topics.get(topic.id)) == expected
        assert uow.topics.get(uuid4()) is None


@pytest.mark.parametrize(
    ("stored", "asked"),
    [
        ("Algebra", "Algebra"),
        ("Algebra", "algebra"),
        ("Algebra", "ALGEBRA"),
        ("English B2", "eNGLISH b2"),
        ("Математика", "Математика"),
        ("Математика", "математика"),
        ("Математика", "МАТЕМАТИКА"),
        ("Історія України", "історія україни"),
        ("Ґрунтознавство", "ҐРУНТОЗНАВСТВО"),
    ],
)
def test_get_by_name_ignores_case_in_any_script(new_uow, stored, asked):
    topic = make_topic(stored)
    save(new_uow, make_topic("Physics"), topic, make_topic("Фізика"))

    with new_uow() as uow:
        found = uow.topics.get_by_name(asked)
        assert found is not None and found.id == topic.id


@pytest.mark.parametrize("asked", ["Algebr", "Algebra 2", "Математик", "Mатематика"])  # the last starts with a Latin M
def test_get_by_name_needs_the_whole_name(new_uow, asked):
    save(new_uow, make_topic("Algebra"), make_topic("Математика"))

    with new_uow() as uow:
        assert uow.topics.get_by_name(asked) is None


def test_slug_exists_only_for_a_stored_slug(new_uow):
    save(new_uow, make_topic("English B2"), make_topic("Математика"))

    with new_uow() as uow:
        assert uow.topics.slug_exists("english-b2")
        assert uow.topics.slug_exists("математика")
        assert not uow.topics.slug_exists("english")
        assert not uow.topics.slug_exists("english-b2-2")


def test_existing_ids_keeps_only_the_stored_ones(new_uow):
    algebra, chess, physics = make_topic("Algebra"), make_topic("Chess"), make_topic("Physics")
    unknown = uuid4()
    save(new_uow, algebra, chess, physics)

    with new_uow() as uow:
        assert uow.topics.existing_ids([algebra.id, unknown, chess.id]) == {algebra.id, chess.id}
        assert uow.topics.existing_ids({physics.id}) == {physics.id}
        assert uow.topics.existing_ids((unknown,)) == set()
        assert uow.topics.existing_ids([]) == set()
        assert uow.topics.existing_ids(set()) == set()


# relations


def test_relations_round_trip_by_id(new_uow):
    ann, bob, *_ = people()
    claimed = make_relation(ann, "bob@example.com", bob)
    unclaimed = make_relation(ann, "zoe@example.com")
    expected = {claimed.id: state(claimed), unclaimed.id: state(unclaimed)}
    save(new_uow, ann, bob, claimed, unclaimed)

    with new_uow() as uow:
        assert {rid: state(uow.relations.get(rid)) for rid in expected} == expected
        assert uow.relations.get(uuid4()) is None


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (lambda relation, tutor, student: relation.accept(student.id, LATER), RelationStatus.ACCEPTED),
        (lambda relation, tutor, student: relation.decline(student.id, LATER), RelationStatus.DECLINED),
        (lambda relation, tutor, student: relation.cancel(tutor.id, LATER), RelationStatus.CANCELLED),
    ],
    ids=["accept", "decline", "cancel"],
)
def test_a_relation_change_is_committed(new_uow, answer, status):
    ann, bob, *_ = people()
    relation = make_relation(ann, "bob@example.com", bob)
    save(new_uow, ann, bob, relation)

    with new_uow() as uow:
        loaded = uow.relations.get(relation.id)
        answer(loaded, ann, bob)
        expected = without_version(state(loaded))
        uow.commit()

    with new_uow() as uow:
        stored = uow.relations.get(relation.id)
        assert stored.status is status
        assert without_version(state(stored)) == expected


def test_find_open_counts_pending_and_accepted_but_not_declined_or_cancelled(new_uow):
    ann, bob, _, dan = people()
    declined, cancelled = make_relation(ann, "bob@example.com", bob), make_relation(ann, "bob@example.com", bob)
    declined.decline(bob.id, NOW)
    cancelled.cancel(ann.id, NOW)
    save(new_uow, ann, bob, dan, declined, cancelled, make_relation(dan, "bob@example.com", bob))

    with new_uow() as uow:
        assert uow.relations.find_open(ann.id, "bob@example.com") is None

    pending = make_relation(ann, "bob@example.com", bob)
    save(new_uow, pending)
    with new_uow() as uow:
        assert uow.relations.find_open(ann.id, "bob@example.com").id == pending.id
        assert uow.relations.find_open(ann.id, "cid@example.com") is None
        uow.relations.get(pending.id).accept(bob.id, LATER)
        uow.commit()

    with new_uow() as uow:
        found = uow.relations.find_open(ann.id, "bob@example.com")
        assert (found.id, found.status) == (pending.id, RelationStatus.ACCEPTED)


def test_find_open_matches_an_invitation_to_an_email_without_an_account(new_uow):
    ann, *_ = people()
    invitation = make_relation(ann, "zoe@example.com")
    save(new_uow, ann, invitation)

    with new_uow() as uow:
        assert uow.relations.find_open(ann.id, "zoe@example.com").id == invitation.id


def test_find_accepted_only_for_the_accepted_pair(new_uow):
    ann, bob, cid, dan = people()
    accepted, pending = make_relation(ann, "bob@example.com", bob), make_relation(ann, "cid@example.com", cid)
    accepted.accept(bob.id, NOW)
    save(new_uow, ann, bob, cid, dan, accepted, pending)

    with new_uow() as uow:
        assert uow.relations.find_accepted(ann.id, bob.id).id == accepted.id
        assert uow.relations.find_accepted(ann.id, cid.id) is None  # pending
        assert uow.relations.find_accepted(dan.id, bob.id) is None  # another tutor
        assert uow.relations.find_accepted(bob.id, ann.id) is None  # the roles swapped
        uow.relations.get(accepted.id).cancel(bob.id, LATER)
        uow.commit()

    with new_uow() as uow:
        assert uow.relations.find_accepted(ann.id, bob.id) is None


def test_unclaimed_for_email_lists_only_the_rows_of_that_email_without_a_student(new_uow):
    ann, bob, cid, dan = people()
    zoe = make_user("zoe@example.com", role="student", full_name="Zoe Zane")
    save(new_uow, ann, bob, cid, dan, zoe)  # zoe signs up before the invitations: nothing of hers to claim yet
    pending, withdrawn = make_relation(ann, "yan@example.com"), make_relation(dan, "yan@example.com")
    withdrawn.cancel(dan.id, NOW)
    save(
        new_uow,
        pending,
        withdrawn,
        make_relation(ann, "zoe@example.com", zoe),  # claimed: zoe has an account
        make_relation(dan, "xia@example.com"),  # another email
    )

    with new_uow() as uow:
        assert {relation.id for relation in uow.relations.unclaimed_for_email("yan@example.com")} == {
            pending.id,
            withdrawn.id,
        }
        assert uow.relations.unclaimed_for_email("zoe@example.com") == []
        assert uow.relations.unclaimed_for_email("nobody@example.com") == []


# lessons


def test_lessons_round_trip_by_id(new_uow):
    ann, bob, *_ = people()
    topic = make_topic()
    lesson = make_lesson(ann, bob, at(10), 90, topic_id=topic.id, description="Chapter 3", series_id=uuid4())
    plain = make_lesson(ann, bob, at(12))
    expected = {lesson.id: state(lesson), plain.id: state(plain)}
    save(new_uow, ann, bob, topic, lesson, plain)

    with new_uow() as uow:
        assert {lid: state(uow.lessons.get(lid)) for lid in expected} == expected
        assert uow.lessons.get(uuid4()) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda lesson, tutor: lesson.reschedule(tutor.id, at(14), at(15, 30), LATER),
        lambda lesson, tutor: lesson.cancel(tutor.id, "Ill", LATER),
        lambda lesson, tutor: lesson.complete(tutor.id, at(10, 30)),
    ],
    ids=["reschedule", "cancel", "complete"],
)
def test_a_lesson_change_is_committed(new_uow, change):
    ann, bob, *_ = people()
    lesson = make_lesson(ann, bob, at(10))
    save(new_uow, ann, bob, lesson)

    with new_uow() as uow:
        loaded = uow.lessons.get(lesson.id)
        change(loaded, ann)
        expected = without_version(state(loaded))
        uow.commit()

    with new_uow() as uow:
        assert without_version(state(uow.lessons.get(lesson.id))) == expected


@pytest.mark.parametrize("kind", ["lesson", "relation"])
def test_every_committed_change_advances_the_version_by_one(new_uow, kind):
    ann, bob, *_ = people()
    if kind == "lesson":
        obj = make_lesson(ann, bob, at(10))
        changes = [
            lambda lesson: lesson.reschedule(ann.id, at(12), at(13), LATER),
            lambda lesson: lesson.cancel(bob.id, None, LATER),
        ]
    else:
        obj = make_relation(ann, "bob@example.com", bob)
        changes = [lambda relation: relation.accept(bob.id, LATER), lambda relation: relation.cancel(ann.id, LATER)]
    repository = _REPOSITORY_OF[type(obj)]
    save(new_uow, ann, bob, obj)

    versions = []
    with new_uow() as uow:
        versions.append(getattr(uow, repository).get(obj.id).version)
    for change in changes:
        with new_uow() as uow:
            change(getattr(uow, repository).get(obj.id))
            uow.commit()
        with new_uow() as uow:
            versions.append(getattr(uow, repository).get(obj.id).version)

    assert versions == [1, 2, 3]


@pytest.mark.parametrize(
    ("who", "start", "end", "found"),
    [
        ("ann+cid", at(10, 30), at(11, 30), True),  # the tutor is busy then
        ("dan+bob", at(10, 30), at(11, 30), True),  # the student is busy then
        ("ann", at(9), at(12), True),  # contains it
        ("bob", at(10, 15), at(10, 45), True),  # lies inside it
        ("ann+bob", at(9), at(10, 1), True),  # one minute in at the start
        ("ann+bob", at(10, 59), at(12), True),  # one minute in at the end
        ("dan+cid", at(10), at(11), False),  # other people
        ("ann+bob", at(9), at(10), False),  # ends as it starts: touching is no overlap
        ("ann+bob", at(11), at(12), False),  # starts as it ends
        ("ann+bob", at(12), at(13), False),  # only the cancelled lesson is there
        ("ann+bob", at(14), at(15), False),  # only the completed lesson is there
        ("ann+bob", at(11), at(17), False),  # the cancelled and the completed lesson
    ],
)
def test_find_overlapping_finds_a_scheduled_lesson_of_the_tutor_or_the_student(new_uow, who, start, end, found):
    everyone = dict(zip(["ann", "bob", "cid", "dan"], people(), strict=True))
    ann, bob = everyone["ann"], everyone["bob"]
    lesson, cancelled, completed = make_lesson(ann, bob, at(10)), make_lesson(ann, bob, at(12)), make_lesson(ann, bob, at(14))
    cancelled.cancel(bob.id, None, LATER)
    completed.complete(ann.id, at(15))
    save(new_uow, *everyone.values(), lesson, cancelled, completed)

    with new_uow() as uow:
        user_ids = [everyone[name].id for name in who.split("+")]
        assert uow.lessons.find_overlapping(user_ids, start, end) == (lesson.id if found else None)


def test_find_overlapping_leaves_out_the_excepted_lesson(new_uow):
    ann, bob, cid, _ = people()
    lesson, neighbour = make_lesson(ann, bob, at(10)), make_lesson(ann, cid, at(11))
    save(new_uow, ann, bob, cid, lesson, neighbour)

    with new_uow() as uow:
        people_ids = [ann.id, bob.id]
        assert uow.lessons.find_overlapping(people_ids, at(10), at(11), except_lesson=lesson.id) is None
        assert uow.lessons.find_overlapping(people_ids, at(10), at(11), except_lesson=uuid4()) == lesson.id
        assert uow.lessons.find_overlapping(people_ids, at(10), at(12), except_lesson=lesson.id) == neighbour.id


def test_find_overlapping_names_the_earliest_conflict_then_the_smallest_id(new_uow):
    ann, bob, cid, dan = people()
    late, early = make_lesson(ann, bob, at(13)), make_lesson(dan, bob, at(11))  # stored in reverse order of time
    first_a, first_b = make_lesson(ann, cid, at(9)), make_lesson(dan, bob, at(9))  # the same start
    save(new_uow, ann, bob, cid, dan, late, early)

    with new_uow() as uow:
        assert uow.lessons.find_overlapping([ann.id, bob.id], at(10), at(14)) == early.id
        assert uow.lessons.find_overlapping([ann.id], at(10), at(14)) == late.id

    save(new_uow, first_b, first_a)
    with new_uow() as uow:
        assert uow.lessons.find_overlapping([ann.id, bob.id], at(8), at(14)) == min(first_a.id, first_b.id)


@fake_differs(
    "FakeLessonRepository.find_overlapping also sees lessons added to the unit of work but not yet flushed; "
    "SqlAlchemyLessonRepository queries lesson_participants with autoflush off, so it sees only rows already flushed"
)
def test_find_overlapping_does_not_see_a_lesson_added_in_the_same_unit_of_work(new_uow):
    ann, bob, *_ = people()
    save(new_uow, ann, bob)

    with new_uow() as uow:
        lesson = make_lesson(ann, bob, at(10))
        uow.lessons.add(lesson)
        assert uow.lessons.find_overlapping([ann.id, bob.id], at(10), at(11)) is None


def test_upcoming_between_lists_the_pairs_scheduled_lessons_starting_after_a_moment_earliest_first(new_uow):
    ann, bob, cid, dan = people()
    after = at(10)
    noon, eleven = make_lesson(ann, bob, at(12)), make_lesson(ann, bob, at(11))  # stored out of order
    cancelled, completed = make_lesson(ann, bob, at(14)), make_lesson(ann, bob, at(16))
    cancelled.cancel(ann.id, None, LATER)
    completed.complete(ann.id, at(16, 30))
    others = [
        make_lesson(ann, bob, at(9, 15), 45),  # ends at `after`: started before it
        make_lesson(ann, bob, at(10)),  # starts at `after`, not after it
        make_lesson(ann, cid, at(13)),  # another student
        make_lesson(dan, bob, at(15)),  # another tutor
        make_lesson(bob, ann, at(18)),  # the roles the other way round
    ]
    expected = [state(eleven), state(noon)]
    save(new_uow, ann, bob, cid, dan, noon, eleven, cancelled, completed, *others)

    with new_uow() as uow:
        assert [state(lesson) for lesson in uow.lessons.upcoming_between(ann.id, bob.id, after)] == expected
        assert [lesson.id for lesson in uow.lessons.upcoming_between(ann.id, bob.id, at(11, 30))] == [noon.id]
        assert uow.lessons.upcoming_between(ann.id, bob.id, at(12)) == []
        assert uow.lessons.upcoming_between(ann.id, dan.id, DAY) == []


# drafts


def test_drafts_round_trip_by_user_and_key(new_uow):
    ann, bob, *_ = people()
    anns, bobs = make_draft(ann, data={"text": "ann"}), make_draft(bob, data={"text": "bob"})
    nested = make_draft(ann, "profile:bio", {"text": "Чернетка…", "items": [1, 2.5, None, True, {"deep": []}]})
    expected = {"ann": state(anns), "bob": state(bobs), "nested": state(nested)}
    save(new_uow, ann, bob, anns, bobs, nested)

    with new_uow() as uow:
        assert state(uow.drafts.get_by_key(ann.id, "lesson:1:notes")) == expected["ann"]
        assert state(uow.drafts.get_by_key(bob.id, "lesson:1:notes")) == expected["bob"]
        assert state(uow.drafts.get_by_key(ann.id, "profile:bio")) == expected["nested"]
        assert uow.drafts.get_by_key(bob.id, "profile:bio") is None
        assert uow.drafts.get_by_key(ann.id, "lesson:1") is None
        assert uow.drafts.get_by_key(uuid4(), "lesson:1:notes") is None


def test_a_replaced_draft_is_committed(new_uow):
    ann, *_ = people()
    save(new_uow, ann, make_draft(ann))

    with new_uow() as uow:
        uow.drafts.get_by_key(ann.id, "lesson:1:notes").replace({"text": "v2"}, LATER)
        uow.commit()

    with new_uow() as uow:
        stored = uow.drafts.get_by_key(ann.id, "lesson:1:notes")
        assert (stored.data, stored.created_at, stored.updated_at) == ({"text": "v2"}, NOW, LATER)


def test_delete_removes_only_that_draft_and_only_once_committed(new_uow):
    ann, bob, *_ = people()
    save(new_uow, ann, bob, make_draft(ann), make_draft(bob), make_draft(ann, "other"))

    with new_uow() as uow:
        uow.drafts.delete(uow.drafts.get_by_key(ann.id, "lesson:1:notes"))
        assert uow.drafts.get_by_key(ann.id, "lesson:1:notes") is None  # gone within the unit of work
        # no commit: undone

    with new_uow() as uow:
        uow.drafts.delete(uow.drafts.get_by_key(ann.id, "lesson:1:notes"))
        uow.commit()

    with new_uow() as uow:
        assert uow.drafts.get_by_key(ann.id, "lesson:1:notes") is None
        assert uow.drafts.get_by_key(ann.id, "other") is not None
        assert uow.drafts.get_by_key(bob.id, "lesson:1:notes") is not None


def test_old_drafts_are_counted_and_deleted_in_batches_of_at_most_limit(new_uow):
    ann, bob, *_ = people()
    cutoff = NOW - timedelta(days=30)
    old = [make_draft(ann, f"old-{n}", updated=cutoff - timedelta(days=n, microseconds=1)) for n in range(4)]
    old.append(make_draft(bob, "old-bob", updated=cutoff - timedelta(microseconds=1)))
    kept = [
        make_draft(ann, "at-cutoff", updated=cutoff),  # not older than the cutoff
        make_draft(ann, "fresh", updated=NOW),
        make_draft(bob, "fresh", updated=cutoff + timedelta(microseconds=1)),
    ]
    save(new_uow, ann, bob, *old, *kept)

    with new_uow() as uow:
        assert uow.drafts.count_older_than(cutoff) == 5
        assert uow.drafts.count_older_than(NOW + timedelta(days=1)) == 8
        assert uow.drafts.count_older_than(cutoff - timedelta(days=100)) == 0

    deleted = []
    for limit in (2, 2, 2, 2):
        with new_uow() as uow:
            deleted.append(uow.drafts.delete_older_than(cutoff, limit))
            uow.commit()
        with new_uow() as uow:
            assert uow.drafts.count_older_than(cutoff) == 5 - sum(deleted)

    assert deleted == [2, 2, 1, 0]
    with new_uow() as uow:
        assert all(uow.drafts.get_by_key(d.user_id, d.key) is None for d in old)
        assert all(uow.drafts.get_by_key(d.user_id, d.key) is not None for d in kept)


def test_an_uncommitted_delete_older_than_is_undone(new_uow):
    ann, *_ = people()
    save(new_uow, ann, make_draft(ann, updated=NOW - timedelta(days=40)))

    with new_uow() as uow:
        assert uow.drafts.delete_older_than(NOW, 10) == 1
        # no commit

    with new_uow() as uow:
        assert uow.drafts.count_older_than(NOW) == 1
