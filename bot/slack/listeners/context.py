"""Who is asking: the student, their enrollment if any, and their today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.domain.cohorts import find_enrollment, get_or_create_student
from bot.domain.errors import NotEnrolled
from bot.models import Enrollment, Student
from bot.slack.deps import local_today


@dataclass(frozen=True)
class Asker:
    student: Student
    enrollment: Enrollment | None
    today: date
    why_not_enrolled: str | None = None

    def require_enrollment(self) -> Enrollment:
        """The enrollment, or NotEnrolled saying what to do."""
        if self.enrollment is None:
            raise NotEnrolled(self.why_not_enrolled or "You're not in a coffee-chat cohort yet.")
        return self.enrollment


def asker(
    session: Session, team_id: str, user_id: str, channel_id: str | None, now: datetime
) -> Asker:
    """The student behind a request; enrolled on first use where the rules allow."""
    student = get_or_create_student(session, team_id, user_id)
    try:
        enrollment = find_enrollment(session, student, channel_id, now)
    except NotEnrolled as error:
        return Asker(student, None, local_today(now, student.timezone), error.message)
    return Asker(student, enrollment, local_today(now, enrollment.cohort.timezone))
