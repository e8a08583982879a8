"""Tutor–student relations: invite, accept, decline, cancel, list."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.events import RelationCancelled, UserRegistered
from domain.relations import Relation, RelationStatus
from domain.users import Role, normalize_email
from services import ports
from services.accounts import Principal
from services.pagination import Page, PageRequest
from services.unit_of_work import AbstractUnitOfWork
from services.views import RelationView


def invite_student(
    student_email: str, principal: Principal, uow: AbstractUnitOfWork, *, clock: ports.Clock, ids: ports.IdGenerator
) -> UUID:
    if principal.role is not Role.TUTOR:
        raise Forbidden("Only tutors can invite students.")
    try:
        email = normalize_email(student_email)
    except InvalidInput as exc:
        raise InvalidInput.field("student_email", exc.detail) from None
    with uow:
        tutor = uow.users.get(principal.user_id)
        if tutor is not None and tutor.email == email:
            raise InvalidInput.field("student_email", "You cannot invite yourself.")
        # Only a student's account takes the invitation now; any other email waits for a student to sign up with
        # it, so the answer never tells the tutor whether, or as what, an email is registered.
        student = uow.users.get_by_email(email)
        if student is not None and student.role is not Role.STUDENT:
            student = None
        if uow.relations.find_open(principal.user_id, email) is not None:
            raise Conflict("This student is already invited or accepted you.")
        relation = Relation.invite(
            id=ids.new_id(),
            tutor_id=principal.user_id,
            student_email=email,
            student_id=student.id if student else None,
            now=clock.now(),
        )
        uow.relations.add(relation)
        uow.commit()  # a concurrent identical invitation loses on the unique index: 409
        return relation.id


def accept_relation(relation_id: UUID, principal: Principal, uow: AbstractUnitOfWork, *, clock: ports.Clock) -> UUID:
    with uow:
        _visible_relation(relation_id, principal, uow).accept(principal.user_id, clock.now())
        uow.commit()
        return relation_id


def decline_relation(relation_id: UUID, principal: Principal, uow: AbstractUnitOfWork, *, clock: ports.Clock) -> UUID:
    with uow:
        _visible_relation(relation_id, principal, uow).decline(principal.user_id, clock.now())
        uow.commit()
        return relation_id


def cancel_relation(relation_id: UUID, principal: Principal, uow: AbstractUnitOfWork, *, clock: ports.Clock) -> UUID:
    with uow:
        _visible_relation(relation_id, principal, uow).cancel(principal.user_id, clock.now())
        uow.commit()
        return relation_id


def _visible_relation(relation_id: UUID, principal: Principal, uow: AbstractUnitOfWork) -> Relation:
    """Other people's relations are answered exactly like missing ones."""
    relation = uow.relations.get(relation_id)
    if relation is None or not relation.involves(principal.user_id):
        raise NotFound("Relation not found.")
    return relation


def get_relation(relation_id: UUID, principal: Principal, *, read_model: ports.ReadModel) -> RelationView:
    relation = read_model.relation(relation_id, principal.user_id)
    if relation is None:
        raise NotFound("Relation not found.")
    return _as_seen_by(relation, principal.user_id)


def list_relations(
    principal: Principal, status: str | None, page: PageRequest, *, read_model: ports.ReadModel
) -> Page[RelationView]:
    page = read_model.relations(principal.user_id, status, page)
    return replace(page, results=[_as_seen_by(relation, principal.user_id) for relation in page.results])


def _as_seen_by(relation: RelationView, viewer_id: UUID) -> RelationView:
    """A tutor learns who the student is only once the student has answered: an invitation alone must not reveal
    whether an email has an account, nor its owner's name."""
    if relation.tutor.id == viewer_id and relation.responded_at is None:
        return replace(relation, student=None)
    return relation


def claim_invitations(event: UserRegistered, uow: AbstractUnitOfWork) -> None:
    """Pending invitations sent to an email before its owner signed up become theirs when a student signs up
    with it (one the tutor withdrew meanwhile stays out of their list)."""
    if event.role != Role.STUDENT:
        return
    for relation in uow.relations.unclaimed_for_email(event.email):
        if relation.status is RelationStatus.PENDING:
            relation.attach_student(event.user_id)
