"""Who is asking: a request's workspace, person and channel, and what they are to the bot.

Built before the ack from the payload alone; everything that needs the database (or Slack) is
resolved on first use, after the ack, and kept for the rest of the request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, Generic, TypeVar, overload
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain import roles
from bot.domain.cohorts import get_or_create_student
from bot.domain.errors import NotEnrolled, NotFound
from bot.models import Cohort, Enrollment, Student
from bot.slack.parsing import STALE, metadata
from bot.webapi.lookups import Profile

T = TypeVar("T")
ID = re.compile(r"^[A-Z0-9]{2,32}$")
CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,31}$")


@dataclass(frozen=True)
class Identity:
    """The workspace, person and channel of a request, as Slack sent them (shape-checked)."""

    team_id: str
    user_id: str
    channel_id: str | None = None


def identify(
    team_id: object, user_id: object, channel_id: object, body: Mapping[str, Any]
) -> Identity | None:
    """The identity of a request from Bolt's extracted ids; a view's channel comes from its
    metadata. None when the team or the user is missing or malformed."""
    if not isinstance(team_id, str) or not isinstance(user_id, str):
        return None
    if not ID.match(team_id) or not ID.match(user_id):
        return None
    if channel_id is None and isinstance(body.get("view"), dict):
        channel_id = metadata(body["view"]).get("channel_id")
    channel = channel_id if isinstance(channel_id, str) and CHANNEL.match(channel_id) else None
    return Identity(team_id, user_id, channel)


class resolved(cached_property[T], Generic[T]):
    """`functools.cached_property` without its lock. On Python 3.11 that lock belongs to the
    property, not the instance: one request computing `enrollment` makes every other request
    wait for it, and when one of those holds SQLite's write lock (an open transaction) while the
    first waits for it, both are stuck until the busy timeout. An Asker serves one request, so
    nothing needs the lock."""

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> resolved[T]: ...

    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        cache = instance.__dict__
        name = self.attrname or self.func.__name__
        if name not in cache:
            cache[name] = self.func(instance)
        return cache[name]


class Asker:
    """The person behind a request; their enrollment and cohorts are looked up on first use."""

    def __init__(
        self,
        identity: Identity,
        session: Session,
        now: datetime,
        profile_of: Callable[[str], Profile],
    ) -> None:
        self.identity = identity
        self.session = session
        self.now = now
        self._profile_of = profile_of

    @property
    def team_id(self) -> str:
        return self.identity.team_id

    @property
    def user_id(self) -> str:
        return self.identity.user_id

    @property
    def channel_id(self) -> str | None:
        return self.identity.channel_id

    @resolved
    def student(self) -> Student | None:
        """Their student row, if they ever logged anything or were enrolled."""
        return roles.find_student(self.session, self.team_id, self.user_id)

    def own_log(self) -> Student:
        """Their log, for a button on it; a button of someone else's (or none) is out of date."""
        if self.student is None:
            raise NotFound(STALE)
        return self.student

    @resolved
    def enrollment(self) -> Enrollment | None:
        """Their enrollment as a student, if they have one (nobody is enrolled by looking)."""
        return roles.current_enrollment(self.session, self.team_id, self.user_id, self.channel_id)

    @resolved
    def instructed(self) -> list[Cohort]:
        """The cohorts of this workspace they instruct, newest first."""
        return roles.instructed_cohorts(self.session, self.team_id, self.user_id)

    @property
    def is_instructor(self) -> bool:
        return bool(self.instructed)

    def require_student(self) -> Enrollment:
        """The enrollment a student command applies to; enrolls a newcomer where allowed."""
        if self.enrollment is None:
            self.enrollment = roles.enroll_on_first_use(
                self.session,
                self.team_id,
                self.user_id,
                self.channel_id,
                self.now,
                is_admin=lambda: self.profile.is_admin,
            )
        return self.enrollment

    def logbook(self) -> tuple[Student, Enrollment | None]:
        """Where a log entry goes: their student row, and their enrollment when they have one.

        Someone not in a cohort yet (none set up, several to choose from) may log all the same:
        it counts once they join. Instructors are refused.
        """
        try:
            enrollment = self.require_student()
        except NotEnrolled:
            student = get_or_create_student(self.session, self.team_id, self.user_id)
            self.student = student
            return student, None
        return enrollment.student, enrollment

    def require_instructor(self) -> list[Cohort]:
        """The cohorts they instruct; NotAllowed (logged by the error handler) when none."""
        return roles.require_instructor(self.session, self.team_id, self.user_id)

    @resolved
    def profile(self) -> Profile:
        """What Slack says about them (users.info). Ends the transaction first: no transaction
        stays open across a Web API call."""
        self.session.commit()
        return self._profile_of(self.user_id)

    @property
    def zone(self) -> ZoneInfo:
        """Their cohort's timezone (else their own, else UTC)."""
        enrollment = self.enrollment
        if enrollment is not None:
            name = enrollment.cohort.timezone
        else:
            student = self.student
            name = student.timezone if student and student.timezone else "UTC"
        return ZoneInfo(name)

    @property
    def today(self) -> date:
        """Today's date in their cohort's timezone (else their own, else UTC)."""
        return self.now.astimezone(self.zone).date()
