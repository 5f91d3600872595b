"""Buttons on the list: move a contact along, turn pages."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.ids import Action
from bot.blocks.logbook import contact_list
from bot.blocks.status import problem_blocks
from bot.blocks.text import escape
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.logbook import list_contacts, set_status
from bot.slack.deps import Deps
from bot.slack.listeners.context import asker

MOVE = re.compile(rf"^{Action.MOVE_PREFIX}(\w+)$")
PAGE = re.compile(rf"^{Action.PAGE}_\d+$")


class ListButtons:
    """Handles a click on the contact list and redraws the same page."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def move(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        match = MOVE.match(action.get("action_id", ""))
        try:
            contact_id, page = _ids(action.get("value", ""))
            status = match.group(1) if match else ""
            self._redraw(
                body,
                respond,
                page,
                lambda session, who: set_status(
                    session, who.student, contact_id, status, self.deps.now(), who.today
                ),
            )
        except DomainError as error:
            respond(
                text=escape(error.message),
                blocks=problem_blocks(error.message),
                replace_original=False,
                response_type="ephemeral",
            )

    def page(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        page = int(action.get("value", "0")) if action.get("value", "").isdigit() else 0
        self._redraw(body, respond, page, None)

    def _redraw(self, body: dict[str, Any], respond: Respond, page: int, change: Any) -> None:
        team_id = body.get("team", {}).get("id") or body["user"]["team_id"]
        channel_id = body.get("channel", {}).get("id")
        with self.deps.session() as session:
            who = asker(session, team_id, body["user"]["id"], channel_id, self.deps.now())
            if change is not None:
                change(session, who)
            blocks = contact_list(
                list_contacts(session, who.student), self.deps.settings.slash_command, page
            )
        respond(text="Your coffee-chat log", blocks=blocks, replace_original=True)


def _ids(value: str) -> tuple[int, int]:
    contact, _, page = value.partition(":")
    if not contact.isdigit():
        raise InvalidInput("That button is out of date. Run `list` again.")
    return int(contact), int(page) if page.isdigit() else 0


def register(app: App, deps: Deps) -> None:
    buttons = ListButtons(deps)
    app.action(MOVE)(buttons.move)
    app.action(PAGE)(buttons.page)
