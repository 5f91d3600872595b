"""What the Slack layer needs from the rest of the bot, passed in rather than imported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from bot.models import utcnow
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.webapi.installations import Installations

SLACK_RESPONSE_URLS = ("https://hooks.slack.com/",)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Deps:
    """Settings, the session factory, the clock (tests pass a fixed one) and, with OAuth,
    the installations."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = utcnow
    installations: Installations | None = None

    def now(self) -> datetime:
        return self.clock()

    @property
    def command(self) -> str:
        """The slash command, as the Slack app calls it."""
        return self.settings.slash_command

    @property
    def response_urls(self) -> tuple[str, ...]:
        """Where replies to response_urls may go: Slack's hooks, or a loopback stand-in for
        Slack when SLACK_API_URL points at one (the tests, the demo)."""
        api = urlsplit(self.settings.slack_api_url)
        if api.hostname in LOOPBACK:
            return (*SLACK_RESPONSE_URLS, f"{api.scheme}://{api.netloc}/")
        return SLACK_RESPONSE_URLS
