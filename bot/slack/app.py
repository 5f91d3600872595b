"""The Bolt app factory: one WebClient with retries, a pool sized for load, every listener."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy.orm import Session, sessionmaker

from bot.models import utcnow
from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.listeners import register

LISTENER_THREADS = 64


def retry_handlers() -> list[RetryHandler]:
    """Connection errors, 429 (honouring Retry-After) and 5xx are retried."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def make_client(settings: Settings) -> WebClient:
    """A Web API client pointed at SLACK_API_URL, with our retry handlers."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=retry_handlers(),
    )


def listener_pool() -> ThreadPoolExecutor:
    """Threads that run listeners after the ack; sized for bursts of a whole cohort."""
    return ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="listener")


def create_app(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime] = utcnow,
    executor: ThreadPoolExecutor | None = None,
) -> App:
    """The Bolt app with every listener registered."""
    settings.require_slack()
    app = App(
        token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret,
        client=make_client(settings),
        listener_executor=executor or listener_pool(),
        logger=logging.getLogger("bot.slack"),
        token_verification_enabled=False,
    )
    register(app, Deps(settings=settings, sessions=sessions, clock=clock))
    return app
