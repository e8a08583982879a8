"""Optimistic locking of lessons over HTTP: every change advances `version` by one, and two changes racing on one
lesson either both apply, one after the other, or one of them is a 409; never a lost update, never a 500."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

LESSONS = "/api/lessons/"
ROUNDS = 6


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def move(start: datetime, minutes: int = 60) -> dict:
    return {"utc_start": start.isoformat(), "utc_end": (start + timedelta(minutes=minutes)).isoformat()}


def get(client, lesson_id: str, headers: dict[str, str]) -> dict:
    response = client.get(f"{LESSONS}{lesson_id}/", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def participant_rows(engine, lesson_id: str) -> list[tuple]:
    with engine.connect() as connection:
        query = "SELECT utc_start, utc_end, status FROM lesson_participants WHERE lesson_id = :id ORDER BY user_id"
        return [tuple(row) for row in connection.execute(sa.text(query), {"id": lesson_id})]


@pytest.fixture
def pair(make_pair):
    return make_pair()


def test_each_change_advances_the_version_by_one_and_a_refused_one_does_not(client, pair, later, assert_problem):
    lesson = pair.lesson(later)
    assert lesson["version"] == 1
    url = f"{LESSONS}{lesson['id']}"

    versions = [lesson["version"]]
    for n, (headers, start) in enumerate([(pair.tutor, later + timedelta(hours=2)), (pair.student, later + timedelta(days=1))]):
        response = client.post(f"{url}/reschedule/", headers=headers, json=move(start, 45 + n))
        assert response.status_code == 200, response.get_json()
        versions.append(response.get_json()["version"])
    assert_problem(client.post(f"{url}/reschedule/", headers=pair.tutor, json=move(later - timedelta(days=60))), 422)
    assert get(client, lesson["id"], pair.student)["version"] == versions[-1]  # a refused change is no change

    cancelled = client.post(f"{url}/cancel/", headers=pair.student, json={"reason": "Ill"})
    assert cancelled.status_code == 200, cancelled.get_json()
    versions.append(cancelled.get_json()["version"])
    assert_problem(client.post(f"{url}/cancel/", headers=pair.tutor, json={}), 409)
    assert_problem(client.post(f"{url}/reschedule/", headers=pair.tutor, json=move(later + timedelta(days=2))), 409)

    assert versions == [1, 2, 3, 4]
    final = get(client, lesson["id"], pair.tutor)
    assert final["version"] == 4 and final == cancelled.get_json()


# Each racer: (who, action, body maker given the round's day). The bodies of one round differ, so the final state
# tells whose change it holds.
RESCHEDULE_A = ("tutor", "reschedule", lambda day: move(day + timedelta(hours=3), 45))
RESCHEDULE_B = ("student", "reschedule", lambda day: move(day + timedelta(hours=5), 90))
CANCEL = ("student", "cancel", lambda day: {"reason": "Double-booked"})
CANCEL_BY_TUTOR = ("tutor", "cancel", lambda day: {"reason": "Tutor away"})


@pytest.mark.parametrize(
    "racers",
    [(RESCHEDULE_A, CANCEL), (CANCEL_BY_TUTOR, RESCHEDULE_B), (RESCHEDULE_A, RESCHEDULE_B)],
    ids=["reschedule-vs-cancel", "cancel-vs-reschedule", "reschedule-vs-reschedule"],
)
def test_racing_changes_of_one_lesson_apply_one_after_the_other_or_lose_with_a_409(
    app, pair, later, engine, assert_problem, racers
):
    outcomes: dict[str, int] = {}
    for n in range(ROUNDS):
        day = later + timedelta(days=n)
        original = pair.lesson(day)
        bodies = [make(day) for _, _, make in racers]
        barrier = threading.Barrier(len(racers))
        responses: list = [None] * len(racers)
        errors: list[BaseException] = []

        def race(i: int) -> None:
            try:
                who, action, _ = racers[i]
                client = app.test_client()
                barrier.wait(timeout=10)
                url = f"{LESSONS}{original['id']}/{action}/"
                responses[i] = client.post(url, headers=getattr(pair, who), json=bodies[i])
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=race, args=(i,)) for i in range(len(racers))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors

        codes = [response.status_code for response in responses]
        assert set(codes) <= {200, 409}, [response.get_data(as_text=True) for response in responses]
        assert 200 in codes, [response.get_json() for response in responses]
        for response in responses:
            if response.status_code == 409:
                assert_problem(response, 409)
        outcomes[",".join(map(str, codes))] = outcomes.get(",".join(map(str, codes)), 0) + 1

        # The successful changes, in the order they were applied: their versions follow on from the original's.
        won = sorted(
            ((response.get_json(), racers[i][1], bodies[i]) for i, response in enumerate(responses) if response.status_code == 200),
            key=lambda result: result[0]["version"],
        )
        assert [body["version"] for body, _, _ in won] == [original["version"] + k for k in range(1, len(won) + 1)]

        final = get(app.test_client(), original["id"], pair.tutor)
        assert final == won[-1][0]  # the last change applied is what is stored

        expected_start, expected_end = at(original["utc_start"]), at(original["utc_end"])
        expected_status, expected_reason = "scheduled", None
        for _, action, body in won:
            if action == "reschedule":
                expected_start, expected_end = at(body["utc_start"]), at(body["utc_end"])
            else:
                expected_status, expected_reason = "cancelled", body["reason"]
        assert (at(final["utc_start"]), at(final["utc_end"])) == (expected_start, expected_end)
        assert (final["status"], final["cancel_reason"]) == (expected_status, expected_reason)
        # A reschedule that lost to a cancel never lands on a cancelled lesson: it would have been a 409 instead.
        if [action for _, action, _ in won] == ["cancel", "reschedule"]:
            pytest.fail(f"a cancelled lesson was rescheduled: {won}")
        # lesson_participants (the calendar and the overlap rule read it) holds the same final state.
        assert participant_rows(engine, original["id"]) == [(expected_start, expected_end, expected_status)] * 2

    print(f"outcomes over {ROUNDS} rounds: {outcomes}")
