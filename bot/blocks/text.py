"""Safe text for mrkdwn: user input can never form a mention, a link or stray formatting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.calendar import format_instant

_FORMATTING = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})


def escape(text: str) -> str:
    """Escape Slack's control characters so `<!channel>` and `<@U1>` show as plain text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def name(text: str) -> str:
    """A person's name for mrkdwn: escaped, and formatting marks replaced by look-alikes."""
    return escape(text).translate(_FORMATTING)


def linked_name(person: str, url: str | None) -> str:
    """The name linked to its LinkedIn profile when there is one."""
    if not url:
        return name(person)
    label = name(person).replace("|", "¦")
    return f"<{escape(url)}|{label}>"


def quote(text: str) -> str:
    """Multi-line user text as a mrkdwn quote, escaped."""
    return "\n".join("> " + escape(line) for line in text.splitlines())


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def truncate(text: str, limit: int) -> str:
    """Cut text to a Block Kit limit, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mrkdwn_section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, 3000)}, **extra}


def context(*elements: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(e, 3000)} for e in elements][:10],
    }


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, 150)}}


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def bullet_list(lines: Iterable[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 chat`, `2 chats`; `many` when the plural is not `one` + s (`person`, `people`)."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def when(instant: datetime, tz: ZoneInfo) -> str:
    """An instant for mrkdwn: Slack shows it in each reader's own timezone, locale and clock
    (`Oct 2, 2026 at 5:00 PM`, `tomorrow at 17:00`); where it can't, the fallback is the
    cohort's time (`Fri 2 Oct 2026, 17:00 MDT`). Not for plain text (notification text,
    headers, option labels): Slack doesn't render it there, so use `format_instant`."""
    stamp = int(instant.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{format_instant(instant, tz)}>"
