"""Fitting long content into Block Kit's limits: sections of 3,000 characters, 50 blocks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.blocks.text import mrkdwn_section, truncate

SECTION_CHARS = 3000
MAX_BLOCKS = 50
MESSAGE_CHARS = 12000  # far below Slack's payload limits, and still readable on a phone

Blocks = list[dict[str, Any]]


@dataclass(frozen=True)
class Message:
    """One message: the notification text and its blocks; `thread` for replies under it."""

    text: str
    blocks: Blocks
    thread: list[Message] = field(default_factory=list)


def pack_lines(lines: Sequence[str], separator: str = "\n") -> Blocks:
    """Mrkdwn sections holding `lines` in order, none over Slack's 3,000 characters.

    A line longer than a section on its own is cut (the cut is marked).
    """
    sections: Blocks = []
    current = ""
    for raw in lines:
        line = truncate(raw, SECTION_CHARS)
        if current and len(current) + len(separator) + len(line) > SECTION_CHARS:
            sections.append(mrkdwn_section(current))
            current = line
        else:
            current = f"{current}{separator}{line}" if current else line
    if current:
        sections.append(mrkdwn_section(current))
    return sections


def size(block: dict[str, Any]) -> int:
    """Roughly how many characters a block shows."""
    total = 0
    stack: list[Any] = [block]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            total += len(node)
    return total


def paginate(
    blocks: Blocks, max_blocks: int = MAX_BLOCKS, max_chars: int = MESSAGE_CHARS
) -> list[Blocks]:
    """Split blocks into pages within the block and character budgets, keeping their order.

    A divider is never left at the top or the bottom of a page.
    """
    pages: list[Blocks] = []
    page: Blocks = []
    chars = 0
    for block in blocks:
        cost = size(block)
        if page and (len(page) >= max_blocks or chars + cost > max_chars):
            pages.append(page)
            page, chars = [], 0
        if not page and block.get("type") == "divider":
            continue
        page.append(block)
        chars += cost
    if page:
        pages.append(page)
    for current in pages:
        while current and current[-1].get("type") == "divider":
            current.pop()
    return [p for p in pages if p]
