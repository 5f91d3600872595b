"""Where a student stands against the assignment, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.logbook import list_contacts
from bot.models import Cohort, Contact, Enrollment, OutreachStatus, Reflection, Submission

UNANSWERED = {OutreachStatus.SENT, OutreachStatus.NO_RESPONSE}


@dataclass(frozen=True)
class Progress:
    """A student's standing: chats, attempts, who hasn't answered, reflection and hand-in."""

    cohort: Cohort
    user_id: str
    chats: int
    attempts: int
    unanswered: list[Contact]
    deadline_at: datetime
    reflection_started: bool
    reflection_complete: bool
    submitted_at: datetime | None
    submission_late: bool

    @property
    def required_chats(self) -> int:
        return self.cohort.required_chats

    @property
    def min_attempts(self) -> int:
        return self.cohort.min_attempts

    @property
    def chats_missing(self) -> int:
        return max(0, self.required_chats - self.chats)

    @property
    def behind(self) -> bool:
        """Fewer chats than the assignment requires."""
        return self.chats < self.required_chats

    @property
    def few_attempts(self) -> bool:
        """Fewer attempts than the checkpoint rule expects (the "at least 8 folks")."""
        return self.attempts < self.min_attempts


def deadline_for(enrollment: Enrollment) -> datetime:
    """The student's deadline: their extension when they have one, else the cohort's."""
    return enrollment.deadline_override or enrollment.cohort.deadline_at


def progress_of(session: Session, enrollment: Enrollment, now: datetime) -> Progress:
    """Compute a student's progress from their log (now is for future rules; kept explicit)."""
    contacts = list_contacts(session, enrollment.student)
    reflection = session.scalar(select(Reflection).where(Reflection.enrollment_id == enrollment.id))
    submission = session.scalar(select(Submission).where(Submission.enrollment_id == enrollment.id))
    answers = (
        [reflection.experience, reflection.takeaways, reflection.similarly, reflection.differently]
        if reflection
        else []
    )
    unanswered = sorted(
        (c for c in contacts if c.outreach is not None and c.outreach.status in UNANSWERED),
        key=lambda c: (c.outreach.sent_on if c.outreach else now.date(), c.id),
    )
    return Progress(
        cohort=enrollment.cohort,
        user_id=enrollment.student.user_id,
        chats=sum(1 for c in contacts if c.chat is not None),
        attempts=sum(1 for c in contacts if c.outreach is not None),
        unanswered=unanswered,
        deadline_at=deadline_for(enrollment),
        reflection_started=any(answers),
        reflection_complete=bool(answers) and all(answers),
        submitted_at=submission.submitted_at if submission else None,
        submission_late=bool(submission and submission.late),
    )
