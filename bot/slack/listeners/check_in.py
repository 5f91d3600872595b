"""The three buttons of "Did your chat with … happen?": log it, rescheduled, didn't happen."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.ids import Action, Block
from bot.blocks.log_modals import chat_modal, schedule_modal
from bot.blocks.logbook import chat_missed_notice
from bot.domain.calendar import local_instant
from bot.domain.check_ins import chat_missed, scheduled_contact
from bot.domain.logbook import list_contacts
from bot.slack.asker import Asker
from bot.slack.listeners.logbook import SUGGESTED_TIME
from bot.slack.parsing import check_in_value
from bot.slack.reply import Reply
from bot.slack.routes import Routes


def happened(action: dict[str, Any], asker: Asker, session: Session, reply: Reply) -> None:
    """ "Yes — log it": the chat form, with that contact picked."""
    contact_id, _ = check_in_value(action.get("value"))
    student = asker.own_log()
    contact = scheduled_contact(session, student, contact_id)
    contacts = list_contacts(session, student)
    metadata = {"channel_id": asker.channel_id}
    reply.modal(chat_modal(asker.today, contacts, metadata, chosen=contact.id))


def rescheduled(action: dict[str, Any], asker: Asker, session: Session, reply: Reply) -> None:
    """ "Rescheduled": the when-is-the-chat form, starting from the planned time."""
    contact_id, _ = check_in_value(action.get("value"))
    contact = scheduled_contact(session, asker.own_log(), contact_id)
    at = contact.outreach.scheduled_for if contact.outreach else None
    suggested = local_instant(asker.today + timedelta(days=1), SUGGESTED_TIME, asker.zone)
    metadata = {"contact_id": contact.id, "channel_id": asker.channel_id}
    reply.modal(schedule_modal(contact.name, max(at, asker.now) if at else suggested, metadata))


def missed(
    action: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """ "Didn't happen": back to responded; the check-in becomes the note (alone in its DM)."""
    contact_id, planned_at = check_in_value(action.get("value"))
    contact = chat_missed(session, asker.own_log(), contact_id, planned_at, now, asker.today)
    alone = action.get("block_id") == Block.CHECK_IN
    reply.message("Noted: the chat didn't happen", chat_missed_notice(contact.name), replace=alone)


def register(routes: Routes) -> None:
    routes.action((Action.CHECK_IN_HAPPENED,), happened)
    routes.action((Action.CHECK_IN_RESCHEDULED,), rescheduled)
    routes.action((Action.CHECK_IN_MISSED,), missed)
