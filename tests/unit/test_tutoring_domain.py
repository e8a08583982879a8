"""The tutoring domain without any port: topics, relations, lessons, drafts, and tutors' headline and topics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from domain.autosave import MAX_DATA_BYTES, Draft, validate_key
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.events import (
    LessonCancelled,
    LessonCompleted,
    LessonRescheduled,
    LessonScheduled,
    ProfileUpdated,
    RelationCancelled,
    RelationDeclined,
    StudentInvited,
    TopicCreated,
    TutorAccepted,
)
from domain.lessons import Lesson, LessonStatus
from domain.relations import Relation, RelationStatus
from domain.topics import Topic, slugify
from domain.users import Role, User

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TUTOR, STUDENT, STRANGER = UUID(int=1), UUID(int=2), UUID(int=3)
START = NOW + timedelta(days=1)


# --- topics -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Algebra", "algebra"),
        ("  Linear   Algebra ", "linear-algebra"),
        ("C++", "c-plus-plus"),
        ("C#", "c-sharp"),
        ("English B2 (exam prep)", "english-b2-exam-prep"),
        ("Українська мова", "українська-мова"),
        ("under_score", "under-score"),
        ("!!!", "topic"),
    ],
)
def test_slugify_keeps_words_of_any_script_joined_by_hyphens(name, slug):
    assert slugify(name) == slug


def test_a_new_topic_has_a_tidy_name_and_records_topic_created():
    topic = Topic.create(id=UUID(int=9), name="  Linear \t Algebra ", slug="linear-algebra", created_by=TUTOR, now=NOW)

    assert (topic.name, topic.slug, topic.created_at) == ("Linear Algebra", "linear-algebra", NOW)
    assert topic.pull_events() == [TopicCreated(occurred_at=NOW, topic_id=UUID(int=9), name="Linear Algebra", created_by=TUTOR)]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_topic_name_is_1_to_100_characters(name):
    with pytest.raises(InvalidInput) as raised:
        Topic.create(id=UUID(int=9), name=name, slug="x", created_by=TUTOR, now=NOW)
    assert "name" in raised.value.errors


def test_a_topic_name_of_exactly_100_characters_is_accepted():
    assert Topic.create(id=UUID(int=9), name="x" * 100, slug="x", created_by=TUTOR, now=NOW).name == "x" * 100


# --- relations --------------------------------------------------------------------------------------------------


def invitation(student_id: UUID | None = STUDENT) -> Relation:
    relation = Relation.invite(id=UUID(int=7), tutor_id=TUTOR, student_email="sam@example.com", student_id=student_id, now=NOW)
    relation.pull_events()
    return relation


def test_an_invitation_is_pending_and_records_student_invited():
    relation = Relation.invite(id=UUID(int=7), tutor_id=TUTOR, student_email="sam@example.com", student_id=None, now=NOW)

    assert (relation.status, relation.student_id, relation.created_at) == (RelationStatus.PENDING, None, NOW)
    assert (relation.responded_at, relation.ended_at) == (None, None)
    assert relation.pull_events() == [
        StudentInvited(occurred_at=NOW, relation_id=UUID(int=7), tutor_id=TUTOR, student_id=None, student_email="sam@example.com")
    ]


def test_the_invited_student_accepts_the_tutor():
    relation = invitation()

    relation.accept(STUDENT, NOW)

    assert (relation.status, relation.responded_at) == (RelationStatus.ACCEPTED, NOW)
    assert relation.pull_events() == [TutorAccepted(occurred_at=NOW, relation_id=relation.id, tutor_id=TUTOR, student_id=STUDENT)]


def test_the_invited_student_declines():
    relation = invitation()

    relation.decline(STUDENT, NOW)

    assert (relation.status, relation.responded_at) == (RelationStatus.DECLINED, NOW)
    assert relation.pull_events() == [RelationDeclined(occurred_at=NOW, relation_id=relation.id, tutor_id=TUTOR, student_id=STUDENT)]


@pytest.mark.parametrize("answer", [Relation.accept, Relation.decline])
@pytest.mark.parametrize("by", [TUTOR, STRANGER])
def test_only_the_invited_student_answers(answer, by):
    relation = invitation()

    with pytest.raises(Forbidden):
        answer(relation, by, NOW)

    assert relation.status is RelationStatus.PENDING and relation.pull_events() == []


@pytest.mark.parametrize("answer", [Relation.accept, Relation.decline])
def test_an_unclaimed_invitation_cannot_be_answered(answer):
    with pytest.raises(Forbidden):
        answer(invitation(student_id=None), STRANGER, NOW)


@pytest.mark.parametrize("first", [Relation.accept, Relation.decline, Relation.cancel])
@pytest.mark.parametrize("answer", [Relation.accept, Relation.decline])
def test_an_invitation_is_answered_only_while_pending(first, answer):
    relation = invitation()
    first(relation, STUDENT, NOW)
    status = relation.status
    relation.pull_events()

    with pytest.raises(Conflict):
        answer(relation, STUDENT, NOW + timedelta(hours=1))

    assert relation.status is status and relation.pull_events() == []


@pytest.mark.parametrize("accepted_first", [False, True])
@pytest.mark.parametrize("by", [TUTOR, STUDENT])
def test_either_side_cancels_a_pending_or_accepted_relation(accepted_first, by):
    relation = invitation()
    if accepted_first:
        relation.accept(STUDENT, NOW)
        relation.pull_events()
    later = NOW + timedelta(days=2)

    relation.cancel(by, later)

    assert (relation.status, relation.ended_at) == (RelationStatus.CANCELLED, later)
    assert relation.pull_events() == [
        RelationCancelled(occurred_at=later, relation_id=relation.id, tutor_id=TUTOR, student_id=STUDENT, cancelled_by=by)
    ]


@pytest.mark.parametrize("end", [Relation.decline, Relation.cancel])
def test_a_declined_or_cancelled_relation_cannot_be_cancelled(end):
    relation = invitation()
    end(relation, STUDENT, NOW)
    relation.pull_events()

    with pytest.raises(Conflict):
        relation.cancel(TUTOR, NOW)
    assert relation.pull_events() == []


def test_the_invited_email_is_claimed_once_by_the_account_registered_with_it():
    relation = invitation(student_id=None)

    relation.attach_student(STUDENT)
    relation.attach_student(STRANGER)

    assert relation.student_id == STUDENT and relation.involves(STUDENT) and not relation.involves(STRANGER)


# --- lessons ----------------------------------------------------------------------------------------------------


def schedule(start: datetime = START, end: datetime | None = None, **extra) -> Lesson:
    return Lesson.schedule(
        id=UUID(int=20),
        tutor_id=TUTOR,
        student_id=STUDENT,
        title=extra.pop("title", "Fractions"),
        utc_start=start,
        utc_end=end or start + timedelta(hours=1),
        now=extra.pop("now", NOW),
        **extra,
    )


def scheduled_lesson() -> Lesson:
    lesson = schedule()
    lesson.pull_events()
    return lesson


def test_a_scheduled_lesson_keeps_its_fields_and_records_lesson_scheduled():
    series, topic = UUID(int=30), UUID(int=31)

    lesson = schedule(title="  Fractions ", description="Bring a ruler", series_id=series, topic_id=topic)

    assert (lesson.status, lesson.title, lesson.description) == (LessonStatus.SCHEDULED, "Fractions", "Bring a ruler")
    assert (lesson.series_id, lesson.topic_id, lesson.created_by, lesson.cancel_reason) == (series, topic, TUTOR, None)
    assert lesson.created_at == lesson.updated_at == NOW
    assert lesson.pull_events() == [
        LessonScheduled(
            occurred_at=NOW,
            lesson_id=UUID(int=20),
            tutor_id=TUTOR,
            student_id=STUDENT,
            utc_start=START,
            utc_end=START + timedelta(hours=1),
            scheduled_by=TUTOR,
        )
    ]


@pytest.mark.parametrize("duration", [timedelta(minutes=15), timedelta(hours=8)])
def test_a_lesson_lasts_from_15_minutes_to_8_hours_inclusive(duration):
    assert schedule(START, START + duration).utc_end - START == duration


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (START, START, "utc_end"),
        (START, START - timedelta(minutes=30), "utc_end"),
        (START, START + timedelta(minutes=14, seconds=59), "utc_end"),
        (START, START + timedelta(hours=8, seconds=1), "utc_end"),
        (NOW, NOW + timedelta(hours=1), "utc_start"),
        (NOW - timedelta(minutes=1), NOW + timedelta(hours=1), "utc_start"),
        (START.replace(tzinfo=None), (START + timedelta(hours=1)).replace(tzinfo=None), "utc_start"),
    ],
)
def test_lesson_times_must_be_in_the_future_aware_ordered_and_of_a_sane_length(start, end, field):
    with pytest.raises(InvalidInput) as raised:
        schedule(start, end)
    assert field in raised.value.errors


@pytest.mark.parametrize(("extra", "field"), [({"title": "   "}, "title"), ({"title": "x" * 201}, "title"), ({"description": "x" * 10_001}, "description")])
def test_title_and_description_have_caps(extra, field):
    with pytest.raises(InvalidInput) as raised:
        schedule(**extra)
    assert field in raised.value.errors


def test_an_offset_other_than_utc_is_the_same_instant():
    kyiv = START.astimezone(ZoneInfo("Europe/Kyiv"))
    assert schedule(kyiv).utc_start == START


@pytest.mark.parametrize("by", [TUTOR, STUDENT])
def test_rescheduling_moves_the_lesson_and_records_old_and_new_times(by):
    lesson = scheduled_lesson()
    later = NOW + timedelta(hours=1)
    new_start = START + timedelta(days=1)

    lesson.reschedule(by, new_start, new_start + timedelta(minutes=45), later)

    assert (lesson.utc_start, lesson.utc_end, lesson.updated_at) == (new_start, new_start + timedelta(minutes=45), later)
    assert lesson.pull_events() == [
        LessonRescheduled(
            occurred_at=later,
            lesson_id=lesson.id,
            tutor_id=TUTOR,
            student_id=STUDENT,
            old_start=START,
            old_end=START + timedelta(hours=1),
            new_start=new_start,
            new_end=new_start + timedelta(minutes=45),
            rescheduled_by=by,
        )
    ]


@pytest.mark.parametrize(
    ("start", "end"),
    [(NOW - timedelta(hours=1), NOW), (START, START + timedelta(minutes=10)), (START, START + timedelta(hours=9))],
)
def test_rescheduling_follows_the_scheduling_rules_and_changes_nothing_when_refused(start, end):
    lesson = scheduled_lesson()

    with pytest.raises(InvalidInput):
        lesson.reschedule(TUTOR, start, end, NOW)

    assert (lesson.utc_start, lesson.utc_end) == (START, START + timedelta(hours=1))
    assert lesson.pull_events() == []


@pytest.mark.parametrize(("reason", "kept"), [("  Ill  ", "Ill"), ("", None), ("   ", None), (None, None)])
def test_cancelling_keeps_a_trimmed_reason_and_records_lesson_cancelled(reason, kept):
    lesson = scheduled_lesson()

    lesson.cancel(STUDENT, reason, NOW)

    assert (lesson.status, lesson.cancel_reason, lesson.updated_at) == (LessonStatus.CANCELLED, kept, NOW)
    assert lesson.pull_events() == [
        LessonCancelled(occurred_at=NOW, lesson_id=lesson.id, tutor_id=TUTOR, student_id=STUDENT, reason=kept, cancelled_by=STUDENT)
    ]


def test_a_cancel_reason_has_a_cap():
    lesson = scheduled_lesson()
    with pytest.raises(InvalidInput):
        lesson.cancel(TUTOR, "x" * 1001, NOW)
    assert lesson.status is LessonStatus.SCHEDULED


def test_the_tutor_completes_a_lesson_once_it_has_started():
    lesson = scheduled_lesson()

    lesson.complete(TUTOR, START)

    assert (lesson.status, lesson.updated_at) == (LessonStatus.COMPLETED, START)
    assert lesson.pull_events() == [LessonCompleted(occurred_at=START, lesson_id=lesson.id, tutor_id=TUTOR, student_id=STUDENT)]


def test_a_lesson_cannot_be_completed_before_it_starts():
    lesson = scheduled_lesson()
    with pytest.raises(Conflict):
        lesson.complete(TUTOR, START - timedelta(seconds=1))
    assert lesson.status is LessonStatus.SCHEDULED


@pytest.mark.parametrize("by", [STUDENT, STRANGER])
def test_only_the_tutor_completes_a_lesson(by):
    lesson = scheduled_lesson()
    with pytest.raises(Forbidden):
        lesson.complete(by, START + timedelta(minutes=5))
    assert lesson.status is LessonStatus.SCHEDULED


def _cancel(lesson: Lesson) -> None:
    lesson.cancel(TUTOR, None, NOW)


def _complete(lesson: Lesson) -> None:
    lesson.complete(TUTOR, START + timedelta(minutes=5))


@pytest.mark.parametrize("finish", [_cancel, _complete])
@pytest.mark.parametrize(
    "action",
    [
        lambda lesson: lesson.reschedule(TUTOR, START + timedelta(days=2), START + timedelta(days=2, hours=1), NOW),
        lambda lesson: lesson.cancel(TUTOR, "again", NOW),
        lambda lesson: lesson.complete(TUTOR, START + timedelta(minutes=10)),
    ],
    ids=["reschedule", "cancel", "complete"],
)
def test_a_finished_lesson_cannot_change_any_more(finish, action):
    lesson = scheduled_lesson()
    finish(lesson)
    status = lesson.status
    lesson.pull_events()

    with pytest.raises(Conflict):
        action(lesson)

    assert lesson.status is status and lesson.pull_events() == []


# --- autosave drafts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["a", "lesson:0190:notes", "message.draft_1-b", "A" + "x" * 199])
def test_a_draft_key_is_1_to_200_letters_digits_or_separators(key):
    assert validate_key(key) == key


@pytest.mark.parametrize("key", ["", "x" * 201, ":notes", "-x", "a b", "a/b", "ключ", "a$b", "a\nb", "ab\n"])
def test_other_draft_keys_are_invalid(key):
    with pytest.raises(InvalidInput) as raised:
        validate_key(key)
    assert "key" in raised.value.errors


def _string_of_json_size(size: int) -> str:
    return "x" * (size - 2)  # the quotes count


def test_draft_data_may_be_256_kb_of_json_but_not_a_byte_more():
    draft = Draft.create(id=UUID(int=40), user_id=STUDENT, key="k", data=_string_of_json_size(MAX_DATA_BYTES), now=NOW)
    assert len(draft.data) == MAX_DATA_BYTES - 2

    with pytest.raises(InvalidInput) as raised:
        Draft.create(id=UUID(int=41), user_id=STUDENT, key="k", data=_string_of_json_size(MAX_DATA_BYTES + 1), now=NOW)
    assert "data" in raised.value.errors


def test_draft_size_counts_utf8_bytes_not_characters():
    with pytest.raises(InvalidInput):
        Draft.create(id=UUID(int=40), user_id=STUDENT, key="k", data="ї" * (MAX_DATA_BYTES // 2), now=NOW)


def test_replacing_a_draft_changes_its_data_and_updated_at_only():
    draft = Draft.create(id=UUID(int=40), user_id=STUDENT, key="notes", data={"text": "a"}, now=NOW)
    later = NOW + timedelta(minutes=3)

    draft.replace({"text": "ab"}, later)

    assert (draft.data, draft.created_at, draft.updated_at) == ({"text": "ab"}, NOW, later)


def test_replacing_a_draft_with_too_much_data_is_refused_and_keeps_the_old_data():
    draft = Draft.create(id=UUID(int=40), user_id=STUDENT, key="notes", data={"text": "a"}, now=NOW)

    with pytest.raises(InvalidInput):
        draft.replace(_string_of_json_size(MAX_DATA_BYTES + 1), NOW + timedelta(minutes=1))

    assert (draft.data, draft.updated_at) == ({"text": "a"}, NOW)


# --- tutors' public profile -------------------------------------------------------------------------------------


def user(role: Role) -> User:
    person = User.register(
        id=UUID(int=50), email="pat@example.com", password_hash="h", full_name="Pat", role=role, timezone="UTC", locale="en", now=NOW
    )
    person.pull_events()
    return person


def test_a_tutor_sets_a_trimmed_headline_and_the_topics_they_teach():
    tutor = user(Role.TUTOR)
    topics = [UUID(int=60), UUID(int=61)]

    changed = tutor.update_profile({"headline": "  Maths for everyone ", "topic_ids": topics + [topics[0]]}, NOW)

    assert set(changed) == {"headline", "topic_ids"}
    assert (tutor.headline, tutor.topic_ids) == ("Maths for everyone", frozenset(topics))
    assert [type(event) for event in tutor.pull_events()] == [ProfileUpdated]


def test_changing_a_tutors_topics_replaces_the_set():
    tutor = user(Role.TUTOR)
    tutor.update_profile({"topic_ids": [UUID(int=60), UUID(int=61)]}, NOW)

    tutor.update_profile({"topic_ids": [UUID(int=61), UUID(int=62)]}, NOW)

    assert tutor.topic_ids == {UUID(int=61), UUID(int=62)}
    assert tutor.update_profile({"topic_ids": [UUID(int=62), UUID(int=61)]}, NOW) == ()


@pytest.mark.parametrize("role", [Role.STUDENT, Role.ADMIN])
@pytest.mark.parametrize("changes", [{"headline": "Hi"}, {"topic_ids": [UUID(int=60)]}, {"topic_ids": []}])
def test_only_tutors_have_a_headline_and_topics(role, changes):
    person = user(role)

    with pytest.raises(InvalidInput) as raised:
        person.update_profile({**changes, "bio": "changed along"}, NOW)

    assert set(raised.value.errors) == set(changes)
    assert (person.headline, person.topic_ids, person.bio) == ("", frozenset(), "")


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"headline": "x" * 201}, "headline"), ({"topic_ids": [UUID(int=n) for n in range(21)]}, "topic_ids")],
)
def test_a_headline_and_the_topic_list_have_caps(changes, field):
    with pytest.raises(InvalidInput) as raised:
        user(Role.TUTOR).update_profile(changes, NOW)
    assert field in raised.value.errors


def test_a_tutor_may_teach_20_topics_with_a_200_character_headline():
    tutor = user(Role.TUTOR)
    tutor.update_profile({"headline": "x" * 200, "topic_ids": [UUID(int=n) for n in range(20)]}, NOW)
    assert len(tutor.topic_ids) == 20 and len(tutor.headline) == 200


@pytest.mark.parametrize("data", [float("nan"), [1, float("inf")], {"x": float("-inf")}])
def test_draft_data_must_be_json_so_nan_and_infinity_are_invalid(data):
    with pytest.raises(InvalidInput) as raised:
        Draft.create(id=UUID(int=40), user_id=STUDENT, key="k", data=data, now=NOW)
    assert "data" in raised.value.errors
