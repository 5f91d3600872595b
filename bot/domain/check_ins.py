"""The answers to "Did your chat with … happen?": rules for its three buttons, no Slack.

Each answer names a contact of the student and the instant the chat was planned for (the
check-in's). The contact must be the student's, still scheduled, without a logged chat; a
check-in about an earlier plan (the chat was rescheduled since) changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.domain.errors import COMMAND, InvalidInput
from bot.domain.logbook import get_contact, set_status
from bot.models import Contact, OutreachStatus, Student

# What "Didn't happen" makes of the contact: they did answer (a chat was planned), so they
# are not "no response"; the student finds a new time or moves on.
MISSED_STATUS = OutreachStatus.RESPONDED


def scheduled_contact(
    session: Session, student: Student, contact_id: int, planned_at: datetime | None = None
) -> Contact:
    """The student's contact a check-in is about, while its chat is still the one planned.

    NotFound when it isn't theirs; InvalidInput when the chat is logged, no longer scheduled,
    or (with `planned_at`) planned for another time now.
    """
    contact = get_contact(session, student, contact_id)
    outreach = contact.outreach
    if contact.chat is not None:
        raise InvalidInput(
            f"Your chat with {contact.name} is already logged. `{COMMAND} list` shows it."
        )
    if outreach is None or outreach.status != OutreachStatus.SCHEDULED:
        raise InvalidInput(
            f"{contact.name} is no longer scheduled in your log; `{COMMAND} list` shows where "
            "they stand."
        )
    planned = outreach.scheduled_for
    if planned_at is not None and (
        planned is None or int(planned.timestamp()) != int(planned_at.timestamp())
    ):
        raise InvalidInput(
            f"That check-in is about an earlier plan: your chat with {contact.name} has been "
            f"rescheduled since. `{COMMAND} list` shows when it is."
        )
    return contact


def chat_missed(
    session: Session,
    student: Student,
    contact_id: int,
    planned_at: datetime | None,
    now: datetime,
    today: date,
) -> Contact:
    """ "Didn't happen": the contact goes back to responded, the planned time is cleared."""
    if planned_at is None:
        raise InvalidInput(
            f"That check-in is out of date. `{COMMAND} list` shows where your contacts stand."
        )
    contact = scheduled_contact(session, student, contact_id, planned_at)
    set_status(session, student, contact.id, MISSED_STATUS, now, today)
    if contact.outreach is not None:
        contact.outreach.scheduled_for = None
    session.flush()
    return contact
