"""Demo data for a fresh installation, made through the real use cases so it obeys every rule.

Past lessons are scheduled "back then" by running the use cases with a clock set in the past.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.errors import Conflict
from domain.users import Role
from services import accounts, autosave, lessons, ports, relations, topics
from services.accounts import Principal
from services.unit_of_work import AbstractUnitOfWork

DEMO_PASSWORD = "tutorhub-demo"

_TOPICS = [
    "Математика", "Українська мова", "Англійська мова", "Фізика", "Хімія", "Історія України",
    "Python", "Algebra", "English for IT", "Music theory", "Chess", "Biology",
]
_FIRST_NAMES = [
    "Олена", "Андрій", "Ірина", "Тарас", "Софія", "Богдан", "Марія", "Дмитро", "Оксана", "Микола",
    "Emma", "James", "Olivia", "Noah", "Ava", "Liam", "Mia", "Ethan", "Grace", "Henry",
]
_LAST_NAMES = [
    "Коваленко", "Шевченко", "Бондаренко", "Ткаченко", "Мельник", "Кравчук", "Олійник", "Лисенко",
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Clarke",
]
_TIMEZONES = ["Europe/Kyiv", "Europe/Kyiv", "Europe/Warsaw", "Europe/London", "America/New_York"]
_HEADLINES = [
    "Готую до НМТ з гарантією результату", "Patient tutor for beginners", "10 років досвіду в школі",
    "Cambridge-certified, exam preparation", "Олімпіадна підготовка", "Making hard things simple",
]


@dataclass(frozen=True)
class DemoLogins:
    tutor_email: str
    student_email: str
    password: str
    users: int
    lessons: int


@dataclass(frozen=True)
class _DemoUser:
    principal: Principal
    email: str


class _PastClock:
    """A clock stopped at a moment, to replay what happened then."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def seed_demo(
    uow: AbstractUnitOfWork,
    *,
    hasher: ports.PasswordHasher,
    clock: ports.Clock,
    ids: ports.IdGenerator,
    tutors: int = 24,
    students: int = 36,
    force: bool = False,
    seed: int = 2026,
) -> DemoLogins:
    """Fill the database with demo tutors, students, topics, relations, lessons and drafts.

    Refuses (Conflict) when users exist, unless `force`; then the demo emails get a tag so they do not collide.
    """
    with uow:
        has_users = uow.users.any()
    if has_users and not force:
        raise Conflict("The database already has users; pass --force to add the demo data anyway.")
    rng = random.Random(seed)
    tag = f"+{ids.new_id().hex[-6:]}" if has_users else ""
    deps = {"uow": uow, "clock": clock, "ids": ids}

    def sign_up(n: int, role: Role) -> _DemoUser:
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        email = f"{role.value}{n}{tag}@demo.tutorhub.test"
        cmd = accounts.Register(
            email=email,
            password=DEMO_PASSWORD,
            full_name=f"{first} {last}",
            role=role.value,
            timezone=rng.choice(_TIMEZONES),
            locale="uk" if _FIRST_NAMES.index(first) < 10 else "en",
        )
        user = accounts.register(cmd, hasher=hasher, **deps)
        return _DemoUser(Principal(user_id=user.id, role=role, token_id=ids.new_id()), email)

    def topic_id(name: str, creator: Principal) -> UUID:
        with uow:
            existing = uow.topics.get_by_name(name)
            if existing is not None:
                return existing.id
        return topics.create_topic(name, creator, **deps).id

    tutor_list = [sign_up(n, Role.TUTOR) for n in range(1, tutors + 1)]
    student_list = [sign_up(n, Role.STUDENT) for n in range(1, students + 1)]
    topic_ids = [topic_id(name, tutor_list[0].principal) for name in _TOPICS]
    for tutor in tutor_list:
        changes = {"headline": rng.choice(_HEADLINES), "bio": "Demo profile.", "topic_ids": rng.sample(topic_ids, k=3)}
        accounts.update_profile(tutor.principal.user_id, changes, uow, clock=clock)

    now = clock.now()
    lesson_count = 0
    showcase_student = None
    for t_index, tutor in enumerate(tutor_list):
        for s_index, student in enumerate(rng.sample(student_list, k=4)):
            relation_id = relations.invite_student(student.email, tutor.principal, **deps)
            fate = (t_index + s_index) % 6  # most accept; some stay pending, decline or end later
            if fate == 4:
                continue
            if fate == 5:
                relations.decline_relation(relation_id, student.principal, uow, clock=clock)
                continue
            relations.accept_relation(relation_id, student.principal, uow, clock=clock)
            showcase_student = showcase_student or student
            lesson_count += _weekly_lessons(tutor.principal, student.principal, base_hour=8 + 2 * s_index, day=t_index % 5, now=now, rng=rng, uow=uow, ids=ids)
            if fate == 3:
                relations.cancel_relation(relation_id, tutor.principal, uow, clock=clock)
        # An invitation to someone not signed up yet: it becomes theirs when that email registers.
        relations.invite_student(f"invited{t_index + 1}{tag}@demo.tutorhub.test", tutor.principal, **deps)

    for student in student_list[:10]:
        autosave.save_draft(student.principal.user_id, "profile:bio", {"text": "Чернетка…"}, uow, clock=clock, ids=ids)
    return DemoLogins(
        tutor_email=tutor_list[0].email,
        student_email=(showcase_student or student_list[0]).email,
        password=DEMO_PASSWORD,
        users=tutors + students,
        lessons=lesson_count,
    )


def _weekly_lessons(
    tutor: Principal,
    student: Principal,
    *,
    base_hour: int,
    day: int,
    now: datetime,
    rng: random.Random,
    uow: AbstractUnitOfWork,
    ids: ports.IdGenerator,
) -> int:
    """Weekly lessons from four weeks ago to three weeks ahead; past ones completed, one cancelled."""
    made = 0
    base = now.replace(hour=base_hour, minute=0, second=0, microsecond=0) + timedelta(days=day)
    for week in range(-4, 4):
        start = base + timedelta(weeks=week)
        end = start + timedelta(minutes=rng.choice([45, 60, 90]))
        booked_then = _PastClock(min(now, start) - timedelta(days=7))
        cmd = lessons.ScheduleLesson(student_id=student.user_id, title=rng.choice(_TOPICS), utc_start=start, utc_end=end)
        try:
            lesson = lessons.schedule_lesson(cmd, tutor, uow, clock=booked_then, ids=ids)
        except Conflict:
            continue  # the student has another tutor's lesson then
        made += 1
        if start < now and week == -2:
            lessons.cancel_lesson(lesson.id, "Захворів", student, uow, clock=_PastClock(start - timedelta(days=1)))
        elif start < now:
            lessons.complete_lesson(lesson.id, tutor, uow, clock=_PastClock(end))
    return made
