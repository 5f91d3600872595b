"""Events: App Home shows the student's progress."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks.home import home_view
from bot.domain.progress import progress_of
from bot.slack.deps import Deps
from bot.slack.listeners.context import asker


class AppHome:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def opened(self, event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        now = self.deps.now()
        with self.deps.session() as session:
            who = asker(session, body["team_id"], event["user"], None, now)
            progress = progress_of(session, who.enrollment, now) if who.enrollment else None
            view = home_view(progress, self.deps.settings.slash_command, now, who.why_not_enrolled)
        client.views_publish(user_id=event["user"], view=view)


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(AppHome(deps).opened)
