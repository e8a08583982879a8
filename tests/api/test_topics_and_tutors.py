"""Topics (/api/topics/) and the public tutor directory (/api/tutors/), with tutors' headline and topics via /api/me/."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from services import accounts
from tests.conftest import TEST_PASSWORD

TOPICS = "/api/topics/"
TUTORS = "/api/tutors/"
UNKNOWN_ID = "01890000-0000-7000-8000-000000000000"
PUBLIC_TUTOR_FIELDS = {"id", "full_name", "headline", "bio", "topics"}


@pytest.fixture
def admin(container, auth_headers) -> dict[str, str]:
    container.run(accounts.create_admin, "root@example.com", TEST_PASSWORD, "Root")
    return auth_headers("root@example.com")


@pytest.fixture
def create_topic(client, tutor):
    def create(name: str) -> dict:
        response = client.post(TOPICS, headers=tutor, json={"name": name})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create


# --- topics -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["tutor", "admin"])
def test_tutors_and_admins_create_topics(client, request, who):
    headers = request.getfixturevalue(who)

    response = client.post(TOPICS, headers=headers, json={"name": "  Linear   Algebra "})

    assert response.status_code == 201
    topic = response.get_json()
    assert set(topic) == {"id", "name", "slug", "created_at"}
    assert (topic["name"], topic["slug"]) == ("Linear Algebra", "linear-algebra")
    assert uuid.UUID(topic["id"]) and topic["created_at"].endswith("Z")
    assert client.get(f"{TOPICS}{topic['id']}/", headers=headers).get_json() == topic


def test_students_cannot_create_topics(client, student, tutor, assert_problem):
    assert_problem(client.post(TOPICS, headers=student, json={"name": "Algebra"}), 403)
    assert client.get(TOPICS, headers=tutor).get_json()["results"] == []


@pytest.mark.parametrize("again", ["Algebra", "algebra", "ALGEBRA", " algebra "])
def test_topic_names_are_unique_whatever_the_case(client, create_topic, tutor, admin, assert_problem, again):
    create_topic("Algebra")

    assert_problem(client.post(TOPICS, headers=admin, json={"name": again}), 409)
    assert [t["name"] for t in client.get(TOPICS, headers=tutor).get_json()["results"]] == ["Algebra"]


def test_case_insensitive_uniqueness_holds_beyond_ascii(client, create_topic, tutor, assert_problem):
    assert create_topic("Алгебра")["slug"] == "алгебра"
    assert_problem(client.post(TOPICS, headers=tutor, json={"name": "АЛГЕБРА"}), 409)


def test_names_that_share_a_slug_both_exist_with_different_slugs(create_topic):
    assert (create_topic("Maths")["slug"], create_topic("Maths!")["slug"]) == ("maths", "maths-2")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x" * 101}, "name"),
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": 42}, "name"),
        ({"name": "Algebra", "slug": "mine"}, "slug"),
        ({"name": "Algebra", "id": UNKNOWN_ID}, "id"),
    ],
)
def test_invalid_or_unknown_topic_fields_are_a_422(client, tutor, assert_problem, body, field):
    problem = assert_problem(client.post(TOPICS, headers=tutor, json=body), 422)
    assert field in problem["errors"]
    assert client.get(TOPICS, headers=tutor).get_json()["results"] == []


def test_a_name_of_only_spaces_is_a_422(client, tutor, assert_problem):
    assert "name" in assert_problem(client.post(TOPICS, headers=tutor, json={"name": "   "}), 422)["errors"]


def test_a_name_of_100_characters_is_accepted(create_topic):
    assert create_topic("x" * 100)["name"] == "x" * 100


def test_an_unknown_topic_is_a_404(client, student, assert_problem):
    assert_problem(client.get(f"{TOPICS}{UNKNOWN_ID}/", headers=student), 404)
    assert_problem(client.get(f"{TOPICS}not-a-uuid/", headers=student), 404)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("get", TOPICS, None), ("post", TOPICS, {"name": "Algebra"}), ("get", f"{TOPICS}{UNKNOWN_ID}/", None), ("get", TUTORS, None), ("get", f"{TUTORS}{UNKNOWN_ID}/", None)],
)
def test_topics_and_tutors_need_a_token(client, assert_problem, method, path, body):
    assert_problem(getattr(client, method)(path, json=body), 401)


NAMES = ["Physics", "Algebra", "Geometry", "Chemistry", "Biology", "English", "Drawing"]


def test_the_topic_list_is_paginated_by_name_with_working_links(client, create_topic, student, walk_pages):
    for name in NAMES:
        create_topic(name)

    pages = walk_pages(f"{TOPICS}?page_size=3", student)

    assert [len(page["results"]) for page in pages] == [3, 3, 1]
    assert [t["name"] for page in pages for t in page["results"]] == sorted(NAMES, key=str.lower)
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    back = client.get(pages[-1]["previous"], headers=student).get_json()
    assert back["results"] == pages[1]["results"]


def test_topics_are_ordered_regardless_of_case(client, create_topic, student):
    for name in ("chemistry", "Biology", "algebra", "Астрономія", "алгебра"):
        create_topic(name)

    names = [t["name"] for t in client.get(TOPICS, headers=student).get_json()["results"]]

    assert names == ["algebra", "Biology", "chemistry", "алгебра", "Астрономія"]


def test_the_default_page_holds_20_topics(client, create_topic, student):
    for n in range(21):
        create_topic(f"Topic {n:02}")
    first = client.get(TOPICS, headers=student).get_json()
    assert len(first["results"]) == 20 and first["next"] is not None


@pytest.mark.parametrize("page_size", ["0", "101", "-1", "ten"])
def test_page_size_outside_1_to_100_is_a_422(client, student, assert_problem, page_size):
    assert "page_size" in assert_problem(client.get(f"{TOPICS}?page_size={page_size}", headers=student), 422)["errors"]


def test_page_size_100_is_allowed(client, student):
    assert client.get(f"{TOPICS}?page_size=100", headers=student).status_code == 200


def _cursor_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


def test_a_forged_or_edited_cursor_is_a_400(client, create_topic, student, assert_problem):
    for name in NAMES:
        create_topic(name)
    cursor = _cursor_of(client.get(f"{TOPICS}?page_size=2", headers=student).get_json()["next"])
    edited = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")

    for bad in (edited, "forged", "eyJhIjoxfQ.abc", cursor[: len(cursor) // 2]):
        assert_problem(client.get(f"{TOPICS}?page_size=2&cursor={bad}", headers=student), 400)


def test_a_cursor_from_another_list_is_a_400(client, create_topic, tutor, assert_problem):
    for name in NAMES:
        create_topic(name)
    for email in ("a@example.com", "b@example.com"):
        assert client.post("/api/relations/", headers=tutor, json={"student_email": email}).status_code == 201
    foreign = _cursor_of(client.get("/api/relations/?page_size=1", headers=tutor).get_json()["next"])

    assert_problem(client.get(f"{TOPICS}?page_size=1&cursor={foreign}", headers=tutor), 400)
    assert_problem(client.get(f"{TUTORS}?page_size=1&cursor={foreign}", headers=tutor), 400)


# --- tutors' profile and directory ------------------------------------------------------------------------------


@pytest.fixture
def algebra(create_topic) -> dict:
    return create_topic("Algebra")


@pytest.fixture
def physics(create_topic) -> dict:
    return create_topic("Physics")


def test_a_tutor_sets_headline_and_topics_through_me(client, tutor, algebra, physics):
    response = client.patch("/api/me/", headers=tutor, json={"headline": "Maths that sticks", "topic_ids": [physics["id"], algebra["id"]]})

    assert response.status_code == 200
    me = client.get("/api/me/", headers=tutor).get_json()
    assert me["headline"] == "Maths that sticks"
    assert sorted(me["topic_ids"]) == sorted([algebra["id"], physics["id"]])

    client.patch("/api/me/", headers=tutor, json={"topic_ids": [physics["id"]]})
    assert client.get("/api/me/", headers=tutor).get_json()["topic_ids"] == [physics["id"]]


@pytest.mark.parametrize("changes", [{"headline": "Hello"}, {"topic_ids": []}, {"topic_ids": ["<algebra>"]}])
def test_a_student_sending_headline_or_topics_gets_a_422(client, student, algebra, assert_problem, changes):
    changes = {k: [algebra["id"]] if v == ["<algebra>"] else v for k, v in changes.items()}
    before = client.get("/api/me/", headers=student).get_json()

    problem = assert_problem(client.patch("/api/me/", headers=student, json={**changes, "bio": "changed along"}), 422)

    assert set(changes) <= set(problem["errors"])
    assert client.get("/api/me/", headers=student).get_json() == before


@pytest.mark.parametrize("topic_ids", [[UNKNOWN_ID], ["<algebra>", UNKNOWN_ID], ["not-a-uuid"]])
def test_an_unknown_or_malformed_topic_id_is_a_422_and_changes_nothing(client, tutor, algebra, assert_problem, topic_ids):
    topic_ids = [algebra["id"] if t == "<algebra>" else t for t in topic_ids]
    before = client.get("/api/me/", headers=tutor).get_json()

    problem = assert_problem(client.patch("/api/me/", headers=tutor, json={"headline": "New", "topic_ids": topic_ids}), 422)

    assert "topic_ids" in problem["errors"] or any(k.startswith("topic_ids") for k in problem["errors"])
    assert client.get("/api/me/", headers=tutor).get_json() == before


def test_a_headline_over_200_characters_is_a_422(client, tutor, assert_problem):
    assert "headline" in assert_problem(client.patch("/api/me/", headers=tutor, json={"headline": "x" * 201}), 422)["errors"]


@pytest.fixture
def directory(client, auth_headers, algebra, physics) -> dict[str, str]:
    """Three tutors (two teach algebra), a student and an admin; returns the tutors' ids by name."""
    teaches = {"Ann": [algebra["id"]], "Bob": [algebra["id"], physics["id"]], "Cid": []}
    ids = {}
    for name, topic_ids in teaches.items():
        headers = auth_headers(f"{name.lower()}@example.com", role="tutor", full_name=name)
        client.patch("/api/me/", headers=headers, json={"headline": f"{name}'s headline", "bio": f"{name}'s bio", "topic_ids": topic_ids})
        ids[name] = client.get("/api/me/", headers=headers).get_json()["id"]
    return ids


def test_the_directory_lists_tutors_only_by_name(client, directory, student, tutor):
    results = client.get(TUTORS, headers=student).get_json()["results"]
    assert [t["full_name"] for t in results] == ["Ann", "Bob", "Cid", "Tara"]


def test_the_directory_filters_by_topic(client, directory, student, algebra, physics):
    def names(topic: str) -> list[str]:
        response = client.get(f"{TUTORS}?topic={topic}", headers=student)
        assert response.status_code == 200
        return [t["full_name"] for t in response.get_json()["results"]]

    assert names(algebra["id"]) == ["Ann", "Bob"]
    assert names(physics["id"]) == ["Bob"]
    assert names(UNKNOWN_ID) == []


def test_a_malformed_topic_filter_is_a_422(client, student, assert_problem):
    assert "topic" in assert_problem(client.get(f"{TUTORS}?topic=algebra", headers=student), 422)["errors"]


def test_the_directory_pages_keep_the_topic_filter(directory, student, algebra, walk_pages):
    pages = walk_pages(f"{TUTORS}?topic={algebra['id']}&page_size=1", student)
    assert [t["full_name"] for page in pages for t in page["results"]] == ["Ann", "Bob"]


def test_tutors_show_public_fields_only_never_email(client, directory, student, algebra, physics):
    listing = client.get(TUTORS, headers=student)
    one = client.get(f"{TUTORS}{directory['Bob']}/", headers=student)

    assert one.status_code == 200
    bob = one.get_json()
    assert set(bob) == PUBLIC_TUTOR_FIELDS
    assert (bob["id"], bob["full_name"], bob["headline"], bob["bio"]) == (directory["Bob"], "Bob", "Bob's headline", "Bob's bio")
    assert bob["topics"] == [{"id": t["id"], "name": t["name"], "slug": t["slug"]} for t in (algebra, physics)]
    for tutor in listing.get_json()["results"]:
        assert set(tutor) == PUBLIC_TUTOR_FIELDS
    for text in (listing.get_data(as_text=True), one.get_data(as_text=True)):
        assert "email" not in text and "@example.com" not in text


def test_a_student_or_unknown_id_is_not_a_tutor(client, student, tutor, assert_problem):
    student_id = client.get("/api/me/", headers=student).get_json()["id"]

    assert_problem(client.get(f"{TUTORS}{student_id}/", headers=tutor), 404)
    assert_problem(client.get(f"{TUTORS}{UNKNOWN_ID}/", headers=tutor), 404)
    assert_problem(client.get(f"{TUTORS}not-a-uuid/", headers=tutor), 404)


def test_an_admin_is_not_in_the_directory(client, admin, student, assert_problem):
    admin_id = client.get("/api/me/", headers=admin).get_json()["id"]
    assert_problem(client.get(f"{TUTORS}{admin_id}/", headers=student), 404)
    assert client.get(TUTORS, headers=student).get_json()["results"] == []


@pytest.mark.parametrize(("path", "method", "field"), [(TOPICS, "post", "name"), ("/api/me/", "patch", "headline")])
def test_a_nul_character_in_a_name_or_headline_is_a_422(client, tutor, path, method, field):
    response = getattr(client, method)(path, headers=tutor, json={field: "a\u0000b"})
    assert response.status_code == 422 and field in response.get_json()["errors"]
