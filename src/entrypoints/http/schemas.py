"""marshmallow schemas shared by every resource: strict input, UTC output, user and pagination shapes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import validate

from domain import users
from domain.errors import InvalidInput
from services.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class StrictSchema(ma.Schema):
    """Unknown fields are an error (422), so a client can never set what it should not."""

    class Meta:
        unknown = ma.RAISE


def domain_rule(check: Callable[[Any], object]) -> Callable[[Any], None]:
    """A marshmallow validator that applies a domain rule, so the rule is written once, in the domain."""

    def validator(value: Any) -> None:
        try:
            check(value)
        except InvalidInput as exc:
            raise ma.ValidationError(exc.detail) from None

    return validator


class UtcDateTime(ma.fields.AwareDateTime):
    """Input must carry an offset (a naive time is a 422) and lie in 1970–8999; output is UTC with a Z."""

    EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
    LATEST = datetime(9000, 1, 1, tzinfo=UTC)  # far from datetime's limits, so date arithmetic never overflows
    default_error_messages = {
        "invalid_awareness": "Must be an ISO 8601 date-time with an offset, e.g. 2026-03-01T09:00:00+02:00 or …Z.",
        "invalid": "Must be an ISO 8601 date-time with an offset, e.g. 2026-03-01T09:00:00+02:00 or …Z.",
        "out_of_range": "Must be between 1970 and 8999.",
    }

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        try:
            moment = super()._deserialize(value, attr, data, **kwargs).astimezone(UTC)
        except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00 is past the last representable UTC instant
            raise self.make_error("out_of_range") from None
        if not self.EARLIEST <= moment < self.LATEST:
            raise self.make_error("out_of_range")
        return moment


class UserSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    email = ma.fields.String(required=True)
    full_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"enum": [r.value for r in users.Role]})
    timezone = ma.fields.String(required=True)
    locale = ma.fields.String(required=True, metadata={"enum": [loc.value for loc in users.Locale]})
    bio = ma.fields.String(required=True)
    is_active = ma.fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    headline = ma.fields.String(required=True, metadata={"description": "Tutors' public headline"})
    topic_ids = ma.fields.List(ma.fields.UUID(), required=True, metadata={"description": "Topics a tutor teaches"})


class PageArgsSchema(StrictSchema):
    cursor = ma.fields.String(validate=validate.Length(max=2000), metadata={"description": "Opaque; from `next` or `previous`"})
    page_size = ma.fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )


@functools.cache
def page_schema(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The `{next, previous, results}` envelope around a list of `item_schema`."""
    return ma.Schema.from_dict(
        {
            "next": ma.fields.Url(allow_none=True, required=True),
            "previous": ma.fields.Url(allow_none=True, required=True),
            "results": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        },
        name=f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
    )
