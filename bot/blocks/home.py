"""The App Home tab of a student: progress at a glance, the next date, the four things to do,
their contacts in short. (The instructors' App Home is built apart from this.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.ids import Action, Block
from bot.blocks.packing import Blocks
from bot.blocks.status import (
    LEADS_SHOWN,
    SCHEDULED_SHOWN,
    UNANSWERED_SHOWN,
    coming_up,
    leads_text,
    next_step,
    problem_blocks,
    relative,
    waiting_list,
)
from bot.blocks.text import context, escape, header, mrkdwn_section, name, plain, truncate, when
from bot.domain.standing import CohortFacts, Standing

BAR_WIDTH = 10
CHATS_SHOWN = 10
# The most that status or App Home shows of any of a standing's lists: what a limited read
# of one student's standing reads of each (bot.domain.read_model.student_standing).
STANDING_SHOWN = max(UNANSWERED_SHOWN, LEADS_SHOWN, SCHEDULED_SHOWN, CHATS_SHOWN)


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """`█████░░░░░`: how far `done` is towards `total` (full at or past it)."""
    filled = width if total <= 0 else min(width, round(width * done / total))
    return "█" * filled + "░" * (width - filled)


def next_date(cohort: CohortFacts, student: Standing, now: datetime) -> str:
    """The next of the checkpoint and the deadline, in each reader's clock, and how far off."""
    if now < cohort.checkpoint_at:
        what, at = "Checkpoint", cohort.checkpoint_at
    elif now < student.deadline_at:
        what, at = "Deadline", student.deadline_at
    else:
        return f"*Deadline:* passed ({when(student.deadline_at, cohort.tz)})"
    return f"*Next: {what}* — {when(at, cohort.tz)} ({relative(at, now)})"


def student_home(
    command: str, now: datetime, cohort: CohortFacts, student: Standing
) -> dict[str, Any]:
    """A student's App Home: where they stand, what's next, the buttons, their contacts."""
    lines = [
        f"*Chats:* {student.chat_count}/{cohort.required_chats}  "
        f"`{bar(student.chat_count, cohort.required_chats)}`",
        f"*People tried:* {student.attempts}/{cohort.min_attempts}  "
        f"`{bar(student.attempts, cohort.min_attempts)}`",
        next_date(cohort, student, now),
        f"*Reflection:* {student.reflection} · *Hand-in:* "
        + ("done" if student.handed_in else "not yet"),
    ]
    blocks: Blocks = [
        header(f"Your coffee chats — {cohort.name}"),
        mrkdwn_section("\n".join(lines)),
        {
            "type": "actions",
            "block_id": Block.HOME_ACTIONS.value,
            "elements": [
                _button(Action.OPEN_OUTREACH, "Log outreach", primary=True),
                _button(Action.OPEN_CHAT, "Log a chat"),
                _button(Action.OPEN_REFLECT, "Reflect"),
                _button(Action.OPEN_HANDIN, "Hand in"),
            ],
        },
        context(next_step(cohort, student, command)),
        {"type": "divider"},
    ]
    blocks += coming_up(cohort, student)
    blocks += waiting_list(student)
    if student.lead_count:
        blocks.append(mrkdwn_section(f"*Leads ({student.lead_count})* — {leads_text(student)}"))
    if student.chat_count:
        held = [
            f"{name(truncate(c.name, 60))} ({c.held_on:%b} {c.held_on.day})"
            + (" :white_check_mark: thanked" if c.thank_you_sent_at else "")
            for c in student.chats[:CHATS_SHOWN]
        ]
        blocks.append(mrkdwn_section(f"*Chats ({student.chat_count})* — " + ", ".join(held)))
    blocks.append(context(f"`{escape(command)} list` moves anyone along and has message drafts."))
    return {"type": "home", "blocks": blocks[:100]}


def newcomer_home(command: str, why: str) -> dict[str, Any]:
    """Someone not in a cohort (yet): why, and how to start."""
    command = escape(command)
    blocks = [
        header("Coffee Chat"),
        *problem_blocks(why),
        mrkdwn_section(
            f"Log someone you reached out to: `{command} outreach Ada Lovelace "
            f"https://www.linkedin.com/in/ada-lovelace` · `{command} help` lists the rest."
        ),
    ]
    return {"type": "home", "blocks": blocks}


def home_view(
    command: str,
    now: datetime,
    standing: tuple[CohortFacts, Standing] | None = None,
    not_enrolled: str | None = None,
) -> dict[str, Any]:
    """The App Home of someone who is a student or may become one (kept for callers of the
    earlier single function): `student_home`, else `newcomer_home`."""
    if standing is not None:
        return student_home(command, now, *standing)
    return newcomer_home(command, not_enrolled or "")


def _button(action: Action, label: str, primary: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action.value,
        "text": plain(label),
        "value": "home",
    }
    if primary:
        element["style"] = "primary"
    return element
