"""Imperative mapping: the domain classes stay plain; SQLAlchemy learns here how they map to the tables."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import RelationshipProperty, registry, relationship

from adapters.postgres import tables
from domain.autosave import Draft
from domain.lessons import Lesson
from domain.relations import Relation
from domain.topics import Topic
from domain.users import AuthToken, TutorTopic, User

mapper_registry = registry(metadata=tables.metadata)


def _refers_to(target: type, column: sa.Column) -> RelationshipProperty:
    """A never-loaded many-to-one link. Aggregates refer to each other by id only; the link exists so the session
    inserts a row after the rows it references when both are new in one flush (e.g. a user and their token)."""
    return relationship(target, foreign_keys=[column], lazy="raise", viewonly=False)


def start_mappers() -> None:
    """Map the domain classes once per process; later calls do nothing."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(Topic, tables.topics)
    mapper_registry.map_imperatively(
        TutorTopic, tables.tutor_topics, properties={"_topic": _refers_to(Topic, tables.tutor_topics.c.topic_id)}
    )
    mapper_registry.map_imperatively(
        User,
        tables.users,
        # Loaded when read (profile reads and edits), not on every authentication.
        properties={"topic_links": relationship(TutorTopic, cascade="all, delete-orphan", lazy="select")},
    )
    mapper_registry.map_imperatively(
        AuthToken, tables.auth_tokens, properties={"_user": _refers_to(User, tables.auth_tokens.c.user_id)}
    )
    r = tables.relations.c
    mapper_registry.map_imperatively(
        Relation,
        tables.relations,
        version_id_col=r.version,  # an accept racing a cancel: one of them gets a 409, never both a 200
        properties={"_tutor": _refers_to(User, r.tutor_id), "_student": _refers_to(User, r.student_id)},
    )
    les = tables.lessons.c
    mapper_registry.map_imperatively(
        Lesson,
        tables.lessons,
        # Optimistic locking: an UPDATE of a lesson someone else changed meanwhile fails instead of overwriting it.
        version_id_col=les.version,
        properties={
            "_tutor": _refers_to(User, les.tutor_id),
            "_student": _refers_to(User, les.student_id),
            "_topic": _refers_to(Topic, les.topic_id),
        },
    )
    mapper_registry.map_imperatively(
        Draft, tables.autosave_drafts, properties={"_user": _refers_to(User, tables.autosave_drafts.c.user_id)}
    )
