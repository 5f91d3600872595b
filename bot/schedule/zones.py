"""Each DM recipient's timezone for quiet hours, from what the bot stores about the student.

`user_change` events keep `Student.timezone` current. A timezone never read, or read longer
than READ_AGAIN_AFTER ago, is refreshed for the whole workspace from `users.list` (200 people
a call), never with one `users.info` per message; what Slack can't tell falls back to the
cohort's timezone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db import session_scope
from bot.domain import calendar
from bot.domain.errors import DomainError
from bot.models import Student
from bot.webapi.lookups import timezones

if TYPE_CHECKING:
    from bot.schedule.run_due import Planned

log = logging.getLogger(__name__)

READ_AGAIN_AFTER = timedelta(days=7)


@dataclass
class Zones:
    """user id → IANA timezone name, for the DMs of one run."""

    by_user: dict[str, str] = field(default_factory=dict)

    def of(self, user_id: str) -> str | None:
        return self.by_user.get(user_id)

    @classmethod
    def read(
        cls,
        sessions: sessionmaker[Session],
        client_for: Callable[[str], WebClient],
        plans: Sequence[Planned],
        now: datetime,
    ) -> Zones:
        """The stored timezones of the plans' DM recipients, refreshed where stale."""
        wanted = {p.student.student_id for p in plans if p.due.is_dm and p.student is not None}
        if not wanted:
            return cls()
        with session_scope(sessions) as session:
            rows = session.execute(
                select(
                    Student.id,
                    Student.team_id,
                    Student.user_id,
                    Student.timezone,
                    Student.timezone_read_at,
                ).where(Student.id.in_(sorted(wanted)))
            ).all()
        zones = cls({user: tz for _, _, user, tz, _ in rows if tz})
        stale: dict[str, list[tuple[int, str]]] = {}
        for student_id, team, user, tz, read_at in rows:
            if tz is None or read_at is None or read_at < now - READ_AGAIN_AFTER:
                stale.setdefault(team, []).append((student_id, user))
        for team, people in stale.items():
            zones.refresh(sessions, client_for, team, people, now)
        return zones

    def refresh(
        self,
        sessions: sessionmaker[Session],
        client_for: Callable[[str], WebClient],
        team: str,
        people: Iterable[tuple[int, str]],
        now: datetime,
    ) -> None:
        people = list(people)
        try:
            found = timezones(client_for(team), {user for _, user in people})
        except Exception as error:  # a Slack error, NotInstalled, a timeout: keep what we have
            log.warning("timezones of %s not refreshed (%s); using the stored ones", team, error)
            return
        changes = []
        for student_id, user in people:
            name = _zone(found.get(user)) or self.by_user.get(user)
            if name:
                self.by_user[user] = name
            changes.append({"sid": student_id, "tz": name, "read_at": now})
        with session_scope(sessions) as session:
            table: Table = Student.__table__  # type: ignore[assignment]
            session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("sid"))
                .values(timezone=bindparam("tz"), timezone_read_at=bindparam("read_at")),
                changes,
            )


def _zone(name: str | None) -> str | None:
    try:
        return calendar.zone(name).key if name else None
    except DomainError:
        return None
