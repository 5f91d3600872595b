"""Where a student and a cohort stand against the assignment: one model, each rule written once.

Status, App Home, the reminders, the digests, the report and the export all read these
dataclasses (loaded by bot.domain.read_model); none computes "behind", "unanswered" or the
reflection state on its own. Every rule that depends on time takes `now`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain import calendar
from bot.models import OutreachStatus

UNANSWERED = frozenset({OutreachStatus.SENT, OutreachStatus.NO_RESPONSE})


class ReflectionState(StrEnum):
    """How far a student got with the four reflection questions."""

    NOT_STARTED = "not started"
    DRAFT = "draft started"
    COMPLETE = "all four answers written"


def reflection_state(answers: Iterable[str | None]) -> ReflectionState:
    """NOT_STARTED with no answer, COMPLETE with all four, DRAFT in between."""
    written = [bool(answer and answer.strip()) for answer in answers]
    if written and all(written):
        return ReflectionState.COMPLETE
    if any(written):
        return ReflectionState.DRAFT
    return ReflectionState.NOT_STARTED


@dataclass(frozen=True)
class CohortFacts:
    """What the rules need to know about a cohort."""

    id: int
    name: str
    timezone: str
    start_date: date
    breaks: tuple[calendar.Break, ...]
    checkpoint_at: datetime
    deadline_at: datetime
    required_chats: int
    min_attempts: int
    instructors_channel: str
    instructor_ids: tuple[str, ...]
    created_by: str | None
    created_at: datetime
    students_channel: str | None = None
    team_id: str = ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def opens_at(self) -> datetime:
        """Midnight of the start date: log entries before it belong to an earlier assignment."""
        return calendar.local_instant(self.start_date, time(0, 0), self.tz)

    def week(self, now: datetime) -> int:
        return calendar.week_number(self.start_date, self.tz, now, self.breaks)


@dataclass(frozen=True)
class Attempt:
    """One person a student tried to reach, and where that stands."""

    id: int
    contact_id: int
    name: str
    linkedin_url: str | None
    sent_on: date
    sent_at: datetime
    status: str
    follow_ups: int = 0
    last_follow_up_at: datetime | None = None

    @property
    def unanswered(self) -> bool:
        return self.status in UNANSWERED


@dataclass(frozen=True)
class ChatFacts:
    """A chat a student logged."""

    id: int
    name: str
    linkedin_url: str | None
    held_on: date
    logged_at: datetime
    thank_you_sent_at: datetime | None = None
    takeaways: str | None = None
    contact_id: int | None = None


@dataclass(frozen=True)
class Planned:
    """A chat the student scheduled, and when (None until they said)."""

    contact_id: int
    name: str
    linkedin_url: str | None
    at: datetime | None
    outreach_id: int | None = None


@dataclass(frozen=True)
class Standing:
    """A student of a cohort and their log, as of the instant it was read.

    `unanswered` lists everyone they tried who hasn't responded, oldest attempt first; when it
    was read with a limit it holds only the first ones, and `unanswered_count` all of them.
    Leads (contacts without an outreach) are not people tried: `leads` names them. A limited
    read (one student's, for what status and App Home show) keeps only the first few chats,
    leads and scheduled chats too, and says in `*_hidden` how many more there are; the
    `*_count` properties count them all.
    """

    student_id: int
    user_id: str
    enrolled_at: datetime
    deadline_at: datetime
    extended: bool
    attempts: int = 0
    unanswered: tuple[Attempt, ...] = ()
    unanswered_count: int = 0
    chats: tuple[ChatFacts, ...] = ()
    submitted_at: datetime | None = None
    submission_late: bool = False
    reflection: ReflectionState = ReflectionState.NOT_STARTED
    timezone: str | None = None
    last_activity_at: datetime | None = None
    excused: bool = False
    handin_link: str | None = None
    leads: tuple[str, ...] = ()  # people referred to them they haven't reached out to yet
    scheduled: tuple[Planned, ...] = ()  # soonest first; those without a time last
    chats_hidden: int = 0  # chats not read (a limited read), after those in `chats`
    leads_hidden: int = 0
    scheduled_hidden: int = 0

    @property
    def chat_count(self) -> int:
        return len(self.chats) + self.chats_hidden

    @property
    def lead_count(self) -> int:
        return len(self.leads) + self.leads_hidden

    @property
    def scheduled_count(self) -> int:
        return len(self.scheduled) + self.scheduled_hidden

    @property
    def handed_in(self) -> bool:
        return self.submitted_at is not None

    @property
    def unanswered_hidden(self) -> int:
        """How many unanswered people were not read (a limited read)."""
        return self.unanswered_count - len(self.unanswered)

    def behind(self, cohort: CohortFacts) -> bool:
        """Fewer chats than the assignment requires."""
        return self.chat_count < cohort.required_chats

    def chats_missing(self, cohort: CohortFacts) -> int:
        return max(0, cohort.required_chats - self.chat_count)

    def list_short(self, cohort: CohortFacts) -> bool:
        """The seed's checkpoint rule: everyone tried who hasn't responded should be at least
        `min_attempts` people; True when that list is shorter."""
        return self.unanswered_count < cohort.min_attempts

    def more_to_try(self, cohort: CohortFacts) -> int:
        """How many more people to reach out to for the list to be long enough."""
        return max(0, cohort.min_attempts - self.unanswered_count)

    def quiet_days(self, now: datetime) -> int:
        """Whole days since they last logged anything (since they joined, if never)."""
        return max(0, (now - (self.last_activity_at or self.enrolled_at)).days)

    def risk(self, cohort: CohortFacts) -> tuple[object, ...]:
        """Sort key, most at risk first: not excused nor handed in, fewest chats, short list,
        fewest tried."""
        return (
            self.excused,
            self.handed_in,
            min(self.chat_count, cohort.required_chats),
            not self.list_short(cohort),
            self.attempts,
            self.unanswered_count,
            self.user_id,
        )


def by_risk(cohort: CohortFacts, standings: Sequence[Standing]) -> list[Standing]:
    """Students behind on chats (and not excused), most at risk first."""
    behind = (s for s in standings if s.behind(cohort) and not s.excused)
    return sorted(behind, key=lambda s: s.risk(cohort))
