"""Lessons over HTTP: schedule (with the overlap rule, also under concurrency), reschedule, cancel, complete, get."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

LESSONS = "/api/lessons/"
UNKNOWN_ID = "01890000-0000-7000-8000-000000000000"
SERIES_ID = "01890000-0000-7000-8000-0000000000aa"
LESSON_FIELDS = {
    "id", "tutor_id", "student_id", "topic_id", "title", "description", "utc_start", "utc_end", "status",
    "series_id", "cancel_reason", "created_by", "created_at", "updated_at", "version",
}


@pytest.fixture
def pair(make_pair):
    return make_pair()


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def times(lesson: dict) -> tuple[datetime, datetime]:
    return at(lesson["utc_start"]), at(lesson["utc_end"])


def get(client, lesson: dict, headers: dict[str, str]) -> dict:
    response = client.get(f"{LESSONS}{lesson['id']}/", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def post(client, lesson_id: str, action: str, headers: dict[str, str], body: dict | None = None):
    return client.post(f"{LESSONS}{lesson_id}/{action}/", headers=headers, json=body if body is not None else {})


def move(start: datetime, end: datetime) -> dict:
    return {"utc_start": start.isoformat(), "utc_end": end.isoformat()}


def lesson_count(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.text("SELECT count(*) FROM lessons"))


# --- schedule ---------------------------------------------------------------------------------------------------


def test_a_tutor_schedules_a_lesson_with_an_accepted_student(client, pair, later):
    topic = client.post("/api/topics/", headers=pair.tutor, json={"name": "Algebra"}).get_json()

    response = pair.schedule(later, later + timedelta(minutes=90), title="Fractions", description="Chapter 3", topic_id=topic["id"], series_id=SERIES_ID)

    assert response.status_code == 201
    lesson = response.get_json()
    assert set(lesson) == LESSON_FIELDS
    assert (lesson["tutor_id"], lesson["student_id"], lesson["created_by"]) == (pair.tutor_id, pair.student_id, pair.tutor_id)
    assert (lesson["title"], lesson["description"], lesson["topic_id"], lesson["series_id"]) == ("Fractions", "Chapter 3", topic["id"], SERIES_ID)
    assert (lesson["status"], lesson["cancel_reason"]) == ("scheduled", None)
    assert times(lesson) == (later, later + timedelta(minutes=90))
    assert lesson["utc_start"].endswith("Z")
    assert get(client, lesson, pair.tutor) == get(client, lesson, pair.student) == lesson


def test_series_id_is_optional_and_null_by_default(client, pair, later):
    lesson = pair.lesson(later)
    assert lesson["series_id"] is None and get(client, lesson, pair.student)["series_id"] is None


def test_times_with_an_offset_are_stored_as_the_same_instant_in_utc(pair, later):
    kyiv = "+02:00"
    local = (later + timedelta(hours=2)).replace(tzinfo=None).isoformat() + kyiv

    lesson = pair.lesson(later, utc_start=local)

    assert lesson["utc_start"] == later.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_lessons_of_15_minutes_and_of_8_hours_are_allowed(pair, later):
    pair.lesson(later, later + timedelta(minutes=15))
    pair.lesson(later + timedelta(days=1), later + timedelta(days=1, hours=8))


def test_a_student_cannot_schedule(client, pair, later, assert_problem, engine):
    body = {"student_id": pair.student_id, "title": "Mine", **move(later, later + timedelta(hours=1))}
    assert_problem(client.post(LESSONS, headers=pair.student, json=body), 403)
    assert lesson_count(engine) == 0


def test_a_tutor_without_an_accepted_relation_cannot_schedule(client, pair, auth_headers, later, assert_problem, engine):
    stranger_tutor = auth_headers("tom@example.com", role="tutor")
    client.post("/api/relations/", headers=stranger_tutor, json={"student_email": "student@example.com"})  # pending only
    body = {"student_id": pair.student_id, "title": "Hi", **move(later, later + timedelta(hours=1))}

    assert_problem(client.post(LESSONS, headers=stranger_tutor, json=body), 403)
    assert_problem(client.post(LESSONS, headers=pair.tutor, json={**body, "student_id": UNKNOWN_ID}), 403)
    assert lesson_count(engine) == 0


def test_a_cancelled_relation_no_longer_allows_scheduling(client, pair, later, assert_problem):
    assert client.post(f"/api/relations/{pair.relation_id}/cancel/", headers=pair.student).status_code == 200
    assert_problem(pair.schedule(later), 403)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda t: {"utc_start": t.replace(tzinfo=None).isoformat()}, "utc_start"),
        (lambda t: {"utc_end": (t + timedelta(hours=1)).replace(tzinfo=None).isoformat()}, "utc_end"),
        (lambda t: {"utc_start": "tomorrow"}, "utc_start"),
        (lambda t: {"utc_end": (t - timedelta(hours=1)).isoformat()}, "utc_end"),
        (lambda t: {"utc_end": t.isoformat()}, "utc_end"),
        (lambda t: {"utc_end": (t + timedelta(minutes=14)).isoformat()}, "utc_end"),
        (lambda t: {"utc_end": (t + timedelta(hours=8, minutes=1)).isoformat()}, "utc_end"),
        (lambda t: move(t - timedelta(days=31), t - timedelta(days=31) + timedelta(hours=1)), "utc_start"),
        (lambda t: {"series_id": "series-1"}, "series_id"),
        (lambda t: {"series_id": 42}, "series_id"),
        (lambda t: {"topic_id": UNKNOWN_ID}, "topic_id"),
        (lambda t: {"topic_id": "algebra"}, "topic_id"),
        (lambda t: {"student_id": "sam"}, "student_id"),
        (lambda t: {"title": ""}, "title"),
        (lambda t: {"title": "x" * 201}, "title"),
        (lambda t: {"status": "completed"}, "status"),
        (lambda t: {"tutor_id": UNKNOWN_ID}, "tutor_id"),
    ],
)
def test_invalid_lesson_fields_are_a_422_naming_the_field(pair, later, assert_problem, engine, change, field):
    problem = assert_problem(pair.schedule(later, **change(later)), 422)
    assert field in problem["errors"]
    assert lesson_count(engine) == 0


@pytest.mark.parametrize("field", ["student_id", "title", "utc_start", "utc_end"])
def test_required_lesson_fields_are_a_422_when_missing(client, pair, later, assert_problem, field):
    body = {"student_id": pair.student_id, "title": "T", **move(later, later + timedelta(hours=1))}
    del body[field]
    assert field in assert_problem(client.post(LESSONS, headers=pair.tutor, json=body), 422)["errors"]


# --- overlaps ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes"),
    [(0, 60), (30, 60), (-30, 60), (15, 15), (-60, 180)],
    ids=["same", "later-half", "earlier-half", "inside", "around"],
)
def test_an_overlap_with_the_tutors_other_lesson_is_a_409_naming_it(client, make_pair, later, assert_problem, engine, start, minutes):
    with_olga = make_pair("tutor@example.com", "olga@example.com")
    with_sam = make_pair("tutor@example.com", "sam@example.com")
    existing = with_olga.lesson(later)
    begin = later + timedelta(minutes=start)

    problem = assert_problem(with_sam.schedule(begin, begin + timedelta(minutes=minutes)), 409)

    assert problem["conflicting_lesson_id"] == existing["id"]
    assert lesson_count(engine) == 1


def test_an_overlap_with_the_students_other_lesson_is_a_409_naming_it(make_pair, later, assert_problem, engine):
    with_tara = make_pair("tara@example.com", "sam@example.com")
    with_tom = make_pair("tom@example.com", "sam@example.com")
    existing = with_tara.lesson(later)

    problem = assert_problem(with_tom.schedule(later + timedelta(minutes=45)), 409)

    assert problem["conflicting_lesson_id"] == existing["id"]
    assert lesson_count(engine) == 1


def test_lessons_that_only_touch_do_not_overlap(pair, later, engine):
    pair.lesson(later)
    pair.lesson(later + timedelta(hours=1))
    pair.lesson(later - timedelta(hours=1), later)
    assert lesson_count(engine) == 3


def test_a_cancelled_lesson_does_not_block_its_slot(client, pair, later):
    cancelled = pair.lesson(later)
    assert post(client, cancelled["id"], "cancel", pair.tutor).status_code == 200

    assert pair.schedule(later).status_code == 201


def test_other_peoples_lessons_do_not_block(make_pair, later):
    make_pair("tara@example.com", "sam@example.com").lesson(later)
    assert make_pair("tom@example.com", "olga@example.com").schedule(later).status_code == 201


@pytest.mark.parametrize("round_shapes", [[(0, 60, 0, 60), (0, 60, 30, 60), (0, 120, 30, 30), (30, 60, 0, 45)]])
def test_concurrent_overlapping_requests_never_both_win(app, make_pair, later, engine, round_shapes):
    pair = make_pair()

    for n, (a_offset, a_minutes, b_offset, b_minutes) in enumerate(round_shapes):
        day = later + timedelta(days=n)
        bodies = [
            {"student_id": pair.student_id, "title": f"Round {n} {who}", **move(day + timedelta(minutes=off), day + timedelta(minutes=off + length))}
            for who, off, length in (("a", a_offset, a_minutes), ("b", b_offset, b_minutes))
        ]
        barrier = threading.Barrier(len(bodies))
        responses: list = [None] * len(bodies)

        def post_lesson(i: int) -> None:
            client = app.test_client()
            barrier.wait()
            responses[i] = client.post(LESSONS, headers=pair.tutor, json=bodies[i])

        threads = [threading.Thread(target=post_lesson, args=(i,)) for i in range(len(bodies))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 409], [r.get_json() for r in responses]
        winner = next(r for r in responses if r.status_code == 201).get_json()
        loser = next(r for r in responses if r.status_code == 409)
        assert loser.mimetype == "application/problem+json"
        assert loser.get_json()["conflicting_lesson_id"] == winner["id"]
        assert lesson_count(engine) == n + 1


# --- reschedule -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["tutor", "student"])
def test_either_participant_reschedules(client, pair, later, side):
    lesson = pair.lesson(later, series_id=SERIES_ID)
    new_start = later + timedelta(days=2, hours=3)

    response = post(client, lesson["id"], "reschedule", getattr(pair, side), move(new_start, new_start + timedelta(minutes=45)))

    assert response.status_code == 200
    moved = response.get_json()
    assert times(moved) == (new_start, new_start + timedelta(minutes=45))
    assert (moved["status"], moved["series_id"], moved["title"]) == ("scheduled", SERIES_ID, lesson["title"])
    assert moved["version"] > lesson["version"] and moved["updated_at"] > lesson["updated_at"]
    assert get(client, lesson, pair.tutor) == moved


def test_a_lesson_may_move_over_its_own_old_slot(client, pair, later):
    lesson = pair.lesson(later)
    response = post(client, lesson["id"], "reschedule", pair.student, move(later + timedelta(minutes=30), later + timedelta(minutes=90)))
    assert response.status_code == 200


def test_rescheduling_onto_another_lesson_is_a_409_naming_it_and_keeps_the_old_times(client, make_pair, later, assert_problem):
    pair = make_pair()
    lesson = pair.lesson(later)
    other = make_pair("tutor@example.com", "olga@example.com").lesson(later + timedelta(hours=3))

    problem = assert_problem(post(client, lesson["id"], "reschedule", pair.student, move(later + timedelta(hours=3, minutes=30), later + timedelta(hours=4))), 409)

    assert problem["conflicting_lesson_id"] == other["id"]
    assert times(get(client, lesson, pair.tutor)) == (later, later + timedelta(hours=1))


def test_rescheduling_next_to_another_lesson_is_fine(client, pair, later):
    lesson, other = pair.lesson(later), pair.lesson(later + timedelta(hours=3))
    response = post(client, lesson["id"], "reschedule", pair.tutor, move(later + timedelta(hours=2), at(other["utc_start"])))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda t: move(t - timedelta(days=31), t - timedelta(days=31) + timedelta(hours=1)), "utc_start"),
        (lambda t: move(t, t + timedelta(minutes=10)), "utc_end"),
        (lambda t: move(t, t + timedelta(hours=9)), "utc_end"),
        (lambda t: move(t + timedelta(hours=1), t), "utc_end"),
        (lambda t: {"utc_start": t.replace(tzinfo=None).isoformat(), "utc_end": (t + timedelta(hours=1)).isoformat()}, "utc_start"),
        (lambda t: {"utc_start": t.isoformat()}, "utc_end"),
        (lambda t: {**move(t, t + timedelta(hours=1)), "title": "new"}, "title"),
    ],
)
def test_rescheduling_follows_the_scheduling_rules(client, pair, later, assert_problem, change, field):
    lesson = pair.lesson(later + timedelta(days=1))

    problem = assert_problem(post(client, lesson["id"], "reschedule", pair.tutor, change(later)), 422)

    assert field in problem["errors"]
    assert get(client, lesson, pair.tutor) == lesson


# --- cancel and complete ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["tutor", "student"])
def test_either_participant_cancels_with_a_reason_once(client, pair, later, assert_problem, side):
    lesson = pair.lesson(later)
    headers = getattr(pair, side)

    response = post(client, lesson["id"], "cancel", headers, {"reason": "Feeling ill"})

    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["cancel_reason"]) == ("cancelled", "Feeling ill")
    assert get(client, lesson, pair.tutor)["status"] == "cancelled"
    assert_problem(post(client, lesson["id"], "cancel", headers, {"reason": "Again"}), 409)
    assert get(client, lesson, pair.student)["cancel_reason"] == "Feeling ill"


def test_a_reason_is_optional(client, pair, later):
    lesson = pair.lesson(later)
    response = post(client, lesson["id"], "cancel", pair.tutor)
    assert (response.get_json()["status"], response.get_json()["cancel_reason"]) == ("cancelled", None)


def test_a_cancelled_lesson_cannot_be_rescheduled_or_completed(client, pair, later, assert_problem):
    lesson = pair.lesson(later)
    post(client, lesson["id"], "cancel", pair.tutor)

    assert_problem(post(client, lesson["id"], "reschedule", pair.tutor, move(later + timedelta(days=1), later + timedelta(days=1, hours=1))), 409)
    assert_problem(post(client, lesson["id"], "complete", pair.tutor), 409)


@pytest.mark.parametrize("body", [{"reason": "x" * 1001}, {"why": "no"}])
def test_an_invalid_cancel_body_is_a_422(client, pair, later, assert_problem, body):
    lesson = pair.lesson(later)
    assert_problem(post(client, lesson["id"], "cancel", pair.tutor, body), 422)
    assert get(client, lesson, pair.tutor)["status"] == "scheduled"


@pytest.fixture
def started(pair, later, engine) -> dict:
    """A lesson of the pair that began ten minutes ago (moved into the past in SQL, still within the 8-hour CHECK)."""
    lesson = pair.lesson(later)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE lessons SET utc_start = now() - interval '10 minutes', utc_end = now() + interval '50 minutes' WHERE id = :id"),
            {"id": lesson["id"]},
        )
    return lesson


def test_the_tutor_completes_a_started_lesson_once(client, pair, started, assert_problem):
    response = post(client, started["id"], "complete", pair.tutor)

    assert response.status_code == 200 and response.get_json()["status"] == "completed"
    assert get(client, started, pair.student)["status"] == "completed"
    assert_problem(post(client, started["id"], "complete", pair.tutor), 409)
    assert_problem(post(client, started["id"], "cancel", pair.tutor), 409)


def test_the_student_cannot_complete(client, pair, started, assert_problem):
    assert_problem(post(client, started["id"], "complete", pair.student), 403)
    assert get(client, started, pair.tutor)["status"] == "scheduled"


def test_a_lesson_cannot_be_completed_before_it_starts(client, pair, later, assert_problem):
    lesson = pair.lesson(later)
    assert_problem(post(client, lesson["id"], "complete", pair.tutor), 409)
    assert get(client, lesson, pair.tutor)["status"] == "scheduled"


# --- who may see and touch a lesson -----------------------------------------------------------------------------


@pytest.mark.parametrize("stranger_role", ["student", "tutor"])
def test_a_non_participant_gets_404_for_the_lesson_and_every_action(client, pair, later, auth_headers, assert_problem, stranger_role):
    lesson = pair.lesson(later)
    stranger = auth_headers("eve@example.com", role=stranger_role)

    assert_problem(client.get(f"{LESSONS}{lesson['id']}/", headers=stranger), 404)
    assert_problem(post(client, lesson["id"], "reschedule", stranger, move(later + timedelta(days=1), later + timedelta(days=1, hours=1))), 404)
    assert_problem(post(client, lesson["id"], "cancel", stranger), 404)
    assert_problem(post(client, lesson["id"], "complete", stranger), 404)
    assert get(client, lesson, pair.tutor) == lesson


@pytest.mark.parametrize("lesson_id", [UNKNOWN_ID, "not-a-uuid"])
def test_an_unknown_or_invalid_lesson_id_is_a_404(client, pair, later, assert_problem, lesson_id):
    assert_problem(client.get(f"{LESSONS}{lesson_id}/", headers=pair.tutor), 404)
    assert_problem(post(client, lesson_id, "reschedule", pair.tutor, move(later, later + timedelta(hours=1))), 404)
    assert_problem(post(client, lesson_id, "cancel", pair.tutor), 404)
    assert_problem(post(client, lesson_id, "complete", pair.tutor), 404)


@pytest.mark.parametrize("path", [LESSONS, f"{LESSONS}{UNKNOWN_ID}/cancel/", f"{LESSONS}{UNKNOWN_ID}/complete/", f"{LESSONS}{UNKNOWN_ID}/reschedule/"])
def test_lesson_actions_need_a_token(client, assert_problem, path):
    assert_problem(client.post(path, json={}), 401)
    assert_problem(client.get(f"{LESSONS}{UNKNOWN_ID}/"), 401)


def test_a_time_past_year_9999_in_utc_is_a_422_not_a_500(pair, assert_problem):
    response = pair.schedule(datetime.fromisoformat("9999-12-31T20:00:00-05:00"), datetime.fromisoformat("9999-12-31T21:00:00-05:00"))
    assert "utc_start" in assert_problem(response, 422)["errors"]


@pytest.mark.parametrize("field", ["title", "description", "reason"])
def test_a_nul_character_in_lesson_text_is_a_422(client, pair, later, field):
    if field == "reason":
        lesson = pair.lesson(later)
        response = post(client, lesson["id"], "cancel", pair.tutor, {"reason": "a\u0000b"})
    else:
        response = pair.schedule(later, **{field: "a\u0000b"})
    assert response.status_code == 422 and field in response.get_json()["errors"]
