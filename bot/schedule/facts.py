"""Which cohorts the scheduler looks at: active ones, from a day before their start to a week
after the last deadline of any of their students."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.read_model import cohort_facts
from bot.domain.schedule_rules import in_window
from bot.models import Cohort, Enrollment


def cohorts_due(session: Session, now: datetime) -> Iterator[Cohort]:
    """Active cohorts for which something may be due at `now`."""
    latest_extension = (
        select(Enrollment.cohort_id, func.max(Enrollment.deadline_override).label("latest"))
        .where(Enrollment.active)
        .group_by(Enrollment.cohort_id)
        .subquery()
    )
    rows = session.execute(
        select(Cohort, latest_extension.c.latest)
        .outerjoin(latest_extension, latest_extension.c.cohort_id == Cohort.id)
        .where(Cohort.active)
        .order_by(Cohort.id)
    )
    for cohort, extension in rows:
        latest = max(cohort.deadline_at, extension) if extension else cohort.deadline_at
        if in_window(cohort_facts(cohort), latest, now):
            yield cohort
