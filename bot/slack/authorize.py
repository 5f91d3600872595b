"""Bolt's authorize step with installations (OAuth): the workspace's stored bot, no Web API call.

Bolt's own InstallationStoreAuthorize calls auth.test on every request, before the ack: when
Slack is slow, every ack waits for it. The stored bot already says who the bot is.
"""

from __future__ import annotations

import logging

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk.errors import SlackTokenRotationError

from bot.webapi.installations import Installations

log = logging.getLogger(__name__)


class StoredAuthorize(Authorize):
    """The request's workspace → its bot token and identity; None when not installed there."""

    def __init__(self, installations: Installations) -> None:
        self.installations = installations

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actors: str | None,
    ) -> AuthorizeResult | None:
        if not team_id:
            return None  # an organization-wide install: not supported
        try:
            bot = self.installations.bot(team_id)
        except SlackTokenRotationError as error:
            log.error("the token of %s could not be rotated: %s", team_id, type(error).__name__)
            return None
        if bot is None:
            log.warning("a request from %s, where the bot is not installed", team_id)
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            team=bot.team_name,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )
