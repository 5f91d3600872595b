"""The Bolt app factory: one WebClient with retries, a pool sized for load, every listener."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState
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
# While someone waits in Slack (a 3 s ack, a trigger_id that expires in 3 s), a 429 is retried
# only when Slack asks for a short pause; a longer one fails the call at once instead.
INTERACTIVE_RATE_LIMIT_WAIT = 1


class ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Retries a 429 after its Retry-After, but only when that is at most `max_wait` seconds."""

    def __init__(self, max_retry_count: int, max_wait: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        waits = [v for k, v in response.headers.items() if k.lower() == "retry-after"]
        try:
            return not waits or int(waits[0][0]) <= self.max_wait
        except (ValueError, IndexError):
            return False


def retry_handlers(max_rate_limit_wait: int | None = None) -> list[RetryHandler]:
    """Connection errors, 429 (after Retry-After, if no longer than allowed) and 5xx are retried."""
    rate_limits = (
        RateLimitErrorRetryHandler(max_retry_count=2)
        if max_rate_limit_wait is None
        else ShortRateLimitRetryHandler(max_retry_count=2, max_wait=max_rate_limit_wait)
    )
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        rate_limits,
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def make_client(settings: Settings, max_rate_limit_wait: int | None = None) -> WebClient:
    """A Web API client pointed at SLACK_API_URL, with our retry handlers.

    The scheduler waits out any Retry-After; listeners pass INTERACTIVE_RATE_LIMIT_WAIT.
    """
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=retry_handlers(max_rate_limit_wait),
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
        client=make_client(settings, max_rate_limit_wait=INTERACTIVE_RATE_LIMIT_WAIT),
        listener_executor=executor or listener_pool(),
        logger=logging.getLogger("bot.slack"),
        token_verification_enabled=False,
    )
    register(app, Deps(settings=settings, sessions=sessions, clock=clock))
    return app
