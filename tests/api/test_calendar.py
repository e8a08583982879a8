"""GET /api/lessons/my/: the caller's lessons overlapping [from, to), with its parameter rules and has_more_events."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode
from uuid import UUID

import pytest
import sqlalchemy as sa

CALENDAR = "/api/lessons/my/"
SERIES_ID = "01890000-0000-7000-8000-0000000000aa"


@pytest.fixture
def calendar(client):
    """calendar(headers, start, end, **params) -> the response; times are sent properly encoded."""

    def calendar(headers: dict[str, str], start: datetime, end: datetime, **params):
        query = urlencode({"from": start.isoformat(), "to": end.isoformat(), **params})
        return client.get(f"{CALENDAR}?{query}", headers=headers)

    return calendar


@pytest.fixture
def pair(make_pair):
    return make_pair()


def ids(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [lesson["id"] for lesson in response.get_json()["results"]]


# --- parameters -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["from", "to"])
def test_from_and_to_are_required(client, pair, later, assert_problem, missing):
    params = {"from": later.isoformat(), "to": (later + timedelta(days=1)).isoformat()}
    del params[missing]

    problem = assert_problem(client.get(f"{CALENDAR}?{urlencode(params)}", headers=pair.student), 422)

    assert missing in problem["errors"]


@pytest.mark.parametrize("param", ["from", "to"])
@pytest.mark.parametrize("value", ["2026-03-01T09:00:00", "yesterday", "2026-13-01T00:00:00Z", ""])
def test_a_naive_or_unparsable_time_is_a_422_naming_the_parameter(client, pair, later, assert_problem, param, value):
    params = {"from": later.isoformat(), "to": (later + timedelta(days=1)).isoformat(), param: value}

    problem = assert_problem(client.get(f"{CALENDAR}?{urlencode(params)}", headers=pair.student), 422)

    assert param in problem["errors"]


def test_an_unencoded_plus_in_the_offset_is_a_422_that_hints_at_percent_2b(client, pair, assert_problem):
    raw = f"{CALENDAR}?from=2026-03-01T09:00:00+02:00&to=2026-03-08T09:00:00%2B02:00"

    problem = assert_problem(client.get(raw, headers=pair.student), 422)

    assert "from" in problem["errors"] and "%2B" in " ".join(problem["errors"]["from"])
    assert client.get(raw.replace("+", "%2B"), headers=pair.student).status_code == 200


@pytest.mark.parametrize("window", [timedelta(0), -timedelta(hours=1), -timedelta(days=3)])
def test_to_not_after_from_is_a_422(calendar, pair, later, assert_problem, window):
    assert "to" in assert_problem(calendar(pair.student, later, later + window), 422)["errors"]


def test_a_window_of_366_days_is_allowed_but_not_a_second_more(calendar, pair, later, assert_problem):
    assert calendar(pair.student, later, later + timedelta(days=366)).status_code == 200
    assert "to" in assert_problem(calendar(pair.student, later, later + timedelta(days=366, seconds=1)), 422)["errors"]


@pytest.mark.parametrize("limit", ["0", "501", "-1", "many"])
def test_limit_outside_1_to_500_is_a_422(calendar, pair, later, assert_problem, limit):
    assert "limit" in assert_problem(calendar(pair.student, later, later + timedelta(days=1), limit=limit), 422)["errors"]


def test_limit_500_is_allowed(calendar, pair, later):
    assert calendar(pair.student, later, later + timedelta(days=1), limit=500).status_code == 200


def test_the_calendar_needs_a_token(calendar, later, assert_problem):
    assert_problem(calendar({}, later, later + timedelta(days=1)), 401)


# --- what it returns --------------------------------------------------------------------------------------------


def test_an_empty_window(calendar, pair, later):
    response = calendar(pair.tutor, later, later + timedelta(days=7))
    assert response.get_json() == {"results": [], "has_more_events": False}


@pytest.mark.parametrize(
    ("offset", "minutes", "included"),
    [
        (-60, 60, False),  # ends exactly at `from`
        (240, 60, False),  # starts exactly at `to`
        (-30, 60, True),  # spans `from`
        (210, 60, True),  # spans `to`
        (60, 60, True),  # inside
        (-60, 480, True),  # covers the whole window
        (-480, 480, False),  # an 8-hour lesson ending exactly at `from`
        (-479, 480, True),  # an 8-hour lesson ending a minute after `from`
        (-600, 120, False),  # well before
        (300, 60, False),  # well after
    ],
)
def test_the_window_is_half_open(calendar, pair, later, offset, minutes, included):
    start = later + timedelta(minutes=offset)
    lesson = pair.lesson(start, start + timedelta(minutes=minutes))

    found = ids(calendar(pair.student, later, later + timedelta(hours=4)))

    assert found == ([lesson["id"]] if included else [])


def test_a_time_with_another_offset_means_the_same_instant(client, pair, later):
    lesson = pair.lesson(later + timedelta(hours=1))
    start = (later + timedelta(hours=2)).replace(tzinfo=None).isoformat() + "%2B02:00"  # == later in UTC
    end = (later + timedelta(hours=4)).replace(tzinfo=None).isoformat() + "%2B02:00"

    assert ids(client.get(f"{CALENDAR}?from={start}&to={end}", headers=pair.tutor)) == [lesson["id"]]


def test_lessons_come_by_start_then_id_and_in_every_status(client, calendar, pair, later, engine):
    # Scheduled out of order; a cancelled lesson frees its slot, so two lessons can share a start time.
    third = pair.lesson(later + timedelta(hours=5))
    first = pair.lesson(later + timedelta(hours=1))
    assert client.post(f"/api/lessons/{first['id']}/cancel/", headers=pair.tutor, json={}).status_code == 200
    first_again = pair.lesson(later + timedelta(hours=1))
    second = pair.lesson(later + timedelta(hours=3))
    done = pair.lesson(later + timedelta(hours=10))
    with engine.begin() as connection:  # `done` began ten minutes ago, so the tutor can complete it
        connection.execute(
            sa.text("UPDATE lessons SET utc_start = now() - interval '10 minutes', utc_end = now() + interval '50 minutes' WHERE id = :id"),
            {"id": done["id"]},
        )
    assert client.post(f"/api/lessons/{done['id']}/complete/", headers=pair.tutor, json={}).status_code == 200

    results = calendar(pair.student, datetime.now(later.tzinfo) - timedelta(days=1), later + timedelta(days=1)).get_json()["results"]

    same_start = sorted([first["id"], first_again["id"]], key=UUID)
    assert [r["id"] for r in results] == [done["id"], *same_start, second["id"], third["id"]]
    assert {r["id"]: r["status"] for r in results} == {
        done["id"]: "completed", first["id"]: "cancelled", first_again["id"]: "scheduled", second["id"]: "scheduled", third["id"]: "scheduled"
    }


def test_lessons_carry_their_fields_and_series_id(calendar, pair, later):
    lesson = pair.lesson(later, series_id=SERIES_ID, title="Fractions")

    [found] = calendar(pair.tutor, later, later + timedelta(hours=1)).get_json()["results"]

    assert found == lesson
    assert found["series_id"] == SERIES_ID and found["utc_start"].endswith("Z")


def test_only_the_callers_lessons_as_tutor_or_as_student(calendar, make_pair, later, auth_headers):
    tara_sam = make_pair("tara@example.com", "sam@example.com")
    tom_sam = make_pair("tom@example.com", "sam@example.com")
    tom_olga = make_pair("tom@example.com", "olga@example.com")
    a = tara_sam.lesson(later)
    b = tom_sam.lesson(later + timedelta(hours=2))
    c = tom_olga.lesson(later + timedelta(hours=4))
    window = (later, later + timedelta(days=1))

    assert ids(calendar(tara_sam.tutor, *window)) == [a["id"]]
    assert ids(calendar(tara_sam.student, *window)) == [a["id"], b["id"]]
    assert ids(calendar(tom_olga.tutor, *window)) == [b["id"], c["id"]]
    assert ids(calendar(tom_olga.student, *window)) == [c["id"]]
    assert ids(calendar(auth_headers("eve@example.com"), *window)) == []


@pytest.fixture
def five_lessons(pair, later) -> list[str]:
    return [pair.lesson(later + timedelta(hours=2 * n))["id"] for n in range(5)]


@pytest.mark.parametrize(("limit", "more"), [(5, False), (6, False), (4, True), (1, True)])
def test_limit_and_has_more_events(calendar, pair, later, five_lessons, limit, more):
    response = calendar(pair.tutor, later, later + timedelta(days=1), limit=limit)

    assert ids(response) == five_lessons[:limit]
    assert response.get_json()["has_more_events"] is more


def test_at_most_500_lessons_come_back_by_default(calendar, pair, later, engine):
    with engine.begin() as connection:  # 501 back-to-back quarter-hour lessons, inserted in bulk
        connection.execute(
            sa.text(
                "INSERT INTO lessons (id, tutor_id, student_id, title, utc_start, utc_end, status, created_by, created_at, updated_at, version)"
                " SELECT gen_random_uuid(), :tutor, :student, 'Bulk', :base + n * interval '15 minutes',"
                " :base + (n + 1) * interval '15 minutes', 'scheduled', :tutor, now(), now(), 1 FROM generate_series(0, 500) AS n"
            ),
            {"tutor": pair.tutor_id, "student": pair.student_id, "base": later},
        )
    window = (later, later + timedelta(days=7))

    full = calendar(pair.student, *window).get_json()
    assert len(full["results"]) == 500 and full["has_more_events"] is True
    assert datetime.fromisoformat(full["results"][-1]["utc_start"]) == later + timedelta(minutes=15 * 499)

    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM lessons WHERE utc_start = :base"), {"base": later})
    exact = calendar(pair.student, *window).get_json()
    assert len(exact["results"]) == 500 and exact["has_more_events"] is False


def test_has_more_events_counts_only_lessons_in_the_window(calendar, pair, later, five_lessons):
    window_of_four = (later, later + timedelta(hours=7))
    response = calendar(pair.tutor, *window_of_four, limit=4)
    assert ids(response) == five_lessons[:4] and response.get_json()["has_more_events"] is False


@pytest.mark.parametrize(
    ("start", "end"),
    [("0001-01-01T00:00:00Z", "0001-01-02T00:00:00Z"), ("9999-12-31T20:00:00-05:00", "9999-12-31T23:00:00-05:00")],
    ids=["year-1", "past-year-9999-in-utc"],
)
def test_times_at_the_ends_of_the_calendar_are_answered_not_a_500(client, pair, start, end):
    response = client.get(f"{CALENDAR}?{urlencode({'from': start, 'to': end})}", headers=pair.student)
    assert response.status_code in (200, 422), response.get_data(as_text=True)
    assert response.status_code == 200 or response.mimetype == "application/problem+json"
