"""The post in the instructors' channel: who handed in, the two LinkedIns, the four answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.text import context, escape, header, mention, mrkdwn_section, name, when
from bot.domain.reflections import QUESTIONS
from bot.models import Chat, Cohort, Submission

SECTION_TEXT = 2900  # under Slack's 3,000 for a section, with room for the markup


def handin_post(
    submission: Submission,
    chats: tuple[Chat, Chat],
    cohort: Cohort,
    user_id: str,
    deadline: datetime,
) -> tuple[str, list[dict[str, Any]]]:
    """The notification text and blocks of a student's hand-in; every user text is escaped."""
    tz = ZoneInfo(cohort.timezone)
    handed = f"*Handed in:* {when(submission.submitted_at, tz)}"
    if submission.late:
        handed += f"  :alarm_clock: *Late* (deadline {when(deadline, tz)})"
    if submission.revision > 1:
        handed += f"  ·  updated (version {submission.revision})"
    people = "\n".join(
        f"{index}. *{name(chat.contact.name)}* — {_profile(chat.contact.linkedin_url)} — "
        f"chatted {chat.held_on:%b} {chat.held_on.day}"
        for index, chat in enumerate(chats, 1)
    )
    blocks: list[dict[str, Any]] = [
        header(f"Coffee-chat hand-in — {cohort.name}"),
        mrkdwn_section(f"*Student:* {mention(user_id)}\n{handed}"),
        mrkdwn_section(f"*The two people they chatted with*\n{people}"),
        {"type": "divider"},
    ]
    for number, question in enumerate(QUESTIONS, 1):
        chunks = quoted_chunks(submission.answers.get(question.key, ""))
        title = f"*{number}. {question.text}*"
        blocks.append(mrkdwn_section(f"{title}\n{chunks[0]}"))
        blocks += [mrkdwn_section(chunk) for chunk in chunks[1:]]
    blocks.append(context("Handing in again edits this post. Sent by Coffee Chat."))
    text = f"Coffee-chat hand-in from {mention(user_id)}" + (" (late)" if submission.late else "")
    return text, blocks


def _profile(url: str | None) -> str:
    """The LinkedIn URL, once, as a link that shows the URL itself (the deliverable)."""
    return f"<{escape(url)}>" if url else "no LinkedIn"


def quoted_chunks(answer: str, limit: int = SECTION_TEXT - 200) -> list[str]:
    """An answer as escaped mrkdwn quote lines, split so no section goes over Slack's limit."""
    lines: list[str] = []
    for raw in answer.splitlines() or [""]:
        piece, size = "", 2
        for char in raw:
            width = len(escape(char))
            if size + width > limit:
                lines.append("> " + escape(piece))
                piece, size = "", 2
            piece += char
            size += width
        lines.append("> " + escape(piece) if piece.strip() else ">")
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    chunks.append(current)
    return chunks
