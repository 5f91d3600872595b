"""Cohorts and who is in them: creation with calendar defaults, enrollment on first use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import assignment, calendar
from bot.domain.errors import InvalidInput
from bot.models import Cohort, Enrollment, Student

COHORT_NAME_MAX = 100  # Cohort.name is a String(100)
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
FAR_PAST = timedelta(days=365)
FAR_FUTURE = timedelta(days=36525)  # a century: past it the calendar's dates run out (year 9999)
MAX_CHATS = 10
MAX_ATTEMPTS = 50


@dataclass
class CohortSpec:
    """What an instructor or operator gives to create (or edit) a cohort."""

    team_id: str
    name: str
    start_date: date
    timezone: str
    instructors_channel: str
    students_channel: str | None = None
    instructor_ids: list[str] = field(default_factory=list)
    student_ids: list[str] = field(default_factory=list)
    checkpoint_at: datetime | None = None
    deadline_at: datetime | None = None
    required_chats: int = assignment.REQUIRED_CHATS
    min_attempts: int = assignment.MIN_ATTEMPTS
    breaks: list[dict[str, str]] | None = None  # [{"start": "YYYY-MM-DD", "weeks": "1"}]


def validate_spec(spec: CohortSpec, now: datetime) -> tuple[datetime, datetime]:
    """Check a cohort spec; return its checkpoint and deadline (defaults filled in)."""
    name = " ".join(spec.name.split())
    if not name or len(name) > COHORT_NAME_MAX:
        raise InvalidInput(
            f"The cohort name must be 1–{COHORT_NAME_MAX} characters, like: Mod 5 — Fall", "name"
        )
    tz = calendar.zone(spec.timezone)
    if spec.start_date < (now - FAR_PAST).date():
        raise InvalidInput(
            f"The start date {spec.start_date} is more than a year ago. "
            "Use the first day of Week 1, like 2026-09-01.",
            "start_date",
        )
    if spec.start_date > (now + FAR_FUTURE).date():
        raise InvalidInput(
            f"The start date {spec.start_date} is more than a century away. "
            "Use the first day of Week 1, like 2026-09-01.",
            "start_date",
        )
    for channel, what, field_name in (
        (spec.instructors_channel, "instructors' channel", "instructors_channel"),
        (spec.students_channel, "students' channel", "students_channel"),
    ):
        if channel is not None and not CHANNEL_ID.match(channel):
            raise InvalidInput(
                f"“{channel}” is not a channel ID for the {what}; it looks like C0123ABCD "
                "(open the channel's details in Slack and copy the ID at the bottom).",
                field_name,
            )
    for user in [*spec.instructor_ids, *spec.student_ids]:
        if not USER_ID.match(user):
            raise InvalidInput(f"“{user}” is not a Slack user ID; it looks like U0123ABCD.", "user")
    if not 1 <= spec.required_chats <= MAX_CHATS:
        raise InvalidInput(f"Coffee chats required must be 1–{MAX_CHATS}.", "required_chats")
    if not 0 <= spec.min_attempts <= MAX_ATTEMPTS:
        raise InvalidInput(f"People to try must be 0–{MAX_ATTEMPTS}.", "min_attempts")
    breaks = calendar.parse_breaks(spec.breaks, spec.start_date)
    checkpoint = spec.checkpoint_at or calendar.default_checkpoint(spec.start_date, tz, breaks)
    deadline = spec.deadline_at or calendar.default_deadline(spec.start_date, tz, breaks)
    start = calendar.local_instant(spec.start_date, datetime.min.time(), tz)
    if checkpoint <= start:
        raise InvalidInput("The checkpoint must come after the start date.", "checkpoint")
    if deadline <= checkpoint:
        raise InvalidInput("The deadline must come after the checkpoint.", "deadline")
    return checkpoint, deadline


def create_cohort(session: Session, spec: CohortSpec, now: datetime) -> Cohort:
    """Create a cohort and enroll the students named in the spec."""
    checkpoint, deadline = validate_spec(spec, now)
    name = " ".join(spec.name.split())
    if session.scalar(select(Cohort.id).where(Cohort.team_id == spec.team_id, Cohort.name == name)):
        raise InvalidInput(f"A cohort named “{name}” already exists; pick another name.", "name")
    cohort = Cohort(
        team_id=spec.team_id,
        name=name,
        timezone=spec.timezone,
        start_date=spec.start_date,
        checkpoint_at=checkpoint,
        deadline_at=deadline,
        required_chats=spec.required_chats,
        min_attempts=spec.min_attempts,
        instructors_channel=spec.instructors_channel,
        students_channel=spec.students_channel,
        instructor_ids=list(dict.fromkeys(spec.instructor_ids)),
        breaks=[b.as_json() for b in calendar.parse_breaks(spec.breaks, spec.start_date)],
        created_at=now,
    )
    session.add(cohort)
    session.flush()
    for user_id in dict.fromkeys(spec.student_ids):
        enroll(session, cohort, get_or_create_student(session, spec.team_id, user_id), now)
    return cohort


def update_cohort(session: Session, cohort: Cohort, spec: CohortSpec, now: datetime) -> Cohort:
    """Apply an edited spec to an existing cohort; its enrollments and history stay."""
    checkpoint, deadline = validate_spec(spec, now)
    name = " ".join(spec.name.split())
    clash = select(Cohort.id).where(
        Cohort.team_id == cohort.team_id, Cohort.name == name, Cohort.id != cohort.id
    )
    if session.scalar(clash):
        raise InvalidInput(f"A cohort named “{name}” already exists; pick another name.", "name")
    cohort.name = name
    cohort.timezone = spec.timezone
    cohort.start_date = spec.start_date
    cohort.checkpoint_at = checkpoint
    cohort.deadline_at = deadline
    cohort.required_chats = spec.required_chats
    cohort.min_attempts = spec.min_attempts
    cohort.instructors_channel = spec.instructors_channel
    cohort.students_channel = spec.students_channel
    cohort.instructor_ids = list(dict.fromkeys(spec.instructor_ids))
    if spec.breaks is not None:
        breaks = calendar.parse_breaks(spec.breaks, spec.start_date)
        cohort.breaks = [b.as_json() for b in breaks]
    session.flush()
    for user_id in dict.fromkeys(spec.student_ids):
        enroll(session, cohort, get_or_create_student(session, cohort.team_id, user_id), now)
    return cohort


def list_cohorts(session: Session, team_id: str | None = None) -> list[Cohort]:
    """Every cohort (of one workspace, when given), newest start first."""
    query = select(Cohort).order_by(Cohort.start_date.desc(), Cohort.id.desc())
    if team_id:
        query = query.where(Cohort.team_id == team_id)
    return list(session.scalars(query))


def get_or_create_student(session: Session, team_id: str, user_id: str) -> Student:
    """The student row for a Slack user, created on first sight (safe under concurrency)."""
    query = select(Student).where(Student.team_id == team_id, Student.user_id == user_id)
    student = session.scalar(query)
    if student is not None:
        return student
    try:
        with session.begin_nested():
            student = Student(team_id=team_id, user_id=user_id)
            session.add(student)
    except IntegrityError:
        student = session.scalars(query).one()
    return student


def enroll(session: Session, cohort: Cohort, student: Student, now: datetime) -> Enrollment:
    """Enroll a student in a cohort (idempotent)."""
    query = select(Enrollment).where(
        Enrollment.cohort_id == cohort.id, Enrollment.student_id == student.id
    )
    enrollment = session.scalar(query)
    if enrollment is not None:
        enrollment.active = True
        return enrollment
    try:
        with session.begin_nested():
            enrollment = Enrollment(cohort=cohort, student=student, created_at=now)
            session.add(enrollment)
    except IntegrityError:
        enrollment = session.scalars(query).one()
    return enrollment
