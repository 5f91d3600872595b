"""The student's log: contacts, outreach attempts and chats. One row per person, never two."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

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
    RemovedChat,
    Student,
    Submission,
)

MAX_FUTURE_DAYS = 1
LEAD = "lead"  # a contact the student hasn't reached out to yet (a referral, say)
SCHEDULE_GRACE = timedelta(hours=1)  # a chat time this recent still counts as "now"
SCHEDULE_AHEAD = timedelta(days=180)
Row = TypeVar("Row", Outreach, Chat)


@dataclass(frozen=True)
class PersonInput:
    """A person as the student typed them: a name and, optionally, a LinkedIn URL."""

    name: str
    linkedin_url: str | None = None
    role: str | None = None
    company: str | None = None
    source: str | None = None
    # How to write them where they were typed, for a message about the name (a whole command).
    example: str = field(default="Ada Lovelace", compare=False)


@dataclass(frozen=True)
class Logged:
    """What a log call did: the row, and whether it was new or an update of an earlier log."""

    contact: Contact
    created: bool


def stage(contact: Contact) -> str:
    """Where a contact stands: LEAD until the student reaches out, then the outreach's status
    (`chatted` once a chat is logged)."""
    if contact.chat is not None:
        return OutreachStatus.CHATTED
    if contact.outreach is None:
        return LEAD
    return str(contact.outreach.status)


@dataclass(frozen=True)
class Moved:
    """A status change: the contact, and the chat it removed (kept for an undo), if any."""

    contact: Contact
    removed: RemovedChat | None = None


def clean_person(person: PersonInput) -> PersonInput:
    """The person with a valid name, a normalized URL and checked optional fields."""
    url = person.linkedin_url.strip() if person.linkedin_url else None
    source = person.source or ContactSource.OTHER
    if source not in set(ContactSource):
        raise InvalidInput(f"“{source}” is not a way of finding people I know.", "source")
    return PersonInput(
        name=clean_name(person.name, example=person.example),
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
    else:
        _forget_removed(session, contact)
    session.flush()
    return Logged(contact, created)


def set_status(
    session: Session,
    student: Student,
    contact_id: int,
    status: str,
    now: datetime,
    today: date,
    *,
    remove_chat: bool = False,
) -> Moved:
    """Move a contact to a new status; `chatted` also logs a chat held today.

    Moving a contact with a logged chat elsewhere removes the chat, so it takes `remove_chat`
    (the student confirmed); the removed chat is kept for `restore_chat`.
    """
    if status not in set(OutreachStatus):
        raise InvalidInput(f"“{status}” is not a status I know.", "status")
    contact = get_contact(session, student, contact_id)
    if status == OutreachStatus.CHATTED:
        log_chat(session, student, None, now, today, today, contact_id=contact.id)
        return Moved(contact)
    chat = contact.chat
    if chat is not None and not remove_chat:
        raise InvalidInput(
            f"Moving {contact.name} removes the chat you logged on {chat.held_on:%b} "
            f"{chat.held_on.day}, so it needs a confirmation: run `{COMMAND} list` and pick "
            "the move from the menu next to them.",
            "status",
        )
    outreach, _ = _outreach_of(
        session, contact, channel=OutreachChannel.OTHER, sent_on=today, sent_at=now,
        status=status, status_changed_at=now, created_at=now,
    )  # fmt: skip
    _move(outreach, OutreachStatus(status), now)
    removed = None
    if chat is not None:
        removed = _remove_chat(session, contact, chat, now)
    session.flush()
    return Moved(contact, removed)


def restore_chat(session: Session, student: Student, contact_id: int, now: datetime) -> Contact:
    """Undo the removal of a contact's chat: the chat is back, as it was, and so is `chatted`."""
    contact = get_contact(session, student, contact_id)
    removed = session.scalar(select(RemovedChat).where(RemovedChat.contact_id == contact.id))
    if contact.chat is not None:
        raise InvalidInput(f"Your chat with {contact.name} is logged: there is nothing to undo.")
    if removed is None:
        raise NotFound(
            f"There is no removed chat with {contact.name} to bring back. "
            f"Log it again with `{COMMAND} chat {contact.name}`."
        )
    session.add(
        Chat(
            id=removed.chat_id,
            contact_id=contact.id,
            held_on=removed.held_on,
            logged_at=removed.logged_at,
            note=removed.note,
            takeaways=removed.takeaways,
            thank_you_sent_at=removed.thank_you_sent_at,
            created_at=removed.chat_created_at,
        )
    )
    session.delete(removed)
    session.flush()
    session.refresh(contact, ["chat"])
    if contact.outreach is not None:
        _move(contact.outreach, OutreachStatus.CHATTED, now)
    session.flush()
    return contact


def reached_out(
    session: Session, student: Student, contact_id: int, now: datetime, today: date
) -> Logged:
    """A lead the student has now written to: an outreach sent today (`created` False when
    they had reached out already)."""
    contact = get_contact(session, student, contact_id)
    _, created = _outreach_of(
        session, contact, channel=OutreachChannel.LINKEDIN, sent_on=today, sent_at=now,
        status=OutreachStatus.SENT, status_changed_at=now, created_at=now,
    )  # fmt: skip
    session.flush()
    return Logged(contact, created)


def schedule_chat(
    session: Session,
    student: Student,
    contact_id: int,
    at: datetime | None,
    now: datetime,
    today: date,
) -> Contact:
    """The contact's chat is planned for `at` (UTC; None: not known yet): status scheduled."""
    if at is not None and at < now - SCHEDULE_GRACE:
        raise InvalidInput(
            "That time has passed. Pick when the chat will happen, or, if it happened, "
            f"log it with `{COMMAND} chat NAME`.",
            "scheduled_for",
        )
    if at is not None and at > now + SCHEDULE_AHEAD:
        raise InvalidInput(
            "That's more than six months away; pick the date and time of the chat.",
            "scheduled_for",
        )
    contact = set_status(session, student, contact_id, OutreachStatus.SCHEDULED, now, today).contact
    if at is not None and contact.outreach is not None:
        contact.outreach.scheduled_for = at
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
    """How many people a student has tried and chatted with, and their leads."""

    attempts: int
    chats: int
    leads: int = 0

    @property
    def contacts(self) -> int:
        """Everyone in the log: a contact is a lead until the student reaches out."""
        return self.attempts + self.leads


def tally(session: Session, student: Student) -> Tally:
    """Count the student's attempts, chats and leads in one aggregate (no rows loaded; a
    contact has at most one outreach and one chat)."""
    attempts, chats, contacts = session.execute(
        select(func.count(Outreach.id), func.count(Chat.id), func.count(Contact.id))
        .select_from(Contact)
        .outerjoin(Outreach, Outreach.contact_id == Contact.id)
        .outerjoin(Chat, Chat.contact_id == Contact.id)
        .where(Contact.student_id == student.id)
    ).one()
    return Tally(attempts=int(attempts), chats=int(chats), leads=int(contacts) - int(attempts))


@dataclass(frozen=True)
class ContactPage:
    """One page of the student's contacts, most recent first, and the counts of the whole log."""

    contacts: list[Contact]  # with their outreach, chat and referrer loaded
    number: int  # which page, from 0 (the one asked for, kept within the pages there are)
    pages: int  # at least 1
    tally: Tally


def contacts_page(session: Session, student: Student, page: int, size: int) -> ContactPage:
    """Page `page` (from 0; clamped) of `size` contacts: two statements, whatever the log's
    length. The order (newest first, then by id) is stable, so pages don't overlap."""
    counts = tally(session, student)
    pages = max(1, -(-counts.contacts // size))
    number = min(max(page, 0), pages - 1)
    newest_first = (Contact.created_at.desc(), Contact.id.desc())
    shown = (
        select(Contact.id)
        .where(Contact.student_id == student.id)
        .order_by(*newest_first)
        .limit(size)
        .offset(number * size)
        .subquery()
    )  # the page's ids first, so the joins below are of its rows only
    contacts = session.scalars(
        select(Contact)
        .join(shown, shown.c.id == Contact.id)
        .options(
            joinedload(Contact.outreach),
            joinedload(Contact.chat),
            joinedload(Contact.referred_by),
        )
        .order_by(*newest_first)
    )
    return ContactPage(list(contacts.unique()), number, pages, counts)


def _remove_chat(session: Session, contact: Contact, chat: Chat, now: datetime) -> RemovedChat:
    """Remove a chat logged by mistake (unless the student handed it in), keeping it for an
    undo."""
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
    _forget_removed(session, contact)
    removed = RemovedChat(
        contact_id=contact.id,
        chat_id=chat.id,
        held_on=chat.held_on,
        logged_at=chat.logged_at,
        note=chat.note,
        takeaways=chat.takeaways,
        thank_you_sent_at=chat.thank_you_sent_at,
        chat_created_at=chat.created_at,
        removed_at=now,
    )
    session.add(removed)
    session.delete(chat)
    session.flush()
    session.refresh(contact, ["chat"])
    return removed


def _forget_removed(session: Session, contact: Contact) -> None:
    """Drop the chat kept for an undo: the contact has a chat again, or another was removed."""
    session.execute(
        delete(RemovedChat)
        .where(RemovedChat.contact_id == contact.id)
        .execution_options(synchronize_session=False)
    )


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
    if not _same_spelling(contact.name, person.name):
        contact.name = person.name
        contact.name_key = key
    if person.linkedin_url:
        contact.linkedin_url = person.linkedin_url
    contact.role = person.role or contact.role
    contact.company = person.company or contact.company
    return contact, False


def _same_spelling(first: str, again: str) -> bool:
    """Whether two ways of writing a name differ only by case and spacing (`sam  smith` is
    `Sam Smith` as first written; `Ada King` is a new name)."""
    return " ".join(first.split()).casefold() == " ".join(again.split()).casefold()


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
