"""Cursor pagination as the use cases see it: a request for a page and the page that answers it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class PageRequest:
    """`cursor` is the read model's own bookmark (already verified by the entry point), None for the first page."""

    cursor: str | None = None
    size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class Page(Generic[T]):
    results: list[T]
    next_cursor: str | None
    previous_cursor: str | None
