"""What each scheduled delivery says: the facts of one planned delivery → a Block Kit message.

`compose` is called by the runner with every delivery sent in one message (a student's
morning: their nudge, follow-ups, check-ins, prep cards and thank-yous together, see
`schedule_rules.MORNING_KINDS`), first the one that leads it. Pure: no database, no Slack calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.blocks import digests, reminders
from bot.blocks.packing import Message
from bot.domain.schedule_rules import MORNING_KINDS, Due, Kind, is_late
from bot.domain.standing import CohortFacts, Standing


def compose(
    cohort: CohortFacts,
    students: Sequence[Standing],
    dues: Sequence[Due],
    now: datetime,
    command: str,
) -> Message:
    """The message that carries `dues` (one recipient; dues[0] leads)."""
    due = dues[0]
    late = is_late(due.due_at, now)
    if due.kind is Kind.CHECKPOINT_DIGEST:
        return digests.checkpoint_digest(cohort, students, due.due_at, late)
    if due.kind is Kind.DEADLINE_DIGEST:
        return digests.deadline_digest(cohort, students, due.due_at, late)
    student = next(s for s in students if s.student_id == due.student_id)
    if due.kind is Kind.KICKOFF:
        return reminders.kickoff(cohort, student, command)
    if due.kind in MORNING_KINDS:
        return _morning(cohort, student, dues, now, command)
    if due.kind is Kind.CHECKPOINT:
        return reminders.checkpoint_dm(cohort, student, command)
    if due.kind is Kind.DEADLINE_REMINDER:
        return reminders.deadline_reminder(cohort, student, command)
    raise AssertionError(f"no message for {due.kind}")  # pragma: no cover


def _morning(
    cohort: CohortFacts, student: Standing, dues: Sequence[Due], now: datetime, command: str
) -> Message:
    """A student's DMs of one run as one message: each kind alone has its own, any mix the
    combined one. Every part reads the same standing (the list status shows)."""

    def subjects(kind: Kind) -> set[int | None]:
        return {d.subject_id for d in dues if d.kind is kind}

    kinds = {d.kind for d in dues}
    week = next((d.number for d in dues if d.kind is Kind.NUDGE), None)
    attempts = [o for o in student.unanswered if o.id in subjects(Kind.FOLLOW_UP)]
    check_ins = [p for p in student.scheduled if p.outreach_id in subjects(Kind.CHECK_IN)]
    preps = [p for p in student.scheduled if p.outreach_id in subjects(Kind.PREP_CARD)]
    chats = [c for c in student.chats if c.id in subjects(Kind.THANK_YOU)]
    if kinds == {Kind.NUDGE} and week is not None:
        return reminders.weekly_nudge(cohort, student, week, command)
    if kinds == {Kind.FOLLOW_UP} and attempts:
        return reminders.follow_up(cohort, student, attempts, now, command)
    if kinds == {Kind.THANK_YOU} and chats:
        return reminders.thank_you(cohort, chats, now)
    if kinds == {Kind.PREP_CARD} and preps:
        return reminders.prep(cohort, preps)
    if kinds == {Kind.CHECK_IN} and check_ins:
        return reminders.check_in(cohort, check_ins)
    return reminders.morning(cohort, student, week, attempts, check_ins, preps, chats, now, command)
