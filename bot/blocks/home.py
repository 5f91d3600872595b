"""The App Home tab: progress for a student, or how to get started."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.help import help_blocks
from bot.blocks.status import problem_blocks, status_blocks
from bot.domain.progress import Progress


def home_view(
    progress: Progress | None, command: str, now: datetime, not_enrolled: str | None = None
) -> dict[str, Any]:
    """Status on top when the student is in a cohort, then the usage."""
    blocks: list[dict[str, Any]] = []
    if progress is not None:
        blocks += status_blocks(progress, now)
        blocks.append({"type": "divider"})
    elif not_enrolled:
        blocks += problem_blocks(not_enrolled)
    blocks += help_blocks(command)
    return {"type": "home", "blocks": blocks[:100]}
