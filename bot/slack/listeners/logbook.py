"""The student's log: `/coffee outreach`, `/coffee chat`, `/coffee list`, their modals, the
list's ⋯ menus and buttons (I reached out, drafts, undo), and when a scheduled chat is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.forms import done_view
from bot.blocks.ids import MOVES, Action, Callback, Choice
from bot.blocks.log_modals import chat_modal, outreach_modal, schedule_modal
from bot.blocks.logbook import (
    PAGE_SIZE,
    chat_logged,
    contact_list,
    drafts_modal,
    outreach_logged,
    prep_card,
    reached_out_notice,
    removed_notice,
    restored_notice,
    scheduled_saved,
)
from bot.blocks.packing import Blocks
from bot.domain.calendar import local_instant
from bot.domain.drafts import drafts_for
from bot.domain.logbook import (
    Logged,
    contacts_page,
    get_contact,
    list_contacts,
    log_chat,
    log_outreach,
    reached_out,
    restore_chat,
    schedule_chat,
    set_status,
    tally,
)
from bot.domain.referrals import add_chat_notes
from bot.domain.reflections import last_differently
from bot.models import Contact, Enrollment, OutreachStatus, Student
from bot.slack.asker import Asker
from bot.slack.parsing import (
    Form,
    contact_and_page,
    menu_choice,
    page_number,
    person_from_arguments,
    record_id,
)
from bot.slack.reply import Reply
from bot.slack.routes import Routes
from bot.slack.submissions import chat_entry, outreach_entry, schedule_entry

LIST_TEXT = "Your coffee-chat log"
SUGGESTED_TIME = time(12, 0)  # a scheduled chat's form starts at noon tomorrow


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


def open_outreach(asker: Asker, reply: Reply) -> None:
    """ "Log outreach" (App Home, kickoff): the outreach form."""
    asker.logbook()
    reply.modal(outreach_modal(asker.today, {"channel_id": asker.channel_id}))


def open_chat(asker: Asker, session: Session, reply: Reply) -> None:
    """ "Log a chat" (App Home): the chat form."""
    student, _ = asker.logbook()
    contacts = list_contacts(session, student)
    reply.modal(chat_modal(asker.today, contacts, {"channel_id": asker.channel_id}))


def show_list(asker: Asker, session: Session, reply: Reply) -> None:
    """`/coffee list`: everyone they contacted, one line and one ⋯ menu each."""
    student, _ = asker.logbook()
    reply.message(LIST_TEXT, _list(session, student, asker, reply))


def move(
    action: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """A one-tap status button of a list sent before the ⋯ menus: a move that would remove a
    logged chat is refused (the menu asks for a confirmation)."""
    contact_id, page = contact_and_page(action.get("value"))
    student = asker.own_log()
    status = MOVES[Action(action["action_id"])]
    set_status(session, student, contact_id, status, now, asker.today)
    reply.message(LIST_TEXT, _list(session, student, asker, reply, page), replace=True)


def pick(
    action: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """A choice in a contact's ⋯ menu. In a chat's menu every move removes the chat: Slack
    asked for the confirmation before sending it, and the list offers an undo."""
    choice, contact_id, page = menu_choice(action)
    student = asker.own_log()
    confirmed = action.get("action_id") == Action.CHAT_MENU
    if choice == Choice.DRAFTS:
        show_drafts(student, contact_id, asker, session, reply)
    elif choice == Choice.PREP:
        contact = get_contact(session, student, contact_id)
        at = contact.outreach.scheduled_for if contact.outreach else None
        reply.message("Prep card", prep_card(contact.name, at, asker.zone))
    elif choice in (Choice.SCHEDULED, Choice.WHEN):
        schedule(student, contact_id, page, confirmed, asker, session, reply, now)
    else:
        moved = set_status(
            session, student, contact_id, choice.value, now, asker.today, remove_chat=confirmed
        )
        notice = removed_notice(moved.contact, moved.removed, page) if moved.removed else []
        blocks = _list(session, student, asker, reply, page, notice)
        reply.message(LIST_TEXT, blocks, replace=True)


def schedule(
    student: Student,
    contact_id: int,
    page: int,
    confirmed: bool,
    asker: Asker,
    session: Session,
    reply: Reply,
    now: datetime,
) -> None:
    """Chat scheduled: the form asking when (first: its trigger lasts 3 s), then the list with
    the prep card on top."""
    moved = set_status(
        session,
        student,
        contact_id,
        OutreachStatus.SCHEDULED,
        now,
        asker.today,
        remove_chat=confirmed,
    )
    contact = moved.contact
    at = contact.outreach.scheduled_for if contact.outreach else None
    suggested = local_instant(asker.today + timedelta(days=1), SUGGESTED_TIME, asker.zone)
    metadata = {"contact_id": contact.id, "channel_id": asker.channel_id}
    reply.modal(schedule_modal(contact.name, at or suggested, metadata))
    notice = removed_notice(contact, moved.removed, page) if moved.removed else []
    notice += prep_card(contact.name, at, asker.zone)
    reply.message(LIST_TEXT, _list(session, student, asker, reply, page, notice), replace=True)


def save_schedule(
    view: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """The "when is the chat?" form: keep the time, show it."""
    entry = schedule_entry(Form(view))
    contact = schedule_chat(session, asker.own_log(), entry.contact_id, entry.at, now, asker.today)
    blocks = scheduled_saved(contact.name, entry.at, asker.zone, reply.command)
    reply.saved(done_view("Chat scheduled", blocks))


def reach_out(
    action: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """ "I reached out" on a lead: an outreach sent today; the list (or the form) shows it."""
    contact_id, page = contact_and_page(action.get("value"))
    student = asker.own_log()
    logged = reached_out(session, student, contact_id, now, asker.today)
    if reply.in_modal:
        reply.modal(done_view("Outreach logged", _outreach_done(session, student, logged)))
        return
    notice = reached_out_notice(logged.contact)
    reply.message(LIST_TEXT, _list(session, student, asker, reply, page, notice), replace=True)


def open_drafts(action: dict[str, Any], asker: Asker, session: Session, reply: Reply) -> None:
    """A drafts button: the texts for that contact, to copy."""
    show_drafts(asker.own_log(), record_id(action.get("value")), asker, session, reply)


def show_drafts(
    student: Student, contact_id: int, asker: Asker, session: Session, reply: Reply
) -> None:
    drafts = drafts_for(session, student, contact_id)
    reply.modal(drafts_modal(drafts, {"channel_id": asker.channel_id}))


def close_drafts(reply: Reply) -> None:
    """ "Done" on the drafts: nothing to keep (they are copied, not sent)."""
    reply.saved()


def undo_remove(
    action: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """Undo on a removed chat: the chat is back as it was."""
    contact_id, page = contact_and_page(action.get("value"))
    student = asker.own_log()
    contact = restore_chat(session, student, contact_id, now)
    notice = restored_notice(contact)
    reply.message(LIST_TEXT, _list(session, student, asker, reply, page, notice), replace=True)


def turn_page(action: dict[str, Any], asker: Asker, session: Session, reply: Reply) -> None:
    """← Newer / Older → on the list."""
    page = page_number(action.get("value"))
    blocks = _list(session, asker.own_log(), asker, reply, page)
    reply.message(LIST_TEXT, blocks, replace=True)


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


def _list(
    session: Session,
    student: Student,
    asker: Asker,
    reply: Reply,
    page: int = 0,
    notice: Blocks | None = None,
) -> Blocks:
    shown = contacts_page(session, student, page, PAGE_SIZE)
    return contact_list(shown, reply.command, notice or [], asker.zone)


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


def register(routes: Routes) -> None:
    routes.command(("outreach",), outreach)
    routes.command(("chat",), chat)
    routes.command(("list",), show_list)
    routes.action(tuple(MOVES), move)
    routes.action((Action.CONTACT_MENU, Action.CHAT_MENU), pick)
    routes.action((Action.REACHED_OUT,), reach_out)
    routes.action((Action.OPEN_DRAFTS,), open_drafts)
    routes.action((Action.UNDO_REMOVE,), undo_remove)
    routes.action((Action.OPEN_OUTREACH,), open_outreach)
    routes.action((Action.OPEN_CHAT,), open_chat)
    routes.action((Action.PAGE_NEWER, Action.PAGE_OLDER), turn_page)
    routes.view(Callback.OUTREACH_MODAL, save_outreach)
    routes.view(Callback.CHAT_MODAL, save_chat)
    routes.view(Callback.SCHEDULE_MODAL, save_schedule)
    routes.view(Callback.DRAFTS_MODAL, close_drafts)
