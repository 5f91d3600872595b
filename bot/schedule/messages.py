"""What each scheduled delivery says: the facts of one planned delivery → a Block Kit message.

`compose` is called by the runner with every delivery sent in one message (a student's
morning: their nudge and follow-ups together, see `schedule_rules.MORNING_KINDS`), first the
one that leads it. Pure: no database, no Slack calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.blocks import digests, reminders
from bot.blocks.packing import Message
from bot.domain.schedule_rules import Due, Kind, is_late
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
    if due.kind is Kind.NUDGE:
        return reminders.weekly_nudge(cohort, student, due.number, command)
    if due.kind is Kind.THANK_YOU:
        chat = next(c for c in student.chats if c.id == due.subject_id)
        return reminders.thank_you(cohort, chat)
    if due.kind is Kind.FOLLOW_UP:
        wanted = {d.subject_id for d in dues}
        attempts = [o for o in student.unanswered if o.id in wanted]
        return reminders.follow_up(cohort, student, attempts, now, command)
    if due.kind is Kind.CHECKPOINT:
        return reminders.checkpoint_dm(cohort, student, command)
    if due.kind is Kind.DEADLINE_REMINDER:
        return reminders.deadline_reminder(cohort, student, command)
    raise AssertionError(f"no message for {due.kind}")  # pragma: no cover
