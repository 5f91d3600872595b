"""Every failure of a process command as one line that says what to do, and its exit code."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from bot.db import UPGRADE_COMMAND, DatabaseNotReady
from bot.domain.errors import DomainError
from bot.settings import Settings, SettingsError
from bot.startup import token_refused
from bot.webapi.auth import method_of, refused_token, unreachable_reason
from bot.webapi.errors import TRANSPORT_ERRORS as UNREACHABLE
from bot.webapi.errors import error_code, why

log = logging.getLogger("bot")

SETTINGS_PROBLEM = 2  # a setting is missing, malformed, or refused by Slack
FAILED = 1  # the command could not do its work
INTERRUPTED = 130


def one_line(text: str) -> str:
    """Any message folded onto one line."""
    return " ".join(text.split())


def explain(error: BaseException, settings: Settings | None) -> tuple[str, int]:
    """The line to print for a failure, and the exit code."""
    if isinstance(error, SettingsError):
        return str(error), SETTINGS_PROBLEM
    if isinstance(error, DomainError):
        return error.message, FAILED
    if isinstance(error, DatabaseNotReady):
        return error.message, FAILED
    if isinstance(error, SlackApiError):
        return _slack_refused(error)
    if isinstance(error, UNREACHABLE):
        where = settings.slack_api_url if settings else "SLACK_API_URL"
        return (
            f"cannot reach Slack at {where} ({unreachable_reason(error)}): check the network, "
            "or SLACK_API_URL if you changed it",
            FAILED,
        )
    if isinstance(error, OperationalError | ProgrammingError):
        return _database(error, settings), FAILED
    if isinstance(error, KeyboardInterrupt):
        return "interrupted", INTERRUPTED
    log.debug("unexpected error", exc_info=error)
    return (
        f"unexpected {type(error).__name__}: {error} (LOG_LEVEL=DEBUG shows the traceback; "
        "please report it)",
        FAILED,
    )


def _slack_refused(error: SlackApiError) -> tuple[str, int]:
    code, method = error_code(error), method_of(error)
    if refused_token(error):
        setting = "SLACK_APP_TOKEN" if method == "apps.connections.open" else "SLACK_BOT_TOKEN"
        return token_refused(setting, code), SETTINGS_PROBLEM
    if code == "missing_scope":
        needed = error.response.get("needed") or "a scope"
        return (
            f"Slack refused {method}: the app lacks {needed}; update the app's manifest from "
            "`python -m bot manifest` and reinstall it",
            FAILED,
        )
    if code == "ratelimited" or code.startswith("http_5"):
        return f"Slack could not answer {method} just now ({code}): try again in a minute", FAILED
    return f"Slack refused {method} ({code}): {why(code)}", FAILED


def _database(error: OperationalError | ProgrammingError, settings: Settings | None) -> str:
    where = safe_url(settings.database_url) if settings else "DATABASE_URL"
    detail = one_line(str(error.orig))
    if "no such table" in detail or type(error.orig).__name__ == "UndefinedTable":
        return f"the database at {where} is not migrated ({detail}): run `{UPGRADE_COMMAND}`"
    return (
        f"cannot reach the database at {where} ({detail}): check DATABASE_URL and that the "
        "database server is running"
    )


def safe_url(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "DATABASE_URL"
