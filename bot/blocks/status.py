"""A student's standing against the assignment (status, App Home), and their one next step."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.blocks.packing import Blocks
from bot.blocks.text import (
    bullet_list,
    context,
    escape,
    header,
    linked_name,
    mrkdwn_section,
    name,
    plural,
    truncate,
    when,
)
from bot.domain.drafts import THE_ASK
from bot.domain.standing import CohortFacts, Standing

UNANSWERED_SHOWN = 25
LEADS_SHOWN = 5
SCHEDULED_SHOWN = 5


def relative(instant: datetime, now: datetime) -> str:
    """`in 3 days`, `in 5 hours`, `2 days ago`."""
    seconds = (instant - now).total_seconds()
    future = seconds >= 0
    seconds = abs(seconds)
    if seconds < 3600:
        amount, unit = max(1, round(seconds / 60)), "minute"
    elif seconds < 2 * 86400:
        amount, unit = round(seconds / 3600), "hour"
    else:
        amount, unit = round(seconds / 86400), "day"
    text = f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"in {text}" if future else f"{text} ago"


def status_blocks(cohort: CohortFacts, student: Standing, now: datetime, command: str) -> Blocks:
    """Chats X/2, people tried, the unanswered list, the dates, reflection and hand-in."""
    tz = cohort.tz
    behind = student.behind(cohort)
    chats_mark = ":hourglass_flowing_sand:" if behind else ":white_check_mark:"
    short = behind and student.list_short(cohort)
    lines = [
        f"{chats_mark} *Chats:* {student.chat_count}/{cohort.required_chats}",
        f"*People tried:* {student.attempts}",
    ]
    if student.lead_count:
        lines.append(f"*Leads:* {student.lead_count} — {leads_text(student)}")
    lines += [
        f"*Waiting on a reply:* {student.unanswered_count}"
        + (
            f" :warning: (if you're behind at the checkpoint, this list should have at least "
            f"{cohort.min_attempts})"
            if short
            else ""
        ),
        f"*Checkpoint:* {when(cohort.checkpoint_at, tz)} ({relative(cohort.checkpoint_at, now)})",
        f"*Deadline:* {when(student.deadline_at, tz)} ({relative(student.deadline_at, now)})",
        f"*Reflection:* {student.reflection}",
        f"*Hand-in:* {_submission_state(student, cohort)}",
    ]
    blocks: Blocks = [
        header(f"Your coffee chats — {cohort.name}"),
        mrkdwn_section("\n".join(lines)),
    ]
    blocks += coming_up(cohort, student)
    blocks += waiting_list(student)
    blocks.append(context(next_step(cohort, student, command)))
    return blocks


def leads_text(student: Standing) -> str:
    """The people referred to them they haven't reached out to yet (not counted as tried)."""
    names = ", ".join(name(truncate(lead, 60)) for lead in student.leads[:LEADS_SHOWN])
    more = student.lead_count - LEADS_SHOWN
    return f"referred, not contacted yet: {names}" + (f" and {more} more" if more > 0 else "")


def coming_up(cohort: CohortFacts, student: Standing) -> Blocks:
    """The chats they scheduled, soonest first, in each reader's own clock."""
    if not student.scheduled_count:
        return []
    lines = [
        f"{linked_name(p.name, p.linkedin_url)} — "
        + (when(p.at, cohort.tz) if p.at is not None else "time not set yet")
        for p in student.scheduled[:SCHEDULED_SHOWN]
    ]
    more = student.scheduled_count - len(lines)
    text = f"*Coming up ({student.scheduled_count})*\n" + bullet_list(lines)
    if more:
        text += f"\n…and {more} more"
    return [mrkdwn_section(text)]


def waiting_list(
    student: Standing,
    notes: Mapping[int, str] | None = None,
    shown: int = UNANSWERED_SHOWN,
    command: str | None = None,
) -> Blocks:
    """Everyone they tried who hasn't responded, oldest first (the first `shown` of them), the
    way every message shows it; `notes` adds a word to some (by attempt id), and those come
    first when not all fit. With `command`, the rest are one command away."""
    if not student.unanswered_count:
        return []
    notes = notes or {}
    attempts = list(student.unanswered)
    if len(attempts) > shown and notes:
        marked = [a for a in attempts if a.id in notes][:shown]
        keep = {a.id for a in marked}
        rest = [a for a in attempts if a.id not in keep][: shown - len(marked)]
        keep |= {a.id for a in rest}
        attempts = [a for a in attempts if a.id in keep]
    lines = [  # a note says how long they've waited: it stands for the date
        f"{linked_name(a.name, a.linkedin_url)} — "
        + notes.get(a.id, f"since {a.sent_on:%b} {a.sent_on.day}")
        for a in attempts[:shown]
    ]
    more = student.unanswered_count - len(lines)
    text = f"*Haven't responded yet ({student.unanswered_count})*\n" + bullet_list(lines)
    if more:
        text += f"\n…and {more} more"
        if command:
            text += f": `{escape(command)} list` shows everyone"
    return [mrkdwn_section(text)]


def problem_blocks(message: str) -> Blocks:
    """A refusal or error for the user; the message may quote their input, so it is escaped."""
    return [mrkdwn_section(f":warning: {escape(message)}")]


def _submission_state(student: Standing, cohort: CohortFacts) -> str:
    if student.submitted_at is None:
        return "not handed in yet"
    late = " (late)" if student.submission_late else ""
    return f"handed in {when(student.submitted_at, cohort.tz)}{late}"


def next_step(cohort: CohortFacts, student: Standing, command: str) -> str:
    """The one thing to do next, in mrkdwn (the command is the only markup)."""
    command = escape(command)
    if student.handed_in:
        return "Handed in. Nice work: stay connected with the people you met."
    if not student.behind(cohort):
        return (
            f"Next: answer the reflection questions (`{command} reflect`) and hand in with "
            f"`{command} submit`."
        )
    if student.list_short(cohort):
        more = student.more_to_try(cohort)
        return (
            f"Next: reach out to {plural(more, 'more person', 'more people')}. "
            f"A short, specific ask works best: _{THE_ASK}_ Log each with "
            f"`{command} outreach NAME LINKEDIN_URL`."
        )
    waiting = student.unanswered_count
    return (
        f"Next: follow up politely with the {waiting} who haven't answered yet, or try someone new."
        if waiting
        else "Next: try someone new — and ask each person you chat with who else to talk to."
    )
