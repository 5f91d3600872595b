"""Socket Mode behind the same request guard as HTTP.

Over HTTP, `RequestGuard` answers 400 to a body Slack would not send, before Bolt sees it. Socket
Mode requests come over a WebSocket instead, and no Bolt middleware could stand in for the guard:
Bolt builds a request's context (`BoltRequest(...)`, in the Socket Mode adapter) before any
middleware runs, and that already raises on a `team` that is a number or an `authorizations`
that is a string; slack_sdk's client raises sooner still on a message that is not JSON or a
`payload` that is a list. So this client checks each envelope as it arrives, with the guard's
own `check_body`, and drops a malformed one with one log line (where and what, never a value):
it is acknowledged, so that Slack does not send it again, and reaches no listener.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.slack.request_guard import Malformed, check_body

log = logging.getLogger(__name__)

# What each kind of envelope carries: the kinds of body `check_body` finds in its payload.
REQUESTS = {
    "slash_commands": {"slash_command"},
    "events_api": {"event_callback", "app_rate_limited"},
}
INTERACTIVE = "interactive"  # any other kind of body: block_actions, view_submission, ...
NOT_INTERACTIVE = {"slash_command", "event_callback", "app_rate_limited", "url_verification"}
MAX_ENVELOPE_ID = 200


def check_envelope(message: dict[str, Any]) -> str:
    """Check a Socket Mode envelope and the request in it; the kind of body. Raises Malformed."""
    kind = message.get("type")
    if kind not in (*REQUESTS, INTERACTIVE):
        raise Malformed("envelope.type", "is not a Socket Mode request type")
    envelope_id = message.get("envelope_id")
    if not isinstance(envelope_id, str) or not 0 < len(envelope_id) <= MAX_ENVELOPE_ID:
        raise Malformed("envelope.envelope_id", "is not a string")
    if message.get("accepts_response_payload") not in (None, True, False):
        raise Malformed("envelope.accepts_response_payload", "is not a boolean")
    attempt = message.get("retry_attempt")
    if attempt is not None and (isinstance(attempt, bool) or not isinstance(attempt, int)):
        raise Malformed("envelope.retry_attempt", "is not a number")
    if not isinstance(message.get("retry_reason"), str | None):
        raise Malformed("envelope.retry_reason", "is not a string")
    payload = message.get("payload")
    if not isinstance(payload, dict):
        raise Malformed("payload", "is not an object")
    try:  # JSON can escape half a surrogate pair (\ud800), which no UTF-8 text holds
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise Malformed("payload", "holds a lone surrogate, not Unicode text") from error
    body = check_body(payload, "payload")
    expected = REQUESTS.get(str(kind))
    if (body not in expected) if expected else (body in NOT_INTERACTIVE):
        raise Malformed("payload.type", f"is not what a {kind} envelope carries")
    return body


def _is_request(message: dict[str, Any]) -> bool:
    """Whether slack_sdk would hand the message to Bolt, or it claims to be a request."""
    kind = message.get("type")
    has_all = all(key in message for key in ("type", "envelope_id", "payload"))
    return has_all or (isinstance(kind, str) and kind in (*REQUESTS, INTERACTIVE))


def refuse(error: Malformed) -> None:
    log.warning("refused a Socket Mode request: %s %s", error.where, error.problem)


class GuardedClient(SocketModeClient):
    """slack_sdk's Socket Mode client, dropping what the guard refuses before Bolt sees it."""

    def enqueue_message(self, message: str) -> None:
        """Every text message from the WebSocket: one that is not a JSON object is dropped here
        (slack_sdk would raise parsing it)."""
        try:
            parsed = json.loads(message)
        except (ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict):
            refuse(Malformed("envelope", "is not a JSON object"))
            return
        super().enqueue_message(message)

    def run_message_listeners(self, message: dict[str, Any], raw_message: str) -> None:
        if not _is_request(message):  # hello, disconnect: slack_sdk's own business
            super().run_message_listeners(message, raw_message)
            return
        try:
            check_envelope(message)
        except Malformed as error:
            refuse(error)
            envelope_id = message.get("envelope_id")
            if isinstance(envelope_id, str) and 0 < len(envelope_id) <= MAX_ENVELOPE_ID:
                self.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))
            return
        super().run_message_listeners(message, raw_message)


class GuardedSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode handler on the guarded client."""

    def __init__(self, app: App, app_token: str) -> None:  # not super(): it builds a client
        self.app = app
        self.app_token = app_token
        connection = GuardedClient(
            app_token=app_token,
            logger=app.logger,
            web_client=app.client,
            proxy=app.client.proxy,
        )
        connection.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]
        self.client = connection
