"""The app uninstalled from a workspace, or its bot token revoked: nothing more is sent there.

Every active cohort of the workspace is archived (so the clock stops its reminders and digests),
the workspace is marked uninstalled (its data is deleted UNINSTALLED_DATA_DAYS later, unless it
installs again) and, with OAuth, its stored tokens are deleted. Bolt authorizes neither event
(the token is gone already), so the team comes from the payload.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt import BoltContext
from sqlalchemy.orm import Session

from bot.domain.workspaces import uninstalled
from bot.slack.asker import ID
from bot.slack.reply import Reply
from bot.slack.routes import Routes
from bot.webapi.installations import Installations

log = logging.getLogger(__name__)


def app_uninstalled(
    context: BoltContext,
    session: Session,
    reply: Reply,
    now: datetime,
    installations: Installations | None,
) -> None:
    """Stop everything for the workspace and forget its tokens."""
    team_id = context.team_id
    if not isinstance(team_id, str) or not ID.match(team_id):
        return
    archived = uninstalled(session, team_id, now)
    reply.commit()
    if installations is not None:
        installations.forget(team_id)
    log.info("uninstalled from %s: %d cohorts archived, tokens deleted", team_id, len(archived))


def tokens_revoked(
    event: dict[str, Any],
    context: BoltContext,
    session: Session,
    reply: Reply,
    now: datetime,
    installations: Installations | None,
) -> None:
    """A revoked bot token is an uninstall for the bot; users' tokens alone change nothing
    (the bot keeps none)."""
    tokens = event.get("tokens")
    if isinstance(tokens, dict) and tokens.get("bot"):
        app_uninstalled(context, session, reply, now, installations)


def register(routes: Routes) -> None:
    routes.event("app_uninstalled", app_uninstalled)
    routes.event("tokens_revoked", tokens_revoked)
