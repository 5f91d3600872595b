"""Start-up checks of the serving processes: Slack must accept the tokens.

A token Slack refuses stops start-up with one line naming the setting. A Slack that cannot be
reached only warns: an outage of Slack must not take the bot down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import WHERE_TO_GET, Settings, SettingsError
from bot.webapi.auth import Identity, identify, refused_token, unreachable_reason
from bot.webapi.client import make_client
from bot.webapi.errors import TRANSPORT_ERRORS as UNREACHABLE
from bot.webapi.errors import error_code

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 5  # seconds; start-up waits at most a few of these for Slack


@dataclass(frozen=True)
class TokenCheck:
    """How Slack took a token: who it is, or the one line saying it refused it, or why it
    did not answer."""

    identity: Identity | None = None
    refused: str | None = None
    unreachable: str | None = None


def check_slack(settings: Settings) -> Identity | None:
    """Check the bot token (when set: with OAuth it is optional) and, for Socket Mode, the app
    token.

    Raises SettingsError when Slack refuses one; logs a warning (and returns None) when Slack
    cannot be reached.
    """
    checks = []
    if settings.slack_bot_token or not settings.oauth:
        checks.append(("SLACK_BOT_TOKEN", probe_bot_token(settings)))
    if settings.slack_app_token:
        checks.append(("SLACK_APP_TOKEN", probe_app_token(settings)))
    for setting, check in checks:
        if check.refused:
            raise SettingsError(check.refused)
        if check.unreachable:
            log.warning(
                "could not check %s: %s; starting anyway, and calls to Slack will fail until "
                "it answers",
                setting,
                check.unreachable,
            )
    return checks[0][1].identity if checks and checks[0][0] == "SLACK_BOT_TOKEN" else None


def probe_bot_token(settings: Settings) -> TokenCheck:
    """auth.test with SLACK_BOT_TOKEN."""
    client = make_client(settings, timeout=CHECK_TIMEOUT)
    return _probe(settings, "SLACK_BOT_TOKEN", lambda: identify(client))


def probe_app_token(settings: Settings) -> TokenCheck:
    """apps.connections.open with SLACK_APP_TOKEN (the URL it returns is left unused)."""
    client = WebClient(base_url=settings.slack_api_url, timeout=CHECK_TIMEOUT)
    token = settings.slack_app_token or ""

    def open_connection() -> None:
        client.apps_connections_open(app_token=token)

    return _probe(settings, "SLACK_APP_TOKEN", open_connection)


def token_refused(setting: str, code: str) -> str:
    """The one line for a token Slack refused: which setting, and where to get a good one."""
    return (
        f"Slack refused {setting} ({code}): set it to {WHERE_TO_GET[setting]}; "
        "if the app was uninstalled or the token revoked, reinstall the app first."
    )


def _probe(settings: Settings, setting: str, call: Callable[[], Identity | None]) -> TokenCheck:
    try:
        identity = call()
    except SlackApiError as error:
        code = error_code(error)
        if refused_token(error):
            return TokenCheck(refused=token_refused(setting, code))
        return TokenCheck(unreachable=f"Slack at {settings.slack_api_url} answered {code}")
    except UNREACHABLE as error:
        reason = unreachable_reason(error)
        return TokenCheck(
            unreachable=f"Slack at {settings.slack_api_url} did not answer ({reason})"
        )
    return TokenCheck(identity=identity)
