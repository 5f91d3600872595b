"""Buttons on the scheduled DMs: "Sent" on the thank-you reminder."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.ids import Action
from bot.blocks.reminders import thank_you_recorded
from bot.blocks.status import problem_blocks
from bot.blocks.text import escape
from bot.domain.cohorts import get_or_create_student
from bot.domain.errors import DomainError
from bot.domain.thank_you import mark_thank_you_sent
from bot.slack.deps import Deps


class ThankYouButton:
    """Records the thank-you and turns the reminder into a confirmation."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def __call__(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        value = str(action.get("value", ""))
        team_id = body.get("team", {}).get("id") or body["user"]["team_id"]
        try:
            if not value.isdigit():
                raise DomainError("That button is out of date. Run `list` to see your log.")
            with self.deps.session() as session:
                student = get_or_create_student(session, team_id, body["user"]["id"])
                chat = mark_thank_you_sent(session, student, int(value), self.deps.now())
                message = thank_you_recorded(chat.contact.name, chat.contact.linkedin_url)
        except DomainError as error:
            respond(
                text=escape(error.message),
                blocks=problem_blocks(error.message),
                replace_original=False,
                response_type="ephemeral",
            )
            return
        respond(text=message.text, blocks=message.blocks, replace_original=True)


def register(app: App, deps: Deps) -> None:
    app.action(Action.THANK_YOU_SENT)(ThankYouButton(deps))
