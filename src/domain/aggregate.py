"""Base class of aggregates: they record domain events that the unit of work collects at commit."""

from __future__ import annotations

from domain.events import Event


class Aggregate:
    # Kept in __dict__ rather than as a dataclass field: rows loaded by an ORM never run __init__.
    def record(self, event: Event) -> None:
        vars(self).setdefault("_events", []).append(event)

    def pull_events(self) -> list[Event]:
        return vars(self).pop("_events", [])
