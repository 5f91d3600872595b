"""The student's progress against the assignment, as a message or App Home."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.text import (
    bullet_list,
    context,
    escape,
    header,
    linked_name,
    mrkdwn_section,
)
from bot.domain.calendar import format_instant
from bot.domain.progress import Progress

UNANSWERED_SHOWN = 25


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


def status_blocks(progress: Progress, now: datetime) -> list[dict[str, Any]]:
    """Chats X/2, attempts, the unanswered list, the dates, reflection and hand-in."""
    cohort = progress.cohort
    tz = ZoneInfo(cohort.timezone)
    chats_mark = ":white_check_mark:" if not progress.behind else ":hourglass_flowing_sand:"
    attempts_mark = ":warning:" if progress.few_attempts and progress.behind else ""
    lines = [
        f"{chats_mark} *Chats:* {progress.chats}/{progress.required_chats}",
        f"*People tried:* {progress.attempts} {attempts_mark}".rstrip()
        + (
            f" (if you're behind at the checkpoint, your list should have at least "
            f"{progress.min_attempts})"
            if progress.few_attempts and progress.behind
            else ""
        ),
        f"*Checkpoint:* {format_instant(cohort.checkpoint_at, tz)} "
        f"({relative(cohort.checkpoint_at, now)})",
        f"*Deadline:* {format_instant(progress.deadline_at, tz)} "
        f"({relative(progress.deadline_at, now)})",
        f"*Reflection:* {_reflection_state(progress)}",
        f"*Hand-in:* {_submission_state(progress, tz)}",
    ]
    blocks: list[dict[str, Any]] = [
        header(f"Your coffee chats — {cohort.name}"),
        mrkdwn_section("\n".join(lines)),
    ]
    if progress.unanswered:
        shown = progress.unanswered[:UNANSWERED_SHOWN]
        names = bullet_list(
            f"{linked_name(c.name, c.linkedin_url)}"
            + (f" — since {c.outreach.sent_on:%b} {c.outreach.sent_on.day}" if c.outreach else "")
            for c in shown
        )
        more = len(progress.unanswered) - len(shown)
        if more:
            names += f"\n…and {more} more"
        blocks.append(
            mrkdwn_section(f"*Haven't responded yet ({len(progress.unanswered)})*\n{names}")
        )
    blocks.append(context(escape(_next_step(progress))))
    return blocks


def problem_blocks(message: str) -> list[dict[str, Any]]:
    """A refusal or error for the user; the message may quote their input, so it is escaped."""
    return [mrkdwn_section(f":warning: {escape(message)}")]


def _reflection_state(progress: Progress) -> str:
    if progress.reflection_complete:
        return "all four answers written"
    if progress.reflection_started:
        return "draft started"
    return "not started"


def _submission_state(progress: Progress, tz: ZoneInfo) -> str:
    if progress.submitted_at is None:
        return "not handed in yet"
    late = " (late)" if progress.submission_late else ""
    return f"handed in {format_instant(progress.submitted_at, tz)}{late}"


def _next_step(progress: Progress) -> str:
    if progress.submitted_at is not None:
        return "Handed in. Nice work: stay connected with the people you met."
    if not progress.behind:
        return "You have your chats. Next: answer the reflection questions and hand in."
    if progress.attempts < progress.min_attempts:
        return (
            "Next: reach out to more people. A short, specific ask works best: "
            "a 15-minute video call."
        )
    return "Next: follow up politely with anyone who hasn't answered, or try someone new."
