"""The student's log: contacts, outreach attempts and chats. One row per person, never two."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.domain.errors import COMMAND, InvalidInput, NotFound
from bot.domain.linkedin import normalize_linkedin_url
from bot.domain.text import clean_name, clean_note, name_key
from bot.models import (
    Chat,
    Contact,
    ContactSource,
    Outreach,
    OutreachChannel,
    OutreachStatus,
    Student,
    Submission,
)

MAX_FUTURE_DAYS = 1
Row = TypeVar("Row", Outreach, Chat)


@dataclass(frozen=True)
class PersonInput:
    """A person as the student typed them: a name and, optionally, a LinkedIn URL."""

    name: str
    linkedin_url: str | None = None
    role: str | None = None
    company: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Logged:
    """What a log call did: the row, and whether it was new or an update of an earlier log."""

    contact: Contact
    created: bool


def clean_person(person: PersonInput) -> PersonInput:
    """The person with a valid name, a normalized URL and checked optional fields."""
    url = person.linkedin_url.strip() if person.linkedin_url else None
    source = person.source or ContactSource.OTHER
    if source not in set(ContactSource):
        raise InvalidInput(f"“{source}” is not a way of finding people I know.", "source")
    return PersonInput(
        name=clean_name(person.name),
        linkedin_url=normalize_linkedin_url(url) if url else None,
        role=clean_note(person.role, "role", limit=100),
        company=clean_note(person.company, "company", limit=100),
        source=source,
    )


def check_day(day: date, today: date, what: str) -> date:
    """A logged date may not be in the future (a day of slack for timezones)."""
    if (day - today).days > MAX_FUTURE_DAYS:
        raise InvalidInput(
            f"The {what} {day:%Y-%m-%d} is in the future; pick today or earlier.", "date"
        )
    return day


def log_outreach(
    session: Session,
    student: Student,
    person: PersonInput,
    now: datetime,
    today: date,
    sent_on: date,
    channel: str = OutreachChannel.LINKEDIN,
    note: str | None = None,
) -> Logged:
    """Record that the student reached out to a person; repeating it updates the same row."""
    person = clean_person(person)
    if channel not in set(OutreachChannel):
        raise InvalidInput(f"“{channel}” is not an outreach channel I know.", "channel")
    note = clean_note(note)
    check_day(sent_on, today, "outreach date")
    contact, created = _upsert_contact(session, student, person, now)
    outreach, new = _outreach_of(
        session, contact, channel=channel, sent_on=sent_on, sent_at=now,
        status=OutreachStatus.SENT, status_changed_at=now, note=note, created_at=now,
    )  # fmt: skip
    if new:
        created = True
    else:
        outreach.channel = channel
        outreach.sent_on = min(outreach.sent_on, sent_on)
        if note:
            outreach.note = note
    session.flush()
    return Logged(contact, created)


def log_chat(
    session: Session,
    student: Student,
    person: PersonInput | None,
    now: datetime,
    today: date,
    held_on: date,
    note: str | None = None,
    contact_id: int | None = None,
) -> Logged:
    """Record a chat held with a person (an existing contact or a new one); marks it chatted."""
    note = clean_note(note)
    check_day(held_on, today, "chat date")
    if contact_id is not None:
        contact = get_contact(session, student, contact_id)
        created = False
    elif person is not None:
        contact, created = _upsert_contact(session, student, clean_person(person), now)
    else:
        raise InvalidInput("Pick a contact or type the person's name.", "name")
    outreach, _ = _outreach_of(
        session, contact, channel=OutreachChannel.OTHER, sent_on=held_on, sent_at=now,
        status=OutreachStatus.CHATTED, status_changed_at=now, created_at=now,
    )  # fmt: skip
    _move(outreach, OutreachStatus.CHATTED, now)
    chat, created = _insert_or_existing(
        session,
        contact,
        "chat",
        Chat(contact_id=contact.id, held_on=held_on, logged_at=now, note=note, created_at=now),
    )
    if not created:
        chat.held_on = held_on
        if note:
            chat.note = note
    session.flush()
    return Logged(contact, created)


def set_status(
    session: Session, student: Student, contact_id: int, status: str, now: datetime, today: date
) -> Contact:
    """Move a contact's outreach to a new status; `chatted` also logs a chat held today."""
    if status not in set(OutreachStatus):
        raise InvalidInput(f"“{status}” is not a status I know.", "status")
    contact = get_contact(session, student, contact_id)
    if status == OutreachStatus.CHATTED:
        return log_chat(session, student, None, now, today, today, contact_id=contact.id).contact
    outreach, _ = _outreach_of(
        session, contact, channel=OutreachChannel.OTHER, sent_on=today, sent_at=now,
        status=status, status_changed_at=now, created_at=now,
    )  # fmt: skip
    _move(outreach, OutreachStatus(status), now)
    if contact.chat is not None:
        _unlog_chat(session, contact.chat)
        contact.chat = None
    session.flush()
    return contact


def get_contact(session: Session, student: Student, contact_id: int) -> Contact:
    """One of the student's contacts; NotFound when it is not theirs."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.student_id != student.id:
        raise NotFound(
            f"That contact is not in your log any more. Run `{COMMAND} list` to see your log."
        )
    return contact


def add_contact(session: Session, student: Student, person: PersonInput, now: datetime) -> Logged:
    """Record a person the student has not reached out to yet (a referral, say)."""
    contact, created = _upsert_contact(session, student, clean_person(person), now)
    session.flush()
    return Logged(contact, created)


def list_contacts(session: Session, student: Student) -> list[Contact]:
    """The student's contacts with their outreach and chat, most recent first."""
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.student_id == student.id)
            .options(selectinload(Contact.outreach), selectinload(Contact.chat))
            .order_by(Contact.created_at.desc(), Contact.id.desc())
        )
    )


@dataclass(frozen=True)
class Tally:
    """How many people a student has tried and chatted with."""

    attempts: int
    chats: int


def tally(session: Session, student: Student) -> Tally:
    """Count the student's attempts and chats in the database (no rows loaded)."""
    mine = select(Contact.id).where(Contact.student_id == student.id)
    attempts = session.scalar(
        select(func.count()).select_from(Outreach).where(Outreach.contact_id.in_(mine))
    )
    chats = session.scalar(select(func.count()).select_from(Chat).where(Chat.contact_id.in_(mine)))
    return Tally(attempts=int(attempts or 0), chats=int(chats or 0))


def _unlog_chat(session: Session, chat: Chat) -> None:
    """Remove a chat logged by mistake, unless the student handed it in."""
    handed_in = session.scalar(
        select(Submission.id).where(
            (Submission.first_chat_id == chat.id) | (Submission.second_chat_id == chat.id)
        )
    )
    if handed_in is not None:
        raise InvalidInput(
            "This chat is part of your hand-in, so it stays logged as chatted. "
            f"Hand in a different chat first with `{COMMAND} submit`.",
            "status",
        )
    session.delete(chat)


def _outreach_of(session: Session, contact: Contact, **fields: Any) -> tuple[Outreach, bool]:
    """The contact's outreach, created from `fields` when it has none yet."""
    return _insert_or_existing(
        session, contact, "outreach", Outreach(contact_id=contact.id, **fields)
    )


def _insert_or_existing(
    session: Session, contact: Contact, relation: str, row: Row
) -> tuple[Row, bool]:
    """The contact's one outreach or chat: insert `row` unless it exists (or a concurrent
    request inserted it first, which the unique contact_id tells us)."""
    existing = getattr(contact, relation)
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        session.expire(contact, [relation])
        existing = getattr(contact, relation)
        if existing is None:
            raise
        return existing, False
    session.refresh(contact, [relation])
    return row, True


def _move(outreach: Outreach, status: OutreachStatus, now: datetime) -> None:
    if outreach.status != status:
        outreach.status = status
        outreach.status_changed_at = now


def _upsert_contact(
    session: Session, student: Student, person: PersonInput, now: datetime
) -> tuple[Contact, bool]:
    """Find the contact by LinkedIn URL, else by name; create it when neither matches."""
    key = name_key(person.name)
    contact = _find(session, student, person.linkedin_url, key)
    if contact is None:
        try:
            with session.begin_nested():
                contact = Contact(
                    student_id=student.id,
                    name=person.name,
                    name_key=key,
                    linkedin_url=person.linkedin_url,
                    role=person.role,
                    company=person.company,
                    source=person.source or ContactSource.OTHER,
                    created_at=now,
                )
                session.add(contact)
            return contact, True
        except IntegrityError:
            contact = _find(session, student, person.linkedin_url, key)
            if contact is None:
                raise
    contact.name = person.name
    contact.name_key = key
    if person.linkedin_url:
        contact.linkedin_url = person.linkedin_url
    contact.role = person.role or contact.role
    contact.company = person.company or contact.company
    return contact, False


def _find(session: Session, student: Student, url: str | None, key: str) -> Contact | None:
    mine = select(Contact).where(Contact.student_id == student.id)
    if url:
        by_url = session.scalar(mine.where(Contact.linkedin_url == url))
        if by_url is not None:
            return by_url
        return session.scalar(
            mine.where(Contact.name_key == key, Contact.linkedin_url.is_(None)).order_by(Contact.id)
        )
    return session.scalar(mine.where(Contact.name_key == key).order_by(Contact.id))
