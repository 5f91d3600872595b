"""Bolt listeners, one module per feature; `register` wires them all onto an app."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import (
    check_in,
    forget,
    installs,
    instructors,
    logbook,
    reflections,
    roster,
    setup,
    status,
    thank_you,
    usage,
)
from bot.slack.routes import Routes


def register(app: App, command: str) -> None:
    routes = Routes(app, command)
    features = (
        logbook,
        status,
        reflections,
        setup,
        thank_you,
        check_in,
        roster,
        instructors,
        forget,
    )
    for feature in (*features, installs):
        feature.register(routes)
    usage.register(routes)  # last: it takes every subcommand the others don't
