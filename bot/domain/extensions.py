"""Per-student extensions: a later deadline for one student of a cohort."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import calendar
from bot.domain.errors import NotFound
from bot.models import Cohort, Enrollment, Student


def grant_extension(
    session: Session, cohort_id: int, user_id: str, until: datetime | date
) -> Enrollment:
    """Give a student of a cohort a later deadline (a date means 17:00 there, cohort time).

    The deadline reminder and the deadline digest follow it; nothing already sent is resent.
    """
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound(f"There is no cohort #{cohort_id}; `cohort list` shows them.")
    tz = calendar.zone(cohort.timezone)
    if isinstance(until, datetime):
        until = calendar.check_extension(cohort.deadline_at, until, tz)
    else:
        until = calendar.extension_on(cohort.deadline_at, until, tz)
    enrollment = session.scalar(
        select(Enrollment)
        .join(Student)
        .where(
            Enrollment.cohort_id == cohort.id,
            Student.team_id == cohort.team_id,
            Student.user_id == user_id,
        )
    )
    if enrollment is None:
        raise NotFound(f"{user_id} is not a student of “{cohort.name}”.")
    enrollment.deadline_override = until
    session.flush()
    return enrollment
