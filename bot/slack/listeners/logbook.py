"""The student's log: `/coffee outreach`, `/coffee chat`, `/coffee list`, their modals and the
list's buttons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.forms import done_view
from bot.blocks.ids import MOVES, Action, Callback
from bot.blocks.log_modals import chat_modal, outreach_modal
from bot.blocks.logbook import chat_logged, contact_list, outreach_logged
from bot.blocks.packing import Blocks
from bot.domain.logbook import Logged, list_contacts, log_chat, log_outreach, set_status, tally
from bot.domain.referrals import add_chat_notes
from bot.domain.reflections import last_differently
from bot.models import Contact, Enrollment, Student
from bot.slack.asker import Asker
from bot.slack.parsing import Form, page_number, person_from_arguments, record_id
from bot.slack.reply import Reply
from bot.slack.routes import Routes
from bot.slack.submissions import chat_entry, outreach_entry


def outreach(arguments: str, asker: Asker, session: Session, reply: Reply, now: datetime) -> None:
    """`/coffee outreach [NAME [LINKEDIN_URL]]`: log an attempt, or open the form."""
    student, _ = asker.logbook()
    if not arguments:
        reply.modal(outreach_modal(asker.today, {"channel_id": asker.channel_id}))
        return
    person = person_from_arguments(arguments, "outreach")
    logged = log_outreach(session, student, person, now, asker.today, asker.today)
    reply.message("Outreach logged.", _outreach_done(session, student, logged))


def chat(arguments: str, asker: Asker, session: Session, reply: Reply, now: datetime) -> None:
    """`/coffee chat [NAME [LINKEDIN_URL]]`: log a chat held, or open the form."""
    student, enrollment = asker.logbook()
    if not arguments:
        contacts = list_contacts(session, student)
        reply.modal(chat_modal(asker.today, contacts, {"channel_id": asker.channel_id}))
        return
    person = person_from_arguments(arguments, "chat")
    logged = log_chat(session, student, person, now, asker.today, asker.today)
    reply.message("Chat logged.", _chat_done(session, student, enrollment, logged))


def show_list(asker: Asker, session: Session, reply: Reply) -> None:
    """`/coffee list`: everyone they contacted, with buttons to move each along."""
    student, _ = asker.logbook()
    blocks = contact_list(list_contacts(session, student), reply.command)
    reply.message("Your coffee-chat log", blocks)


def move(
    action: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """A status button on the list: move that contact along, redraw the same page."""
    contact_id, page = _contact_and_page(action.get("value"))
    student = asker.own_log()
    set_status(session, student, contact_id, MOVES[Action(action["action_id"])], now, asker.today)
    blocks = contact_list(list_contacts(session, student), reply.command, page)
    reply.message("Your coffee-chat log", blocks, replace=True)


def turn_page(action: dict[str, Any], asker: Asker, session: Session, reply: Reply) -> None:
    """← Newer / Older → on the list."""
    page = page_number(action.get("value"))
    blocks = contact_list(list_contacts(session, asker.own_log()), reply.command, page)
    reply.message("Your coffee-chat log", blocks, replace=True)


def save_outreach(
    view: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """The outreach form: log it, turn the form into the confirmation."""
    entry = outreach_entry(Form(view))
    student, _ = asker.logbook()
    logged = log_outreach(
        session, student, entry.person, now, asker.today, entry.sent_on, entry.channel, entry.note
    )
    reply.saved(done_view("Outreach logged", _outreach_done(session, student, logged)))


def save_chat(
    view: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """The chat form: log the chat (with someone in the log or someone new), notes, referrals."""
    entry = chat_entry(Form(view))
    student, enrollment = asker.logbook()
    logged = log_chat(
        session,
        student,
        entry.person,
        now,
        asker.today,
        entry.held_on,
        entry.note,
        entry.contact_id,
    )
    referred = add_chat_notes(session, student, logged.contact, entry.notes, now)
    blocks = _chat_done(session, student, enrollment, logged, referred)
    reply.saved(done_view("Chat logged", blocks))


def _outreach_done(session: Session, student: Student, logged: Logged) -> Blocks:
    return outreach_logged(logged.contact, logged.created, tally(session, student).attempts)


def _chat_done(
    session: Session,
    student: Student,
    enrollment: Enrollment | None,
    logged: Logged,
    referred: Sequence[Contact] = (),
) -> Blocks:
    """The confirmation: chats so far, referrals added, what they wanted to do differently."""
    required = enrollment.cohort.required_chats if enrollment else None
    return chat_logged(
        logged.contact,
        logged.created,
        tally(session, student).chats,
        required,
        referred,
        last_differently(session, enrollment),
        reflect=enrollment is not None,
    )


def _contact_and_page(value: object) -> tuple[int, int]:
    """A status button's value: `<contact id>:<page>`."""
    contact, _, page = (value if isinstance(value, str) else "").partition(":")
    return record_id(contact), page_number(page)


def register(routes: Routes) -> None:
    routes.command(("outreach",), outreach)
    routes.command(("chat",), chat)
    routes.command(("list",), show_list)
    routes.action(tuple(MOVES), move)
    routes.action((Action.PAGE_NEWER, Action.PAGE_OLDER), turn_page)
    routes.view(Callback.OUTREACH_MODAL, save_outreach)
    routes.view(Callback.CHAT_MODAL, save_chat)
