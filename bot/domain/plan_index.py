"""The clock's index: when each cohort next needs planning, so an idle minute reads one row set.

`Cohort.plan_at` is the earliest instant anything of the cohort may next be due (None: plan it
at the next run). The clock plans only the cohorts whose instant has come (`due_cohorts`) and,
once done, stores the next one (`settle`). Every write to a cohort's facts — the cohort, an
enrollment, a student, their contacts, outreach, chats, reflections and hand-ins — clears the
instant and bumps `plan_version` in the same transaction (`watch`, on every session), so the
next run plans it again; `settle` stores an instant only if no write came in since the plan
was read, so a write racing the clock is never missed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from sqlalchemy import ColumnElement, event, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.models import (
    Chat,
    Cohort,
    Contact,
    Enrollment,
    Outreach,
    Reflection,
    RemovedChat,
    Student,
    Submission,
)

NEVER = datetime(9999, 1, 1, tzinfo=UTC)  # nothing more can be due until a write says so


@dataclass(frozen=True)
class DueCohort:
    """A cohort to plan now, with the version of its facts the plan starts from."""

    cohort: Cohort
    version: int


def due_cohorts(session: Session, now: datetime) -> list[DueCohort]:
    """Active cohorts whose planning instant has come (or was cleared by a write): one query."""
    rows = session.execute(
        select(Cohort, Cohort.plan_version)
        .where(Cohort.active, or_(Cohort.plan_at.is_(None), Cohort.plan_at <= now))
        .order_by(Cohort.id)
    )
    return [DueCohort(cohort, version) for cohort, version in rows]


def settle(session: Session, plans: Sequence[tuple[int, int, datetime]]) -> None:
    """Store each (cohort id, version read, next instant), unless a write bumped the version."""
    for cohort_id, version, next_at in plans:
        session.execute(
            update(Cohort)
            .where(Cohort.id == cohort_id, Cohort.plan_version == version)
            .values(plan_at=next_at)
            .execution_options(synchronize_session=False)
        )


def replan(session: Session, cohort_ids: Iterable[int]) -> None:
    """Have the next run plan these cohorts (for writes made with bulk statements)."""
    wanted = sorted(set(cohort_ids))
    if wanted:
        session.execute(_stale(Cohort.id.in_(wanted)).execution_options(synchronize_session=False))


def watch(factory: sessionmaker[Session]) -> None:
    """Make every session of `factory` clear the instants of the cohorts whose facts it writes."""
    event.listen(factory, "after_flush", _after_flush)


def _after_flush(session: Session, _context: Any) -> None:
    cohorts: set[int] = set()
    students: set[int] = set()
    contacts: set[int] = set()
    enrollments: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Cohort):
            cohorts.add(obj.id)
        elif isinstance(obj, Enrollment):
            cohorts.add(obj.cohort_id)
        elif isinstance(obj, Student):
            students.add(obj.id)
        elif isinstance(obj, Contact):
            students.add(obj.student_id)
        elif isinstance(obj, Outreach | Chat | RemovedChat):
            contacts.add(obj.contact_id)
        elif isinstance(obj, Reflection | Submission):
            enrollments.add(obj.enrollment_id)
    touched: list[ColumnElement[bool]] = []
    if cohorts - {None}:
        touched.append(Cohort.id.in_(sorted(cohorts - {None})))
    via: list[ColumnElement[bool]] = []
    if students - {None}:
        via.append(Enrollment.student_id.in_(sorted(students - {None})))
    if enrollments - {None}:
        via.append(Enrollment.id.in_(sorted(enrollments - {None})))
    if contacts - {None}:
        owners = select(Contact.student_id).where(Contact.id.in_(sorted(contacts - {None})))
        via.append(Enrollment.student_id.in_(owners))
    if via:
        touched.append(Cohort.id.in_(select(Enrollment.cohort_id).where(or_(*via))))
    if touched:
        session.connection().execute(_stale(or_(*touched)))


def _stale(where: ColumnElement[bool]) -> Any:
    return update(Cohort).where(where).values(plan_at=None, plan_version=Cohort.plan_version + 1)
