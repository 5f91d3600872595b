"""Membership events keep each cohort's roster in step with its students' channel; profile
changes keep a student's timezone (and so their quiet hours) current."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.domain.roster import (
    member_joined,
    member_left,
    students_channel_cohorts,
    timezone_changed,
)
from bot.slack.deps import Deps
from bot.webapi.lookups import profile_of


class RosterEvents:
    """Someone joining a students' channel is enrolled; leaving makes them inactive."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def joined(
        self, event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        user_id, channel_id = event.get("user"), event.get("channel")
        team_id = event.get("team") or body.get("team_id")
        if not user_id or not channel_id or not team_id or user_id == context.bot_user_id:
            return
        with self.deps.session() as session:
            if not students_channel_cohorts(session, team_id, channel_id):
                return
        if profile_of(client, user_id).is_bot:
            return
        with self.deps.session() as session:
            member_joined(session, team_id, channel_id, user_id, self.deps.now())

    def left(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        user_id, channel_id = event.get("user"), event.get("channel")
        team_id = event.get("team") or body.get("team_id")
        if not user_id or not channel_id or not team_id:
            return
        with self.deps.session() as session:
            member_left(session, team_id, channel_id, user_id)

    def profile_changed(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user")
        if not isinstance(user, dict) or not user.get("id"):
            return
        team_id = user.get("team_id") or body.get("team_id")
        if not team_id:
            return
        with self.deps.session() as session:
            timezone_changed(session, team_id, user["id"], user.get("tz"))


def register(app: App, deps: Deps) -> None:
    events = RosterEvents(deps)
    app.event("member_joined_channel")(events.joined)
    app.event("member_left_channel")(events.left)
    app.event("user_change")(events.profile_changed)
