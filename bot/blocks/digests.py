"""The instructors' digests: the Week 2 checkpoint and the deadline, as Block Kit messages.

Each builder returns one Message; when a cohort is too large for one message, the top message
keeps the summary and a one-line overview per student, and the details go in thread replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.blocks.packing import Blocks, Message, pack_lines, paginate
from bot.blocks.text import context, escape, header, linked_name, mention
from bot.domain.calendar import format_instant
from bot.domain.standing import Attempt, CohortFacts, ReflectionState, Standing, by_risk

DIVIDER = {"type": "divider"}
RED, ORANGE, YELLOW = ":red_circle:", ":large_orange_circle:", ":large_yellow_circle:"
REFLECTION_ORDER = tuple(ReflectionState)
OVERVIEW_CHARS = 30000  # one line per student on top: a few hundred students at a glance
THREAD_NOTE = "The people each student tried are listed in the thread :thread:"


def checkpoint_digest(
    cohort: CohortFacts,
    students: Sequence[Standing],
    due_at: datetime | None = None,
    late: bool = False,
) -> Message:
    """Everyone with fewer than the required chats, most at risk first, with who they tried."""
    behind = by_risk(cohort, students)
    few = [s for s in behind if s.list_short(cohort)]
    tz = cohort.tz
    top: Blocks = [header(f"Week 2 checkpoint — {cohort.name}")]
    if not students:
        summary = "No students are enrolled in this cohort yet."
    elif behind:
        summary = (
            f"*{len(behind)} of {len(students)} students* have fewer than "
            f"{cohort.required_chats} chats; *{len(few)}* of them have fewer than "
            f"{cohort.min_attempts} people on their list of who hasn't responded. "
            f"{len(students) - len(behind)} on track."
        )
    else:
        summary = (
            f"All {len(students)} students have {cohort.required_chats} chats or more. "
            ":tada: Nobody needs a hand at the checkpoint."
        )
    top += pack_lines([summary])
    if late:
        top.append(_late_note(due_at or cohort.checkpoint_at, cohort))
    top.append(
        context(
            f"Checkpoint {format_instant(cohort.checkpoint_at, tz)} · deadline "
            f"{format_instant(cohort.deadline_at, tz)} · most at risk first · {RED} no chat and "
            f"fewer than {cohort.min_attempts} waiting on a reply · {ORANGE} no chat, or "
            f"fewer than {cohort.min_attempts} waiting · {YELLOW} short on chats"
        )
    )
    if not behind:
        return Message(_summary_text(cohort, behind, few, len(students)), top)
    details: Blocks = []
    for rank, student in enumerate(behind, 1):
        details.append(DIVIDER)
        details += _student_details(cohort, student, rank)
    return _assemble(
        top, details, behind, cohort, _summary_text(cohort, behind, few, len(students))
    )


def deadline_digest(
    cohort: CohortFacts,
    students: Sequence[Standing],
    due_at: datetime | None = None,
    late: bool = False,
) -> Message:
    """Who handed in, who is missing (most at risk first), who has an extension."""
    tz = cohort.tz
    handed = sorted((s for s in students if s.handed_in), key=lambda s: s.user_id)
    extended = [
        s for s in students if not s.handed_in and s.extended and s.deadline_at > cohort.deadline_at
    ]
    missing_all = [s for s in students if not s.handed_in and s not in extended]
    missing = sorted(
        missing_all,
        key=lambda s: (
            min(s.chat_count, cohort.required_chats),
            REFLECTION_ORDER.index(s.reflection),
            s.user_id,
        ),
    )
    late_count = sum(1 for s in handed if s.submission_late)
    top: Blocks = [header(f"Deadline — {cohort.name}: {len(handed)} of {len(students)} handed in")]
    parts = [
        f"*{len(handed)} of {len(students)}* handed in"
        + (f" ({late_count} late)" if late_count else "")
    ]
    parts.append(f"*{len(missing)}* missing")
    if extended:
        parts.append(f"*{len(extended)}* with an extension")
    top += pack_lines(["; ".join(parts) + "."])
    if late:
        top.append(_late_note(due_at or cohort.deadline_at, cohort))
    top.append(context(f"Deadline {format_instant(cohort.deadline_at, tz)}"))
    details: Blocks = []
    if missing:
        details.append(DIVIDER)
        lines = [f"*Missing ({len(missing)})*"]
        lines += [
            f"• {mention(s.user_id)} — {s.chat_count}/{cohort.required_chats} chats · "
            f"reflection {s.reflection} · not handed in"
            for s in missing
        ]
        details += pack_lines(lines)
    if extended:
        details.append(DIVIDER)
        lines = [f"*Extensions ({len(extended)})*"]
        lines += [
            f"• {mention(s.user_id)} — until {format_instant(s.deadline_at, tz)} · "
            f"{s.chat_count}/{cohort.required_chats} chats · reflection {s.reflection}"
            for s in sorted(extended, key=lambda s: (s.deadline_at, s.user_id))
        ]
        details += pack_lines(lines)
    if handed:
        details.append(DIVIDER)
        names = [mention(s.user_id) + (" (late)" if s.submission_late else "") for s in handed]
        details += pack_lines([f"*Handed in ({len(handed)})*", ", ".join(names)])
    text = (
        f"Deadline — {escape(cohort.name)}: {len(handed)} of {len(students)} handed in, "
        f"{len(missing)} missing"
    )
    return _assemble(top, details, missing, cohort, text)


def _assemble(
    top: Blocks, details: Blocks, students: Sequence[Standing], cohort: CohortFacts, text: str
) -> Message:
    """One message when it fits; else a top message with an overview and a thread of details."""
    whole = top + details
    if len(paginate(whole)) == 1:
        return Message(text, whole)
    overview = [
        f"{rank}. {_icon(cohort, s)} {mention(s.user_id)} — {s.chat_count}/"
        f"{cohort.required_chats} chats · {s.attempts} tried"
        + (f" · *{s.unanswered_count} unanswered*" if s.list_short(cohort) else "")
        for rank, s in enumerate(students, 1)
    ]
    head = [*top, DIVIDER, *pack_lines(overview), context(escape(THREAD_NOTE))]
    pages = paginate(head, max_chars=OVERVIEW_CHARS)
    first, rest = pages[0], pages[1:]
    thread_pages = rest + paginate(details)
    thread = [
        Message(f"Details, part {n} of {len(thread_pages) + 1}", [*page])
        for n, page in enumerate(thread_pages, 2)
    ]
    return Message(text, first, thread)


def _student_details(cohort: CohortFacts, student: Standing, rank: int) -> Blocks:
    tz = cohort.tz
    status = (
        f"*{rank}.* {_icon(cohort, student)} {mention(student.user_id)} — "
        f"*{student.chat_count}/{cohort.required_chats} chats* · {student.attempts} tried"
    )
    if student.list_short(cohort):
        status += (
            f" · :warning: *{student.unanswered_count} unanswered, fewer than "
            f"{cohort.min_attempts}*"
        )
    if student.extended:
        status += f" · extension until {format_instant(student.deadline_at, tz)}"
    unanswered = student.unanswered
    if not unanswered:
        note = "No outreach logged yet." if not student.attempts else "Nobody is left to reply."
        return pack_lines([status, f"_{note}_"])
    names = [_person(o) for o in unanswered]
    first = f"{status}\n*No response yet ({student.unanswered_count}):* {names[0]}"
    return pack_lines([first, *names[1:]], separator=" · ")


def _person(attempt: Attempt) -> str:
    since = attempt.sent_on
    return f"{linked_name(attempt.name, attempt.linkedin_url)} ({since:%b} {since.day})"


def _icon(cohort: CohortFacts, student: Standing) -> str:
    few = student.list_short(cohort)
    if student.chat_count == 0 and few:
        return RED
    if student.chat_count == 0 or few:
        return ORANGE
    return YELLOW


def _late_note(due_at: datetime, cohort: CohortFacts) -> dict[str, Any]:
    return context(
        f":warning: *Late:* this was due {format_instant(due_at, cohort.tz)}, when I couldn't "
        "send it. The numbers are as of now."
    )


def _summary_text(
    cohort: CohortFacts,
    behind: Sequence[Standing],
    few: Sequence[Standing],
    total: int,
) -> str:
    return (
        f"Week 2 checkpoint — {escape(cohort.name)}: {len(behind)} of {total} students have fewer "
        f"than {cohort.required_chats} chats ({len(few)} with fewer than {cohort.min_attempts} "
        "unanswered)"
    )
