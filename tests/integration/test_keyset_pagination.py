"""Keyset pagination on real PostgreSQL: adapters/postgres/pagination.keyset_page and the signed cursors on the wire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import flask_smorest
import pytest
import sqlalchemy as sa

from adapters.postgres.pagination import keyset_page
from adapters.postgres.tables import users
from domain.errors import InvalidInput
from entrypoints.http.pagination import page_request, page_response
from entrypoints.http.schemas import PageArgsSchema
from services.pagination import Page, PageRequest

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
USERS_BY_CREATION = sa.select(users.c.id, users.c.created_at).order_by(users.c.created_at, users.c.id)

# 10 rows, in runs of equal created_at that straddle the page boundaries of pages of 3 and of 4.
MIXED = [T0 + timedelta(seconds=s) for s in (0, 1, 2, 2, 2, 2, 3, 3, 4, 4)]
ALL_EQUAL = [T0] * 10


def insert_users(engine: sa.Engine, created: list[datetime]) -> list[str]:
    """Rows with the given created_at values; returns their ids as strings, in (created_at, id) order."""
    rows = [
        {
            "id": uuid4(),
            "email": f"user{n}.{uuid4().hex[:8]}@example.com",
            "password_hash": "h",
            "full_name": f"User {n}",
            "role": "student",
            "timezone": "UTC",
            "locale": "uk",
            "created_at": at,
            "updated_at": at,
        }
        for n, at in enumerate(created)
    ]
    with engine.begin() as connection:
        connection.execute(users.insert(), rows)
        return [str(row.id) for row in connection.execute(USERS_BY_CREATION)]


def page_of(connection: sa.Connection, cursor: str | None, size: int) -> Page[str]:
    return keyset_page(connection, USERS_BY_CREATION, PageRequest(cursor=cursor, size=size), lambda row: str(row.id))


def walk_forward(connection: sa.Connection, size: int) -> list[Page[str]]:
    pages = [page_of(connection, None, size)]
    while pages[-1].next_cursor is not None:
        assert len(pages) < 50, "the cursor does not advance"
        pages.append(page_of(connection, pages[-1].next_cursor, size))
    return pages


@pytest.mark.parametrize("created", [MIXED, ALL_EQUAL], ids=["runs-of-equal-times", "all-equal-times"])
@pytest.mark.parametrize("size", [1, 3, 4, 5])
def test_paging_forward_returns_every_row_once_in_order(engine, created, size):
    expected = insert_users(engine, created)

    with engine.connect() as connection:
        pages = walk_forward(connection, size)

    assert [row for page in pages for row in page.results] == expected
    assert [len(page.results) for page in pages[:-1]] == [size] * (len(pages) - 1)
    assert 0 < len(pages[-1].results) <= size
    assert pages[0].previous_cursor is None
    assert pages[-1].next_cursor is None
    assert all(page.previous_cursor is not None for page in pages[1:])


@pytest.mark.parametrize("created", [MIXED, ALL_EQUAL], ids=["runs-of-equal-times", "all-equal-times"])
@pytest.mark.parametrize("size", [1, 3, 4])
def test_paging_backwards_returns_the_previous_page_exactly(engine, created, size):
    insert_users(engine, created)

    with engine.connect() as connection:
        pages = walk_forward(connection, size)
        for index in range(len(pages) - 1, 0, -1):
            back = page_of(connection, pages[index].previous_cursor, size)

            assert back.results == pages[index - 1].results
            assert (back.previous_cursor is None) == (index - 1 == 0)
            assert page_of(connection, back.next_cursor, size).results == pages[index].results


def test_a_list_that_fits_one_page_has_neither_next_nor_previous(engine):
    expected = insert_users(engine, MIXED)

    with engine.connect() as connection:
        page = page_of(connection, None, len(MIXED))
        empty = keyset_page(connection, USERS_BY_CREATION.where(sa.false()), PageRequest(size=5), lambda row: row)

    assert (page.results, page.next_cursor, page.previous_cursor) == (expected, None, None)
    assert (empty.results, empty.next_cursor, empty.previous_cursor) == ([], None, None)


def test_rows_added_before_the_cursor_do_not_shift_the_next_page(engine):
    """Unlike OFFSET, a bookmark is a position in the order, so an insert earlier in the list moves nothing."""
    expected_next = insert_users(engine, MIXED)[4:8]
    with engine.connect() as connection:
        first = page_of(connection, None, 4)

    insert_users(engine, [T0 - timedelta(days=1)] * 3)

    with engine.connect() as connection:
        assert page_of(connection, first.next_cursor, 4).results == expected_next


@pytest.mark.parametrize("cursor", ["garbage", "<i:1", ">s:x~s:y~s:z", "x" * 500])
def test_a_broken_cursor_is_invalid_input(engine, cursor):
    with engine.connect() as connection, pytest.raises(InvalidInput) as excinfo:
        page_of(connection, cursor, 3)
    assert set(excinfo.value.errors) == {"cursor"}


# --- the cursor on the wire: signed, bound to its list, links in the DRF shape --------------------------------------


@pytest.fixture
def list_client(app, container):
    """Two throwaway list endpoints built from the reusable pieces, as a real resource would use them."""
    blp = flask_smorest.Blueprint("pagination_test", __name__, url_prefix="/test")

    def users_page(args):
        with container.engine.connect() as connection:
            page = keyset_page(connection, USERS_BY_CREATION, page_request(args), lambda row: str(row.id))
        return page_response(page)

    @blp.route("/users/")
    @blp.arguments(PageArgsSchema, location="query")
    def users_list(args):
        return users_page(args)

    @blp.route("/people/")
    @blp.arguments(PageArgsSchema, location="query")
    def people_list(args):
        return users_page(args)

    app.register_blueprint(blp)
    return app.test_client()


def get_all_pages(client, url: str) -> list[dict]:
    pages = [client.get(url).get_json()]
    while pages[-1]["next"]:
        assert len(pages) < 50
        pages.append(client.get(pages[-1]["next"]).get_json())
    return pages


def test_list_links_walk_the_whole_list_both_ways(engine, list_client):
    expected = insert_users(engine, MIXED)

    pages = get_all_pages(list_client, "/test/users/?page_size=3")

    assert [row for page in pages for row in page["results"]] == expected
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    assert all("page_size=3" in page["next"] for page in pages[:-1])  # the links keep the other parameters
    back = list_client.get(pages[-1]["previous"]).get_json()
    assert back["results"] == pages[-2]["results"]


def test_default_page_size_is_20(engine, list_client):
    expected = insert_users(engine, [T0] * 25)

    first = list_client.get("/test/users/").get_json()

    assert first["results"] == expected[:20]
    assert list_client.get(first["next"]).get_json()["results"] == expected[20:]


def tampered(cursor: str) -> str:
    """The same cursor with its first character changed: a payload the server never signed."""
    return ("B" if cursor[0] == "A" else "A") + cursor[1:]


def test_a_forged_or_foreign_cursor_is_a_400_problem(engine, list_client, assert_problem):
    insert_users(engine, MIXED)
    next_link = list_client.get("/test/users/?page_size=3").get_json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]

    assert list_client.get(f"/test/users/?cursor={cursor}&page_size=3").status_code == 200
    for forged in [tampered(cursor), ">s:2026-03-02~s:0", "garbage"]:
        assert_problem(list_client.get("/test/users/", query_string={"cursor": forged}), 400)
    # signed for the users list, refused by another list
    assert_problem(list_client.get(f"/test/people/?cursor={cursor}"), 400)


@pytest.mark.parametrize("query", ["page_size=0", "page_size=101", "page_size=many", "cursor=" + "x" * 2001])
def test_page_arguments_outside_their_caps_are_a_422_problem(list_client, assert_problem, engine, query):
    assert_problem(list_client.get(f"/test/users/?{query}"), 422)


def test_page_size_100_is_allowed(engine, list_client):
    insert_users(engine, [T0] * 3)
    assert list_client.get("/test/users/?page_size=100").status_code == 200
