"""What is kept and what is deleted: archiving a cohort, purging it, forgetting a student's log,
deleting a workspace's data once it uninstalled the bot.

Rows are deleted with explicit statements in dependency order (hand-ins before the chats they
name), so nothing depends on the database's cascades. Deliveries that record what was sent to a
person stay when the person stays: deleting them would make the clock send it all again.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import and_, delete, false, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.errors import COMMAND, InvalidInput, NotAllowed, NotFound
from bot.domain.linkedin import looks_like_linkedin, normalize_linkedin_url
from bot.domain.schedule_rules import Kind
from bot.domain.text import name_key
from bot.models import (
    Chat,
    Cohort,
    Contact,
    Delivery,
    Enrollment,
    InstructorAction,
    Outreach,
    Reflection,
    Student,
    Submission,
)


@dataclass(frozen=True)
class Deleted:
    """How many rows of each kind were deleted."""

    students: int = 0
    enrollments: int = 0
    contacts: int = 0
    outreach: int = 0
    chats: int = 0
    reflections: int = 0
    submissions: int = 0
    deliveries: int = 0
    instructor_actions: int = 0
    cohorts: int = 0

    def __add__(self, other: Deleted) -> Deleted:
        return Deleted(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def line(self) -> str:
        """Like `2 contacts, 1 chat, 1 reflection` (`nothing` when nothing was deleted)."""
        parts = []
        for f in fields(self):
            count = getattr(self, f.name)
            if count:
                noun = f.name if count != 1 else _SINGULAR.get(f.name, f.name)
                parts.append(f"{count} {noun.replace('_', ' ')}")
        return ", ".join(parts) or "nothing"


_SINGULAR = {
    "students": "student",
    "enrollments": "enrollment",
    "contacts": "contact",
    "chats": "chat",
    "reflections": "reflection",
    "submissions": "submission",
    "deliveries": "delivery",
    "instructor_actions": "instructor_action",
    "cohorts": "cohort",
}


@dataclass(frozen=True)
class Purged:
    """What purging a cohort did; `kept_logs`: students whose log stays for another cohort."""

    deleted: Deleted
    kept_logs: int


def archive_cohort(session: Session, cohort: Cohort) -> bool:
    """Stop every reminder and digest of a cohort, keeping its data; whether it changed."""
    changed = cohort.active
    cohort.active = False
    session.flush()
    return changed


def unarchive_cohort(session: Session, cohort: Cohort) -> bool:
    """Make an archived cohort active again; whether it changed."""
    changed = not cohort.active
    cohort.active = True
    session.flush()
    return changed


def purge_cohort(session: Session, cohort: Cohort) -> Purged:
    """Archive a cohort and delete its students' data; the cohort's settings stay.

    Its enrollments, reflections, hand-ins, the deliveries sent to its students and what its
    instructors did about them (nudges, extensions, excuses) go. A student's contacts,
    outreach and chats go too, with the student, unless they are also enrolled in another
    cohort: that log is theirs there as well, and stays.
    """
    archive_cohort(session, cohort)
    enrollments = select(Enrollment.id).where(Enrollment.cohort_id == cohort.id)
    student_ids = set(
        session.scalars(select(Enrollment.student_id).where(Enrollment.cohort_id == cohort.id))
    )
    elsewhere = set(
        session.scalars(
            select(Enrollment.student_id).where(
                Enrollment.student_id.in_(student_ids), Enrollment.cohort_id != cohort.id
            )
        )
    )
    leaving = student_ids - elsewhere
    deleted = Deleted(
        submissions=_delete(session, Submission, Submission.enrollment_id.in_(enrollments)),
        reflections=_delete(session, Reflection, Reflection.enrollment_id.in_(enrollments)),
        deliveries=_delete(
            session,
            Delivery,
            or_(
                and_(Delivery.cohort_id == cohort.id, Delivery.student_id.is_not(None)),
                Delivery.student_id.in_(leaving),
            ),
        ),
    )
    deleted += _delete_contacts(session, select(Contact.id).where(Contact.student_id.in_(leaving)))
    deleted += Deleted(
        instructor_actions=_delete(
            session,
            InstructorAction,
            or_(
                InstructorAction.cohort_id == cohort.id,
                InstructorAction.student_id.in_(leaving),
            ),
        ),
        enrollments=_delete(session, Enrollment, Enrollment.cohort_id == cohort.id),
        students=_delete(session, Student, Student.id.in_(leaving)),
    )
    session.expire_all()
    return Purged(deleted, kept_logs=len(elsewhere))


def forget_contact(session: Session, student: Student, name_or_id: str | int) -> Deleted:
    """Delete one of the student's contacts and everything logged about it.

    `name_or_id` is the contact's number, LinkedIn URL or name. A contact whose chat is part of
    the student's hand-in is refused: the hand-in has to name another chat first.
    """
    contact = contact_named(session, student, name_or_id)
    if contact.chat is not None:
        handed_in = session.scalar(
            select(Submission.id).where(
                or_(
                    Submission.first_chat_id == contact.chat.id,
                    Submission.second_chat_id == contact.chat.id,
                )
            )
        )
        if handed_in is not None:
            raise NotAllowed(
                f"Your chat with {contact.name} is part of your hand-in, so I can't forget "
                f"{contact.name} yet. Hand in another chat first with `{COMMAND} submit`, then "
                "try again."
            )
    deliveries = _delete(
        session,
        Delivery,
        Delivery.student_id == student.id,
        _about(
            [contact.chat.id] if contact.chat else [],
            [contact.outreach.id] if contact.outreach else [],
        ),
    )
    deleted = Deleted(deliveries=deliveries) + _delete_contacts(
        session, select(Contact.id).where(Contact.id == contact.id)
    )
    session.expire_all()
    return deleted


def forget_student(session: Session, team_id: str, user_id: str) -> Deleted:
    """Delete everything a student logged: contacts, outreach, chats, reflections, hand-ins.

    They stay enrolled (their instructors still see them, now with nothing logged), and the
    record of what the bot already sent them stays, so nothing is sent twice.
    """
    student = session.scalar(
        select(Student).where(Student.team_id == team_id, Student.user_id == user_id)
    )
    if student is None:
        return Deleted()
    enrollments = select(Enrollment.id).where(Enrollment.student_id == student.id)
    contacts = select(Contact.id).where(Contact.student_id == student.id)
    chats = list(session.scalars(select(Chat.id).where(Chat.contact_id.in_(contacts))))
    outreach = list(session.scalars(select(Outreach.id).where(Outreach.contact_id.in_(contacts))))
    deleted = Deleted(
        submissions=_delete(session, Submission, Submission.enrollment_id.in_(enrollments)),
        reflections=_delete(session, Reflection, Reflection.enrollment_id.in_(enrollments)),
        deliveries=_delete(
            session, Delivery, Delivery.student_id == student.id, _about(chats, outreach)
        ),
    )
    deleted += _delete_contacts(session, contacts)
    session.expire_all()
    return deleted


def delete_team_data(session: Session, team_id: str) -> Deleted:
    """Delete everything of a workspace: its cohorts with their students' data, the logs of
    people in no cohort, and what was sent there. Only for a workspace that uninstalled the
    bot: nothing of it is kept, not even the record of what was sent."""
    cohorts = list(session.scalars(select(Cohort).where(Cohort.team_id == team_id)))
    deleted = Deleted()
    for cohort in cohorts:
        deleted += purge_cohort(session, cohort).deleted
    students = select(Student.id).where(Student.team_id == team_id)
    cohort_ids = [cohort.id for cohort in cohorts]
    deleted += Deleted(
        deliveries=_delete(
            session,
            Delivery,
            or_(Delivery.student_id.in_(students), Delivery.cohort_id.in_(cohort_ids)),
        )
    )
    deleted += _delete_contacts(session, select(Contact.id).where(Contact.student_id.in_(students)))
    deleted += Deleted(
        enrollments=_delete(session, Enrollment, Enrollment.student_id.in_(students)),
        students=_delete(session, Student, Student.team_id == team_id),
        cohorts=_delete(session, Cohort, Cohort.team_id == team_id),
    )
    session.expire_all()
    return deleted


def contact_named(session: Session, student: Student, name_or_id: str | int) -> Contact:
    """One of the student's contacts, by number, LinkedIn URL or name; NotFound otherwise."""
    mine = select(Contact).where(Contact.student_id == student.id)
    text = str(name_or_id).strip()
    if not text:
        raise InvalidInput("Say whom to forget: their name or LinkedIn URL.", "name")
    if any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in text):
        raise NotFound("That name has control characters; nobody in your log is called that.")
    if isinstance(name_or_id, int) or (text.isascii() and text.isdigit() and len(text) <= 12):
        found = list(session.scalars(mine.where(Contact.id == int(text))))
    elif looks_like_linkedin(text):
        found = list(
            session.scalars(mine.where(Contact.linkedin_url == normalize_linkedin_url(text)))
        )
    else:
        found = list(session.scalars(mine.where(Contact.name_key == name_key(text))))
    if not found:
        raise NotFound(f"“{text[:80]}” is not in your log; `{COMMAND} list` shows who is.")
    if len(found) > 1:
        raise InvalidInput(
            f"You have {len(found)} contacts named {found[0].name}; "
            "say which with their LinkedIn URL.",
            "name",
        )
    return found[0]


def _about(chat_ids: Iterable[int], outreach_ids: Iterable[int]) -> Any:
    """Deliveries about these chats (thank-you nudges) and attempts (follow-ups).

    Their `period` is how the scheduling rules name the subject: `chat-<id>`,
    `outreach-<id>-<follow-up number>`, `scheduled-<outreach id>-<instant>` (prep card, check-in).
    """
    conditions = (
        [
            and_(Delivery.kind == Kind.THANK_YOU, Delivery.period == f"chat-{chat_id}")
            for chat_id in chat_ids
        ]
        + [
            and_(Delivery.kind == Kind.FOLLOW_UP, Delivery.period.like(f"outreach-{attempt}-%"))
            for attempt in outreach_ids
        ]
        + [
            and_(
                Delivery.kind.in_([Kind.PREP_CARD, Kind.CHECK_IN]),
                Delivery.period.like(f"scheduled-{attempt}-%"),
            )
            for attempt in outreach_ids
        ]
    )
    return or_(*conditions) if conditions else false()


def _delete_contacts(session: Session, contact_ids: Any) -> Deleted:
    """Delete contacts with their chats and outreach; contacts they referred stay, unlinked."""
    ids = list(session.scalars(contact_ids))
    if not ids:
        return Deleted()
    session.execute(
        update(Contact)
        .where(Contact.referred_by_id.in_(ids))
        .values(referred_by_id=None)
        .execution_options(synchronize_session=False)
    )
    return Deleted(
        chats=_delete(session, Chat, Chat.contact_id.in_(ids)),
        outreach=_delete(session, Outreach, Outreach.contact_id.in_(ids)),
        contacts=_delete(session, Contact, Contact.id.in_(ids)),
    )


def _delete(session: Session, model: type[Any], *where: Any) -> int:
    result = session.execute(
        delete(model).where(*where).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
