"""Tutor–student relations: a tutor invites, the student accepts or declines, either side may end it.

Status moves only pending → accepted | declined | cancelled, and accepted → cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.aggregate import Aggregate
from domain.errors import Conflict, Forbidden
from domain.events import RelationCancelled, RelationDeclined, StudentInvited, TutorAccepted


class RelationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


OPEN_STATUSES = (RelationStatus.PENDING, RelationStatus.ACCEPTED)  # at most one of these per pair


@dataclass(eq=False)
class Relation(Aggregate):
    id: UUID
    tutor_id: UUID
    student_email: str
    student_id: UUID | None
    status: RelationStatus
    created_at: datetime
    responded_at: datetime | None = None
    ended_at: datetime | None = None
    version: int = 1

    @classmethod
    def invite(
        cls, *, id: UUID, tutor_id: UUID, student_email: str, student_id: UUID | None, now: datetime
    ) -> Relation:
        relation = cls(
            id=id,
            tutor_id=tutor_id,
            student_email=student_email,
            student_id=student_id,
            status=RelationStatus.PENDING,
            created_at=now,
        )
        relation.record(
            StudentInvited(
                occurred_at=now, relation_id=id, tutor_id=tutor_id, student_id=student_id, student_email=student_email
            )
        )
        return relation

    def involves(self, user_id: UUID) -> bool:
        return user_id in (self.tutor_id, self.student_id)

    def attach_student(self, student_id: UUID) -> None:
        """The invited email has just registered: the invitation becomes theirs."""
        if self.student_id is None:
            self.student_id = student_id

    def accept(self, by: UUID, now: datetime) -> None:
        self._respond(by, RelationStatus.ACCEPTED, now)
        self.record(TutorAccepted(occurred_at=now, relation_id=self.id, tutor_id=self.tutor_id, student_id=by))

    def decline(self, by: UUID, now: datetime) -> None:
        self._respond(by, RelationStatus.DECLINED, now)
        self.record(RelationDeclined(occurred_at=now, relation_id=self.id, tutor_id=self.tutor_id, student_id=by))

    def cancel(self, by: UUID, now: datetime) -> None:
        if self.status not in OPEN_STATUSES:
            raise Conflict(f"A {self.status.value} relation cannot be cancelled.")
        self.status = RelationStatus.CANCELLED
        self.ended_at = now
        self.record(
            RelationCancelled(
                occurred_at=now, relation_id=self.id, tutor_id=self.tutor_id, student_id=self.student_id, cancelled_by=by
            )
        )

    def _respond(self, by: UUID, status: RelationStatus, now: datetime) -> None:
        if by != self.student_id:
            raise Forbidden("Only the invited student can answer an invitation.")
        if self.status is not RelationStatus.PENDING:
            raise Conflict(f"The invitation is already {self.status.value}.")
        self.status = status
        self.responded_at = now
