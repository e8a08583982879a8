"""Which handlers react to which domain event. The unit of work runs them inside the committing transaction.

Later features (audit log, notifications, progress, emails) subscribe here without touching the code that
raises the events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain import events
from services import lessons, relations
from services.unit_of_work import EventHandler

EVENT_HANDLERS: Mapping[type[events.Event], Sequence[EventHandler]] = {
    events.UserRegistered: [relations.claim_invitations],
    events.RelationCancelled: [lessons.cancel_lessons_of_ended_relation],
}
