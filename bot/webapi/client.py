"""The Web API client: pointed at SLACK_API_URL, retrying connection errors, 429s and 5xx."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings

# While someone waits in Slack (a 3 s ack, a trigger_id that expires in 3 s), a 429 is retried
# only when Slack asks for a short pause; a longer one fails the call at once instead.
INTERACTIVE_RATE_LIMIT_WAIT = 1
# The scheduler waits out a short Retry-After in the run; a longer one fails that message,
# which a later run sends, while the run goes on with the others.
SCHEDULED_RATE_LIMIT_WAIT = 10


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


def make_client(
    settings: Settings, max_rate_limit_wait: int | None = None, timeout: int = 10
) -> WebClient:
    """A Web API client with SLACK_BOT_TOKEN, pointed at SLACK_API_URL, with our retries.

    Listeners pass INTERACTIVE_RATE_LIMIT_WAIT, the scheduler SCHEDULED_RATE_LIMIT_WAIT.
    """
    return client_with(settings, settings.slack_bot_token or None, max_rate_limit_wait, timeout)


def client_with(
    settings: Settings,
    token: str | None,
    max_rate_limit_wait: int | None = None,
    timeout: int = 10,
) -> WebClient:
    """A Web API client with `token` (a workspace's bot token, or None), as make_client's."""
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=retry_handlers(max_rate_limit_wait),
    )
