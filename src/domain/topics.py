"""Topics that tutors teach (Algebra, English B2, …)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.aggregate import Aggregate
from domain.errors import InvalidInput
from domain.events import TopicCreated

MAX_TOPIC_NAME_LENGTH = 100


def clean_topic_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_TOPIC_NAME_LENGTH:
        raise InvalidInput.field("name", f"Must be 1 to {MAX_TOPIC_NAME_LENGTH} characters long.")
    return name


def slugify(name: str) -> str:
    """Lower-case words joined by hyphens; letters of any script are kept (Ukrainian names stay readable)."""
    normalized = unicodedata.normalize("NFKC", name).lower().replace("+", " plus ").replace("#", " sharp ")
    return re.sub(r"[\W_]+", "-", normalized).strip("-") or "topic"


@dataclass(eq=False)
class Topic(Aggregate):
    id: UUID
    name: str
    slug: str
    created_at: datetime

    @classmethod
    def create(cls, *, id: UUID, name: str, slug: str, created_by: UUID, now: datetime) -> Topic:
        topic = cls(id=id, name=clean_topic_name(name), slug=slug, created_at=now)
        topic.record(TopicCreated(occurred_at=now, topic_id=id, name=topic.name, created_by=created_by))
        return topic
