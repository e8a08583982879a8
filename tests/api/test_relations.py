"""Tutor–student relations over HTTP: invite, accept, decline, cancel, list, and other people's relations."""

from __future__ import annotations

import pytest

RELATIONS = "/api/relations/"
UNKNOWN_ID = "01890000-0000-7000-8000-000000000000"
ACTIONS = ("accept", "decline", "cancel")


@pytest.fixture
def invite(client, tutor):
    """invite(email, headers=tutor) -> the response of POST /api/relations/."""

    def invite(email: str = "sam@example.com", headers: dict[str, str] | None = None):
        return client.post(RELATIONS, headers=headers or tutor, json={"student_email": email})

    return invite


@pytest.fixture
def invited(invite, student) -> dict:
    """A pending invitation of Sam (who has an account) by Tara."""
    response = invite()
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def act(client):
    def act(relation_id: str, action: str, headers: dict[str, str]):
        return client.post(f"{RELATIONS}{relation_id}/{action}/", headers=headers)

    return act


def me(client, headers) -> dict:
    return client.get("/api/me/", headers=headers).get_json()


# --- invite -----------------------------------------------------------------------------------------------------


def test_inviting_a_registered_student_makes_a_pending_relation_for_them(client, tutor, student, invite):
    response = invite("  SAM@example.com ")

    assert response.status_code == 201
    relation = response.get_json()
    assert set(relation) == {"id", "status", "tutor", "student", "student_email", "created_at", "responded_at", "ended_at"}
    assert relation["status"] == "pending"
    assert relation["tutor"] == {"id": me(client, tutor)["id"], "full_name": "Tara"}
    assert relation["student"] is None  # the tutor learns who it is only once they answer
    assert relation["student_email"] == "sam@example.com"
    assert relation["created_at"].endswith("Z") and relation["responded_at"] is None and relation["ended_at"] is None
    seen_by_student = client.get(f"{RELATIONS}{relation['id']}/", headers=student).get_json()
    assert seen_by_student == {**relation, "student": {"id": me(client, student)["id"], "full_name": "Sam"}}


def test_an_invitation_to_an_unknown_email_attaches_when_that_student_registers(client, tutor, invite, auth_headers, act):
    response = invite("newbie@example.com")
    assert response.status_code == 201
    relation = response.get_json()
    assert (relation["status"], relation["student"]) == ("pending", None)

    newbie = auth_headers("NewBie@Example.com", role="student", full_name="Newbie")

    seen = client.get(RELATIONS, headers=newbie).get_json()["results"]
    assert [r["id"] for r in seen] == [relation["id"]]
    assert seen[0]["student"] == {"id": me(client, newbie)["id"], "full_name": "Newbie"}
    accepted = act(relation["id"], "accept", newbie)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert client.get(f"{RELATIONS}{relation['id']}/", headers=tutor).get_json()["student"]["full_name"] == "Newbie"


def test_an_invited_email_registering_as_a_tutor_does_not_get_the_invitation(client, invite, auth_headers, assert_problem):
    relation = invite("newbie@example.com").get_json()

    newbie = auth_headers("newbie@example.com", role="tutor")

    assert client.get(RELATIONS, headers=newbie).get_json()["results"] == []
    assert_problem(client.get(f"{RELATIONS}{relation['id']}/", headers=newbie), 404)


def test_students_cannot_invite(client, auth_headers, invite, assert_problem):
    someone = auth_headers("olga@example.com", role="student")
    assert_problem(invite("other@example.com", headers=someone), 403)
    assert client.get(RELATIONS, headers=someone).get_json()["results"] == []


def test_inviting_a_tutors_email_reveals_nothing_and_is_never_claimed_by_them(client, tutor, invite, auth_headers):
    tom = auth_headers("tom@example.com", role="tutor")

    response = invite("tom@example.com")

    assert response.status_code == 201
    assert (response.get_json()["status"], response.get_json()["student"]) == ("pending", None)
    assert client.get(RELATIONS, headers=tom).get_json()["results"] == []


def test_inviting_yourself_is_a_422(client, tutor, invite, assert_problem):
    assert "student_email" in assert_problem(invite("tara@example.com"), 422)["errors"]
    assert client.get(RELATIONS, headers=tutor).get_json()["results"] == []


def test_cancelling_the_relation_cancels_the_lessons_still_ahead(client, make_pair, later):
    pair = make_pair("tara2@example.com", "sam2@example.com")
    ahead = pair.lesson(later)

    assert client.post(f"{RELATIONS}{pair.relation_id}/cancel/", headers=pair.student).status_code == 200

    lesson = client.get(f"/api/lessons/{ahead['id']}/", headers=pair.tutor).get_json()
    assert (lesson["status"], lesson["cancel_reason"]) == ("cancelled", "The tutor and the student ended their relation.")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"student_email": "not an email"}, "student_email"),
        ({"student_email": "x" * 250 + "@example.com"}, "student_email"),
        ({}, "student_email"),
        ({"student_email": "sam@example.com", "status": "accepted"}, "status"),
        ({"student_email": "sam@example.com", "tutor_id": UNKNOWN_ID}, "tutor_id"),
    ],
)
def test_invalid_or_unknown_invite_fields_are_a_422(client, tutor, assert_problem, body, field):
    assert field in assert_problem(client.post(RELATIONS, headers=tutor, json=body), 422)["errors"]
    assert client.get(RELATIONS, headers=tutor).get_json()["results"] == []


@pytest.mark.parametrize(
    ("email", "accept_first"),
    [("sam@example.com", False), ("sam@example.com", True), ("newbie@example.com", False)],
    ids=["pending", "accepted", "pending-without-account"],
)
def test_inviting_a_pending_or_accepted_pair_again_is_a_409(client, tutor, student, invite, act, assert_problem, email, accept_first):
    relation = invite(email).get_json()
    if accept_first:
        assert act(relation["id"], "accept", student).status_code == 200

    assert_problem(invite(email.upper()), 409)
    assert len(client.get(RELATIONS, headers=tutor).get_json()["results"]) == 1


@pytest.mark.parametrize(("ender", "action"), [("student", "decline"), ("student", "cancel"), ("tutor", "cancel")])
def test_a_pair_may_be_invited_again_after_a_decline_or_cancel(client, request, tutor, invited, invite, act, ender, action):
    assert act(invited["id"], action, request.getfixturevalue(ender)).status_code == 200

    again = invite()

    assert again.status_code == 201 and again.get_json()["status"] == "pending" and again.get_json()["id"] != invited["id"]


def test_two_tutors_may_invite_the_same_student(client, invited, invite, auth_headers, student):
    assert invite(headers=auth_headers("tom@example.com", role="tutor")).status_code == 201
    assert len(client.get(RELATIONS, headers=student).get_json()["results"]) == 2


# --- accept, decline, cancel -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "status"), [("accept", "accepted"), ("decline", "declined")])
def test_the_invited_student_accepts_or_declines(client, student, tutor, invited, act, action, status):
    response = act(invited["id"], action, student)

    assert response.status_code == 200
    relation = response.get_json()
    assert (relation["status"], relation["ended_at"]) == (status, None)
    assert relation["responded_at"] is not None and relation["responded_at"] >= relation["created_at"]
    assert client.get(f"{RELATIONS}{invited['id']}/", headers=tutor).get_json() == relation


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_the_tutor_cannot_answer_their_own_invitation(client, tutor, invited, act, assert_problem, action):
    assert_problem(act(invited["id"], action, tutor), 403)
    assert client.get(f"{RELATIONS}{invited['id']}/", headers=tutor).get_json()["status"] == "pending"


@pytest.mark.parametrize("first", ["accept", "decline", "cancel"])
@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_an_invitation_is_answered_only_while_pending(client, student, invited, act, assert_problem, first, answer):
    status = act(invited["id"], first, student).get_json()["status"]

    assert_problem(act(invited["id"], answer, student), 409)
    assert client.get(f"{RELATIONS}{invited['id']}/", headers=student).get_json()["status"] == status


@pytest.mark.parametrize("accept_first", [False, True])
@pytest.mark.parametrize("side", ["tutor", "student"])
def test_either_side_cancels_a_pending_or_accepted_relation(client, request, student, invited, act, accept_first, side):
    if accept_first:
        act(invited["id"], "accept", student)

    response = act(invited["id"], "cancel", request.getfixturevalue(side))

    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled" and response.get_json()["ended_at"] is not None


@pytest.mark.parametrize(("end", "by"), [("cancel", "tutor"), ("decline", "student")])
@pytest.mark.parametrize("side", ["tutor", "student"])
def test_a_cancelled_or_declined_relation_cannot_be_cancelled(client, request, invited, act, assert_problem, end, by, side):
    status = act(invited["id"], end, request.getfixturevalue(by)).get_json()["status"]

    assert_problem(act(invited["id"], "cancel", request.getfixturevalue(side)), 409)
    assert client.get(f"{RELATIONS}{invited['id']}/", headers=request.getfixturevalue(side)).get_json()["status"] == status


def test_the_tutor_cancels_an_invitation_nobody_has_claimed(invite, act, tutor):
    relation = invite("newbie@example.com").get_json()
    assert act(relation["id"], "cancel", tutor).get_json()["status"] == "cancelled"


# --- other people's relations and bad paths ---------------------------------------------------------------------


@pytest.mark.parametrize("stranger_role", ["student", "tutor"])
def test_another_users_relation_is_a_404_for_get_and_every_action(client, auth_headers, invited, act, assert_problem, student, stranger_role):
    stranger = auth_headers("eve@example.com", role=stranger_role)

    assert_problem(client.get(f"{RELATIONS}{invited['id']}/", headers=stranger), 404)
    for action in ACTIONS:
        assert_problem(act(invited["id"], action, stranger), 404)
    assert client.get(RELATIONS, headers=stranger).get_json()["results"] == []
    assert client.get(f"{RELATIONS}{invited['id']}/", headers=student).get_json()["status"] == "pending"


def test_the_404_of_someone_elses_relation_is_the_404_of_a_missing_one(client, auth_headers, invited, assert_problem):
    stranger = auth_headers("eve@example.com")

    theirs = assert_problem(client.get(f"{RELATIONS}{invited['id']}/", headers=stranger), 404)
    missing = assert_problem(client.get(f"{RELATIONS}{UNKNOWN_ID}/", headers=stranger), 404)

    assert theirs == missing


@pytest.mark.parametrize("relation_id", [UNKNOWN_ID, "not-a-uuid", "123"])
def test_an_unknown_or_invalid_id_in_the_path_is_a_404(client, student, act, assert_problem, relation_id):
    assert_problem(client.get(f"{RELATIONS}{relation_id}/", headers=student), 404)
    for action in ACTIONS:
        assert_problem(act(relation_id, action, student), 404)


@pytest.mark.parametrize(("method", "path"), [("get", RELATIONS), ("post", RELATIONS), ("get", f"{RELATIONS}{UNKNOWN_ID}/")] + [("post", f"{RELATIONS}{UNKNOWN_ID}/{a}/") for a in ACTIONS])
def test_relations_need_a_token(client, assert_problem, method, path):
    assert_problem(getattr(client, method)(path, json={"student_email": "sam@example.com"} if path == RELATIONS else None), 401)


# --- listing ----------------------------------------------------------------------------------------------------


@pytest.fixture
def one_of_each(client, tutor, auth_headers, invite, act) -> dict[str, str]:
    """Tara's relations in every status, one each; returns their ids by status."""
    ids = {}
    for status, action in (("pending", None), ("accepted", "accept"), ("declined", "decline"), ("cancelled", "cancel")):
        email = f"{status}@example.com"
        headers = auth_headers(email, role="student")
        relation_id = invite(email).get_json()["id"]
        if action:
            assert act(relation_id, action, headers).status_code == 200
        ids[status] = relation_id
    return ids


@pytest.mark.parametrize("status", ["pending", "accepted", "declined", "cancelled"])
def test_the_list_filters_by_status(client, tutor, one_of_each, status):
    response = client.get(f"{RELATIONS}?status={status}", headers=tutor)

    assert response.status_code == 200
    assert [(r["id"], r["status"]) for r in response.get_json()["results"]] == [(one_of_each[status], status)]


def test_the_list_without_a_filter_has_every_status_newest_first(client, tutor, one_of_each):
    results = client.get(RELATIONS, headers=tutor).get_json()["results"]
    assert [r["id"] for r in results] == list(reversed(one_of_each.values()))


def test_an_unknown_status_filter_is_a_422(client, tutor, assert_problem):
    assert "status" in assert_problem(client.get(f"{RELATIONS}?status=open", headers=tutor), 422)["errors"]


def test_the_list_is_paginated_and_keeps_the_filter(client, tutor, invite, walk_pages):
    created = [invite(f"s{n}@example.com").get_json()["id"] for n in range(5)]

    pages = walk_pages(f"{RELATIONS}?page_size=2&status=pending", tutor)

    assert [len(page["results"]) for page in pages] == [2, 2, 1]
    assert [r["id"] for page in pages for r in page["results"]] == list(reversed(created))
    assert client.get(pages[1]["previous"], headers=tutor).get_json()["results"] == pages[0]["results"]


@pytest.mark.parametrize("page_size", ["0", "101"])
def test_relation_page_size_outside_1_to_100_is_a_422(client, tutor, assert_problem, page_size):
    assert_problem(client.get(f"{RELATIONS}?page_size={page_size}", headers=tutor), 422)


def test_the_student_lists_only_their_own_relations(client, invited, invite, student, auth_headers):
    invite("olga@example.com")
    assert [r["id"] for r in client.get(RELATIONS, headers=student).get_json()["results"]] == [invited["id"]]


def test_a_nul_character_in_the_invited_email_is_a_422(invite):
    response = invite("sam\u0000@example.com")
    assert response.status_code == 422 and "student_email" in response.get_json()["errors"]
