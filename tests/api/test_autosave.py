"""Autosave drafts over HTTP: PUT upserts, GET, DELETE, list; each user sees only their own; size and key rules."""

from __future__ import annotations

from urllib.parse import quote

import pytest

AUTOSAVE = "/api/autosave/"
MAX_DATA_BYTES = 256 * 1024


@pytest.fixture
def ann(auth_headers) -> dict[str, str]:
    return auth_headers("ann@example.com", role="student")


@pytest.fixture
def bob(auth_headers) -> dict[str, str]:
    return auth_headers("bob@example.com", role="tutor")


def url(key: str) -> str:
    return f"{AUTOSAVE}{quote(key, safe='')}/"


@pytest.fixture
def put(client):
    def put(headers: dict[str, str], key: str, data=None, *, body: dict | None = None):
        """PUT {"data": data}, or `body` as it is."""
        return client.put(url(key), headers=headers, json={"data": data} if body is None else body)

    return put


def keys(client, headers) -> list[str]:
    response = client.get(AUTOSAVE, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [draft["key"] for draft in response.get_json()["results"]]


def test_put_creates_then_replaces_a_draft(client, ann, put):
    created = put(ann, "lesson:42:notes", {"text": "Fir"})
    assert created.status_code == 201
    first = created.get_json()
    assert set(first) == {"key", "data", "created_at", "updated_at"}
    assert (first["key"], first["data"]) == ("lesson:42:notes", {"text": "Fir"})

    replaced = put(ann, "lesson:42:notes", {"text": "First draft"})

    assert replaced.status_code == 200
    second = replaced.get_json()
    assert (second["data"], second["created_at"]) == ({"text": "First draft"}, first["created_at"])
    assert second["updated_at"] >= first["updated_at"]
    assert client.get(url("lesson:42:notes"), headers=ann).get_json() == second
    assert keys(client, ann) == ["lesson:42:notes"]


@pytest.mark.parametrize("data", [{"nested": {"list": [1, 2.5, None, True]}}, ["a", "b"], "plain text", 42, None, "Привіт, світ"])
def test_any_json_round_trips(client, ann, put, data):
    assert put(ann, "draft", data).status_code == 201
    assert client.get(url("draft"), headers=ann).get_json()["data"] == data


def test_a_missing_draft_is_a_404(client, ann, assert_problem):
    assert_problem(client.get(url("nothing-here"), headers=ann), 404)
    assert_problem(client.delete(url("nothing-here"), headers=ann), 404)


def test_delete_removes_the_draft(client, ann, put, assert_problem):
    put(ann, "message:1", {"text": "hi"})

    response = client.delete(url("message:1"), headers=ann)

    assert response.status_code == 204 and response.get_data() == b""
    assert_problem(client.get(url("message:1"), headers=ann), 404)
    assert_problem(client.delete(url("message:1"), headers=ann), 404)
    assert keys(client, ann) == []


def test_each_user_sees_only_their_own_drafts(client, ann, bob, put, assert_problem):
    put(ann, "shared-key", {"owner": "ann"})
    put(ann, "ann-only", {"owner": "ann"})

    assert_problem(client.get(url("ann-only"), headers=bob), 404)
    assert_problem(client.delete(url("ann-only"), headers=bob), 404)
    assert keys(client, bob) == []
    assert put(bob, "shared-key", {"owner": "bob"}).status_code == 201

    assert client.get(url("shared-key"), headers=ann).get_json()["data"] == {"owner": "ann"}
    assert client.get(url("shared-key"), headers=bob).get_json()["data"] == {"owner": "bob"}
    assert keys(client, ann) == ["ann-only", "shared-key"]
    assert keys(client, bob) == ["shared-key"]


def test_the_list_holds_summaries_by_key_and_is_paginated(client, ann, put, walk_pages):
    for key in ("c", "a", "e", "b", "d"):
        put(ann, key, {"big": "x" * 100})

    pages = walk_pages(f"{AUTOSAVE}?page_size=2", ann)

    assert [d["key"] for page in pages for d in page["results"]] == ["a", "b", "c", "d", "e"]
    assert all(set(d) == {"key", "created_at", "updated_at"} for page in pages for d in page["results"])


@pytest.mark.parametrize("key", ["x" * 201, "a b", "a$b", "_private", "-x", "ключ", "ab\n", "a%b"])
def test_a_key_too_long_or_with_other_characters_is_a_422(client, ann, put, assert_problem, key):
    problem = assert_problem(put(ann, key, {"text": "hi"}), 422)
    assert "key" in problem["errors"]
    assert keys(client, ann) == []


def test_a_key_of_200_characters_is_accepted(client, ann, put):
    key = "k" * 200
    assert put(ann, key, 1).status_code == 201
    assert client.get(url(key), headers=ann).get_json()["key"] == key


def test_data_may_be_256_kb_of_json_but_not_more(client, ann, put, assert_problem):
    at_cap = "x" * (MAX_DATA_BYTES - 2)  # the two quotes count
    assert put(ann, "big", at_cap).status_code == 201

    problem = assert_problem(put(ann, "big", at_cap + "x"), 422)

    assert "data" in problem["errors"]
    assert client.get(url("big"), headers=ann).get_json()["data"] == at_cap


def test_a_body_over_the_1_mib_request_cap_is_a_413(client, ann, put, assert_problem):
    assert_problem(put(ann, "huge", "x" * (1024 * 1024 + 1)), 413)
    assert keys(client, ann) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "data"), ({"data": 1, "user_id": "01890000-0000-7000-8000-000000000000"}, "user_id"), ({"data": 1, "key": "other"}, "key")],
)
def test_a_missing_data_or_an_unknown_field_is_a_422(client, ann, put, assert_problem, body, field):
    problem = assert_problem(put(ann, "draft", body=body), 422)
    assert field in problem["errors"]
    assert keys(client, ann) == []


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null"])
def test_a_body_that_is_not_an_object_is_a_422(client, ann, assert_problem, body):
    assert_problem(client.put(url("draft"), headers=ann, data=body, content_type="application/json"), 422)


@pytest.mark.parametrize(("method", "path"), [("get", AUTOSAVE), ("get", url("k")), ("put", url("k")), ("delete", url("k"))])
def test_autosave_needs_a_token(client, assert_problem, method, path):
    assert_problem(getattr(client, method)(path, json={"data": 1}), 401)


@pytest.mark.parametrize("body", ['{"data": NaN}', '{"data": [1, Infinity]}', '{"data": {"x": -Infinity}}'])
def test_nan_and_infinity_are_not_json_and_are_a_422(client, ann, assert_problem, body):
    response = client.put(url("draft"), headers=ann, data=body, content_type="application/json")
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert_problem(response, response.status_code)
    assert keys(client, ann) == []


@pytest.mark.parametrize("data", ["a\u0000b", {"a\u0000": 1}])
def test_a_nul_character_in_the_data_is_a_4xx(client, ann, put, data):
    response = put(ann, "draft", data)
    assert response.status_code in (400, 422) and response.mimetype == "application/problem+json"


def test_a_deeply_nested_body_is_a_4xx_not_a_500(client, ann):
    body = '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}"  # 200 KB: well under the request cap
    response = client.put(url("draft"), headers=ann, data=body, content_type="application/json")
    assert 400 <= response.status_code < 500 and response.mimetype == "application/problem+json"


def test_a_key_that_could_never_be_saved_is_simply_not_found(client, ann, assert_problem):
    for key in ("a\x00b", "x" * 300, "no spaces"):
        assert_problem(client.get(url(key), headers=ann), 404)
        assert_problem(client.delete(url(key), headers=ann), 404)


def test_concurrent_first_saves_of_one_key_all_succeed_and_one_creates_it(app, ann):
    import threading

    barrier, statuses = threading.Barrier(6), []

    def save(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.put(url("lesson:1:notes"), headers=ann, json={"data": {"n": n}}).status_code)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 5 + [201]
