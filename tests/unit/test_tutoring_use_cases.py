"""The tutoring use cases on in-memory fakes: topics, relations (with claiming at sign-up), lessons, autosave."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.events import (
    LessonCancelled,
    LessonCompleted,
    LessonRescheduled,
    LessonScheduled,
    RelationCancelled,
    RelationDeclined,
    StudentInvited,
    TopicCreated,
    TutorAccepted,
)
from domain.lessons import LessonStatus
from domain.relations import RelationStatus
from domain.users import Role
from services import accounts, autosave, lessons, relations, topics
from services.accounts import Principal
from services.pagination import PageRequest
from services.views import Calendar
from tests.fakes import FakeIdGenerator, FakePasswordHasher

PASSWORD = "correct horse battery"


@pytest.fixture
def ports(clock) -> dict:
    return {"clock": clock, "ids": FakeIdGenerator()}


@pytest.fixture
def sign_up(uow, ports):
    """Registers a user through the accounts use case (so its events run) and returns them as a Principal."""

    def sign_up(email: str, role: str = "student") -> Principal:
        if role == Role.ADMIN:
            user = accounts.create_admin(email, PASSWORD, "Admin", uow, hasher=FakePasswordHasher(), **ports)
        else:
            cmd = accounts.Register(email=email, password=PASSWORD, full_name=email.split("@")[0], role=role)
            user = accounts.register(cmd, uow, hasher=FakePasswordHasher(), **ports)
        return Principal(user_id=user.id, role=Role(user.role), token_id=UUID(int=0))

    return sign_up


@pytest.fixture
def tutor(sign_up) -> Principal:
    return sign_up("tara@example.com", "tutor")


@pytest.fixture
def student(sign_up) -> Principal:
    return sign_up("sam@example.com")


def dispatched(uow, kind: type) -> list:
    return [event for event in uow.dispatched if isinstance(event, kind)]


class NothingReadModel:
    """A read model that finds nothing and remembers the calendar query it was asked."""

    calendar_asked: tuple | None = None

    def topic(self, topic_id):
        return None

    def tutor(self, tutor_id):
        return None

    def relation(self, relation_id, viewer_id):
        return None

    def lesson(self, lesson_id, viewer_id):
        return None

    def calendar(self, user_id, start, end, limit):
        self.calendar_asked = (user_id, start, end, limit)
        return Calendar(results=[], has_more_events=False)


# --- topics -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["tutor", "admin"])
def test_tutors_and_admins_create_topics(sign_up, uow, ports, clock, role):
    editor = sign_up("ed@example.com", role)

    topic = topics.create_topic("  Linear  Algebra ", editor, uow, **ports)

    assert (topic.name, topic.slug, topic.created_at) == ("Linear Algebra", "linear-algebra", clock.now())
    assert uow.topics.get(topic.id).name == "Linear Algebra"
    assert dispatched(uow, TopicCreated) == [
        TopicCreated(occurred_at=clock.now(), topic_id=topic.id, name="Linear Algebra", created_by=editor.user_id)
    ]


def test_students_cannot_create_topics(student, uow, ports):
    with pytest.raises(Forbidden):
        topics.create_topic("Algebra", student, uow, **ports)
    assert uow.topics.all() == []


@pytest.mark.parametrize("again", ["Algebra", "ALGEBRA", "  algebra  "])
def test_topic_names_are_unique_whatever_the_case(tutor, uow, ports, again):
    topics.create_topic("Algebra", tutor, uow, **ports)

    with pytest.raises(Conflict):
        topics.create_topic(again, tutor, uow, **ports)
    assert len(uow.topics.all()) == 1


def test_names_that_share_a_slug_get_numbered_slugs(tutor, uow, ports):
    slugs = [topics.create_topic(name, tutor, uow, **ports).slug for name in ("Maths", "Maths!", "Maths?")]
    assert slugs == ["maths", "maths-2", "maths-3"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_an_invalid_topic_name_is_refused(tutor, uow, ports, name):
    with pytest.raises(InvalidInput):
        topics.create_topic(name, tutor, uow, **ports)
    assert uow.topics.all() == []


@pytest.mark.parametrize("use_case", [topics.get_topic, topics.get_tutor], ids=["topic", "tutor"])
def test_a_missing_topic_or_tutor_is_not_found(use_case):
    with pytest.raises(NotFound):
        use_case(UUID(int=404), read_model=NothingReadModel())


def test_a_tutor_picks_existing_topics_for_their_profile(tutor, uow, ports, clock):
    algebra = topics.create_topic("Algebra", tutor, uow, **ports)

    profile = accounts.update_profile(tutor.user_id, {"headline": "Maths tutor", "topic_ids": [algebra.id]}, uow, clock=clock)

    assert (profile.headline, profile.topic_ids) == ("Maths tutor", [algebra.id])


def test_an_unknown_topic_id_in_the_profile_is_invalid_and_changes_nothing(tutor, uow, ports, clock):
    algebra = topics.create_topic("Algebra", tutor, uow, **ports)

    with pytest.raises(InvalidInput) as raised:
        accounts.update_profile(tutor.user_id, {"headline": "New", "topic_ids": [algebra.id, UUID(int=404)]}, uow, clock=clock)

    assert "topic_ids" in raised.value.errors
    assert (uow.users.get(tutor.user_id).headline, uow.users.get(tutor.user_id).topic_ids) == ("", frozenset())


def test_a_student_cannot_have_topics(student, tutor, uow, ports, clock):
    algebra = topics.create_topic("Algebra", tutor, uow, **ports)
    with pytest.raises(InvalidInput) as raised:
        accounts.update_profile(student.user_id, {"topic_ids": [algebra.id]}, uow, clock=clock)
    assert "topic_ids" in raised.value.errors


# --- relations --------------------------------------------------------------------------------------------------


@pytest.fixture
def invite(uow, ports):
    def invite(email: str, by: Principal) -> UUID:
        return relations.invite_student(email, by, uow, **ports)

    return invite


def test_inviting_a_registered_student_makes_a_pending_relation_for_them(tutor, student, invite, uow, clock):
    relation_id = invite("  Sam@Example.com ", tutor)

    relation = uow.relations.get(relation_id)
    assert (relation.status, relation.student_id, relation.student_email) == (RelationStatus.PENDING, student.user_id, "sam@example.com")
    assert dispatched(uow, StudentInvited) == [
        StudentInvited(occurred_at=clock.now(), relation_id=relation_id, tutor_id=tutor.user_id, student_id=student.user_id, student_email="sam@example.com")
    ]


def test_an_invitation_to_an_unknown_email_is_claimed_when_a_student_signs_up_with_it(tutor, invite, sign_up, uow, ports):
    relation_id = invite("newbie@example.com", tutor)
    assert uow.relations.get(relation_id).student_id is None
    commits = uow.commits

    newbie = sign_up("NewBie@example.com")

    assert uow.relations.get(relation_id).student_id == newbie.user_id
    assert uow.commits == commits + 1  # claimed in the sign-up's own transaction
    relations.accept_relation(relation_id, newbie, uow, clock=ports["clock"])
    assert uow.relations.get(relation_id).status is RelationStatus.ACCEPTED


def test_every_tutors_invitation_to_the_email_is_claimed(sign_up, invite, uow):
    first = invite("newbie@example.com", sign_up("t1@example.com", "tutor"))
    second = invite("newbie@example.com", sign_up("t2@example.com", "tutor"))

    newbie = sign_up("newbie@example.com")

    assert uow.relations.get(first).student_id == uow.relations.get(second).student_id == newbie.user_id


def test_an_invitation_withdrawn_before_sign_up_is_not_claimed(tutor, invite, sign_up, uow, ports):
    relation_id = invite("newbie@example.com", tutor)
    relations.cancel_relation(relation_id, tutor, uow, clock=ports["clock"])

    sign_up("newbie@example.com")

    assert uow.relations.get(relation_id).student_id is None


def test_a_tutor_signing_up_with_an_invited_email_does_not_claim_it(tutor, invite, sign_up, uow):
    relation_id = invite("newbie@example.com", tutor)

    sign_up("newbie@example.com", "tutor")

    assert uow.relations.get(relation_id).student_id is None


@pytest.mark.parametrize("role", ["student", "admin"])
def test_only_tutors_invite(sign_up, student, invite, uow, role):
    inviter = student if role == "student" else sign_up("root@example.com", "admin")
    with pytest.raises(Forbidden):
        invite("other@example.com", inviter)
    assert uow.relations.all() == []


@pytest.mark.parametrize("role", ["tutor", "admin"])
def test_inviting_an_account_that_is_not_a_students_is_answered_like_an_unknown_email(tutor, sign_up, invite, uow, role):
    sign_up("staff@example.com", role)

    relation = uow.relations.get(invite("staff@example.com", tutor))

    assert (relation.status, relation.student_id) == (RelationStatus.PENDING, None)


def test_a_tutor_cannot_invite_themselves(tutor, invite, uow):
    email = uow.users.get(tutor.user_id).email
    with pytest.raises(InvalidInput) as raised:
        invite(email.upper(), tutor)
    assert "student_email" in raised.value.errors and uow.relations.all() == []


def test_cancelling_a_relation_cancels_the_pairs_lessons_still_ahead(tutor, student, invite, uow, ports, clock):
    relation_id = invite(uow.users.get(student.user_id).email, tutor)
    relations.accept_relation(relation_id, student, uow, clock=clock)
    start = clock.now() + timedelta(days=1)
    upcoming = [
        lessons.schedule_lesson(
            lessons.ScheduleLesson(student_id=student.user_id, title="Algebra", utc_start=start + timedelta(days=d), utc_end=start + timedelta(days=d, hours=1)),
            tutor, uow, **ports,
        ).id
        for d in (0, 7)
    ]

    relations.cancel_relation(relation_id, student, uow, clock=clock)

    assert [uow.lessons.get(i).status for i in upcoming] == [LessonStatus.CANCELLED] * 2
    assert {e.lesson_id for e in dispatched(uow, LessonCancelled)} == set(upcoming)


def test_an_invalid_email_is_invalid_student_email(tutor, invite):
    with pytest.raises(InvalidInput) as raised:
        invite("not an email", tutor)
    assert "student_email" in raised.value.errors


@pytest.mark.parametrize("accept_first", [False, True])
def test_a_pair_has_at_most_one_pending_or_accepted_relation(tutor, student, invite, uow, clock, accept_first):
    relation_id = invite("sam@example.com", tutor)
    if accept_first:
        relations.accept_relation(relation_id, student, uow, clock=clock)

    with pytest.raises(Conflict):
        invite("SAM@example.com", tutor)
    assert len(uow.relations.all()) == 1


@pytest.mark.parametrize("end", ["decline", "cancel"])
def test_a_pair_may_be_invited_again_after_a_decline_or_cancel(tutor, student, invite, uow, clock, end):
    first = invite("sam@example.com", tutor)
    if end == "decline":
        relations.decline_relation(first, student, uow, clock=clock)
    else:
        relations.cancel_relation(first, tutor, uow, clock=clock)

    second = invite("sam@example.com", tutor)

    assert second != first and uow.relations.get(second).status is RelationStatus.PENDING


def test_two_tutors_may_invite_the_same_student(tutor, student, sign_up, invite, uow):
    invite("sam@example.com", tutor)
    invite("sam@example.com", sign_up("tom@example.com", "tutor"))
    assert len(uow.relations.all()) == 2


def test_the_student_accepts_and_declines_with_events(tutor, student, sign_up, invite, uow, clock):
    accepted = invite("sam@example.com", tutor)
    other_tutor = sign_up("tom@example.com", "tutor")
    declined = invite("sam@example.com", other_tutor)

    relations.accept_relation(accepted, student, uow, clock=clock)
    relations.decline_relation(declined, student, uow, clock=clock)

    assert dispatched(uow, TutorAccepted) == [TutorAccepted(occurred_at=clock.now(), relation_id=accepted, tutor_id=tutor.user_id, student_id=student.user_id)]
    assert dispatched(uow, RelationDeclined) == [
        RelationDeclined(occurred_at=clock.now(), relation_id=declined, tutor_id=other_tutor.user_id, student_id=student.user_id)
    ]


@pytest.mark.parametrize("answer", [relations.accept_relation, relations.decline_relation])
def test_the_tutor_cannot_answer_their_own_invitation(tutor, student, invite, uow, clock, answer):
    relation_id = invite("sam@example.com", tutor)
    with pytest.raises(Forbidden):
        answer(relation_id, tutor, uow, clock=clock)
    assert uow.relations.get(relation_id).status is RelationStatus.PENDING


@pytest.mark.parametrize("canceller", ["tutor", "student"])
def test_either_side_cancels(tutor, student, invite, uow, clock, canceller):
    relation_id = invite("sam@example.com", tutor)
    relations.accept_relation(relation_id, student, uow, clock=clock)
    by = tutor if canceller == "tutor" else student

    relations.cancel_relation(relation_id, by, uow, clock=clock)

    assert uow.relations.get(relation_id).status is RelationStatus.CANCELLED
    assert [e.cancelled_by for e in dispatched(uow, RelationCancelled)] == [by.user_id]
    with pytest.raises(Conflict):
        relations.cancel_relation(relation_id, by, uow, clock=clock)


@pytest.mark.parametrize("action", [relations.accept_relation, relations.decline_relation, relations.cancel_relation])
def test_other_peoples_relations_are_not_found(tutor, student, sign_up, invite, uow, clock, action):
    relation_id = invite("sam@example.com", tutor)
    stranger = sign_up("eve@example.com")

    for who in (stranger, sign_up("tom@example.com", "tutor")):
        with pytest.raises(NotFound):
            action(relation_id, who, uow, clock=clock)
    with pytest.raises(NotFound):
        action(UUID(int=404), student, uow, clock=clock)
    assert uow.relations.get(relation_id).status is RelationStatus.PENDING


def test_get_relation_of_someone_else_is_not_found(student):
    with pytest.raises(NotFound):
        relations.get_relation(UUID(int=404), student, read_model=NothingReadModel())


# --- lessons ----------------------------------------------------------------------------------------------------


@pytest.fixture
def accept(invite, uow, clock):
    def accept(tutor: Principal, student: Principal, email: str) -> None:
        relations.accept_relation(invite(email, tutor), student, uow, clock=clock)

    return accept


@pytest.fixture
def pair(tutor, student, accept) -> tuple[Principal, Principal]:
    accept(tutor, student, "sam@example.com")
    return tutor, student


@pytest.fixture
def start(clock):
    return clock.now() + timedelta(days=1)


@pytest.fixture
def schedule(uow, ports, pair, start):
    def schedule(offset: timedelta = timedelta(0), minutes: int = 60, *, by: Principal | None = None, student: Principal | None = None, **extra):
        cmd = lessons.ScheduleLesson(
            student_id=(student or pair[1]).user_id,
            title=extra.pop("title", "Fractions"),
            utc_start=start + offset,
            utc_end=start + offset + timedelta(minutes=minutes),
            **extra,
        )
        return lessons.schedule_lesson(cmd, by or pair[0], uow, **ports)

    return schedule


def test_a_tutor_schedules_a_lesson_with_an_accepted_student(schedule, pair, start, uow, clock):
    tutor, student = pair
    algebra = topics.create_topic("Algebra", tutor, uow, clock=clock, ids=FakeIdGenerator())
    series = UUID("01890000-0000-7000-8000-0000000000aa")

    lesson = schedule(topic_id=algebra.id, series_id=series, description="Chapter 3")

    assert (lesson.tutor_id, lesson.student_id, lesson.created_by) == (tutor.user_id, student.user_id, tutor.user_id)
    assert (lesson.status, lesson.series_id, lesson.topic_id, lesson.description) == ("scheduled", series, algebra.id, "Chapter 3")
    assert uow.lessons.get(lesson.id).series_id == series
    assert dispatched(uow, LessonScheduled) == [
        LessonScheduled(
            occurred_at=clock.now(),
            lesson_id=lesson.id,
            tutor_id=tutor.user_id,
            student_id=student.user_id,
            utc_start=start,
            utc_end=start + timedelta(hours=1),
            scheduled_by=tutor.user_id,
        )
    ]


def test_a_student_cannot_schedule(schedule, pair, uow):
    tutor, student = pair
    with pytest.raises(Forbidden):
        schedule(by=student, student=student)
    assert uow.lessons.all() == []


@pytest.mark.parametrize("state", ["unrelated", "pending", "declined", "cancelled"])
def test_a_tutor_needs_an_accepted_relation(tutor, sign_up, invite, schedule, uow, clock, state):
    other = sign_up("olga@example.com")
    if state != "unrelated":
        relation_id = invite("olga@example.com", tutor)
        if state == "declined":
            relations.decline_relation(relation_id, other, uow, clock=clock)
        if state == "cancelled":
            relations.accept_relation(relation_id, other, uow, clock=clock)
            relations.cancel_relation(relation_id, other, uow, clock=clock)

    with pytest.raises(Forbidden):
        schedule(student=other)
    assert uow.lessons.all() == []


def test_an_unknown_topic_is_invalid(schedule, uow):
    with pytest.raises(InvalidInput) as raised:
        schedule(topic_id=UUID(int=404))
    assert "topic_id" in raised.value.errors and uow.lessons.all() == []


def test_invalid_times_are_refused(schedule, uow):
    with pytest.raises(InvalidInput):
        schedule(minutes=10)
    with pytest.raises(InvalidInput):
        schedule(offset=-timedelta(days=2))
    assert uow.lessons.all() == []


def _conflicting_id(raised: pytest.ExceptionInfo) -> str:
    return raised.value.extensions["conflicting_lesson_id"]


def test_an_overlap_with_the_tutors_other_student_is_a_conflict_naming_that_lesson(schedule, pair, sign_up, accept, uow):
    tutor, _ = pair
    olga = sign_up("olga@example.com")
    accept(tutor, olga, "olga@example.com")
    existing = schedule(student=olga)

    with pytest.raises(Conflict) as raised:
        schedule(offset=timedelta(minutes=30))

    assert _conflicting_id(raised) == str(existing.id)
    assert str(existing.id) in raised.value.detail
    assert [lesson.id for lesson in uow.lessons.all()] == [existing.id]


def test_an_overlap_with_the_students_other_tutor_is_a_conflict_naming_that_lesson(schedule, pair, sign_up, accept, uow):
    _, student = pair
    tom = sign_up("tom@example.com", "tutor")
    accept(tom, student, "sam@example.com")
    existing = schedule(by=tom)

    with pytest.raises(Conflict) as raised:
        schedule(offset=-timedelta(minutes=30))

    assert _conflicting_id(raised) == str(existing.id)


def test_the_earliest_overlapping_lesson_is_named(schedule):
    first = schedule()
    schedule(offset=timedelta(hours=1))

    with pytest.raises(Conflict) as raised:
        schedule(offset=timedelta(minutes=30), minutes=120)

    assert _conflicting_id(raised) == str(first.id)


def test_touching_lessons_do_not_overlap(schedule, uow):
    schedule()
    schedule(offset=timedelta(hours=1))
    schedule(offset=-timedelta(hours=1))
    assert len(uow.lessons.all()) == 3


def test_a_cancelled_lesson_does_not_block_its_slot(schedule, pair, uow, clock):
    cancelled = schedule()
    lessons.cancel_lesson(cancelled.id, None, pair[0], uow, clock=clock)

    assert schedule().status == "scheduled"


@pytest.mark.parametrize("by_student", [False, True])
def test_either_participant_reschedules(schedule, pair, start, uow, clock, by_student):
    lesson = schedule()
    who = pair[1] if by_student else pair[0]
    new_start = start + timedelta(days=1)

    moved = lessons.reschedule_lesson(lesson.id, new_start, new_start + timedelta(minutes=30), who, uow, clock=clock)

    assert (moved.utc_start, moved.utc_end) == (new_start, new_start + timedelta(minutes=30))
    [event] = dispatched(uow, LessonRescheduled)
    assert (event.old_start, event.old_end, event.new_start, event.rescheduled_by) == (start, start + timedelta(hours=1), new_start, who.user_id)


def test_a_lesson_may_be_moved_over_its_own_old_slot(schedule, pair, start, uow, clock):
    lesson = schedule()
    moved = lessons.reschedule_lesson(lesson.id, start + timedelta(minutes=30), start + timedelta(minutes=90), pair[1], uow, clock=clock)
    assert moved.utc_start == start + timedelta(minutes=30)


def test_rescheduling_onto_another_lesson_is_a_conflict_naming_it(schedule, pair, start, uow, clock):
    lesson, other = schedule(), schedule(offset=timedelta(hours=2))

    with pytest.raises(Conflict) as raised:
        lessons.reschedule_lesson(lesson.id, start + timedelta(hours=2, minutes=30), start + timedelta(hours=3), pair[0], uow, clock=clock)

    assert _conflicting_id(raised) == str(other.id)


def test_rescheduling_follows_the_time_rules(schedule, pair, start, uow, clock):
    lesson = schedule()
    with pytest.raises(InvalidInput):
        lessons.reschedule_lesson(lesson.id, start, start + timedelta(hours=9), pair[0], uow, clock=clock)


@pytest.mark.parametrize(
    "action",
    [
        lambda lesson_id, who, uow, clock: lessons.reschedule_lesson(lesson_id, clock.now() + timedelta(days=5), clock.now() + timedelta(days=5, hours=1), who, uow, clock=clock),
        lambda lesson_id, who, uow, clock: lessons.cancel_lesson(lesson_id, None, who, uow, clock=clock),
        lambda lesson_id, who, uow, clock: lessons.complete_lesson(lesson_id, who, uow, clock=clock),
    ],
    ids=["reschedule", "cancel", "complete"],
)
def test_a_non_participant_cannot_touch_a_lesson(schedule, sign_up, uow, clock, action):
    lesson = schedule()
    for stranger in (sign_up("eve@example.com"), sign_up("tom@example.com", "tutor")):
        with pytest.raises(NotFound):
            action(lesson.id, stranger, uow, clock)
    assert uow.lessons.get(lesson.id).status is LessonStatus.SCHEDULED


def test_either_participant_cancels_once_with_a_reason(schedule, pair, uow, clock):
    lesson = schedule()

    cancelled = lessons.cancel_lesson(lesson.id, "Sick", pair[1], uow, clock=clock)

    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Sick")
    assert [(e.reason, e.cancelled_by) for e in dispatched(uow, LessonCancelled)] == [("Sick", pair[1].user_id)]
    with pytest.raises(Conflict):
        lessons.cancel_lesson(lesson.id, "Again", pair[0], uow, clock=clock)


def test_only_the_tutor_completes_and_only_once_it_started(schedule, pair, start, uow, clock):
    tutor, student = pair
    lesson = schedule()

    with pytest.raises(Forbidden):
        lessons.complete_lesson(lesson.id, student, uow, clock=clock)
    with pytest.raises(Conflict):
        lessons.complete_lesson(lesson.id, tutor, uow, clock=clock)
    clock.current = start + timedelta(minutes=50)
    completed = lessons.complete_lesson(lesson.id, tutor, uow, clock=clock)

    assert completed.status == "completed"
    assert [e.lesson_id for e in dispatched(uow, LessonCompleted)] == [lesson.id]


def test_get_lesson_of_a_non_participant_is_not_found(student):
    with pytest.raises(NotFound):
        lessons.get_lesson(UUID(int=404), student, read_model=NothingReadModel())


@pytest.mark.parametrize(
    ("window", "limit", "field"),
    [
        (timedelta(0), 10, "to"),
        (-timedelta(hours=1), 10, "to"),
        (timedelta(days=366, seconds=1), 10, "to"),
        (timedelta(days=7), 0, "limit"),
        (timedelta(days=7), 501, "limit"),
    ],
)
def test_the_calendar_refuses_bad_windows_and_limits(student, clock, window, limit, field):
    read_model = NothingReadModel()
    with pytest.raises(InvalidInput) as raised:
        lessons.lessons_calendar(student, clock.now(), clock.now() + window, limit, read_model=read_model)
    assert field in raised.value.errors and read_model.calendar_asked is None


@pytest.mark.parametrize(("window", "limit"), [(timedelta(days=366), 500), (timedelta(seconds=1), 1)])
def test_the_calendar_asks_the_read_model_for_the_callers_window(student, clock, window, limit):
    read_model = NothingReadModel()
    lessons.lessons_calendar(student, clock.now(), clock.now() + window, limit, read_model=read_model)
    assert read_model.calendar_asked == (student.user_id, clock.now(), clock.now() + window, limit)


# --- autosave ---------------------------------------------------------------------------------------------------

ANN, BOB = UUID(int=101), UUID(int=102)


@pytest.fixture
def save(uow, ports):
    def save(key: str, data=None, user: UUID = ANN):
        return autosave.save_draft(user, key, data if data is not None else {"text": key}, uow, **ports)

    return save


def test_saving_creates_then_replaces_a_draft(save, uow, clock):
    first, created = save("lesson:1:notes", {"text": "a"})
    clock.advance(timedelta(minutes=1))
    second, created_again = save("lesson:1:notes", {"text": "ab"})

    assert (created, created_again) == (True, False)
    assert (second.data, second.created_at, second.updated_at) == ({"text": "ab"}, first.created_at, clock.now())
    assert autosave.get_draft(ANN, "lesson:1:notes", uow).data == {"text": "ab"}
    assert len(uow.drafts.all()) == 1


@pytest.mark.parametrize(("key", "data"), [("bad key", {}), ("x" * 201, {}), ("ok", "x" * (256 * 1024))])
def test_an_invalid_key_or_oversized_data_stores_nothing(save, uow, key, data):
    with pytest.raises(InvalidInput):
        save(key, data)
    assert uow.drafts.all() == [] and uow.commits == 0


def test_users_only_reach_their_own_drafts(save, uow):
    save("notes", {"text": "ann's"})

    for action in (autosave.get_draft, autosave.delete_draft):
        with pytest.raises(NotFound):
            action(BOB, "notes", uow)
    assert autosave.get_draft(ANN, "notes", uow).data == {"text": "ann's"}
    draft, created = save("notes", {"text": "bob's"}, user=BOB)
    assert created and autosave.get_draft(ANN, "notes", uow).data == {"text": "ann's"}


def test_a_deleted_draft_is_gone(save, uow):
    save("notes")
    autosave.delete_draft(ANN, "notes", uow)
    with pytest.raises(NotFound):
        autosave.get_draft(ANN, "notes", uow)
    with pytest.raises(NotFound):
        autosave.delete_draft(ANN, "notes", uow)


@pytest.fixture
def aged_drafts(save, clock):
    """Five drafts last saved 40 days ago, one exactly 30 days ago, two saved 40 days ago but touched just now."""
    clock.advance(-timedelta(days=40))
    for n in range(5):
        save(f"old-{n}")
    save("fresh-0")
    save("fresh-1", user=BOB)
    clock.advance(timedelta(days=10))
    save("borderline")
    clock.advance(timedelta(days=30))
    save("fresh-0", {"text": "touched"})
    save("fresh-1", {"text": "touched"}, user=BOB)


def _keys(uow) -> set[str]:
    return {draft.key for draft in uow.drafts.all()}


def test_cleanup_deletes_only_drafts_not_updated_for_more_than_n_days(aged_drafts, uow, clock):
    deleted = autosave.cleanup_autosave(30, uow, clock=clock)

    assert deleted == 5
    assert _keys(uow) == {"borderline", "fresh-0", "fresh-1"}


def test_cleanup_deletes_in_batches_each_committed_on_its_own(aged_drafts, uow, clock):
    batches, commits = [], uow.commits

    deleted = autosave.cleanup_autosave(30, uow, clock=clock, batch_size=2, on_batch=batches.append)

    assert deleted == 5 and sum(batches) == 5 and max(batches) <= 2
    assert uow.commits - commits == len(batches) >= 3
    assert _keys(uow) == {"borderline", "fresh-0", "fresh-1"}


def test_cleanup_with_a_batch_size_that_divides_the_count_still_deletes_all(save, uow, clock):
    for n in range(4):
        save(f"old-{n}")
    clock.advance(timedelta(days=31))
    assert autosave.cleanup_autosave(30, uow, clock=clock, batch_size=2) == 4
    assert uow.drafts.all() == []


def test_a_dry_run_counts_and_deletes_nothing(aged_drafts, uow, clock):
    commits = uow.commits
    assert autosave.cleanup_autosave(30, uow, clock=clock, dry_run=True) == 5
    assert len(uow.drafts.all()) == 8 and uow.commits == commits


def test_cleanup_twice_is_safe(aged_drafts, uow, clock):
    assert autosave.cleanup_autosave(30, uow, clock=clock) == 5
    assert autosave.cleanup_autosave(30, uow, clock=clock) == 0
    assert len(uow.drafts.all()) == 3


@pytest.mark.parametrize(("older_than", "batch_size", "field"), [(0, 10, "older_than"), (-1, 10, "older_than"), (30, 0, "batch_size")])
def test_cleanup_refuses_non_positive_arguments_and_deletes_nothing(aged_drafts, uow, clock, older_than, batch_size, field):
    with pytest.raises(InvalidInput) as raised:
        autosave.cleanup_autosave(older_than, uow, clock=clock, batch_size=batch_size)
    assert field in raised.value.errors and len(uow.drafts.all()) == 8
