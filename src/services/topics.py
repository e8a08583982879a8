"""Topics and the tutor directory."""

from __future__ import annotations

from uuid import UUID

from domain.errors import Conflict, Forbidden, NotFound
from domain.topics import Topic, clean_topic_name, slugify
from domain.users import Role
from services import ports
from services.accounts import Principal
from services.pagination import Page, PageRequest
from services.unit_of_work import AbstractUnitOfWork
from services.views import TopicView, TutorView

TOPIC_EDITORS = (Role.TUTOR, Role.ADMIN)


def create_topic(
    name: str, principal: Principal, uow: AbstractUnitOfWork, *, clock: ports.Clock, ids: ports.IdGenerator
) -> TopicView:
    if principal.role not in TOPIC_EDITORS:
        raise Forbidden("Only tutors and admins can add topics.")
    name = clean_topic_name(name)
    with uow:
        if uow.topics.get_by_name(name) is not None:
            raise Conflict(f"The topic {name!r} already exists.")
        topic = Topic.create(id=ids.new_id(), name=name, slug=_free_slug(slugify(name), uow), created_by=principal.user_id, now=clock.now())
        uow.topics.add(topic)
        uow.commit()
        return TopicView(id=topic.id, name=topic.name, slug=topic.slug, created_at=topic.created_at)


def _free_slug(slug: str, uow: AbstractUnitOfWork) -> str:
    """Different names can share a slug ("Maths!" and "Maths"): number the later ones."""
    candidate, n = slug, 1
    while uow.topics.slug_exists(candidate):
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


def list_topics(page: PageRequest, *, read_model: ports.ReadModel) -> Page[TopicView]:
    return read_model.topics(page)


def get_topic(topic_id: UUID, *, read_model: ports.ReadModel) -> TopicView:
    topic = read_model.topic(topic_id)
    if topic is None:
        raise NotFound("Topic not found.")
    return topic


def list_tutors(topic_id: UUID | None, page: PageRequest, *, read_model: ports.ReadModel) -> Page[TutorView]:
    return read_model.tutors(topic_id, page)


def get_tutor(tutor_id: UUID, *, read_model: ports.ReadModel) -> TutorView:
    tutor = read_model.tutor(tutor_id)
    if tutor is None:
        raise NotFound("Tutor not found.")
    return tutor
