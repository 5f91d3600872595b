"""Reading what the schedule's rules need from the database, in a few queries per cohort."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.domain import calendar
from bot.domain.schedule_rules import (
    ChatFacts,
    CohortFacts,
    OutreachFacts,
    Reflection,
    StudentFacts,
    in_window,
)
from bot.models import Cohort, Contact, Enrollment, Submission
from bot.models import Reflection as ReflectionRow


def cohort_facts(cohort: Cohort) -> CohortFacts:
    return CohortFacts(
        id=cohort.id,
        name=cohort.name,
        timezone=cohort.timezone,
        start_date=cohort.start_date,
        breaks=calendar.parse_breaks(cohort.breaks, cohort.start_date),
        checkpoint_at=cohort.checkpoint_at,
        deadline_at=cohort.deadline_at,
        required_chats=cohort.required_chats,
        min_attempts=cohort.min_attempts,
        instructors_channel=cohort.instructors_channel,
        instructor_ids=tuple(cohort.instructor_ids or ()),
        created_by=cohort.created_by,
        created_at=cohort.created_at,
    )


def active_cohorts(session: Session) -> list[Cohort]:
    return list(session.scalars(select(Cohort).where(Cohort.active).order_by(Cohort.id)))


def cohorts_due(session: Session, now: datetime) -> Iterator[tuple[Cohort, list[Enrollment]]]:
    """Active cohorts for which something may be due at `now`, with their active enrollments."""
    for cohort in active_cohorts(session):
        enrollments = list(
            session.scalars(
                select(Enrollment)
                .where(Enrollment.cohort_id == cohort.id, Enrollment.active)
                .options(selectinload(Enrollment.student))
                .order_by(Enrollment.id)
            )
        )
        latest = max(
            [cohort.deadline_at, *(e.deadline_override for e in enrollments if e.deadline_override)]
        )
        facts = cohort_facts(cohort)
        if in_window(facts, latest, now):
            yield cohort, enrollments


def student_facts(
    session: Session, cohort: Cohort, enrollments: list[Enrollment]
) -> list[StudentFacts]:
    """Every enrolled student's log, hand-in and reflection state."""
    student_ids = [e.student_id for e in enrollments]
    enrollment_ids = [e.id for e in enrollments]
    contacts: dict[int, list[Contact]] = {sid: [] for sid in student_ids}
    for contact in session.scalars(
        select(Contact)
        .where(Contact.student_id.in_(student_ids))
        .options(selectinload(Contact.outreach), selectinload(Contact.chat))
        .order_by(Contact.id)
    ):
        contacts[contact.student_id].append(contact)
    submissions = {
        s.enrollment_id: s
        for s in session.scalars(
            select(Submission).where(Submission.enrollment_id.in_(enrollment_ids))
        )
    }
    reflections = {
        r.enrollment_id: r
        for r in session.scalars(
            select(ReflectionRow).where(ReflectionRow.enrollment_id.in_(enrollment_ids))
        )
    }
    found = []
    for enrollment in enrollments:
        mine = contacts[enrollment.student_id]
        submission = submissions.get(enrollment.id)
        found.append(
            StudentFacts(
                student_id=enrollment.student_id,
                user_id=enrollment.student.user_id,
                enrolled_at=enrollment.created_at,
                deadline_at=calendar.student_deadline(
                    cohort.deadline_at, enrollment.deadline_override
                ),
                extended=enrollment.deadline_override is not None,
                outreach=tuple(_outreach(c) for c in mine if c.outreach is not None),
                chats=tuple(_chat(c) for c in mine if c.chat is not None),
                submitted_at=submission.submitted_at if submission else None,
                submission_late=bool(submission and submission.late),
                reflection=_reflection(reflections.get(enrollment.id)),
                timezone=enrollment.student.timezone,
            )
        )
    return found


def _outreach(contact: Contact) -> OutreachFacts:
    attempt = contact.outreach
    assert attempt is not None
    return OutreachFacts(
        id=attempt.id,
        contact_id=contact.id,
        name=contact.name,
        linkedin_url=contact.linkedin_url,
        sent_on=attempt.sent_on,
        sent_at=attempt.sent_at,
        status=attempt.status,
        follow_ups=attempt.follow_ups,
        last_follow_up_at=attempt.last_follow_up_at,
    )


def _chat(contact: Contact) -> ChatFacts:
    chat = contact.chat
    assert chat is not None
    return ChatFacts(
        id=chat.id,
        name=contact.name,
        linkedin_url=contact.linkedin_url,
        held_on=chat.held_on,
        logged_at=chat.logged_at,
        thank_you_sent_at=chat.thank_you_sent_at,
    )


def _reflection(row: ReflectionRow | None) -> Reflection:
    if row is None:
        return Reflection.NOT_STARTED
    answers = [row.experience, row.takeaways, row.similarly, row.differently]
    if all(a and a.strip() for a in answers):
        return Reflection.COMPLETE
    if any(a and a.strip() for a in answers):
        return Reflection.DRAFT
    return Reflection.NOT_STARTED
