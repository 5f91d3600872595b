"""Posting scheduled messages, telling retryable failures from final ones, and checking Slack.

Every scheduled message carries its delivery keys as message metadata. When a try ended with
an unknown outcome (a timeout, a 5xx, a process that died mid-send), the next try first looks
for that key in the channel's history, so a message Slack did receive is never posted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks.packing import Message
from bot.webapi.errors import TRANSPORT_ERRORS, UNCERTAIN, error_code, meaning

log = logging.getLogger(__name__)

EVENT_TYPE = "coffee_chat_delivery"
HISTORY_SLACK = timedelta(minutes=10)
# Since 2025, commercially distributed non-Marketplace apps may read at most 15 messages per
# conversations.history / .replies call (and one call a minute): every check reads one page.
HISTORY_LIMIT = 15


class SendError(Exception):
    """A failed Web API call: whether to retry, and whether Slack may have acted on it."""

    def __init__(
        self,
        message: str,
        *,
        retry: bool,
        code: str | None = None,
        retry_after: float | None = None,
        transient: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry
        self.code = code
        self.retry_after = retry_after
        self.transient = transient

    @property
    def channel_problem(self) -> bool:
        return meaning(self.code).channel_problem


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str


def post(
    client: WebClient,
    channel: str,
    message: Message,
    keys: Sequence[str],
    part: int = 1,
    thread_ts: str | None = None,
) -> Posted:
    """chat.postMessage with the delivery keys as metadata; SendError when it fails."""
    response = call(
        client.chat_postMessage,
        channel=channel,
        text=message.text,
        blocks=message.blocks,
        thread_ts=thread_ts,
        unfurl_links=False,
        unfurl_media=False,
        metadata={
            "event_type": EVENT_TYPE,
            "event_payload": {"keys": " ".join(keys), "part": part},
        },
    )
    return Posted(str(response.get("channel") or channel), str(response["ts"]))


def call(method: Any, **kwargs: Any) -> Any:
    """Call a WebClient method; its retry handlers have already retried 429/5xx/resets."""
    try:
        return method(**kwargs)
    except (SlackClientError, *TRANSPORT_ERRORS) as error:
        raise classify(error) from error


def classify(error: Exception) -> SendError:
    """Any failed call as a SendError: retry rate limits, 5xx, transport errors and most codes."""
    if not isinstance(error, SlackApiError):
        message = f"{UNCERTAIN}: {type(error).__name__}: {error}"
        return SendError(message, retry=True, code=type(error).__name__, transient=True)
    response = error.response
    status = int(getattr(response, "status_code", 200) or 200)
    code = error_code(error)
    if code == "ratelimited":
        headers = {k.lower(): v for k, v in (response.headers or {}).items()}
        after = headers.get("retry-after")
        seconds = float(after[0] if isinstance(after, list) else after) if after else None
        message = f"rate limited (HTTP 429): {code}"
        return SendError(
            message, retry=True, code="ratelimited", retry_after=seconds, transient=True
        )
    if status >= 500:
        message = f"{UNCERTAIN}: HTTP {status}: {code}"
        return SendError(message, retry=True, code=code, transient=True)
    return SendError(f"slack error: {code}", retry=meaning(code).retry, code=code)


def find_posted(
    client: WebClient,
    channel: str,
    keys: Sequence[str],
    since: datetime,
    thread_ts: str | None = None,
) -> dict[int, Posted]:
    """The parts of a delivery already in Slack, found by the keys in their metadata.

    When Slack can't be asked (a missing history scope, say) nothing is found, so the caller
    sends again: a duplicate is better than a lost reminder.
    """
    try:
        if channel.startswith(("U", "W")):
            opened = call(client.conversations_open, users=channel)
            channel = str(opened["channel"]["id"])
    except SendError as error:
        if error.transient:
            raise
        log.warning("can't check %s for %s (%s); sending again", channel, keys, error.message)
        return {}
    found: dict[int, Posted] = {}
    for ts, payload in posted_with(client, channel, EVENT_TYPE, since, thread_ts):
        if set(str(payload.get("keys") or "").split()) & set(keys):
            found[int(payload.get("part") or 1)] = Posted(channel, ts)
    return found


def posted_with(
    client: WebClient,
    channel: str,
    event_type: str,
    since: datetime,
    thread_ts: str | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """(ts, metadata payload) of the messages of `event_type` in one narrow page of the
    channel's history since `since` (or of a thread's replies). Raises SendError when Slack
    may answer later (a rate limit, a timeout); finds nothing when it won't let us read."""
    try:
        if thread_ts:
            response = call(
                client.conversations_replies,
                channel=channel,
                ts=thread_ts,
                include_all_metadata=True,
                limit=HISTORY_LIMIT,
            )
        else:
            response = call(
                client.conversations_history,
                channel=channel,
                oldest=f"{(since - HISTORY_SLACK).timestamp():.6f}",
                include_all_metadata=True,
                limit=HISTORY_LIMIT,
            )
    except SendError as error:
        if error.transient:
            raise
        log.warning("can't check %s for what was posted (%s)", channel, error.message)
        return []
    found: list[tuple[str, dict[str, Any]]] = []
    for item in response.get("messages") or []:
        metadata = item.get("metadata") or {}
        if metadata.get("event_type") == event_type:
            found.append((str(item["ts"]), metadata.get("event_payload") or {}))
    return found
