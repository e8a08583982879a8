"""tutoring core: topics, relations, lessons, autosave

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 18:49:45.490336
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


# Keeps lesson_participants in step with lessons inside the writing transaction, whoever writes.
SYNC_PARTICIPANTS = """
CREATE FUNCTION sync_lesson_participants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO lesson_participants (lesson_id, user_id, utc_start, utc_end, status)
        VALUES (NEW.id, NEW.tutor_id, NEW.utc_start, NEW.utc_end, NEW.status),
               (NEW.id, NEW.student_id, NEW.utc_start, NEW.utc_end, NEW.status);
    ELSE
        UPDATE lesson_participants
           SET utc_start = NEW.utc_start, utc_end = NEW.utc_end, status = NEW.status
         WHERE lesson_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER lessons_sync_participants
AFTER INSERT OR UPDATE OF utc_start, utc_end, status ON lessons
FOR EACH ROW EXECUTE FUNCTION sync_lesson_participants();
"""


def upgrade() -> None:
    # btree_gist lets one exclusion constraint combine "same user" (=) with "overlapping times" (&&).
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('topics',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('slug', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topics')),
    sa.UniqueConstraint('slug', name=op.f('uq_topics_slug'))
    )
    op.create_index('uq_topics_lower_name', 'topics', [sa.literal_column('lower(name)')], unique=True)
    op.create_table('autosave_drafts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_autosave_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_autosave_drafts')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_autosave_drafts_user_id_key'))
    )
    op.create_index('ix_autosave_drafts_updated_at', 'autosave_drafts', ['updated_at'], unique=False)
    op.create_table('lessons',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tutor_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('topic_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('utc_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('utc_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'completed', 'cancelled', name='status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('series_id', sa.Uuid(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("utc_end - utc_start BETWEEN interval '15 minutes' AND interval '8 hours'", name=op.f('ck_lessons_duration_15m_to_8h')),
    sa.CheckConstraint('tutor_id <> student_id', name=op.f('ck_lessons_two_people')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_lessons_created_by_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_lessons_student_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_lessons_topic_id_topics'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tutor_id'], ['users.id'], name=op.f('fk_lessons_tutor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lessons'))
    )
    op.create_table('relations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tutor_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=True),
    sa.Column('student_email', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'cancelled', name='status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('student_email = lower(btrim(student_email))', name=op.f('ck_relations_student_email_normalized')),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_relations_student_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tutor_id'], ['users.id'], name=op.f('fk_relations_tutor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relations'))
    )
    op.create_index('ix_relations_student_id_created_at_id', 'relations', ['student_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_relations_tutor_id_created_at_id', 'relations', ['tutor_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_relations_unclaimed_email', 'relations', ['student_email'], unique=False, postgresql_where=sa.text('student_id IS NULL'))
    op.create_index('uq_relations_open_pair', 'relations', ['tutor_id', 'student_email'], unique=True, postgresql_where=sa.text("status IN ('pending', 'accepted')"))
    op.create_table('tutor_topics',
    sa.Column('tutor_id', sa.Uuid(), nullable=False),
    sa.Column('topic_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_tutor_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tutor_id'], ['users.id'], name=op.f('fk_tutor_topics_tutor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tutor_id', 'topic_id', name=op.f('pk_tutor_topics'))
    )
    op.create_index('ix_tutor_topics_topic_id_tutor_id', 'tutor_topics', ['topic_id', 'tutor_id'], unique=False)
    op.create_table('lesson_participants',
    sa.Column('lesson_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('utc_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('utc_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'completed', 'cancelled', name='status', native_enum=False, create_constraint=True, length=16), nullable=False),
    postgresql.ExcludeConstraint((sa.column('user_id'), '='), (sa.text('tstzrange(utc_start, utc_end)'), '&&'), where=sa.text("status = 'scheduled'"), using='gist', name='ex_lesson_participants_no_overlap'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_participants_lesson_id_lessons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lesson_participants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('lesson_id', 'user_id', name=op.f('pk_lesson_participants'))
    )
    op.create_index('ix_lesson_participants_user_id_utc_start', 'lesson_participants', ['user_id', 'utc_start'], unique=False, postgresql_include=['utc_end', 'lesson_id'])
    op.execute(SYNC_PARTICIPANTS)
    op.add_column('users', sa.Column('headline', sa.Text(), server_default='', nullable=False))
    op.create_index('ix_users_tutors_by_name', 'users', [sa.literal_column('lower(full_name)'), 'id'], unique=False, postgresql_where=sa.text("role = 'tutor'"))


def downgrade() -> None:
    op.drop_index('ix_users_tutors_by_name', table_name='users', postgresql_where=sa.text("role = 'tutor'"))
    op.drop_column('users', 'headline')
    op.execute("DROP TRIGGER lessons_sync_participants ON lessons")
    op.execute("DROP FUNCTION sync_lesson_participants()")
    op.drop_index('ix_lesson_participants_user_id_utc_start', table_name='lesson_participants', postgresql_include=['utc_end', 'lesson_id'])
    op.drop_table('lesson_participants')
    op.drop_index('ix_tutor_topics_topic_id_tutor_id', table_name='tutor_topics')
    op.drop_table('tutor_topics')
    op.drop_index('uq_relations_open_pair', table_name='relations', postgresql_where=sa.text("status IN ('pending', 'accepted')"))
    op.drop_index('ix_relations_unclaimed_email', table_name='relations', postgresql_where=sa.text('student_id IS NULL'))
    op.drop_index('ix_relations_tutor_id_created_at_id', table_name='relations')
    op.drop_index('ix_relations_student_id_created_at_id', table_name='relations')
    op.drop_table('relations')
    op.drop_table('lessons')
    op.drop_index('ix_autosave_drafts_updated_at', table_name='autosave_drafts')
    op.drop_table('autosave_drafts')
    op.drop_index('uq_topics_lower_name', table_name='topics')
    op.drop_table('topics')
