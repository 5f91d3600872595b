"""A student's log of any length, written straight to the database (the tests of status and the
list at 1,000 contacts, and bench/bench_log_size.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot import db
from bot.domain.cohorts import get_or_create_student
from bot.models import Chat, Contact, Outreach, OutreachStatus

# Each sixth of the log: a lead (referred by the first contact), waiting, no response,
# responded, scheduled, chatted.
KINDS = ("lead", "sent", "no_response", "responded", "scheduled", "chatted")


def seed_log(
    sessions: sessionmaker[Session],
    team: str,
    user: str,
    size: int,
    now: datetime,
    *,
    same_instant: bool = False,
) -> None:
    """`size` contacts for `user`, added a second apart in the day before `now` (or all at
    once), a sixth of each of KINDS in turn; in one transaction."""
    with db.session_scope(sessions) as session:
        student = get_or_create_student(session, team, user)
        start = now - timedelta(days=1)
        contacts = [
            Contact(
                student_id=student.id,
                name=f"Person {n:04d}",
                name_key=f"person {n:04d}",
                linkedin_url=f"https://www.linkedin.com/in/person-{n:04d}",
                created_at=start if same_instant else start + timedelta(seconds=n),
            )
            for n in range(size)
        ]
        session.add_all(contacts)
        session.flush()
        for n, contact in enumerate(contacts):
            kind = KINDS[n % len(KINDS)]
            if kind == "lead":
                contact.referred_by_id = contacts[0].id if n else None
                continue
            sent = contact.created_at
            session.add(
                Outreach(
                    contact_id=contact.id,
                    sent_on=sent.date() - timedelta(days=n % 5),
                    sent_at=sent,
                    status=OutreachStatus.CHATTED if kind == "chatted" else kind,
                    status_changed_at=sent,
                    scheduled_for=now + timedelta(hours=n) if kind == "scheduled" else None,
                    created_at=sent,
                )
            )
            if kind == "chatted":
                session.add(
                    Chat(
                        contact_id=contact.id,
                        held_on=sent.date() - timedelta(days=n % 3),
                        logged_at=sent,
                        created_at=sent,
                    )
                )
