"""GET and PATCH /api/me/: the caller's own profile."""

from __future__ import annotations

from datetime import datetime

import pytest

ME = "/api/me/"


@pytest.fixture
def ann(auth_headers) -> dict[str, str]:
    return auth_headers("ann@example.com", role="tutor", full_name="Ann Smith", timezone="Europe/Kyiv")


def test_get_me_returns_the_callers_profile(client, ann, auth_headers):
    bob = auth_headers("bob@example.com", full_name="Bob")

    mine, his = client.get(ME, headers=ann), client.get(ME, headers=bob)

    assert mine.status_code == his.status_code == 200
    profile = mine.get_json()
    assert (profile["email"], profile["full_name"], profile["role"]) == ("ann@example.com", "Ann Smith", "tutor")
    assert his.get_json()["email"] == "bob@example.com"
    assert "password" not in mine.get_data(as_text=True)


def test_patch_me_changes_the_editable_fields_and_returns_the_new_profile(client, ann):
    before = client.get(ME, headers=ann).get_json()
    changes = {"full_name": "Ann Jones", "timezone": "America/New_York", "locale": "en", "bio": "Algebra and physics"}

    response = client.patch(ME, headers=ann, json=changes)

    assert response.status_code == 200
    after = response.get_json()
    assert {field: after[field] for field in changes} == changes
    for unchanged in ("id", "email", "role", "created_at"):
        assert after[unchanged] == before[unchanged]
    assert datetime.fromisoformat(after["updated_at"]) > datetime.fromisoformat(before["updated_at"])
    assert client.get(ME, headers=ann).get_json() == after


def test_patch_me_with_one_field_leaves_the_others(client, ann):
    before = client.get(ME, headers=ann).get_json()

    after = client.patch(ME, headers=ann, json={"bio": "Chemistry"}).get_json()

    assert after == before | {"bio": "Chemistry", "updated_at": after["updated_at"]}


def test_an_empty_patch_changes_nothing(client, ann):
    before = client.get(ME, headers=ann).get_json()
    response = client.patch(ME, headers=ann, json={})
    assert response.status_code == 200
    assert response.get_json() == before


def test_bio_may_hold_2000_characters_but_not_2001(client, ann, assert_problem):
    assert client.patch(ME, headers=ann, json={"bio": "é" * 2000}).get_json()["bio"] == "é" * 2000

    problem = assert_problem(client.patch(ME, headers=ann, json={"bio": "x" * 2001}), 422)

    assert "bio" in problem["errors"]
    assert client.get(ME, headers=ann).get_json()["bio"] == "é" * 2000


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "eve@example.com"}, "email"),
        ({"role": "admin"}, "role"),
        ({"id": "01890000-0000-7000-8000-000000000000"}, "id"),
        ({"is_active": False}, "is_active"),
        ({"password": "a whole new password"}, "password"),
        ({"created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ({"nickname": "annie"}, "nickname"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "europe/kyiv"}, "timezone"),
        ({"timezone": "localtime"}, "timezone"),
        ({"timezone": "Factory"}, "timezone"),
        ({"locale": "fr"}, "locale"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"bio": None}, "bio"),
        ({"bio": 42}, "bio"),
    ],
)
def test_read_only_unknown_or_invalid_fields_are_a_422_and_change_nothing(client, ann, assert_problem, changes, field):
    before = client.get(ME, headers=ann).get_json()

    body = changes if field == "full_name" else {**changes, "full_name": "A valid change, refused along with it"}

    problem = assert_problem(client.patch(ME, headers=ann, json=body), 422)

    assert field in problem["errors"]
    assert client.get(ME, headers=ann).get_json() == before


@pytest.mark.parametrize("body", ["[]", '"bio"', "null", "3"])
def test_a_patch_body_that_is_not_an_object_is_a_422(client, ann, assert_problem, body):
    assert_problem(client.patch(ME, headers=ann, data=body, content_type="application/json"), 422)


def test_malformed_json_patch_is_a_400(client, ann, assert_problem):
    assert_problem(client.patch(ME, headers=ann, data='{"bio": ', content_type="application/json"), 400)


def test_the_profile_outlives_the_session(client, ann, auth_headers):
    client.patch(ME, headers=ann, json={"bio": "Kept"})
    assert client.post("/api/auth/logout/", headers=ann).status_code == 204

    again = auth_headers("ann@example.com")

    assert client.get(ME, headers=again).get_json()["bio"] == "Kept"
