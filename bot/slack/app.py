"""The Bolt app factory: one WebClient with retries, a pool sized for load, every listener."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from slack_bolt import App
from sqlalchemy.orm import Session, sessionmaker

from bot.models import utcnow
from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.errors import handle_error
from bot.slack.listeners import register
from bot.slack.middleware import CloseRequest, open_request
from bot.webapi.client import INTERACTIVE_RATE_LIMIT_WAIT, make_client

LISTENER_THREADS = 64


def listener_pool() -> ThreadPoolExecutor:
    """Threads that run listeners after the ack; sized for bursts of a whole cohort."""
    return ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="listener")


def create_app(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime] = utcnow,
    executor: ThreadPoolExecutor | None = None,
) -> App:
    """The Bolt app: the request middleware, every listener, the one error handler."""
    settings.require_slack()
    app = App(
        signing_secret=settings.slack_signing_secret,
        client=make_client(settings, max_rate_limit_wait=INTERACTIVE_RATE_LIMIT_WAIT),
        listener_executor=executor or listener_pool(),
        logger=logging.getLogger("bot.slack"),
        token_verification_enabled=False,
    )
    deps = Deps(settings=settings, sessions=sessions, clock=clock)
    app.use(open_request(deps))
    register(app, deps.command)
    app.error(handle_error)
    app.listener_runner.listener_completion_handler = CloseRequest()
    return app
