"""The instructors' digests, the Week 2 checkpoint and the deadline, as Block Kit messages.

The top message reads at a glance, for a cohort of any size: the seed's rule in words, who is
on track, and the students most at risk, each with what they tried and a menu to nudge, extend
or excuse them (what instructors did shows under each). Everyone else follows in at most a few
thread replies: one line each, or grouped by where they stand when the cohort is large.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.blocks.cohort_view import Actions, done_about, student_line, student_menu
from bot.blocks.packing import Blocks, Message, pack_lines, paginate
from bot.blocks.text import (
    context,
    escape,
    header,
    linked_name,
    mention,
    mrkdwn_section,
    plural,
    when,
)
from bot.domain.standing import Attempt, CohortFacts, ReflectionState, Standing, by_risk

DIVIDER = {"type": "divider"}
MOST_AT_RISK = 10  # students shown with their list and a menu in the top message
NAMES_SHOWN = 60  # on-track names in the top message before "and N more"
THREAD_PARTS = 3  # thread replies at most
THREAD_CHARS = 12000  # a thread reply a person can still scroll through
DETAIL_CHARS = 1500  # one student's list; their DM and the export have all of it
EXPORT_NOTE = "Everyone's full list of who hasn't responded is in `{command} export`."


def checkpoint_digest(
    cohort: CohortFacts,
    students: Sequence[Standing],
    due_at: datetime | None = None,
    late: bool = False,
    actions: Actions | None = None,
    now: datetime | None = None,
    command: str = "/coffee",
) -> Message:
    """Who is behind at the checkpoint (most at risk first) with whom each of them tried."""
    now = now or due_at or cohort.checkpoint_at
    actions = actions or {}
    behind = by_risk(cohort, students)
    short = [s for s in behind if s.list_short(cohort)]
    excused = [s for s in students if s.excused]
    on_track = [s for s in students if not s.behind(cohort) and not s.excused]
    top: Blocks = [header(f"Week 2 checkpoint — {cohort.name}")]
    top += pack_lines([_checkpoint_summary(cohort, students, behind, short)])
    top += pack_lines(_names_line("On track", on_track) + _names_line("Excused", excused))
    if late:
        top.append(_late_note(due_at or cohort.checkpoint_at, cohort))
    top.append(
        context(
            f"Checkpoint {when(cohort.checkpoint_at, cohort.tz)} · deadline "
            f"{when(cohort.deadline_at, cohort.tz)} · most at risk first"
        )
    )
    shown, rest = behind[:MOST_AT_RISK], behind[MOST_AT_RISK:]
    for rank, student in enumerate(shown, 1):
        top += _student_blocks(cohort, student, now, rank, actions)
    text = (
        f"Week 2 checkpoint — {escape(cohort.name)}: {len(behind)} of {len(students)} students "
        f"have fewer than {cohort.required_chats} chats ({len(short)} with fewer than "
        f"{cohort.min_attempts} people waiting on a reply)"
    )
    thread = _rest(cohort, rest, now, MOST_AT_RISK, _checkpoint_group, command)
    return Message(text, top, thread)


def deadline_digest(
    cohort: CohortFacts,
    students: Sequence[Standing],
    due_at: datetime | None = None,
    late: bool = False,
    actions: Actions | None = None,
    now: datetime | None = None,
    command: str = "/coffee",
) -> Message:
    """Who handed in (with a link to each post, on time or late), who is missing (most at risk
    first), who has an extension, who is excused."""
    now = now or due_at or cohort.deadline_at
    actions = actions or {}
    handed = sorted((s for s in students if s.handed_in), key=lambda s: s.user_id)
    excused = [s for s in students if s.excused and not s.handed_in]
    waiting = [s for s in students if not s.handed_in and not s.excused]
    extended = [s for s in waiting if s.extended and s.deadline_at > now]
    missing = sorted((s for s in waiting if s not in extended), key=lambda s: _missing_risk(s))
    late_count = sum(1 for s in handed if s.submission_late)
    title = f"Deadline — {cohort.name}: {len(handed)} of {len(students)} handed in"
    parts = [
        f"*{len(handed)} of {len(students)}* handed in"
        + (f" ({late_count} late)" if late_count else ""),
        f"*{len(missing)}* missing",
    ]
    if extended:
        parts.append(f"*{len(extended)}* with an extension")
    if excused:
        parts.append(f"*{len(excused)}* excused")
    top: Blocks = [header(title), *pack_lines(["; ".join(parts) + "."])]
    if late:
        top.append(_late_note(due_at or cohort.deadline_at, cohort))
    top.append(context(f"Deadline {when(cohort.deadline_at, cohort.tz)}"))
    if missing:
        top.append(DIVIDER)
        top += pack_lines([f"*Missing ({len(missing)})*, most at risk first"])
        for rank, student in enumerate(missing[:MOST_AT_RISK], 1):
            top += _student_blocks(cohort, student, now, rank, actions, with_list=False)
    lines: list[str] = []
    for student in missing[MOST_AT_RISK:]:
        lines.append(_missing_line(cohort, student, now))
    if extended:
        lines.append(f"*Extensions ({len(extended)})*")
        lines += [
            f"• {mention(s.user_id)} — until {when(s.deadline_at, cohort.tz)} · "
            f"{s.chat_count}/{cohort.required_chats} chats · reflection {s.reflection}"
            for s in sorted(extended, key=lambda s: (s.deadline_at, s.user_id))
        ]
    if excused:
        lines += _names_line("Excused", excused)
    if handed:
        lines.append(f"*Handed in ({len(handed)})*")
        lines += [_handed_in(s) for s in handed]
    text = (
        f"Deadline — {escape(cohort.name)}: {len(handed)} of {len(students)} handed in, "
        f"{len(missing)} missing"
    )
    return _fit(Message(text, top), lines)


def _checkpoint_summary(
    cohort: CohortFacts,
    students: Sequence[Standing],
    behind: Sequence[Standing],
    short: Sequence[Standing],
) -> str:
    if not students:
        return "No students are enrolled in this cohort yet."
    if not behind:
        return (
            f"All {plural(len(students), 'student')} have {cohort.required_chats} chats or more "
            "(or are excused). :tada: Nobody needs a hand at the checkpoint."
        )
    return (
        f"*{len(behind)} of {len(students)} students* have fewer than "
        f"{cohort.required_chats} chats. The assignment asks each of them to send you "
        f"everyone they tried who hasn't responded — at least {cohort.min_attempts} people; "
        f"*{len(short)}* of them have fewer than {cohort.min_attempts} on that list. "
        "Each one has that list ready in a DM from me."
    )


def _names_line(title: str, students: Sequence[Standing]) -> list[str]:
    if not students:
        return []
    names = ", ".join(mention(s.user_id) for s in students[:NAMES_SHOWN])
    more = len(students) - NAMES_SHOWN
    return [f"*{title} ({len(students)}):* {names}" + (f" and {more} more" if more > 0 else "")]


def _student_blocks(
    cohort: CohortFacts,
    student: Standing,
    now: datetime,
    rank: int,
    actions: Actions,
    with_list: bool = True,
) -> Blocks:
    """One student: their line, whom they tried who hasn't responded, the menu, what was done."""
    text = student_line(cohort, student, now, rank)
    if not with_list:
        text += f" · reflection {student.reflection}"
    elif student.unanswered:
        text += "\n" + _waiting(student, DETAIL_CHARS - len(text))
    elif not student.attempts:
        text += "\n_No outreach logged yet._"
    where = "checkpoint" if with_list else "deadline"
    blocks: Blocks = [mrkdwn_section(text, accessory=student_menu(cohort, student, where))]
    done = done_about(cohort, actions.get(student.student_id, ()))
    if done:
        blocks.append(context(done))
    return blocks


def _waiting(student: Standing, room: int) -> str:
    """`*Waiting on a reply (6):* Ada (Sep 8) · …`, cut to `room` characters."""
    head = f"*Waiting on a reply ({student.unanswered_count}):* "
    names = [_person(a) for a in student.unanswered]
    shown: list[str] = []
    used = len(head)
    for person in names:
        if used + len(person) + 3 > room - 20:
            break
        shown.append(person)
        used += len(person) + 3
    more = student.unanswered_count - len(shown)
    return head + " · ".join(shown) + (f" · …and {more} more" if more else "")


def _person(attempt: Attempt) -> str:
    since = attempt.sent_on
    return f"{linked_name(attempt.name, attempt.linkedin_url)} ({since:%b} {since.day})"


def _rest(
    cohort: CohortFacts,
    rest: Sequence[Standing],
    now: datetime,
    offset: int,
    group: Callable[[CohortFacts, Standing], str],
    command: str,
) -> list[Message]:
    """The students after the most at risk, as thread replies: a line each with whom they
    tried when that fits in THREAD_PARTS replies, else their names grouped by where they stand."""
    if not rest:
        return []
    detailed = [
        student_line(cohort, s, now, rank)
        + ("\n" + _waiting(s, DETAIL_CHARS) if s.unanswered else "")
        for rank, s in enumerate(rest, offset + 1)
    ]
    pages = paginate(pack_lines(detailed), max_chars=THREAD_CHARS)
    if len(pages) > THREAD_PARTS:
        groups: dict[str, list[str]] = {}
        for student in rest:
            groups.setdefault(group(cohort, student), []).append(mention(student.user_id))
        lines = [line for title, names in groups.items() for line in _group(title, names)]
        lines.append(EXPORT_NOTE.format(command=escape(command)))
        pages = paginate(pack_lines(lines, separator="\n"), max_chars=THREAD_CHARS)
    return _parts(pages)


def _group(title: str, names: Sequence[str]) -> list[str]:
    """`*Title (N):* @a, @b, …`, continued over as many lines as a section's size needs."""
    lines, current = [], f"*{title} ({len(names)}):* "
    for index, person in enumerate(names):
        piece = person if index == 0 else ", " + person
        if len(current) + len(piece) > DETAIL_CHARS:
            lines.append(current)
            current, piece = f"*{title}, continued:* ", person
        current += piece
    return [*lines, current]


def _checkpoint_group(cohort: CohortFacts, student: Standing) -> str:
    chats = (
        "No chat yet"
        if not student.chat_count
        else f"{student.chat_count} of {cohort.required_chats} chats"
    )
    if student.list_short(cohort):
        return f"{chats}, fewer than {cohort.min_attempts} waiting on a reply"
    return chats


def _fit(message: Message, lines: Sequence[str]) -> Message:
    """The message, with `lines` in it when everything fits one message, else in a thread."""
    if not lines:
        return message
    extra = [DIVIDER, *pack_lines(lines)]
    whole = [*message.blocks, *extra]
    if len(paginate(whole)) == 1:
        return Message(message.text, whole)
    return Message(
        message.text, message.blocks, _parts(paginate(pack_lines(lines), max_chars=THREAD_CHARS))
    )


def _parts(pages: Sequence[Blocks]) -> list[Message]:
    return [
        Message(f"Details, part {n} of {len(pages)}", list(page)) for n, page in enumerate(pages, 1)
    ]


def _missing_risk(student: Standing) -> tuple[Any, ...]:
    order = tuple(ReflectionState)
    return (student.chat_count, order.index(student.reflection), student.user_id)


def _missing_line(cohort: CohortFacts, student: Standing, now: datetime) -> str:
    return f"• {student_line(cohort, student, now)} · reflection {student.reflection}"


def _handed_in(student: Standing) -> str:
    when = "late" if student.submission_late else "on time"
    link = f"<{escape(student.handin_link)}|post>" if student.handin_link else "post pending"
    return f"• {mention(student.user_id)} — {when}, {link}"


def _late_note(due_at: datetime, cohort: CohortFacts) -> dict[str, Any]:
    return context(
        f":warning: *Late:* this was due {when(due_at, cohort.tz)}, when I couldn't "
        "send it. The numbers are as of now."
    )
