"""Usage of the slash command, with examples."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import context, escape, header, mrkdwn_section
from bot.domain import assignment

COMMANDS = [
    ("outreach NAME [LINKEDIN_URL]", "log that you reached out to someone (no name: a form)"),
    ("chat NAME [LINKEDIN_URL]", "log a coffee chat you held (no name: a form)"),
    ("list", "everyone you contacted, with buttons to move each one along"),
    ("status", "your progress: chats, attempts, who hasn't answered, your dates"),
    ("reflect", "answer the four reflection questions (saved as a draft you can reopen)"),
    ("submit", "hand in: your two chats' LinkedIns and your answers go to your instructors"),
    ("help", "this message"),
]
INSTRUCTOR_COMMANDS = [
    (
        "report [COHORT]",
        "your cohort now, most at risk first, with buttons to nudge, extend, excuse",
    ),
    ("export [COHORT]", "the cohort as a CSV file, sent to you in a DM"),
    ("setup", "create or edit a cohort (`setup new` for another one)"),
]


def help_text(command: str) -> str:
    """The plain-text fallback of the help message."""
    return f"Coffee Chat: try `{command} outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace`"


def help_blocks(
    command: str, problem: str | None = None, instructor: bool = False
) -> list[dict[str, Any]]:
    """The help message; `problem` (already written for the user) goes on top; instructors
    see their own commands first."""
    blocks: list[dict[str, Any]] = []
    if problem:
        blocks.append(mrkdwn_section(f":warning: {problem}"))
    if instructor:
        blocks.append(header("Coffee Chat — for instructors"))
        lines = [f"`{escape(command)} {usage}` — {what}" for usage, what in INSTRUCTOR_COMMANDS]
        blocks.append(mrkdwn_section("\n".join(lines)))
    blocks.append(header("Coffee Chat — log your outreach and chats"))
    lines = [f"`{escape(command)} {usage}` — {what}" for usage, what in COMMANDS]
    if not instructor:
        lines.insert(-1, f"`{escape(command)} setup` — instructors: create or edit a cohort")
    blocks.append(mrkdwn_section("\n".join(lines)))
    examples = "\n".join(
        [
            f"`{command} outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace`",
            f"`{command} chat Ada Lovelace`",
            f"`{command} status`",
        ]
    )
    blocks.append(mrkdwn_section(f"*Examples*\n{examples}"))
    blocks.append(
        context(
            f"The assignment: {assignment.REQUIRED_CHATS} coffee chats by the end of Week "
            f"{assignment.DEADLINE_WEEK}. By the end of Week {assignment.CHECKPOINT_WEEK}, if you "
            "don't have them yet, your instructors get the list of everyone you tried who "
            f"hasn't responded — aim for at least {assignment.MIN_ATTEMPTS} people."
        )
    )
    return blocks
