"""Bolt listeners; `register` wires them all onto an app."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import Deps
from bot.slack.listeners import (
    actions,
    commands,
    errors,
    events,
    handins,
    reminders,
    roster,
    setup,
    views,
)


def register(app: App, deps: Deps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    events.register(app, deps)
    setup.register(app, deps)
    roster.register(app, deps)
    handins.register(app, deps)
    reminders.register(app, deps)
    errors.register(app)
