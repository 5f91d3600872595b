"""Who someone is to the bot: a cohort's instructor, a student, or neither yet.

Instructors are listed on their cohorts (whoever set a cohort up is one). A student is enrolled
in a cohort: by an instructor, by the students' channel, or on first use of a student command
in a cohort's students' channel or a workspace with exactly one active cohort. Instructors and
workspace admins are never enrolled on first use; looking (App Home, help) enrolls nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from bot.domain.cohorts import enroll, get_or_create_student, list_cohorts
from bot.domain.errors import COMMAND, NotAllowed, NotEnrolled
from bot.models import Cohort, Enrollment, Student

NO_COHORT = (
    "You're not in a coffee-chat cohort yet, and this workspace has none. "
    "Ask your instructor to set up a cohort for this workspace."
)
SEVERAL_COHORTS = (
    "You're not in a coffee-chat cohort yet and this workspace has several. "
    "Run the command in your cohort's students' channel, or ask your instructor to add you."
)
ADMINS_ARE_NOT_STUDENTS = (
    "You're an admin of this workspace, so I don't enroll you as a student on my own. "
    "If you are a student, ask your instructor to add you to the cohort."
)
NOT_ENROLLED_YET = (
    f"You're not in a coffee-chat cohort yet. If you're a student, run `{COMMAND} status` in "
    "your cohort's students' channel to join it, or ask your instructor to add you."
)
NOT_AN_INSTRUCTOR = (
    "That is for the instructors of a cohort. Ask your instructor (or a workspace admin) "
    "to add you as an instructor if you should have it."
)


def find_student(session: Session, team_id: str, user_id: str) -> Student | None:
    """The student row of a Slack user of a workspace, if they ever were one."""
    return session.scalar(
        select(Student).where(Student.team_id == team_id, Student.user_id == user_id)
    )


def instructed_cohorts(session: Session, team_id: str, user_id: str) -> list[Cohort]:
    """The cohorts of a workspace that `user_id` instructs, newest start first."""
    return [c for c in list_cohorts(session, team_id) if user_id in (c.instructor_ids or [])]


# Every command asks it: built once (building it costs more than running it), run with the values.
_ACTIVE_ENROLLMENTS = (
    select(Enrollment)
    .join(Cohort, Cohort.id == Enrollment.cohort_id)
    .join(Student, Student.id == Enrollment.student_id)
    .where(
        Student.team_id == bindparam("team_id"),
        Student.user_id == bindparam("user_id"),
        Cohort.team_id == bindparam("team_id"),
        Enrollment.active,
        Cohort.active,
    )
    .options(joinedload(Enrollment.cohort), joinedload(Enrollment.student))
    .order_by(Cohort.start_date.desc(), Cohort.id.desc())
)


def current_enrollment(
    session: Session, team_id: str, user_id: str, channel_id: str | None
) -> Enrollment | None:
    """The student's active enrollment in an active cohort (this channel's cohort wins); never
    one in a cohort they instruct."""
    found = session.scalars(_ACTIVE_ENROLLMENTS, {"team_id": team_id, "user_id": user_id})
    enrollments = [e for e in found if user_id not in (e.cohort.instructor_ids or [])]
    for enrollment in enrollments:
        if channel_id and enrollment.cohort.students_channel == channel_id:
            return enrollment
    return enrollments[0] if enrollments else None


def first_use_cohort(session: Session, team_id: str, channel_id: str | None) -> Cohort:
    """The cohort a newcomer's first student command enrolls them in; NotEnrolled otherwise."""
    active = [c for c in list_cohorts(session, team_id) if c.active]
    by_channel = [c for c in active if channel_id and c.students_channel == channel_id]
    if by_channel:
        return by_channel[0]
    if len(active) == 1:
        return active[0]
    raise NotEnrolled(NO_COHORT if not active else SEVERAL_COHORTS)


def enroll_on_first_use(
    session: Session,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    now: datetime,
    is_admin: Callable[[], bool],
) -> Enrollment:
    """The enrollment a student command applies to, enrolling a newcomer where the rules allow.

    `is_admin` is asked (it may call Slack) only when someone would be enrolled.
    """
    found = current_enrollment(session, team_id, user_id, channel_id)
    if found is not None:
        return found
    refuse_instructors(session, team_id, user_id)
    cohort = first_use_cohort(session, team_id, channel_id)
    if is_admin():
        raise NotEnrolled(ADMINS_ARE_NOT_STUDENTS)
    return enroll(session, cohort, get_or_create_student(session, team_id, user_id), now)


def refuse_instructors(session: Session, team_id: str, user_id: str) -> None:
    """NotAllowed for an instructor: student commands are for students."""
    instructed = instructed_cohorts(session, team_id, user_id)
    if instructed:
        names = ", ".join(f"“{c.name}”" for c in instructed[:3])
        raise NotAllowed(
            f"You're an instructor of {names}, so I don't keep a coffee-chat log for you. "
            f"`{COMMAND} report` shows how your students are doing."
        )


def require_instructor(session: Session, team_id: str, user_id: str) -> list[Cohort]:
    """The cohorts the user instructs; NotAllowed when none."""
    cohorts = instructed_cohorts(session, team_id, user_id)
    if not cohorts:
        raise NotAllowed(NOT_AN_INSTRUCTOR)
    return cohorts
