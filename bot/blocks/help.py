"""Usage of the slash command, with examples."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import context, escape, header, mrkdwn_section

COMMANDS = [
    ("outreach NAME [LINKEDIN_URL]", "log that you reached out to someone (no name: a form)"),
    ("chat NAME [LINKEDIN_URL]", "log a coffee chat you held (no name: a form)"),
    ("list", "everyone you contacted, with buttons to move each one along"),
    ("status", "your progress: chats, attempts, who hasn't answered, your dates"),
    ("reflect", "answer the four reflection questions (saved as a draft you can reopen)"),
    ("submit", "hand in: your two chats' LinkedIns and your answers go to your instructors"),
    ("setup", "instructors: create or edit a cohort (`setup new` for another one)"),
    ("help", "this message"),
]


def help_text(command: str) -> str:
    """The plain-text fallback of the help message."""
    return f"Coffee Chat: try `{command} outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace`"


def help_blocks(command: str, problem: str | None = None) -> list[dict[str, Any]]:
    """The help message; `problem` (already written for the user) goes on top."""
    blocks: list[dict[str, Any]] = []
    if problem:
        blocks.append(mrkdwn_section(f":warning: {problem}"))
    blocks.append(header("Coffee Chat — log your outreach and chats"))
    lines = [f"`{escape(command)} {usage}` — {what}" for usage, what in COMMANDS]
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
            "The assignment: two coffee chats by the end of Week 4. By the end of Week 2, "
            "if you don't have two yet, your instructors get the list of everyone you tried "
            "— aim for at least 8 people."
        )
    )
    return blocks
