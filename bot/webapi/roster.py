"""Enrolling a cohort's students' channel: the one sync the setup form and the shell share."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.setup import RosterOutcome
from bot.db import session_scope
from bot.domain.roster import enroll_members
from bot.models import Cohort
from bot.webapi.errors import error_code
from bot.webapi.lookups import channel_members, profile_of


def sync_students_channel(
    client: WebClient,
    sessions: sessionmaker[Session],
    cohort_id: int,
    bot_user_id: str | None,
    now: datetime,
) -> RosterOutcome:
    """Enroll every person in the cohort's students' channel (idempotent).

    Not enrolled: the bot, other bots and deactivated accounts, the cohort's instructors, and
    workspace admins and owners (users.info). Nobody is removed. When Slack won't list the
    channel's members, the outcome carries its error code and nothing changes. Transport
    failures are raised.
    """
    with session_scope(sessions) as session:
        cohort = session.get(Cohort, cohort_id)
        if cohort is None or not cohort.students_channel:
            return RosterOutcome()
        channel = cohort.students_channel
        instructors = set(cohort.instructor_ids or [])
    try:
        members = channel_members(client, channel)
    except SlackApiError as error:  # the caller tells whoever asked; no log line of its own
        return RosterOutcome(error=error_code(error))
    skip = {bot_user_id} if bot_user_id else set()
    for member in members:
        if member in instructors or member in skip:
            continue
        profile = profile_of(client, member)
        if profile.is_bot or profile.is_admin:
            skip.add(member)
    with session_scope(sessions) as session:
        current = session.get(Cohort, cohort_id)
        assert current is not None
        result = enroll_members(session, current, members, skip, now)
    return RosterOutcome(enrolled=len(result.enrolled), already=len(result.already))
