"""The `/coffee` slash command: ack at once, then do the work and answer ephemerally."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks.help import help_blocks, help_text
from bot.blocks.logbook import chat_logged, contact_list, outreach_logged
from bot.blocks.modals import chat_modal, outreach_modal
from bot.blocks.status import problem_blocks, status_blocks
from bot.blocks.text import escape
from bot.domain.errors import DomainError
from bot.domain.logbook import list_contacts, log_chat, log_outreach, tally
from bot.domain.progress import progress_of
from bot.domain.reflections import last_differently
from bot.slack.deps import Deps
from bot.slack.listeners.context import asker
from bot.slack.listeners.handins import Handins
from bot.slack.listeners.setup import SetupCommand
from bot.slack.parsing import person_from_arguments, split_command

log = logging.getLogger(__name__)


class CoffeeCommand:
    """Routes `/coffee <subcommand>` to the right piece of work."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.name = deps.settings.slash_command
        self.routes = {
            "": self.help,
            "help": self.help,
            "outreach": self.outreach,
            "chat": self.chat,
            "list": self.list,
            "status": self.status,
            "setup": SetupCommand(deps).open,
            "reflect": Handins(deps).reflect_command,
            "submit": Handins(deps).submit_command,
        }

    def __call__(self, ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        parsed = split_command(body.get("text"))
        route = self.routes.get(parsed.subcommand)
        if route is None:
            problem = f"I don't know `{parsed.subcommand[:30]}`. Here's what I can do:"
            respond(text=help_text(self.name), blocks=help_blocks(self.name, problem))
            return
        try:
            route(parsed.arguments, body, respond, client)
        except DomainError as error:
            respond(text=escape(error.message), blocks=problem_blocks(error.message))

    def help(self, _args: str, _body: dict[str, Any], respond: Respond, _c: WebClient) -> None:
        respond(text=help_text(self.name), blocks=help_blocks(self.name))

    def outreach(
        self, args: str, body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        now = self.deps.now()
        with self.deps.session() as session:
            who = asker(session, body["team_id"], body["user_id"], body.get("channel_id"), now)
            if not args:
                view = outreach_modal(who.today, {"channel_id": body.get("channel_id")})
            else:
                person = person_from_arguments(args, f"{self.name} outreach")
                logged = log_outreach(session, who.student, person, now, who.today, who.today)
                attempts = tally(session, who.student).attempts
                blocks = outreach_logged(logged.contact, logged.created, attempts)
        if not args:
            client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        respond(text="Outreach logged.", blocks=blocks)

    def chat(self, args: str, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        now = self.deps.now()
        with self.deps.session() as session:
            who = asker(session, body["team_id"], body["user_id"], body.get("channel_id"), now)
            if not args:
                contacts = list_contacts(session, who.student)
                view = chat_modal(who.today, contacts, {"channel_id": body.get("channel_id")})
            else:
                person = person_from_arguments(args, f"{self.name} chat")
                logged = log_chat(session, who.student, person, now, who.today, who.today)
                chats = tally(session, who.student).chats
                required = who.enrollment.cohort.required_chats if who.enrollment else None
                blocks = chat_logged(
                    logged.contact,
                    logged.created,
                    chats,
                    required,
                    differently=last_differently(session, who.enrollment),
                    reflect=who.enrollment is not None,
                )
        if not args:
            client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        respond(text="Chat logged.", blocks=blocks)

    def list(self, _args: str, body: dict[str, Any], respond: Respond, _c: WebClient) -> None:
        with self.deps.session() as session:
            who = asker(
                session, body["team_id"], body["user_id"], body.get("channel_id"), self.deps.now()
            )
            blocks = contact_list(list_contacts(session, who.student), self.name)
        respond(text="Your coffee-chat log", blocks=blocks)

    def status(self, _args: str, body: dict[str, Any], respond: Respond, _c: WebClient) -> None:
        now = self.deps.now()
        with self.deps.session() as session:
            who = asker(session, body["team_id"], body["user_id"], body.get("channel_id"), now)
            blocks = status_blocks(progress_of(session, who.require_enrollment(), now), now)
        respond(text="Your coffee-chat progress", blocks=blocks)


def register(app: App, deps: Deps) -> None:
    app.command(deps.settings.slash_command)(CoffeeCommand(deps))
