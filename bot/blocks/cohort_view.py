"""How instructors see one student, the same in the digests, the report and their App Home:
a line in words (no legend to decode), what instructors did about them, and a menu to act."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.blocks.ids import Action
from bot.blocks.text import mention, plain, when
from bot.domain.standing import CohortFacts, Standing
from bot.models import ActionKind, InstructorAction

Actions = Mapping[int, Sequence[InstructorAction]]
MENU = {
    ActionKind.NUDGE: "DM a nudge",
    ActionKind.EXTEND: "Extend the deadline…",
    ActionKind.EXCUSE: "Excuse from the assignment",
    ActionKind.UNEXCUSE: "Undo the excuse",
}


def chats_words(cohort: CohortFacts, student: Standing) -> str:
    if student.chat_count == 0:
        return "*no chat yet*"
    return f"*{student.chat_count}/{cohort.required_chats} chats*"


def list_words(cohort: CohortFacts, student: Standing) -> str:
    """How long their list of who hasn't responded is, against the seed's "at least 8" (which
    matters only while they are short of chats)."""
    count = student.unanswered_count
    if student.behind(cohort) and student.list_short(cohort):
        return f"*{count} waiting on a reply, fewer than {cohort.min_attempts}*"
    return f"{count} waiting on a reply"


def student_line(cohort: CohortFacts, student: Standing, now: datetime, rank: int = 0) -> str:
    """`1. @ben — no chat yet · 5 tried · 3 waiting on a reply, fewer than 8 · quiet 6 days`."""
    parts = [
        chats_words(cohort, student),
        f"{student.attempts} tried",
        list_words(cohort, student),
    ]
    quiet = student.quiet_days(now)
    if quiet >= 3:
        parts.append(f"quiet for {quiet} days")
    if student.extended:
        parts.append(f"deadline {when(student.deadline_at, cohort.tz)}")
    if student.excused:
        parts.append("*excused*")
    number = f"{rank}. " if rank else ""
    return f"{number}{mention(student.user_id)} — " + " · ".join(parts)


def done_about(cohort: CohortFacts, actions: Sequence[InstructorAction]) -> str | None:
    """What instructors did about a student, most recent last, or None."""
    if not actions:
        return None
    said = []
    for action in actions[-3:]:
        at = when(action.at, cohort.tz)
        what = {
            ActionKind.NUDGE: "nudged",
            ActionKind.EXTEND: "deadline extended",
            ActionKind.EXCUSE: "excused",
            ActionKind.UNEXCUSE: "excuse undone",
        }.get(ActionKind(action.kind), action.kind)
        said.append(f"{what} by {mention(action.by_user)}, {at}")
    return ":white_check_mark: " + " · ".join(said)


WHERE = ("checkpoint", "deadline", "report", "home")  # where a menu is: what to redraw after


def student_menu(cohort: CohortFacts, student: Standing, where: str) -> dict[str, Any]:
    """The overflow menu to act on a student; each option carries what, in which cohort, whom,
    and where the menu is (so that place shows what was done)."""
    kinds = [ActionKind.NUDGE, ActionKind.EXTEND]
    kinds.append(ActionKind.UNEXCUSE if student.excused else ActionKind.EXCUSE)
    return {
        "type": "overflow",
        "action_id": Action.STUDENT_MENU.value,
        "options": [
            {
                "text": plain(MENU[kind]),
                "value": f"{kind}:{cohort.id}:{student.student_id}:{where}",
            }
            for kind in kinds
        ],
    }
