"""Each workspace's bot token: its installation (OAuth), or SLACK_BOT_TOKEN for one workspace.

With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, installations live in our database, in
slack_sdk's SQLAlchemy installation store (its tables made by our migration 0004). A token
about to expire is rotated with its refresh token and the new one stored. SLACK_BOT_TOKEN, when
also set, keeps serving the workspace it belongs to until that workspace installs through
OAuth (or uninstalls): setting the OAuth variables never takes a working bot down.

`ClientFor` is what the scheduler and the CLI send with: team id → a WebClient with our retry
handlers and that workspace's bot token.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine

from bot import db
from bot.domain import workspaces
from bot.models import utcnow
from bot.settings import Settings
from bot.webapi.auth import granted_scopes
from bot.webapi.client import SCHEDULED_RATE_LIMIT_WAIT, client_with, make_client
from bot.webapi.errors import TRANSPORT_ERRORS

log = logging.getLogger(__name__)

ClientFor = Callable[[str], WebClient]
ROTATE_BEFORE_MINUTES = 120  # a token expiring sooner than this is rotated before use
CACHE_FOR = 60.0  # s a workspace's bot is kept in memory: most acks read no database


class NotInstalled(LookupError):
    """No token for this workspace: never installed, uninstalled, or its token revoked."""

    def __init__(self, team_id: str) -> None:
        super().__init__(f"the bot is not installed in workspace {team_id}")
        self.team_id = team_id


class Store(SQLAlchemyInstallationStore):
    """slack_sdk's store on our database; saving an installation marks the workspace
    installed again (restoring the cohorts an uninstall archived)."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=log)
        self.sessions = db.make_session_factory(engine)

    def save(self, installation: Installation) -> None:
        super().save(installation)
        if installation.team_id:
            with db.session_scope(self.sessions) as session:
                restored = workspaces.installed(session, installation.team_id, utcnow())
            log.info(
                "installed in %s%s",
                installation.team_id,
                f" again: {len(restored)} cohorts active again" if restored else "",
            )


class Installations:
    """Bot tokens by workspace; see the module's docstring."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        assert settings.slack_client_id and settings.slack_client_secret, "OAuth settings"
        self.settings = settings
        self.store = Store(settings.slack_client_id, engine)
        self.sessions = self.store.sessions
        self.rotator = TokenRotator(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            client=client_with(settings, None),
        )
        self._lock = threading.Lock()
        self._env_bot: Bot | None = None
        self._env_checked = False
        self._cache: dict[str, tuple[float, Bot]] = {}

    def bot(self, team_id: str) -> Bot | None:
        """The workspace's bot (token fresh), or None when the bot is not installed there.

        A bot found is kept CACHE_FOR seconds (not one whose token is due for rotation): a
        workspace's requests read the database once a minute, not before every ack."""
        kept = self._cache.get(team_id)
        if kept is not None and kept[0] > time.monotonic() and not _expiring(kept[1]):
            return kept[1]
        found = self._lookup(team_id)
        if found is None:
            self._cache.pop(team_id, None)
        else:
            self._cache[team_id] = (time.monotonic() + CACHE_FOR, found)
        return found

    def _lookup(self, team_id: str) -> Bot | None:
        found = self.store.find_bot(enterprise_id=None, team_id=team_id)
        if found is not None:
            return self._fresh(found)
        env = self._env_bot_for_team()
        if env is None or env.team_id != team_id:
            return None
        with db.session_scope(self.sessions) as session:
            if workspaces.is_uninstalled(session, team_id):
                return None
        return env

    def client_for(self, team_id: str, max_rate_limit_wait: int | None = None) -> WebClient:
        """A WebClient with the workspace's bot token; NotInstalled when it has none."""
        bot = self.bot(team_id)
        if bot is None:
            raise NotInstalled(team_id)
        return client_with(self.settings, bot.bot_token, max_rate_limit_wait)

    def forget(self, team_id: str) -> None:
        """Delete every token of the workspace (after an uninstall or a revocation)."""
        self._cache.pop(team_id, None)
        self.store.delete_bot(enterprise_id=None, team_id=team_id)
        self.store.delete_installation(enterprise_id=None, team_id=team_id)

    def _fresh(self, bot: Bot) -> Bot:
        """The bot with a token that is not about to expire (rotated and stored if it was)."""
        if bot.bot_refresh_token is None:
            return bot
        refreshed: Bot | None = self.rotator.perform_bot_token_rotation(
            bot=bot, minutes_before_expiration=ROTATE_BEFORE_MINUTES
        )
        if refreshed is None:
            return bot
        self.store.save_bot(refreshed)
        log.info("rotated the bot token of %s", bot.team_id)
        return refreshed

    def _env_bot_for_team(self) -> Bot | None:
        """SLACK_BOT_TOKEN as a bot of the workspace auth.test says it belongs to (asked once;
        again later if Slack could not be reached)."""
        if not self.settings.slack_bot_token:
            return None
        with self._lock:
            if not self._env_checked:
                self._env_bot = self._ask_env_bot()
            return self._env_bot

    def _ask_env_bot(self) -> Bot | None:
        token = self.settings.slack_bot_token
        try:
            answer = make_client(self.settings, timeout=5).auth_test()
        except SlackApiError as error:
            log.warning("SLACK_BOT_TOKEN refused (%s)", error.response.get("error"))
            self._env_checked = True
            return None
        except TRANSPORT_ERRORS as error:
            log.warning("could not check SLACK_BOT_TOKEN: %s", type(error).__name__)
            return None
        self._env_checked = True
        scopes = granted_scopes(answer.headers)
        return Bot(
            app_id=answer.get("app_id"),
            team_id=answer.get("team_id"),
            team_name=answer.get("team"),
            bot_token=token,
            bot_id=str(answer.get("bot_id") or ""),
            bot_user_id=str(answer.get("user_id") or ""),
            bot_scopes=sorted(scopes or ()),
            installed_at=time.time(),
        )


def _expiring(bot: Bot) -> bool:
    expires = bot.bot_token_expires_at
    return expires is not None and expires <= time.time() + ROTATE_BEFORE_MINUTES * 60


def client_factory(settings: Settings, engine: Engine) -> ClientFor:
    """Team id → WebClient: the workspace's installation with OAuth, else SLACK_BOT_TOKEN."""
    if settings.oauth:
        return Installations(settings, engine).client_for
    client = make_client(settings)
    return lambda _team_id: client


def clients_for(settings: Settings, engine: Engine) -> WebClient | ClientFor:
    """What run_due sends with: one client on SLACK_BOT_TOKEN for one workspace, else a
    ClientFor (run_due calls `clients(cohort.team_id)`)."""
    if settings.oauth:
        installations = Installations(settings, engine)
        return lambda team_id: installations.client_for(team_id, SCHEDULED_RATE_LIMIT_WAIT)
    return make_client(settings, SCHEDULED_RATE_LIMIT_WAIT)
