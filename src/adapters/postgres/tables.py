"""The schema, as SQLAlchemy Core tables. Alembic migrations must agree with it (a test checks)."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from domain.lessons import LessonStatus
from domain.relations import RelationStatus
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


def _user_fk(name: str, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), **kwargs)


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
    sa.Column("headline", sa.Text, nullable=False, server_default=""),
    sa.CheckConstraint("email = lower(btrim(email))", name="email_normalized"),
    # The tutor directory: GET /api/tutors/ ordered by name.
    sa.Index(
        "ix_users_tutors_by_name",
        sa.func.lower(sa.column("full_name")),
        "id",
        postgresql_where=sa.text("role = 'tutor'"),
    ),
)

auth_tokens = sa.Table(
    "auth_tokens",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    _user_fk("user_id", nullable=False, index=True),
    sa.Column("token_hash", sa.LargeBinary(32), nullable=False, unique=True),
    _timestamp("created_at", nullable=False),
    _timestamp("expires_at", nullable=False),
    _timestamp("revoked_at"),
)

topics = sa.Table(
    "topics",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("slug", sa.Text, nullable=False, unique=True),
    _timestamp("created_at", nullable=False),
    # Unique regardless of case, and the order of the topics list.
    sa.Index("uq_topics_lower_name", sa.func.lower(sa.column("name")), unique=True),
)

tutor_topics = sa.Table(
    "tutor_topics",
    metadata,
    _user_fk("tutor_id", primary_key=True),
    sa.Column("topic_id", sa.Uuid, sa.ForeignKey(topics.c.id, ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_tutor_topics_topic_id_tutor_id", "topic_id", "tutor_id"),
)

relations = sa.Table(
    "relations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    _user_fk("tutor_id", nullable=False),
    # Null while the invited email has no account; filled in when that account registers.
    _user_fk("student_id"),
    sa.Column("student_email", sa.Text, nullable=False),
    sa.Column("status", _str_enum(RelationStatus, "status"), nullable=False),
    _timestamp("created_at", nullable=False),
    _timestamp("responded_at"),
    _timestamp("ended_at"),
    sa.Column("version", sa.Integer, nullable=False),
    sa.CheckConstraint("student_email = lower(btrim(student_email))", name="student_email_normalized"),
    sa.Index(
        "uq_relations_open_pair",
        "tutor_id",
        "student_email",
        unique=True,
        postgresql_where=sa.text("status IN ('pending', 'accepted')"),
    ),
    sa.Index("ix_relations_tutor_id_created_at_id", "tutor_id", "created_at", "id"),
    sa.Index("ix_relations_student_id_created_at_id", "student_id", "created_at", "id"),
    sa.Index("ix_relations_unclaimed_email", "student_email", postgresql_where=sa.text("student_id IS NULL")),
)

lessons = sa.Table(
    "lessons",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    _user_fk("tutor_id", nullable=False),
    _user_fk("student_id", nullable=False),
    sa.Column("topic_id", sa.Uuid, sa.ForeignKey(topics.c.id, ondelete="SET NULL")),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    _timestamp("utc_start", nullable=False),
    _timestamp("utc_end", nullable=False),
    sa.Column("status", _str_enum(LessonStatus, "status"), nullable=False),
    sa.Column("series_id", sa.Uuid),
    sa.Column("cancel_reason", sa.Text),
    _user_fk("created_by", nullable=False),
    _timestamp("created_at", nullable=False),
    _timestamp("updated_at", nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.CheckConstraint("tutor_id <> student_id", name="two_people"),
    # The calendar query relies on the 8-hour cap to bound its index range scan.
    sa.CheckConstraint(
        "utc_end - utc_start BETWEEN interval '15 minutes' AND interval '8 hours'", name="duration_15m_to_8h"
    ),
)

# One row per participant of each lesson, kept in step with `lessons` by a trigger (migration 0002) in the same
# transaction. It serves the calendar with one index range scan on (user_id, utc_start), and its exclusion
# constraint makes overlapping scheduled lessons of one person impossible, however many requests race.
lesson_participants = sa.Table(
    "lesson_participants",
    metadata,
    sa.Column("lesson_id", sa.Uuid, sa.ForeignKey(lessons.c.id, ondelete="CASCADE"), primary_key=True),
    _user_fk("user_id", primary_key=True),
    _timestamp("utc_start", nullable=False),
    _timestamp("utc_end", nullable=False),
    sa.Column("status", _str_enum(LessonStatus, "status"), nullable=False),
    sa.Index(
        "ix_lesson_participants_user_id_utc_start",
        "user_id",
        "utc_start",
        postgresql_include=["utc_end", "lesson_id"],
    ),
    pg.ExcludeConstraint(
        (sa.column("user_id"), "="),
        (sa.func.tstzrange(sa.column("utc_start"), sa.column("utc_end")), "&&"),
        where=sa.text("status = 'scheduled'"),
        using="gist",
        name="ex_lesson_participants_no_overlap",
    ),
)

autosave_drafts = sa.Table(
    "autosave_drafts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    _user_fk("user_id", nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("data", pg.JSONB(none_as_null=False), nullable=False),
    _timestamp("created_at", nullable=False),
    _timestamp("updated_at", nullable=False),
    sa.UniqueConstraint("user_id", "key"),
    sa.Index("ix_autosave_drafts_updated_at", "updated_at"),  # cleanup_autosave finds old drafts by it
)
