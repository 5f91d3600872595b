"""`/coffee forget NAME` and `/coffee forget me`: a student deletes what they logged, after
confirming it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks.forget import forget_contact_asked, forget_me_asked, forgotten
from bot.blocks.ids import Action
from bot.blocks.text import name
from bot.domain.errors import COMMAND, InvalidInput
from bot.domain.retention import contact_named, forget_contact, forget_student
from bot.models import Contact
from bot.slack.asker import Asker
from bot.slack.parsing import record_id
from bot.slack.reply import Reply
from bot.slack.routes import Routes

USAGE = (
    f"Say what to forget, like `{COMMAND} forget Ada Lovelace` (one person and all you logged "
    f"about them) or `{COMMAND} forget me` (everything you logged)."
)


def ask_to_forget(arguments: str, asker: Asker, session: Session, reply: Reply) -> None:
    """Show what would be deleted, with a button that deletes it once confirmed."""
    if not arguments.strip():
        raise InvalidInput(USAGE)
    student = asker.own_log()
    if arguments.strip().lower() == "me":
        count = session.scalar(select(func.count()).where(Contact.student_id == student.id))
        reply.message("Delete everything you logged?", forget_me_asked(int(count or 0)))
        return
    contact = contact_named(session, student, arguments)
    reply.message(f"Forget {contact.name}?", forget_contact_asked(contact.name, contact.id))


def forget(action: dict[str, Any], asker: Asker, session: Session, reply: Reply) -> None:
    """The confirmed button: delete, and say what was deleted."""
    value = str(action.get("value") or "")
    if value == "me":
        deleted = forget_student(session, asker.team_id, asker.user_id)
        reply.message("Deleted.", forgotten("everything you logged", deleted.line()), replace=True)
        return
    contact = contact_named(session, asker.own_log(), record_id(value.removeprefix("contact:")))
    who = name(contact.name)
    deleted = forget_contact(session, asker.own_log(), contact.id)
    reply.message("Deleted.", forgotten(f"*{who}*", deleted.line()), replace=True)


def register(routes: Routes) -> None:
    routes.command(("forget",), ask_to_forget)
    routes.action((Action.FORGET,), forget)
