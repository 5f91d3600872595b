"""Modal submissions: validate, save, and turn the modal into a confirmation."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.ids import Block, Callback
from bot.blocks.logbook import chat_logged, outreach_logged
from bot.blocks.modals import done_view
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.logbook import PersonInput, log_chat, log_outreach, tally
from bot.domain.referrals import add_chat_notes, read_chat_notes
from bot.domain.reflections import last_differently
from bot.models import OutreachChannel
from bot.slack.deps import Deps
from bot.slack.listeners.context import asker
from bot.slack.parsing import metadata, parse_date, view_values

FIELD_BLOCKS = {
    "name": Block.NAME,
    "linkedin": Block.LINKEDIN,
    "role": Block.ROLE,
    "company": Block.COMPANY,
    "source": Block.SOURCE,
    "channel": Block.CHANNEL,
    "date": Block.DATE,
    "note": Block.NOTE,
    "takeaways": Block.TAKEAWAYS,
    "referrals": Block.REFERRALS,
}


def field_errors(error: DomainError, view: dict[str, Any]) -> dict[str, str]:
    """The error placed on the field it concerns (or the first field, when unknown)."""
    present = list(view.get("state", {}).get("values", {}))
    block = FIELD_BLOCKS.get(getattr(error, "field", None) or "", "")
    if block not in present:
        block = Block.NAME if Block.NAME in present else (present[0] if present else Block.NAME)
    return {str(block): error.message[:2000]}


class LogModals:
    """Saves the outreach and chat modals."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def outreach(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view_values(view)
        now = self.deps.now()
        person = PersonInput(
            name=values.get(Block.NAME) or "",
            linkedin_url=values.get(Block.LINKEDIN),
            role=values.get(Block.ROLE),
            company=values.get(Block.COMPANY),
            source=values.get(Block.SOURCE),
        )
        try:
            with self.deps.session() as session:
                who = self._asker(session, body, view, now)
                logged = log_outreach(
                    session,
                    who.student,
                    person,
                    now,
                    who.today,
                    sent_on=parse_date(values.get(Block.DATE), "date"),
                    channel=values.get(Block.CHANNEL) or OutreachChannel.LINKEDIN,
                    note=values.get(Block.NOTE),
                )
                attempts = tally(session, who.student).attempts
                blocks = outreach_logged(logged.contact, logged.created, attempts)
        except DomainError as error:
            ack(response_action="errors", errors=field_errors(error, view))
            return
        ack(response_action="update", view=done_view("Outreach logged", blocks))

    def chat(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view_values(view)
        now = self.deps.now()
        picked = values.get(Block.CONTACT)
        typed = values.get(Block.NAME)
        try:
            if picked and typed:
                raise InvalidInput("Pick a contact or type a new name, not both.", "name")
            if not picked and not (typed or "").strip():
                raise InvalidInput("Pick a contact you reached out to, or type a new name.", "name")
            notes = read_chat_notes(values.get(Block.TAKEAWAYS), values.get(Block.REFERRALS))
            with self.deps.session() as session:
                who = self._asker(session, body, view, now)
                logged = log_chat(
                    session,
                    who.student,
                    None if picked else PersonInput(typed or "", values.get(Block.LINKEDIN)),
                    now,
                    who.today,
                    held_on=parse_date(values.get(Block.DATE), "date"),
                    note=values.get(Block.NOTE),
                    contact_id=int(picked) if picked else None,
                )
                referred = add_chat_notes(session, who.student, logged.contact, notes, now)
                chats = tally(session, who.student).chats
                required = who.enrollment.cohort.required_chats if who.enrollment else None
                blocks = chat_logged(
                    logged.contact,
                    logged.created,
                    chats,
                    required,
                    referred,
                    last_differently(session, who.enrollment),
                    reflect=who.enrollment is not None,
                )
        except DomainError as error:
            ack(response_action="errors", errors=field_errors(error, view))
            return
        ack(response_action="update", view=done_view("Chat logged", blocks))

    def _asker(self, session: Any, body: dict[str, Any], view: dict[str, Any], now: Any) -> Any:
        team_id = view.get("team_id") or body["user"]["team_id"]
        return asker(session, team_id, body["user"]["id"], metadata(view).get("channel_id"), now)


def register(app: App, deps: Deps) -> None:
    modals = LogModals(deps)
    app.view(Callback.OUTREACH_MODAL.value)(modals.outreach)
    app.view(Callback.CHAT_MODAL.value)(modals.chat)
