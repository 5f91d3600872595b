"""The cohort setup modal, what it turns into once saved, and the report sent after the sync."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks.forms import done_view, input_block, modal, text_input
from bot.blocks.ids import Callback, SetupBlock
from bot.blocks.text import context, escape, mrkdwn_section, name, plain, plural, when
from bot.domain import calendar
from bot.domain.cohorts import COHORT_NAME_MAX
from bot.domain.setup import CohortDraft, DateWarning, known_timezone
from bot.models import Cohort

TIMEZONE_MAX = 64
INVITE = "/invite @Coffee Chat"
ROSTER_FAILED = "failed"


def _channel(initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "conversations_select",
        "placeholder": plain("Pick a channel", 150),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if initial:
        element["initial_conversation"] = initial
    return element


def _number(initial: int, low: int, high: int) -> dict[str, Any]:
    return {
        "type": "number_input",
        "is_decimal_allowed": False,
        "initial_value": str(initial),
        "min_value": str(low),
        "max_value": str(high),
    }


def _instant(initial_unix: int) -> dict[str, Any]:
    return {"type": "datetimepicker", "initial_date_time": initial_unix}


def _is_channel(channel_id: str | None) -> bool:
    return bool(channel_id) and str(channel_id)[:1] in {"C", "G"}


def setup_metadata(draft: CohortDraft) -> dict[str, Any]:
    """What the submission needs to know: which cohort, and what the form was prefilled with.

    A checkpoint or deadline left at a prefilled default follows a changed start date or
    timezone; one the instructor picked by hand stays.
    """
    return {
        "cohort_id": draft.cohort_id,
        "prefill": {
            "start_date": draft.start_date.isoformat(),
            "timezone": draft.timezone,
            "checkpoint": int(draft.checkpoint_at.timestamp()),
            "deadline": int(draft.deadline_at.timestamp()),
            "checkpoint_is_default": draft.checkpoint_is_default,
            "deadline_is_default": draft.deadline_is_default,
        },
    }


def setup_modal(draft: CohortDraft) -> dict[str, Any]:
    """The form to create a cohort (empty name, suggested dates) or edit one (its values)."""
    instructors_channel = (
        draft.instructors_channel if _is_channel(draft.instructors_channel) else None
    )
    blocks: list[dict[str, Any]] = [
        input_block(
            SetupBlock.NAME,
            "Cohort name",
            text_input(COHORT_NAME_MAX, "Mod 5 — Fall 2026", initial=draft.name),
        ),
        input_block(
            SetupBlock.START_DATE,
            "Start date",
            {"type": "datepicker", "initial_date": draft.start_date.isoformat()},
            hint="Day 1 of Week 1.",
        ),
        input_block(
            SetupBlock.TIMEZONE,
            "Timezone",
            text_input(TIMEZONE_MAX, "America/Denver", initial=draft.timezone),
            hint="IANA name like America/Denver, Europe/London or Asia/Kolkata. "
            "Reminders and deadlines follow this timezone.",
        ),
        input_block(
            SetupBlock.INSTRUCTORS_CHANNEL,
            "Instructors' channel",
            _channel(instructors_channel),
            hint=f"The checkpoint and deadline digests go here. Invite me: {INVITE}",
        ),
        input_block(
            SetupBlock.STUDENTS_CHANNEL,
            "Students' channel",
            _channel(draft.students_channel),
            optional=True,
            hint="Everyone in it is enrolled now, and whoever joins later too.",
        ),
        input_block(
            SetupBlock.INSTRUCTORS,
            "Instructors",
            {
                "type": "multi_users_select",
                "placeholder": plain("Add instructors", 150),
                **({"initial_users": draft.instructor_ids} if draft.instructor_ids else {}),
            },
            optional=True,
            hint="They can edit this cohort and aren't enrolled as students. "
            "You are added when you save.",
        ),
        input_block(
            SetupBlock.REQUIRED_CHATS,
            "Coffee chats required",
            _number(draft.required_chats, 1, 10),
        ),
        input_block(
            SetupBlock.MIN_ATTEMPTS,
            "People to try by the checkpoint",
            _number(draft.min_attempts, 0, 50),
            hint="Students behind at the checkpoint should have reached out to this many.",
        ),
        input_block(
            SetupBlock.CHECKPOINT,
            "Checkpoint",
            _instant(int(draft.checkpoint_at.timestamp())),
            optional=True,
            hint="Default: Friday of Week 2, 17:00 in the cohort's timezone (shown here in "
            "yours). Left at the default, it follows the start date.",
        ),
        input_block(
            SetupBlock.DEADLINE,
            "Deadline",
            _instant(int(draft.deadline_at.timestamp())),
            optional=True,
            hint="Default: Friday of Week 4, 17:00 in the cohort's timezone (shown here in "
            "yours). Left at the default, it follows the start date.",
        ),
    ]
    editing = draft.cohort_id is not None
    title = "Edit cohort" if editing else "Set up a cohort"
    return modal(Callback.SETUP_MODAL, title, "Save", blocks, setup_metadata(draft))


def cohort_dates(cohort: Cohort) -> str:
    """`Starts Mon 14 Sep 2026 · checkpoint … · deadline …` in the cohort's timezone."""
    tz = calendar.zone(known_timezone(cohort.timezone))
    start = cohort.start_date
    return (
        f"Starts {start:%a} {start.day} {start:%b %Y} · "
        f"checkpoint {when(cohort.checkpoint_at, tz)} · "
        f"deadline {when(cohort.deadline_at, tz)} ({cohort.timezone})"
    )


def date_warning_blocks(cohort: Cohort, warnings: Sequence[DateWarning]) -> list[dict[str, Any]]:
    """A checkpoint or deadline on a holiday or a weekend: said, with how to move it."""
    if not warnings:
        return []
    tz = calendar.zone(known_timezone(cohort.timezone))
    lines = [
        f":warning: The {w.what}, {when(w.at, tz)}, falls on {escape(w.reason)}: "
        "students may be away that day."
        for w in warnings
    ]
    lines.append("To move it, run setup again and pick another date and time.")
    return [mrkdwn_section("\n".join(lines))]


def _saved_line(cohort: Cohort, created: bool) -> str:
    verb = "is set up" if created else "is updated"
    return (
        f":white_check_mark: *{name(cohort.name)}* {verb}: "
        f"{plural(cohort.required_chats, 'chat')}, "
        f"at least {plural(cohort.min_attempts, 'person', 'people')} tried by the checkpoint. "
        f"Digests go to <#{cohort.instructors_channel}>."
    )


def saved_view(
    cohort: Cohort, created: bool, command: str, warnings: Sequence[DateWarning] = ()
) -> dict[str, Any]:
    """What the modal turns into once saved (with the dates that fall on a day off)."""
    blocks = [mrkdwn_section(_saved_line(cohort, created)), context(cohort_dates(cohort))]
    blocks += date_warning_blocks(cohort, warnings)
    if cohort.students_channel:
        blocks.append(
            mrkdwn_section(
                f"Enrolling the members of <#{cohort.students_channel}> now; "
                "I'll send you a message when it's done."
            )
        )
    else:
        blocks.append(
            mrkdwn_section(
                f"No students' channel: students are enrolled when they first use `{command}`. "
                f"Pick one with `{command} setup` to enroll a whole channel."
            )
        )
    return done_view("Cohort saved", blocks)


@dataclass(frozen=True)
class RosterOutcome:
    """How syncing the students' channel went, as the instructor is told."""

    enrolled: int = 0
    already: int = 0
    error: str | None = None


def setup_report(
    cohort: Cohort,
    created: bool,
    roster: RosterOutcome | None,
    bot_missing_from_instructors_channel: bool,
    warnings: Sequence[DateWarning] = (),
) -> tuple[str, list[dict[str, Any]]]:
    """The message to the instructor who saved: the roster sync and anything to fix."""
    lines = [_saved_line(cohort, created)]
    text = f"{escape(cohort.name)} is saved."
    channel = f"<#{cohort.students_channel}>"
    if roster is not None and roster.error is None:
        summary = f"Enrolled {plural(roster.enrolled, 'student')} from {channel}"
        if roster.already:
            summary += f" ({roster.already} already enrolled)"
        summary += ". People who join the channel later are enrolled too."
        lines.append(summary)
        text = summary
    elif roster is not None and roster.error == ROSTER_FAILED:
        lines.append(
            f":warning: Something went wrong on my side while enrolling the members of {channel}. "
            "Save the cohort again to retry; nobody already enrolled is affected."
        )
    elif roster is not None:
        lines.append(
            f":warning: I couldn't read the members of {channel} ({roster.error}). "
            f"Invite me there with `{INVITE}`, then save the cohort again."
        )
    blocks = [mrkdwn_section("\n".join(lines)), context(cohort_dates(cohort))]
    blocks += date_warning_blocks(cohort, warnings)
    if bot_missing_from_instructors_channel:
        warning = (
            f"I'm not in <#{cohort.instructors_channel}> — invite me with `{INVITE}` "
            "so the checkpoint digest can reach you."
        )
        blocks.append(mrkdwn_section(f":warning: {warning}"))
        text = warning
    return text, blocks
