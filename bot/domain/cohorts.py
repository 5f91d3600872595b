"""Cohorts and who is in them: creation with calendar defaults, enrollment on first use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import calendar
from bot.domain.errors import InvalidInput, NotEnrolled
from bot.models import Cohort, Enrollment, Student

COHORT_NAME_MAX = 100  # Cohort.name is a String(100)
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
FAR_PAST = timedelta(days=365)


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
    required_chats: int = 2
    min_attempts: int = 8
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
    for channel, what in (
        (spec.instructors_channel, "instructors' channel"),
        (spec.students_channel, "students' channel"),
    ):
        if channel is not None and not CHANNEL_ID.match(channel):
            raise InvalidInput(
                f"“{channel}” is not a channel ID for the {what}; it looks like C0123ABCD "
                "(open the channel's details in Slack and copy the ID at the bottom).",
                "channel",
            )
    for user in [*spec.instructor_ids, *spec.student_ids]:
        if not USER_ID.match(user):
            raise InvalidInput(f"“{user}” is not a Slack user ID; it looks like U0123ABCD.", "user")
    if not 1 <= spec.required_chats <= 10 or not 0 <= spec.min_attempts <= 50:
        raise InvalidInput("Required chats must be 1–10 and minimum attempts 0–50.", "numbers")
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


def find_enrollment(
    session: Session, student: Student, channel_id: str | None, now: datetime
) -> Enrollment:
    """The enrollment a command applies to, enrolling on first use where DESIGN.md says so.

    An existing enrollment wins (the one for this channel's cohort when there are several);
    otherwise a student in a cohort's students' channel, or in a workspace with exactly one
    active cohort, is enrolled. Raises NotEnrolled with what to do otherwise.
    """
    enrollments = list(
        session.scalars(
            select(Enrollment)
            .join(Cohort)
            .where(Enrollment.student_id == student.id, Enrollment.active, Cohort.active)
            .order_by(Cohort.start_date.desc(), Cohort.id.desc())
        )
    )
    for enrollment in enrollments:
        if channel_id and enrollment.cohort.students_channel == channel_id:
            return enrollment
    if enrollments:
        return enrollments[0]
    active = list(
        session.scalars(select(Cohort).where(Cohort.team_id == student.team_id, Cohort.active))
    )
    by_channel = [c for c in active if channel_id and c.students_channel == channel_id]
    if by_channel:
        return enroll(session, by_channel[0], student, now)
    if len(active) == 1:
        return enroll(session, active[0], student, now)
    if not active:
        raise NotEnrolled(
            "You're not in a coffee-chat cohort yet, and this workspace has none. "
            "Ask your instructor to set up a cohort for this workspace."
        )
    raise NotEnrolled(
        "You're not in a coffee-chat cohort yet and this workspace has several. "
        "Run the command in your cohort's students' channel, or ask your instructor to add you."
    )
