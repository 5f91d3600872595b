"""Texts a student can copy into LinkedIn, built from seeds 001 and 002 and their own log.

The first ask is short and specific (seed 001: "a quick 15 minute video call to learn a bit more
about what you do"), says it is not a job request (seed 002: insights, not a job) and leaves a
[bracket] for what their research found; the follow-up is polite and flexible about time
(seed 002: be flexible with scheduling); the thank-you names what they learned, quoting the
takeaways they logged (seed 002: mention specific topics, within 24 hours, stay connected).
Nothing is sent on the student's behalf: these are drafts to edit and paste.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.logbook import get_contact
from bot.models import Contact, Student

FIRST_ASK_MAX = 300  # LinkedIn's limit for the note of a connection request
FOLLOW_UP_AFTER = timedelta(days=5)
TAKEAWAY_LINES = 3
TAKEAWAY_CHARS = 160
THE_ASK = (
    "Could I have a quick 15-minute video call with you to learn a bit more about what you do?"
)
RESEARCH = "[something specific you read about their work]"


@dataclass(frozen=True)
class Drafts:
    """The texts for one contact; None where it doesn't apply yet (no outreach, no chat)."""

    contact_id: int
    name: str
    first_ask: str
    follow_up: str | None = None
    follow_up_on: date | None = None
    thank_you: str | None = None


def drafts_for(session: Session, student: Student, contact_id: int) -> Drafts:
    """The drafts for one of the student's contacts (NotFound when it isn't theirs)."""
    contact = get_contact(session, student, contact_id)
    outreach, chat = contact.outreach, contact.chat
    referred = list(
        session.scalars(
            select(Contact.name).where(Contact.referred_by_id == contact.id).order_by(Contact.id)
        )
    )
    return Drafts(
        contact_id=contact.id,
        name=contact.name,
        first_ask=first_ask(contact),
        follow_up=follow_up(contact.name, outreach.sent_on) if outreach is not None else None,
        follow_up_on=outreach.sent_on + FOLLOW_UP_AFTER if outreach is not None else None,
        thank_you=thank_you(contact.name, chat.takeaways, referred) if chat is not None else None,
    )


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def first_ask(contact: Contact) -> str:
    """The first message: who sent them, what caught the student's eye, the short ask."""
    hello = f"Hi {first_name(contact.name)},"
    referral = ""
    if contact.referred_by is not None:
        referral = f" {contact.referred_by.name} suggested I reach out to you."
    work = _their_work(contact.role, contact.company)
    text = (
        f"{hello}{referral} I'm learning to code, and {work} caught my eye. {THE_ASK} "
        "Not asking about jobs, just curious about your path. Thank you!"
    )
    if len(text) > FIRST_ASK_MAX:  # a long role or company: keep the ask, drop the detail
        text = f"{hello}{referral} I'm learning to code. {THE_ASK} Thank you!"
    return text


def follow_up(name: str, sent_on: date) -> str:
    """Five days without an answer: a short, polite nudge, flexible about when."""
    return (
        f"Hi {first_name(name)}, just following up on my note from {sent_on:%b} {sent_on.day}. "
        "I know you're busy: would a quick 15-minute video call sometime in the next two weeks "
        "work for you? I'm happy to fit around your schedule. Thanks either way!"
    )


def thank_you(name: str, takeaways: str | None, referred: list[str]) -> str:
    """After the chat (within 24 hours): thanks, what they learned, the referral, stay in touch."""
    lines = [f"Hi {first_name(name)}, thank you for taking the time to chat with me!"]
    learned = _takeaway_lines(takeaways)
    if learned:
        lines.append("I especially appreciated what you shared about:")
        lines += [f"- {line}" for line in learned]
    else:
        lines.append("I especially appreciated [one specific thing you learned].")
    if referred:
        lines.append(f"Thank you too for suggesting I talk to {_and(referred)}.")
    lines.append("I'd love to stay connected here on LinkedIn. Thanks again!")
    return "\n".join(lines)


def _and(names: list[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _their_work(role: str | None, company: str | None) -> str:
    if role and company:
        return f"your work as {role} at {company}"
    if role or company:
        return f"your work {'as ' + role if role else 'at ' + str(company)}"
    return RESEARCH


def _takeaway_lines(takeaways: str | None) -> list[str]:
    """The first few takeaways as the student wrote them, one per line, each kept short."""
    lines = [line.strip(" -•*\t") for line in (takeaways or "").splitlines()]
    kept = [line for line in lines if line][:TAKEAWAY_LINES]
    return [
        line if len(line) <= TAKEAWAY_CHARS else line[: TAKEAWAY_CHARS - 1] + "…" for line in kept
    ]
