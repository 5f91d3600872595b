"""`/coffee setup`: open the cohort form, save it, then enroll the students' channel."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.ids import Callback
from bot.blocks.setup import ROSTER_FAILED, RosterOutcome, saved_view, setup_modal, setup_report
from bot.domain.errors import COMMAND, InvalidInput
from bot.domain.setup import date_warnings, save_cohort, setup_draft
from bot.models import Cohort
from bot.slack.asker import Asker
from bot.slack.parsing import Form
from bot.slack.reply import Reply
from bot.slack.routes import Routes
from bot.slack.submissions import cohort_spec
from bot.webapi.lookups import bot_missing_from
from bot.webapi.roster import sync_students_channel

log = logging.getLogger(__name__)

SETUP_USAGE = (
    f"Use `{COMMAND} setup` to create or edit your cohort, "
    f"or `{COMMAND} setup new` to create another one."
)


def open_setup(arguments: str, asker: Asker, session: Session, reply: Reply, now: datetime) -> None:
    """`/coffee setup [new]`: the form for their cohort, or for a new one."""
    mode = arguments.strip().lower()
    if mode not in {"", "new"}:
        raise InvalidInput(SETUP_USAGE)
    profile = asker.profile
    draft = setup_draft(
        session,
        asker.team_id,
        asker.user_id,
        asker.channel_id,
        profile.is_admin,
        profile.timezone,
        now,
        new=mode == "new",
    )
    reply.modal(setup_modal(draft))


def save_setup(
    view: dict[str, Any],
    asker: Asker,
    session: Session,
    reply: Reply,
    client: WebClient,
    sessions: sessionmaker[Session],
    context: BoltContext,
    now: datetime,
) -> None:
    """The setup form: save the cohort, answer Slack, then enroll the students' channel and
    tell the instructor how that went (and whether I can post to their channel)."""
    spec, cohort_id = cohort_spec(Form(view), asker.team_id)
    is_admin = asker.profile.is_admin
    saved = save_cohort(session, spec, asker.user_id, cohort_id, is_admin, now)
    warnings = date_warnings(saved.cohort)
    reply.saved(saved_view(saved.cohort, saved.created, reply.command, warnings))
    roster = _enroll_channel(client, sessions, saved.cohort, context.bot_user_id, now)
    missing = bot_missing_from(client, saved.cohort.instructors_channel)
    reply.dm(*setup_report(saved.cohort, saved.created, roster, missing, warnings))


def _enroll_channel(
    client: WebClient,
    sessions: sessionmaker[Session],
    cohort: Cohort,
    bot_user_id: str | None,
    now: datetime,
) -> RosterOutcome | None:
    """Enroll the students' channel, if there is one; a failure is reported, not raised (the
    cohort is saved, and saving it again retries)."""
    if not cohort.students_channel:
        return None
    try:
        return sync_students_channel(client, sessions, cohort.id, bot_user_id, now)
    except Exception:
        log.exception("enrolling the students' channel of cohort %s failed", cohort.id)
        return RosterOutcome(error=ROSTER_FAILED)


def register(routes: Routes) -> None:
    routes.command(("setup",), open_setup)
    routes.view(Callback.SETUP_MODAL, save_setup)
