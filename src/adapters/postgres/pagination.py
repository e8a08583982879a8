"""Keyset pagination for read models (sqlakeyset): WHERE (sort key, id) > bookmark, never OFFSET."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlakeyset import select_page
from sqlakeyset.serial import BadBookmark

from domain.errors import InvalidInput
from services.pagination import Page, PageRequest

T = TypeVar("T")


def keyset_page(
    connection: sa.Connection, statement: sa.Select[Any], request: PageRequest, to_item: Callable[[sa.Row[Any]], T]
) -> Page[T]:
    """One page of `statement`, which must be ordered by a unique key (end its ORDER BY with the id)."""
    try:
        rows = select_page(connection, statement, per_page=request.size, page=request.cursor)
    except (BadBookmark, ValueError) as exc:
        raise InvalidInput.field("cursor", "The cursor does not fit this list.") from exc
    paging = rows.paging
    return Page(
        results=[to_item(row) for row in rows],
        next_cursor=paging.bookmark_next if paging.has_next else None,
        previous_cursor=paging.bookmark_previous if paging.has_previous else None,
    )
