"""What listeners need from the rest of the bot, passed in rather than imported."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.db import session_scope
from bot.models import utcnow
from bot.settings import Settings


@dataclass(frozen=True)
class Deps:
    """Settings, the session factory and the clock (tests pass a fixed one)."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = utcnow

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.sessions) as session:
            yield session

    def now(self) -> datetime:
        return self.clock()


def local_today(now: datetime, timezone: str | None) -> date:
    """Today's date where the student is (UTC when no timezone is known)."""
    return now.astimezone(ZoneInfo(timezone or "UTC")).date()
