"""The schema, as SQLAlchemy Core tables. Alembic migrations must agree with it (a test checks)."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa

from domain.users import Locale, Role

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_N_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _str_enum(enum: type[StrEnum], name: str) -> sa.Enum:
    """A text column with a CHECK constraint, holding the enum's values (not its member names)."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


def _timestamp(name: str, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kwargs)


users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("email", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("role", _str_enum(Role, "role"), nullable=False),
    sa.Column("timezone", sa.Text, nullable=False),
    sa.Column("locale", _str_enum(Locale, "locale"), nullable=False),
    sa.Column("bio", sa.Text, nullable=False, server_default=""),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    _timestamp("created_at", nullable=False),
    _timestamp("updated_at", nullable=False),
    sa.CheckConstraint("email = lower(btrim(email))", name="email_normalized"),
)

auth_tokens = sa.Table(
    "auth_tokens",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey(users.c.id, ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("token_hash", sa.LargeBinary(32), nullable=False, unique=True),
    _timestamp("created_at", nullable=False),
    _timestamp("expires_at", nullable=False),
    _timestamp("revoked_at"),
)
