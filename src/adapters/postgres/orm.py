"""Imperative mapping: the domain classes stay plain; SQLAlchemy learns here how they map to the tables."""

from __future__ import annotations

from sqlalchemy.orm import registry

from adapters.postgres import tables
from domain.users import AuthToken, User

mapper_registry = registry(metadata=tables.metadata)


def start_mappers() -> None:
    """Map the domain classes once per process; later calls do nothing."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(User, tables.users)
    mapper_registry.map_imperatively(AuthToken, tables.auth_tokens)
