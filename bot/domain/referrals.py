"""What a chat leaves behind: takeaways, and the people the contact suggested talking to next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain.errors import InvalidInput
from bot.domain.linkedin import EXAMPLE, looks_like_linkedin
from bot.domain.logbook import PersonInput, add_contact, clean_person
from bot.domain.text import NOTE_MAX, clean_note, name_key
from bot.models import Contact, ContactSource, Student

REFERRALS_MAX = 20
REFERRALS_FIELD = "referrals"
TAKEAWAYS_FIELD = "takeaways"
_BULLETS = "-–—•*·"
_SEPARATORS = " -–—,;:|"


def parse_referrals(text: str | None) -> list[PersonInput]:
    """One person per line, `Name` or `Name https://www.linkedin.com/in/slug`; checked."""
    stripped = [line.strip().lstrip(_BULLETS).strip() for line in (text or "").splitlines()]
    lines = [(number, line) for number, line in enumerate(stripped, 1) if line]
    if len(lines) > REFERRALS_MAX:
        raise InvalidInput(
            f"That's {len(lines)} referrals; log at most {REFERRALS_MAX} at a time.",
            REFERRALS_FIELD,
        )
    people = []
    for number, line in lines:
        words = line.split()
        url = words.pop() if looks_like_linkedin(words[-1]) else None
        where = f"Referral on line {number} (“{line if len(line) <= 60 else line[:59] + '…'}”)"
        if any(looks_like_linkedin(word) for word in words):
            raise InvalidInput(
                f"{where}: put the LinkedIn URL last, like: Grace Hopper {EXAMPLE}",
                REFERRALS_FIELD,
            )
        name = " ".join(words).strip(_SEPARATORS)
        try:
            people.append(clean_person(PersonInput(name, url, source=ContactSource.REFERRAL.value)))
        except InvalidInput as error:
            raise InvalidInput(f"{where}: {error.message}", REFERRALS_FIELD) from error
    return people


@dataclass(frozen=True)
class ChatNotes:
    """A chat's takeaways and referrals, checked before anything is written."""

    takeaways: str | None = None
    referrals: tuple[PersonInput, ...] = ()


def read_chat_notes(takeaways: str | None, referrals: str | None) -> ChatNotes:
    """Check what the student typed; InvalidInput on the field at fault."""
    return ChatNotes(
        clean_note(takeaways, TAKEAWAYS_FIELD, limit=NOTE_MAX),
        tuple(parse_referrals(referrals)),
    )


def add_chat_notes(
    session: Session, student: Student, contact: Contact, notes: ChatNotes, now: datetime
) -> list[Contact]:
    """Keep the takeaways on the contact's chat and add the referrals; the referred contacts.

    Each referral becomes a contact (no outreach until the student reaches out) referred by
    `contact`; someone already in the log keeps their history and gains the referral when they
    had none. The chat's own person, listed by mistake, is skipped.
    """
    if notes.takeaways and contact.chat is not None:
        contact.chat.takeaways = notes.takeaways
    added: dict[int, Contact] = {}
    for person in notes.referrals:
        if _same_person(person, contact):
            continue
        referred = add_contact(session, student, person, now).contact
        if referred.id == contact.id:
            continue
        if referred.referred_by_id is None:
            referred.referred_by_id = contact.id
        added[referred.id] = referred
    session.flush()
    return list(added.values())


def _same_person(person: PersonInput, contact: Contact) -> bool:
    if person.linkedin_url and contact.linkedin_url:
        return person.linkedin_url == contact.linkedin_url
    return name_key(person.name) == contact.name_key
