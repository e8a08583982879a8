"""Autosave drafts: a user's unsaved work (lesson notes, messages), kept under a key of their choosing."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.aggregate import Aggregate
from domain.errors import InvalidInput

MAX_KEY_LENGTH = 200
MAX_DATA_BYTES = 256 * 1024
MAX_DATA_DEPTH = 100  # rich-text documents nest a few dozen levels at most
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$")


def is_valid_key(key: str) -> bool:
    return KEY_PATTERN.fullmatch(key) is not None  # not match(): its `$` would let a trailing newline through


def validate_key(key: str) -> str:
    if not is_valid_key(key):
        raise InvalidInput.field(
            "key", f"Must be 1 to {MAX_KEY_LENGTH} letters, digits or : . _ - (e.g. lesson:<id>:notes)."
        )
    return key


def _nesting_depth(data: Any) -> int:
    deepest, pending = 0, [(data, 1)]
    while pending:  # a loop, not recursion, whatever the depth
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        pending.extend((child, depth + 1) for child in children)
    return deepest


def _validate_data(data: Any) -> Any:
    if _nesting_depth(data) > MAX_DATA_DEPTH:
        raise InvalidInput.field("data", f"Must nest at most {MAX_DATA_DEPTH} levels deep.")
    try:
        size = len(json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode())
    except ValueError:  # NaN and Infinity are not JSON, and PostgreSQL's jsonb refuses them
        raise InvalidInput.field("data", "Must be JSON: NaN and Infinity are not allowed.") from None
    if size > MAX_DATA_BYTES:
        raise InvalidInput.field("data", f"Must be at most {MAX_DATA_BYTES // 1024} KB of JSON ({size} bytes sent).")
    return data


@dataclass(eq=False)
class Draft(Aggregate):
    id: UUID
    user_id: UUID
    key: str
    data: Any
    created_at: datetime
    updated_at: datetime

    @classmethod
    def create(cls, *, id: UUID, user_id: UUID, key: str, data: Any, now: datetime) -> Draft:
        return cls(id=id, user_id=user_id, key=validate_key(key), data=_validate_data(data), created_at=now, updated_at=now)

    def replace(self, data: Any, now: datetime) -> None:
        self.data = _validate_data(data)
        self.updated_at = now
