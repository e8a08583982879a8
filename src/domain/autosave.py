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
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$")


def validate_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):  # not match(): its `$` would let a trailing newline through
        raise InvalidInput.field(
            "key", f"Must be 1 to {MAX_KEY_LENGTH} letters, digits or : . _ - (e.g. lesson:<id>:notes)."
        )
    return key


def _validate_data(data: Any) -> Any:
    size = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
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
