"""The cohort as a CSV file: one row per student, safe to open in a spreadsheet.

A cell that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage
return) is prefixed with an apostrophe. Names with commas, quotes and newlines are quoted the
way Python's csv module reads them back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.domain.calendar import format_instant
from bot.domain.reflections import KEYS
from bot.domain.standing import CohortFacts, Standing
from bot.models import Chat, Cohort, Contact, Enrollment, Reflection, Submission

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = (
    "user_id",
    "name",
    "chats",
    "people_tried",
    "waiting_on_a_reply",
    "unanswered_contacts",
    "linkedin_1",
    "linkedin_2",
    *(f"answer_{key}" for key in KEYS),
    "submitted_at",
    "late",
    "extension_until",
    "excused",
)


@dataclass(frozen=True)
class Handin:
    """What a student handed in (or has drafted, when they haven't yet)."""

    linkedins: tuple[str, ...] = ()
    answers: Mapping[str, str] = field(default_factory=dict)


def safe_cell(value: object) -> str:
    """A cell as text that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def handins(session: Session, cohort: Cohort) -> dict[int, Handin]:
    """Per student id: the two LinkedIns and the four answers handed in, else the draft
    answers (two statements, whatever the cohort's size)."""
    first, second = aliased(Chat), aliased(Chat)
    first_contact, second_contact = aliased(Contact), aliased(Contact)
    found: dict[int, Handin] = {}
    rows = session.execute(
        select(
            Enrollment.student_id,
            Submission.answers,
            first_contact.linkedin_url,
            second_contact.linkedin_url,
        )
        .join(Submission, Submission.enrollment_id == Enrollment.id)
        .join(first, first.id == Submission.first_chat_id)
        .join(first_contact, first_contact.id == first.contact_id)
        .join(second, second.id == Submission.second_chat_id)
        .join(second_contact, second_contact.id == second.contact_id)
        .where(Enrollment.cohort_id == cohort.id)
    )
    for student_id, answers, one, two in rows:
        found[student_id] = Handin(tuple(u for u in (one, two) if u), dict(answers or {}))
    drafts = session.execute(
        select(Enrollment.student_id, *(getattr(Reflection, key) for key in KEYS))
        .join(Reflection, Reflection.enrollment_id == Enrollment.id)
        .where(Enrollment.cohort_id == cohort.id)
    )
    for student_id, *texts in drafts:
        if student_id not in found:
            found[student_id] = Handin((), {k: t for k, t in zip(KEYS, texts, strict=True) if t})
    return found


def cohort_csv(
    cohort: CohortFacts,
    students: Sequence[Standing],
    handed: Mapping[int, Handin],
    names: Mapping[str, str],
) -> str:
    """The CSV text: a header, then one row per student, most at risk first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for student in sorted(students, key=lambda s: s.risk(cohort)):
        writer.writerow(safe_cell(cell) for cell in _row(cohort, student, handed, names))
    return out.getvalue()


def _row(
    cohort: CohortFacts, student: Standing, handed: Mapping[int, Handin], names: Mapping[str, str]
) -> Iterable[object]:
    handin = handed.get(student.student_id, Handin())
    links = [*handin.linkedins, "", ""][:2] if student.handed_in else ["", ""]
    unanswered = "; ".join(
        f"{a.name} ({a.linkedin_url})" if a.linkedin_url else a.name for a in student.unanswered
    )
    tz = cohort.tz
    return (
        student.user_id,
        names.get(student.user_id, ""),
        student.chat_count,
        student.attempts,
        student.unanswered_count,
        unanswered,
        *links,
        *(handin.answers.get(key, "") for key in KEYS),
        format_instant(student.submitted_at, tz) if student.submitted_at else "",
        "yes" if student.submission_late else ("no" if student.handed_in else ""),
        format_instant(student.deadline_at, tz) if student.extended else "",
        "yes" if student.excused else "no",
    )


def filename(cohort: CohortFacts, day: str) -> str:
    """`coffee-chats-mod-5-2026-09-18.csv`."""
    slug = "".join(c if c.isalnum() else "-" for c in cohort.name.lower()).strip("-")
    return f"coffee-chats-{'-'.join(filter(None, slug.split('-')))[:40] or 'cohort'}-{day}.csv"
