"""Where a student stands: `/coffee status`, and the App Home tab (which enrolls nobody)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.home import STANDING_SHOWN, newcomer_home, student_home
from bot.blocks.status import status_blocks
from bot.domain.errors import with_command
from bot.domain.read_model import cohort_facts, student_standing
from bot.domain.roles import NOT_ENROLLED_YET
from bot.slack.asker import Asker
from bot.slack.listeners.instructors import home_for_instructor
from bot.slack.reply import Reply
from bot.slack.routes import Routes


def status(asker: Asker, session: Session, reply: Reply, now: datetime) -> None:
    """`/coffee status`: chats, people tried, who hasn't answered, the dates, the hand-in."""
    enrollment = asker.require_student()
    standing = student_standing(session, enrollment, STANDING_SHOWN)
    blocks = status_blocks(cohort_facts(enrollment.cohort), standing, now, reply.command)
    reply.message("Your coffee-chat progress", blocks)


def app_home(
    event: dict[str, Any], asker: Asker | None, session: Session, reply: Reply, now: datetime
) -> None:
    """A student's standing and buttons; otherwise how to get started.

    The instructors' App Home is its own view: it goes here, before the student's (an
    instructor is never enrolled as a student).
    """
    if asker is None or event.get("tab", "home") != "home":
        return
    if asker.is_instructor:
        home_for_instructor(asker, session, reply, now)
        return
    enrollment = asker.enrollment
    if enrollment is None:
        why = with_command(NOT_ENROLLED_YET, reply.command)
        reply.home(newcomer_home(reply.command, why))
        return
    standing = student_standing(session, enrollment, STANDING_SHOWN)
    reply.home(student_home(reply.command, now, cohort_facts(enrollment.cohort), standing))


def register(routes: Routes) -> None:
    routes.command(("status",), status)
    routes.event("app_home_opened", app_home)
