"""Autosave drafts and their cleanup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.autosave import Draft, is_valid_key, validate_key
from domain.errors import Conflict, InvalidInput, NotFound
from services import ports
from services.pagination import Page, PageRequest
from services.unit_of_work import AbstractUnitOfWork
from services.views import DraftSummary, DraftView


def _view(draft: Draft) -> DraftView:
    return DraftView(key=draft.key, data=draft.data, created_at=draft.created_at, updated_at=draft.updated_at)


def save_draft(
    user_id: UUID, key: str, data: Any, uow: AbstractUnitOfWork, *, clock: ports.Clock, ids: ports.IdGenerator
) -> tuple[DraftView, bool]:
    """Create or replace the draft under `key`; the flag says whether it was created."""
    validate_key(key)
    try:
        return _save_draft(user_id, key, data, uow, clock=clock, ids=ids)
    except Conflict:
        # Two saves of a new key raced (two tabs autosaving) and the other created it: now it is a replace.
        return _save_draft(user_id, key, data, uow, clock=clock, ids=ids)


def _save_draft(
    user_id: UUID, key: str, data: Any, uow: AbstractUnitOfWork, *, clock: ports.Clock, ids: ports.IdGenerator
) -> tuple[DraftView, bool]:
    with uow:
        draft = uow.drafts.get_by_key(user_id, key)
        created = draft is None
        if created:
            draft = Draft.create(id=ids.new_id(), user_id=user_id, key=key, data=data, now=clock.now())
            uow.drafts.add(draft)
        else:
            draft.replace(data, clock.now())
        uow.commit()
        return _view(draft), created


def get_draft(user_id: UUID, key: str, uow: AbstractUnitOfWork) -> DraftView:
    with uow:
        return _view(_existing_draft(user_id, key, uow))


def delete_draft(user_id: UUID, key: str, uow: AbstractUnitOfWork) -> None:
    with uow:
        uow.drafts.delete(_existing_draft(user_id, key, uow))
        uow.commit()


def _existing_draft(user_id: UUID, key: str, uow: AbstractUnitOfWork) -> Draft:
    """A key that could never be saved (too long, odd characters) simply has no draft."""
    draft = uow.drafts.get_by_key(user_id, key) if is_valid_key(key) else None
    if draft is None:
        raise NotFound("No draft under this key.")
    return draft


def list_drafts(user_id: UUID, page: PageRequest, *, read_model: ports.ReadModel) -> Page[DraftSummary]:
    return read_model.drafts(user_id, page)


def cleanup_autosave(
    older_than_days: int,
    uow: AbstractUnitOfWork,
    *,
    clock: ports.Clock,
    batch_size: int = 5000,
    dry_run: bool = False,
    on_batch: Callable[[int], None] = lambda deleted: None,
) -> int:
    """Delete drafts not updated for `older_than_days` days, `batch_size` rows per short transaction, so no lock is
    held for long; returns how many were deleted (with `dry_run`, how many would be). Safe to run again."""
    if older_than_days < 1:
        raise InvalidInput.field("older_than", "Must be a positive number of days.")
    if batch_size < 1:
        raise InvalidInput.field("batch_size", "Must be positive.")
    cutoff = clock.now() - timedelta(days=older_than_days)
    if dry_run:
        with uow:
            return uow.drafts.count_older_than(cutoff)
    total = 0
    while True:
        with uow:
            deleted = uow.drafts.delete_older_than(cutoff, batch_size)
            uow.commit()
        total += deleted
        on_batch(deleted)
        if deleted == 0:  # a short batch is not the end: it skipped rows that others held locked
            return total
