"""The Bolt app factory: one WebClient with retries, a pool sized for load, every listener.

With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET it also runs Bolt's OAuth flow (GET
/slack/install, GET /slack/oauth_redirect) with slack_sdk's SQLAlchemy installation and state
stores in our database, and each request runs with its workspace's stored bot token
(SLACK_BOT_TOKEN, if set too, keeps serving its own workspace). Without them, the bot runs on
SLACK_BOT_TOKEN alone, as Bolt's single-workspace app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.manifest import bot_scopes
from bot.models import utcnow
from bot.settings import Settings
from bot.slack.authorize import StoredAuthorize
from bot.slack.deps import Deps
from bot.slack.errors import handle_error
from bot.slack.install_pages import CALLBACKS, InstallFlow
from bot.slack.listeners import register
from bot.slack.middleware import CloseRequest, once_per_event, open_request
from bot.webapi.client import INTERACTIVE_RATE_LIMIT_WAIT, client_with, make_client
from bot.webapi.installations import ROTATE_BEFORE_MINUTES, Installations

# Listeners wait on Slack most of their time: while Slack is slow (5 s per views.open), every
# listener of a burst holds a thread, and one that waits for a thread opens its modal after
# its trigger_id has expired (3 s). Threads are started only when needed.
LISTENER_THREADS = 256
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_EXPIRES_AFTER = 600  # s from "Add to Slack" to Slack's redirect back
NOT_INSTALLED = (
    ":warning: Coffee Chat is not installed in this workspace (any more): ask a workspace "
    "admin to install it again."
)

log = logging.getLogger("bot.slack")


def listener_pool() -> ThreadPoolExecutor:
    """Threads that run listeners after the ack; enough for a burst of a whole cohort's
    commands while Slack is slow."""
    return ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="listener")


def create_app(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime] = utcnow,
    executor: ThreadPoolExecutor | None = None,
) -> App:
    """The Bolt app: the request middleware, every listener, the one error handler."""
    settings.require_slack()
    installations = None
    if settings.oauth:
        engine = sessions.kw["bind"]
        assert isinstance(engine, Engine)
        installations = Installations(settings, engine)
        app = _oauth_app(settings, installations, engine, executor)
    else:
        app = App(
            signing_secret=settings.slack_signing_secret,
            client=make_client(settings, max_rate_limit_wait=INTERACTIVE_RATE_LIMIT_WAIT),
            listener_executor=executor or listener_pool(),
            logger=log,
            token_verification_enabled=False,
        )
    deps = Deps(settings=settings, sessions=sessions, clock=clock, installations=installations)
    app.use(once_per_event(deps))
    app.use(open_request(deps))
    register(app, deps.command)
    app.error(handle_error)
    app.listener_runner.listener_completion_handler = CloseRequest()
    return app


def _oauth_app(
    settings: Settings,
    installations: Installations,
    engine: Engine,
    executor: ThreadPoolExecutor | None,
) -> App:
    assert settings.slack_client_id and settings.slack_client_secret
    client = client_with(settings, None, max_rate_limit_wait=INTERACTIVE_RATE_LIMIT_WAIT)
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=sorted(bot_scopes()),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=settings.oauth_authorize_url,
        callback_options=CALLBACKS,
        installation_store=installations.store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=ROTATE_BEFORE_MINUTES,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRES_AFTER, engine=engine, logger=log
        ),
        state_expiration_seconds=STATE_EXPIRES_AFTER,
        logger=log,
    )
    return App(
        signing_secret=settings.slack_signing_secret,
        client=client,
        oauth_flow=InstallFlow(client=client, logger=log, settings=oauth),
        authorize=StoredAuthorize(installations),  # type: ignore[arg-type]  # may return None
        installation_store_bot_only=True,
        listener_executor=executor or listener_pool(),
        logger=log,
        token_verification_enabled=False,
        user_facing_authorize_error_message=NOT_INSTALLED,
    )
