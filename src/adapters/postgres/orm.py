"""Imperative mapping: the domain classes stay plain; SQLAlchemy learns here how they map to the tables."""

from __future__ import annotations

from sqlalchemy.orm import registry, relationship

from adapters.postgres import tables
from domain.autosave import Draft
from domain.lessons import Lesson
from domain.relations import Relation
from domain.topics import Topic
from domain.users import AuthToken, TutorTopic, User

mapper_registry = registry(metadata=tables.metadata)


def start_mappers() -> None:
    """Map the domain classes once per process; later calls do nothing."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(TutorTopic, tables.tutor_topics)
    mapper_registry.map_imperatively(
        User,
        tables.users,
        properties={"topic_links": relationship(TutorTopic, cascade="all, delete-orphan", lazy="selectin")},
    )
    mapper_registry.map_imperatively(AuthToken, tables.auth_tokens)
    mapper_registry.map_imperatively(Topic, tables.topics)
    mapper_registry.map_imperatively(Relation, tables.relations)
    # Optimistic locking: an UPDATE of a lesson someone else changed meanwhile fails instead of overwriting it.
    mapper_registry.map_imperatively(Lesson, tables.lessons, version_id_col=tables.lessons.c.version)
    mapper_registry.map_imperatively(Draft, tables.autosave_drafts)
