"""Wiring listeners onto the Bolt app: one slash command with subcommands, buttons, modals,
events — each kind with the middleware it needs (commands and buttons are acked first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext

from bot.blocks.ids import Action, Callback
from bot.slack.middleware import ack_first, watch_the_clock

Listener = Callable[..., None]


class Routes:
    """Registers listeners; remembers the subcommands so that anything else is "unknown"."""

    def __init__(self, app: App, command: str) -> None:
        self.app = app
        self.command_name = command
        self.subcommands: set[str] = set()

    def command(self, names: tuple[str, ...], listener: Listener) -> None:
        """`/coffee <name> …` for any of `names` ("" is the bare command)."""
        self.subcommands.update(names)

        def matches(context: BoltContext) -> bool:
            return context.get("subcommand") in names

        self.app.command(self.command_name, matchers=[matches], middleware=[ack_first])(listener)

    def unknown_command(self, listener: Listener) -> None:
        """Any subcommand no other listener takes (register it last)."""

        def matches(context: BoltContext) -> bool:
            return context.get("subcommand") not in self.subcommands

        self.app.command(self.command_name, matchers=[matches], middleware=[ack_first])(listener)

    def action(self, actions: tuple[Action, ...], listener: Listener) -> None:
        for action in actions:
            self.app.action(action.value, middleware=[ack_first])(listener)

    def view(self, callback: Callback, listener: Listener) -> None:
        self.app.view(callback.value, middleware=[watch_the_clock])(listener)

    def event(self, kind: str, listener: Listener, **constraints: Any) -> None:
        self.app.event(kind, **constraints)(listener)
