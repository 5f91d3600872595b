"""What instructors do about their cohort: pick it, nudge, extend or excuse a student.

Every action is checked here against the database — the cohort must be one the instructor
teaches in their workspace, the student one of its students — whatever a button or a form
claims, and every action is recorded with who did it and when.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.domain import calendar
from bot.domain.errors import COMMAND, InvalidInput, NotAllowed, NotFound
from bot.domain.read_model import cohort_facts, cohort_standings
from bot.domain.roles import require_instructor
from bot.domain.standing import CohortFacts, Standing
from bot.models import ActionKind, Cohort, Enrollment, InstructorAction, Student

NUDGE_GAP = timedelta(hours=12)
NOT_YOUR_COHORT = (
    "That cohort isn't one you instruct, so I can't show or change anything in it. "
    "Ask one of its instructors to add you."
)
NOT_A_STUDENT_HERE = f"That student isn't in this cohort (any more). Run `{COMMAND} report` again."


@dataclass(frozen=True)
class CohortNow:
    """A cohort and its students' standings as of now, with what instructors did about them."""

    cohort: CohortFacts
    students: tuple[Standing, ...]
    actions: Mapping[int, Sequence[InstructorAction]]

    def ranked(self) -> list[Standing]:
        return sorted(self.students, key=lambda s: s.risk(self.cohort))


def cohort_now(session: Session, cohort: Cohort, unanswered_limit: int | None = None) -> CohortNow:
    """The cohort's standings and actions, read in a constant number of statements."""
    return CohortNow(
        cohort_facts(cohort),
        tuple(cohort_standings(session, cohort, unanswered_limit=unanswered_limit)),
        actions_by_student(session, cohort),
    )


@dataclass(frozen=True)
class Choice:
    """The cohort an instructor's command is about, or the cohorts to pick from."""

    cohort: Cohort | None
    options: tuple[Cohort, ...] = ()


def choose_cohort(session: Session, team_id: str, user_id: str, name: str) -> Choice:
    """The cohort named (its name, case-insensitive, or its number) among those they teach;
    with no name, their only active cohort, else the ones to pick from."""
    taught = require_instructor(session, team_id, user_id)
    wanted = " ".join(name.split()).casefold().removeprefix("#")
    if wanted:
        for cohort in taught:
            if cohort.name.casefold() == wanted or str(cohort.id) == wanted:
                return Choice(cohort)
        names = ", ".join(f"“{c.name}”" for c in taught[:5])
        raise InvalidInput(
            f"You don't instruct a cohort called “{name[:60]}”. Yours: {names}. "
            f"Write it like: `{COMMAND} report {taught[0].name}`",
            "cohort",
        )
    active = [c for c in taught if c.active]
    if len(active) == 1:
        return Choice(active[0])
    return Choice(None, tuple(active or taught))


def taught_cohort(session: Session, team_id: str, user_id: str, cohort_id: int) -> Cohort:
    """A cohort the user instructs, by id (from a button or a menu); NotAllowed otherwise."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or cohort.team_id != team_id or user_id not in (cohort.instructor_ids or []):
        raise NotAllowed(NOT_YOUR_COHORT)
    return cohort


def student_in(session: Session, cohort: Cohort, student_id: int) -> Enrollment:
    """The enrollment of one of the cohort's students; NotFound for anyone else."""
    enrollment = session.scalar(
        select(Enrollment)
        .join(Student, Student.id == Enrollment.student_id)
        .where(
            Enrollment.cohort_id == cohort.id,
            Enrollment.student_id == student_id,
            Student.team_id == cohort.team_id,
        )
        .options(joinedload(Enrollment.student))
    )
    if enrollment is None or enrollment.student.user_id in (cohort.instructor_ids or []):
        raise NotFound(NOT_A_STUDENT_HERE)
    return enrollment


def record(
    session: Session,
    cohort: Cohort,
    enrollment: Enrollment,
    kind: ActionKind,
    by: str,
    now: datetime,
    detail: str | None = None,
) -> InstructorAction:
    action = InstructorAction(
        cohort_id=cohort.id,
        student_id=enrollment.student_id,
        kind=kind,
        by_user=by,
        at=now,
        detail=detail,
    )
    session.add(action)
    session.flush()
    return action


def excuse(
    session: Session, cohort: Cohort, enrollment: Enrollment, by: str, now: datetime
) -> None:
    """The student is excused from the assignment: no more reminders, shown as excused."""
    if enrollment.excused_at is None:
        enrollment.excused_at, enrollment.excused_by = now, by
        record(session, cohort, enrollment, ActionKind.EXCUSE, by, now)


def unexcuse(
    session: Session, cohort: Cohort, enrollment: Enrollment, by: str, now: datetime
) -> None:
    """Back to the assignment: reminders from now on, as for everyone."""
    if enrollment.excused_at is not None:
        enrollment.excused_at, enrollment.excused_by = None, None
        record(session, cohort, enrollment, ActionKind.UNEXCUSE, by, now)


def extend(
    session: Session,
    cohort: Cohort,
    enrollment: Enrollment,
    until: date,
    by: str,
    now: datetime,
) -> datetime:
    """A later deadline for one student (17:00 on `until`, cohort time); their reminders and the
    deadline digest follow it. Returns the new deadline."""
    tz = calendar.zone(cohort.timezone)
    deadline = calendar.extension_on(cohort.deadline_at, until, tz)
    enrollment.deadline_override = deadline
    record(session, cohort, enrollment, ActionKind.EXTEND, by, now, deadline.isoformat())
    return deadline


def actions_by_student(session: Session, cohort: Cohort) -> dict[int, list[InstructorAction]]:
    """Every action about the cohort's students, oldest first, by student id (one query)."""
    found: dict[int, list[InstructorAction]] = defaultdict(list)
    query = (
        select(InstructorAction)
        .where(InstructorAction.cohort_id == cohort.id)
        .order_by(InstructorAction.at, InstructorAction.id)
    )
    for action in session.scalars(query):
        found[action.student_id].append(action)
    return found


def recently_nudged(
    actions: Sequence[InstructorAction], now: datetime, within: timedelta = NUDGE_GAP
) -> InstructorAction | None:
    """The nudge sent less than `within` ago, if any (one is enough for a while)."""
    for action in reversed(actions):
        if action.kind == ActionKind.NUDGE and now - action.at < within:
            return action
    return None
