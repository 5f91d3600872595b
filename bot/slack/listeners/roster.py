"""Membership events keep each cohort's roster in step with its students' channel; profile
changes keep a student's timezone (and so their quiet hours) current. Every event is scoped by
the workspace it came from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain.roster import member_joined, member_left, students_channel_cohorts, timezone_changed
from bot.slack.asker import Asker
from bot.slack.reply import Reply
from bot.slack.routes import Routes
from bot.webapi.lookups import profile_of


def joined(
    event: dict[str, Any],
    asker: Asker | None,
    session: Session,
    reply: Reply,
    client: WebClient,
    context: BoltContext,
    now: datetime,
) -> None:
    """Someone joined a channel: enrolled when it is a students' channel (not bots, admins)."""
    channel = event.get("channel")
    if asker is None or not isinstance(channel, str) or asker.user_id == context.bot_user_id:
        return
    if not students_channel_cohorts(session, asker.team_id, channel):
        return
    reply.commit()
    profile = profile_of(client, asker.user_id)
    if not (profile.is_bot or profile.is_admin):
        member_joined(session, asker.team_id, channel, asker.user_id, now)
        reply.commit()


def left(event: dict[str, Any], asker: Asker | None, session: Session, reply: Reply) -> None:
    """Someone left a students' channel: their enrollment rests (their log stays)."""
    channel = event.get("channel")
    if asker is not None and isinstance(channel, str):
        member_left(session, asker.team_id, channel, asker.user_id)
        reply.commit()


def profile_changed(
    event: dict[str, Any], asker: Asker | None, session: Session, reply: Reply
) -> None:
    """A person's Slack profile changed: keep their timezone, in this workspace only."""
    user = event.get("user")
    if asker is None or not isinstance(user, dict):
        return
    timezone = user.get("tz")
    timezone_changed(
        session, asker.team_id, asker.user_id, timezone if isinstance(timezone, str) else None
    )
    reply.commit()


def register(routes: Routes) -> None:
    routes.event("member_joined_channel", joined)
    routes.event("member_left_channel", left)
    routes.event("user_change", profile_changed)
