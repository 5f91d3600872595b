"""The cohort calendar: weeks, checkpoint and deadline, in the cohort's own timezone.

Weeks are counted in teaching days from the start date (day 1 of Week 1). A break (a week or
more off, stored on the cohort as `{"start": "YYYY-MM-DD", "weeks": n}`) adds no teaching days,
so every later week, the default checkpoint and the default deadline move later by its length.
Every function takes the instant it reasons about; none reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain.assignment import CHECKPOINT_WEEK, DEADLINE_WEEK
from bot.domain.errors import InvalidInput

FRIDAY = 4
DAY_END = time(17, 0)
MAX_EXTENSION = timedelta(days=365)  # a later deadline than that is a typo, not a plan
MONDAY = 0
MORNING = time(9, 0)
MAX_BREAK_WEEKS = 8


@dataclass(frozen=True, order=True)
class Break:
    """Whole weeks off, from `start` (inclusive): no teaching days, later weeks shift."""

    start: date
    weeks: int

    @property
    def end(self) -> date:
        """The first day after the break."""
        return self.start + timedelta(weeks=self.weeks)

    def as_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "weeks": str(self.weeks)}


Breaks = Sequence[Break]


def zone(name: str) -> ZoneInfo:
    """The IANA timezone called `name`; InvalidInput with an example when unknown."""
    if name not in _known_zones():
        raise InvalidInput(
            f"“{name}” is not a timezone I know. Use an IANA name such as America/Denver, "
            "Europe/London or Asia/Kolkata.",
            field="timezone",
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - guarded above
        raise InvalidInput(f"“{name}” is not a timezone I know.", field="timezone") from exc


def _known_zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones() | {"UTC"}
    return _ZONES


_ZONES: set[str] | None = None


@lru_cache(maxsize=8192)  # pure, and asked the same (a cohort's mornings) thousands of times
def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `tz` (PEP 495 rules in DST gaps)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def parse_breaks(raw: Iterable[Mapping[str, object]] | None, start: date) -> tuple[Break, ...]:
    """Breaks as stored on a cohort, checked: after the start, 1–8 weeks each, no overlap."""
    breaks: list[Break] = []
    for item in raw or []:
        try:
            day = date.fromisoformat(str(item["start"]))
            weeks = int(str(item.get("weeks", 1)))
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(
                f"A break is written as a start date and a number of weeks, like "
                f'{{"start": "{start + timedelta(weeks=2)}", "weeks": 1}}; got {dict(item)}.',
                field="breaks",
            ) from None
        if not 1 <= weeks <= MAX_BREAK_WEEKS:
            raise InvalidInput(
                f"A break lasts 1–{MAX_BREAK_WEEKS} whole weeks; {weeks} is not allowed.",
                field="breaks",
            )
        if day <= start:
            raise InvalidInput(
                f"The break starting {day} must start after the cohort's start date {start}.",
                field="breaks",
            )
        breaks.append(Break(day, weeks))
    breaks.sort()
    for earlier, later in pairwise(breaks):
        if later.start < earlier.end:
            raise InvalidInput(
                f"The breaks starting {earlier.start} and {later.start} overlap.", field="breaks"
            )
    return tuple(breaks)


def teaching_day(start: date, index: int, breaks: Breaks = ()) -> date:
    """The date of teaching day `index` (0 = the start date), skipping every break."""
    day = start + timedelta(days=index)
    for pause in sorted(breaks):
        if pause.start <= day:
            day += timedelta(weeks=pause.weeks)
    return day


def teaching_index(start: date, day: date, breaks: Breaks = ()) -> tuple[int, bool]:
    """How many teaching days lie between the start and `day`, and whether `day` is a break."""
    removed = 0
    for pause in sorted(breaks):
        if day >= pause.end:
            removed += (pause.end - pause.start).days
        elif day >= pause.start:
            return (pause.start - start).days - removed, True
    return (day - start).days - removed, False


def week_start(start: date, week: int, breaks: Breaks = ()) -> date:
    """The first day of `week` (1-based), counting the start date as day 1 of Week 1."""
    return teaching_day(start, 7 * (week - 1), breaks)


def _weekday_of_week(start: date, week: int, weekday: int, breaks: Breaks) -> date:
    first = 7 * (week - 1)
    for index in range(first, first + 7):
        day = teaching_day(start, index, breaks)
        if day.weekday() == weekday:
            return day
    raise AssertionError("a week of seven teaching days has every weekday")  # pragma: no cover


def friday_of_week(start: date, week: int, breaks: Breaks = ()) -> date:
    """The Friday that falls within `week` of a cohort starting on `start`."""
    return _weekday_of_week(start, week, FRIDAY, breaks)


def monday_of_week(start: date, week: int, breaks: Breaks = ()) -> date:
    """The Monday that falls within `week` of a cohort starting on `start`."""
    return _weekday_of_week(start, week, MONDAY, breaks)


def default_checkpoint(start: date, tz: ZoneInfo, breaks: Breaks = ()) -> datetime:
    """Friday of Week 2 at 17:00 in the cohort's timezone, as UTC."""
    return local_instant(friday_of_week(start, CHECKPOINT_WEEK, breaks), DAY_END, tz)


def default_deadline(start: date, tz: ZoneInfo, breaks: Breaks = ()) -> datetime:
    """Friday of Week 4 at 17:00 in the cohort's timezone, as UTC."""
    return local_instant(friday_of_week(start, DEADLINE_WEEK, breaks), DAY_END, tz)


def week_number(start: date, tz: ZoneInfo, now: datetime, breaks: Breaks = ()) -> int:
    """The cohort week `now` falls in (0 before the start, 1 on the start date).

    During a break it is the week before the break: that week is over, the next not begun.
    """
    today = now.astimezone(tz).date()
    if today < start:
        return 0
    index, on_break = teaching_index(start, today, breaks)
    return (index - 1) // 7 + 1 if on_break else index // 7 + 1


def on_break(start: date, tz: ZoneInfo, now: datetime, breaks: Breaks = ()) -> bool:
    """Whether `now` falls in one of the cohort's breaks."""
    return teaching_index(start, now.astimezone(tz).date(), breaks)[1]


def morning_of(day: date, tz: ZoneInfo) -> datetime:
    """09:00 on `day` in `tz`, as UTC: when the day's reminders go out."""
    return local_instant(day, MORNING, tz)


def student_deadline(cohort_deadline: datetime, extension: datetime | None) -> datetime:
    """A student's deadline: their extension when they have one, else the cohort's."""
    return extension if extension is not None else cohort_deadline


def extension_on(cohort_deadline: datetime, day: date, tz: ZoneInfo) -> datetime:
    """An extension to 17:00 on `day` (cohort time), checked as `check_extension` does; a day
    too far off for an instant (9999-12-31) is refused before it is made one."""
    if day - cohort_deadline.astimezone(tz).date() > MAX_EXTENSION:
        raise _too_far(cohort_deadline, tz)
    return check_extension(cohort_deadline, local_instant(day, DAY_END, tz), tz)


def _too_far(cohort_deadline: datetime, tz: ZoneInfo) -> InvalidInput:
    return InvalidInput(
        f"An extension can end at most {MAX_EXTENSION.days} days after the cohort's deadline "
        f"({format_instant(cohort_deadline, tz)}).",
        "deadline",
    )


def check_extension(cohort_deadline: datetime, until: datetime, tz: ZoneInfo) -> datetime:
    """An extension must be an aware instant later than the cohort's deadline, by at most
    MAX_EXTENSION."""
    if until.tzinfo is None:
        raise InvalidInput(
            "Give the extension with a UTC offset, like 2026-10-09T17:00:00-06:00.", "deadline"
        )
    if until <= cohort_deadline:
        raise InvalidInput(
            f"An extension must end after the cohort's deadline "
            f"({format_instant(cohort_deadline, tz)}).",
            "deadline",
        )
    if until - cohort_deadline > MAX_EXTENSION:
        raise _too_far(cohort_deadline, tz)
    return until.astimezone(UTC)


def format_instant(instant: datetime, tz: ZoneInfo) -> str:
    """A reader's form of an instant in a timezone, e.g. `Fri 12 Sep, 17:00 MDT`."""
    local = instant.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"
