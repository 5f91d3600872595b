"""The App Home tab: a student's standing, or how to get started."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.help import help_blocks
from bot.blocks.status import problem_blocks, status_blocks
from bot.domain.standing import CohortFacts, Standing


def home_view(
    command: str,
    now: datetime,
    standing: tuple[CohortFacts, Standing] | None = None,
    not_enrolled: str | None = None,
) -> dict[str, Any]:
    """Status on top when the student is in a cohort, then the usage."""
    blocks: list[dict[str, Any]] = []
    if standing is not None:
        blocks += status_blocks(*standing, now, command)
        blocks.append({"type": "divider"})
    elif not_enrolled:
        blocks += problem_blocks(not_enrolled)
    blocks += help_blocks(command)
    return {"type": "home", "blocks": blocks[:100]}
