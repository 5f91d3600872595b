"""Who a token is (auth.test), which scopes it holds, and whether Slack refused the token itself."""

from __future__ import annotations

import urllib.error
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.webapi.errors import error_code, meaning

# Codes that mean the token is wrong, revoked or of the wrong kind, not that Slack is down.
_REFUSED_TOO = {"account_inactive", "not_allowed_token_type", "invalid_token", "team_disabled"}


@dataclass(frozen=True)
class Identity:
    """What auth.test says about the bot token; `scopes` is None when Slack did not say."""

    team_id: str
    team: str
    user_id: str
    scopes: frozenset[str] | None


def identify(client: WebClient) -> Identity:
    """Ask Slack who the token is; raises SlackApiError or a transport error when it can't."""
    response = client.auth_test()
    return Identity(
        team_id=str(response.get("team_id") or ""),
        team=str(response.get("team") or ""),
        user_id=str(response.get("user_id") or ""),
        scopes=granted_scopes(response.headers),
    )


def granted_scopes(headers: dict[str, Any] | None) -> frozenset[str] | None:
    """The scopes in a Web API response's X-OAuth-Scopes header (None when it is absent)."""
    for key, value in (headers or {}).items():
        if key.lower() == "x-oauth-scopes":
            text = ",".join(value) if isinstance(value, list) else str(value)
            return frozenset(s.strip() for s in text.split(",") if s.strip())
    return None


def refused_token(error: SlackApiError) -> bool:
    """Whether Slack refused the token itself (wrong, revoked, expired), not the request."""
    code = error_code(error)
    return code in _REFUSED_TOO or (meaning(code).auth_problem and code != "missing_scope")


def method_of(error: SlackApiError) -> str:
    """The Web API method a failed call was made to, like `auth.test`."""
    url = str(getattr(error.response, "api_url", "") or "")
    return url.rstrip("/").rsplit("/", 1)[-1] or "the Web API"


def unreachable_reason(error: BaseException) -> str:
    """A transport failure in a few words, like `Connection refused`."""
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        if isinstance(reason, OSError) and reason.strerror:
            return reason.strerror
        return str(reason)
    if isinstance(error, TimeoutError):
        return "timed out"
    return f"{type(error).__name__}: {error}"
