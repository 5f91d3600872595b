"""The cohort calendar, in three timezones, across DST changes, with breaks and extensions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import calendar
from bot.domain.calendar import Break
from bot.domain.cohorts import CohortSpec, validate_spec
from bot.domain.errors import InvalidInput
from bot.domain.schedule_rules import next_morning, quiet_until

DENVER = ZoneInfo("America/Denver")
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("tz", "start", "checkpoint", "deadline"),
    [
        # No change in the four weeks.
        (DENVER, date(2026, 9, 7), utc(2026, 9, 18, 23), utc(2026, 10, 2, 23)),
        (KOLKATA, date(2026, 9, 7), utc(2026, 9, 18, 11, 30), utc(2026, 10, 2, 11, 30)),
        (LONDON, date(2026, 9, 7), utc(2026, 9, 18, 16), utc(2026, 10, 2, 16)),
        # Summer time ends between the checkpoint and the deadline (1 Nov in the US).
        (DENVER, date(2026, 10, 19), utc(2026, 10, 30, 23), utc(2026, 11, 14, 0)),
        # ... and 25 Oct in the UK, before the checkpoint.
        (LONDON, date(2026, 10, 19), utc(2026, 10, 30, 17), utc(2026, 11, 13, 17)),
        # Summer time starts in Week 1 (8 Mar in the US, 29 Mar in the UK).
        (DENVER, date(2026, 3, 2), utc(2026, 3, 13, 23), utc(2026, 3, 27, 23)),
        (LONDON, date(2026, 3, 23), utc(2026, 4, 3, 16), utc(2026, 4, 17, 16)),
        # India has no summer time: the same UTC hour all year.
        (KOLKATA, date(2026, 3, 2), utc(2026, 3, 13, 11, 30), utc(2026, 3, 27, 11, 30)),
    ],
)
def test_default_checkpoint_and_deadline_are_friday_17_00_local(
    tz: ZoneInfo, start: date, checkpoint: datetime, deadline: datetime
) -> None:
    assert calendar.default_checkpoint(start, tz) == checkpoint
    assert calendar.default_deadline(start, tz) == deadline
    assert checkpoint.astimezone(tz).hour == deadline.astimezone(tz).hour == 17
    assert checkpoint.astimezone(tz).weekday() == deadline.astimezone(tz).weekday() == 4


def test_week_numbers_follow_the_local_date_across_a_dst_change() -> None:
    start = date(2026, 10, 19)  # Denver: summer time ends Sun 1 Nov, in Week 2
    assert calendar.week_number(start, DENVER, utc(2026, 10, 19, 5, 59)) == 0  # Sun 23:59 MDT
    assert calendar.week_number(start, DENVER, utc(2026, 10, 19, 6)) == 1  # Mon 00:00 MDT
    # Sun 1 Nov 23:30 MST is Mon 06:30 UTC: still Week 2 where the cohort is.
    assert calendar.week_number(start, DENVER, utc(2026, 11, 2, 6, 30)) == 2
    assert calendar.week_number(start, DENVER, utc(2026, 11, 2, 7)) == 3  # Mon 00:00 MST
    assert calendar.week_number(start, KOLKATA, utc(2026, 10, 25, 18, 29)) == 1  # Sun 23:59
    assert calendar.week_number(start, KOLKATA, utc(2026, 10, 25, 18, 30)) == 2


def test_mornings_stay_at_09_00_local_across_dst() -> None:
    # The Monday nudges of a Denver cohort spanning 1 Nov: 15:00 UTC, then 16:00 UTC.
    start = date(2026, 10, 19)
    mondays = [calendar.monday_of_week(start, w) for w in (2, 3)]
    assert [calendar.morning_of(d, DENVER) for d in mondays] == [
        utc(2026, 10, 26, 15),
        utc(2026, 11, 2, 16),
    ]
    assert calendar.morning_of(date(2026, 10, 26), LONDON) == utc(2026, 10, 26, 9)
    assert calendar.morning_of(date(2026, 10, 23), LONDON) == utc(2026, 10, 23, 8)


def test_a_cohort_starting_midweek_still_has_its_friday_and_monday_in_each_week() -> None:
    start = date(2026, 9, 9)  # a Wednesday
    assert calendar.friday_of_week(start, 2) == date(2026, 9, 18)
    assert calendar.monday_of_week(start, 2) == date(2026, 9, 21)


def test_a_week_off_shifts_the_later_weeks_and_the_deadline() -> None:
    start = date(2026, 9, 7)
    breaks = calendar.parse_breaks([{"start": "2026-09-21", "weeks": "1"}], start)
    assert breaks == (Break(date(2026, 9, 21), 1),)
    assert calendar.week_start(start, 3, breaks) == date(2026, 9, 28)
    assert calendar.default_checkpoint(start, DENVER, breaks) == utc(2026, 9, 18, 23)
    assert calendar.default_deadline(start, DENVER, breaks) == utc(2026, 10, 9, 23)
    assert calendar.monday_of_week(start, 4, breaks) == date(2026, 10, 5)
    during = utc(2026, 9, 23, 18)
    assert calendar.week_number(start, DENVER, during, breaks) == 2
    assert calendar.on_break(start, DENVER, during, breaks)
    assert calendar.week_number(start, DENVER, utc(2026, 9, 28, 18), breaks) == 3
    assert not calendar.on_break(start, DENVER, utc(2026, 9, 28, 18), breaks)


def test_a_break_in_the_middle_of_week_2_moves_the_checkpoint_past_it() -> None:
    start = date(2026, 9, 7)
    breaks = calendar.parse_breaks([{"start": "2026-09-16", "weeks": 1}], start)
    assert calendar.friday_of_week(start, 2, breaks) == date(2026, 9, 25)
    assert calendar.default_checkpoint(start, DENVER, breaks) == utc(2026, 9, 25, 23)
    assert calendar.default_deadline(start, DENVER, breaks) == utc(2026, 10, 9, 23)


def test_two_breaks_add_up_and_a_cohort_spec_uses_them() -> None:
    start = date(2026, 12, 7)
    raw = [{"start": "2026-12-21", "weeks": "2"}, {"start": "2027-01-11", "weeks": "1"}]
    spec = CohortSpec("T0TEAM", "Winter", start, "Europe/London", "C0INSTRUCT", breaks=raw)
    checkpoint, deadline = validate_spec(spec, utc(2026, 12, 1))
    assert checkpoint == utc(2026, 12, 18, 17)
    # Weeks 3 and 4 fall after both breaks: the week of 4 Jan, then the week of 18 Jan.
    assert deadline == utc(2027, 1, 22, 17)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ([{"start": "2026-09-01", "weeks": 1}], "after the cohort's start"),
        ([{"start": "2026-09-21", "weeks": 0}], "1–8 whole weeks"),
        ([{"start": "2026-09-21", "weeks": 9}], "1–8 whole weeks"),
        ([{"start": "21/09/2026", "weeks": 1}], "start date and a number of weeks"),
        ([{"weeks": 1}], "start date and a number of weeks"),
        (
            [{"start": "2026-09-21", "weeks": 2}, {"start": "2026-09-28", "weeks": 1}],
            "overlap",
        ),
    ],
)
def test_bad_breaks_are_refused(raw: list[dict[str, object]], problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem) as error:
        calendar.parse_breaks(raw, date(2026, 9, 7))
    assert error.value.field == "breaks"


def test_an_extension_gives_one_student_a_later_deadline() -> None:
    cohort_deadline = utc(2026, 10, 2, 23)
    later = datetime(2026, 10, 9, 17, tzinfo=DENVER)
    assert calendar.student_deadline(cohort_deadline, None) == cohort_deadline
    assert calendar.student_deadline(cohort_deadline, later) == later
    assert calendar.check_extension(cohort_deadline, later, DENVER) == utc(2026, 10, 9, 23)
    with pytest.raises(InvalidInput, match="after the cohort's deadline"):
        calendar.check_extension(cohort_deadline, cohort_deadline - timedelta(days=1), DENVER)
    with pytest.raises(InvalidInput, match="UTC offset"):
        calendar.check_extension(cohort_deadline, datetime(2026, 10, 9, 17), DENVER)


def test_an_extension_ends_at_most_a_year_after_the_cohorts_deadline() -> None:
    cohort_deadline = utc(2026, 10, 2, 23)
    latest = date(2027, 10, 2)
    assert calendar.extension_on(cohort_deadline, latest, DENVER) == utc(2027, 10, 2, 23)
    for day in (latest + timedelta(days=1), date(9999, 12, 31)):  # the last: no UTC instant
        with pytest.raises(InvalidInput, match="at most 365 days after") as error:
            calendar.extension_on(cohort_deadline, day, DENVER)
        assert error.value.field == "deadline"
    far = datetime(9999, 12, 31, 17, tzinfo=DENVER)
    with pytest.raises(InvalidInput, match="at most 365 days after"):
        calendar.check_extension(cohort_deadline, far, DENVER)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "not a timezone I know"),
        ({"timezone": "MDT"}, "timezone", "America/Denver"),
        ({"start_date": date(2024, 1, 8)}, "start_date", "more than a year ago"),
        ({"start_date": date(9999, 12, 27)}, "start_date", "more than a century away"),
        (
            {"deadline_at": utc(2026, 9, 17, 23)},  # before the default checkpoint
            "deadline",
            "after the checkpoint",
        ),
        (
            {"checkpoint_at": utc(2026, 10, 9, 23), "deadline_at": utc(2026, 10, 2, 23)},
            "deadline",
            "after the checkpoint",
        ),
        ({"checkpoint_at": utc(2026, 9, 1)}, "checkpoint", "after the start date"),
    ],
)
def test_bad_cohort_calendars_are_refused_with_the_field(
    overrides: dict[str, object], field: str, message: str
) -> None:
    values: dict[str, object] = {
        "team_id": "T0TEAM",
        "name": "Mod 5",
        "start_date": date(2026, 9, 7),
        "timezone": "America/Denver",
        "instructors_channel": "C0INSTRUCT",
        **overrides,
    }
    with pytest.raises(InvalidInput, match=message) as error:
        validate_spec(CohortSpec(**values), utc(2026, 9, 1))  # type: ignore[arg-type]
    assert error.value.field == field


@pytest.mark.parametrize(
    ("now", "tz", "until"),
    [
        (utc(2026, 9, 18, 23), DENVER, None),  # 17:00 MDT: fine
        (utc(2026, 9, 19, 3), DENVER, utc(2026, 9, 19, 14)),  # 21:00 MDT → 08:00 MDT
        (utc(2026, 9, 18, 23), KOLKATA, utc(2026, 9, 19, 2, 30)),  # 04:30 IST → 08:00 IST
        (utc(2026, 9, 19, 2, 30), KOLKATA, None),  # 08:00 IST
        (utc(2026, 9, 18, 20), LONDON, utc(2026, 9, 19, 7)),  # 21:00 BST → 08:00 BST
        # The night summer time ends: 22:00 MDT on 31 Oct → 08:00 MST on 1 Nov.
        (utc(2026, 11, 1, 4), DENVER, utc(2026, 11, 1, 15)),
        # The night UK summer time ends: 23:00 BST 24 Oct → 08:00 GMT 25 Oct.
        (utc(2026, 10, 24, 22), LONDON, utc(2026, 10, 25, 8)),
    ],
)
def test_quiet_hours_end_at_08_00_local(
    now: datetime, tz: ZoneInfo, until: datetime | None
) -> None:
    assert quiet_until(now, tz) == until


def test_follow_ups_wait_for_the_next_morning_across_dst() -> None:
    assert next_morning(utc(2026, 10, 31, 16), DENVER) == utc(2026, 11, 1, 16)  # 09:00 MST
    assert next_morning(utc(2026, 10, 31, 15), DENVER) == utc(2026, 10, 31, 15)  # 09:00 MDT
