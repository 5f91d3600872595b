"""When things land: quiet hours in the student's own timezone, catching up after downtime."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from bot.models import Student
from tests.schedule_fixtures import World, census, local

CHECKPOINT = local("America/Denver", 2026, 9, 18, 17)  # 23:00 UTC


def test_dms_wait_for_08_00_in_the_students_own_timezone(world: World) -> None:
    world.slack.users["U0KOL"] = {"id": "U0KOL", "tz": "Asia/Kolkata"}
    world.slack.users["U0LON"] = {"id": "U0LON", "tz": "Europe/London"}
    world.slack.users["U0DEN"] = {"id": "U0DEN", "tz": "America/Denver"}
    world.create_cohort(
        local("America/Denver", 2026, 9, 1), student_ids=["U0KOL", "U0LON", "U0DEN"]
    )
    # 09:00 in Denver is 16:00 in London and 20:30 in Kolkata: all three get the kickoff.
    kickoff = local("America/Denver", 2026, 9, 7, 9)
    assert census(world.step(kickoff)) == Counter(
        {("U0KOL", "kickoff"): 1, ("U0LON", "kickoff"): 1, ("U0DEN", "kickoff"): 1}
    )
    world.step(local("America/Denver", 2026, 9, 14, 9))  # the Week 2 nudges, all in daytime
    # 17:00 in Denver is midnight in London and 04:30 in Kolkata.
    summary = world.run(CHECKPOINT)
    assert summary.waiting == 2
    assert census(world.slack.take()) == Counter(
        {("U0DEN", "checkpoint"): 1, ("C0INSTRUCT", "checkpoint-digest"): 1}
    )
    assert world.step(local("Asia/Kolkata", 2026, 9, 19, 7, 59)) == []
    posted = world.step(local("Asia/Kolkata", 2026, 9, 19, 8))
    assert census(posted) == Counter({("U0KOL", "checkpoint"): 1})
    assert world.step(local("Europe/London", 2026, 9, 19, 7, 59)) == []
    posted = world.step(local("Europe/London", 2026, 9, 19, 8))
    assert census(posted) == Counter({("U0LON", "checkpoint"): 1})
    # The timezones were read in bulk (users.list) and kept on the students: not one
    # users.info per message. Read at the kickoff, and again 11 days later (weekly at most).
    assert world.slack.of("users.info") == []
    assert len(world.slack.of("users.list")) == 2
    with world.session() as session:
        zones = {s.user_id: s.timezone for s in session.scalars(select(Student))}
    assert zones == {"U0KOL": "Asia/Kolkata", "U0LON": "Europe/London", "U0DEN": "America/Denver"}


def test_a_student_whose_timezone_slack_wont_tell_gets_the_cohorts_hours(world: World) -> None:
    world.create_cohort(
        local("Asia/Kolkata", 2026, 9, 1), student_ids=["U0X"], timezone="Asia/Kolkata"
    )
    world.slack.fail("users.list", error="ratelimited", status=429, times=5)
    kickoff = local("Asia/Kolkata", 2026, 9, 7, 9)
    assert census(world.step(kickoff)) == Counter({("U0X", "kickoff"): 1})


def test_a_clock_stopped_for_two_days_sends_the_missed_digest_once_marked_late(
    world: World,
) -> None:
    world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=["U0A", "U0B"])
    world.outreach("U0A", "Grace Hopper", local("America/Denver", 2026, 9, 16, 10))
    world.run(CHECKPOINT - timedelta(hours=1))
    world.slack.take()
    back = CHECKPOINT + timedelta(days=2)  # Sunday 17:00
    posted = world.step(back)
    assert census(posted) == Counter(
        {("C0INSTRUCT", "checkpoint-digest"): 1, ("U0A", "checkpoint"): 1, ("U0B", "checkpoint"): 1}
    )
    digest = next(p for p in posted if p.kind == "checkpoint-digest").readable()
    assert "Late:" in digest and "Fri 18 Sep 2026, 17:00 MDT" in digest
    rows = {r.kind: r for r in world.deliveries() if r.kind == "checkpoint-digest"}
    assert rows["checkpoint-digest"].late is True
    assert world.step(back + timedelta(hours=1)) == []


def test_after_a_week_down_what_is_no_longer_useful_is_skipped_and_recorded(
    world: World,
) -> None:
    world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=["U0A", "U0B"])
    world.run(local("America/Denver", 2026, 9, 7, 9))
    world.slack.take()
    world.chat("U0A", "Grace Hopper", local("America/Denver", 2026, 9, 8, 10))
    # Down from Tuesday of Week 1 to Tuesday of Week 3.
    back = local("America/Denver", 2026, 9, 22, 10)
    posted = world.step(back)
    # Still useful: the checkpoint DMs and digest, and this week's nudges.
    assert census(posted) == Counter(
        {
            ("U0A", "checkpoint"): 1,
            ("U0B", "checkpoint"): 1,
            ("C0INSTRUCT", "checkpoint-digest"): 1,
            ("U0A", "weekly-nudge"): 1,
            ("U0B", "weekly-nudge"): 1,
        }
    )
    nudge = next(p for p in posted if p.kind == "weekly-nudge").readable()
    assert "Week 3" in nudge
    skipped = {r.key: r.last_error for r in world.deliveries() if r.status == "skipped"}
    thank_you = next(v for k, v in skipped.items() if k.startswith("thank-you:"))
    assert "no longer useful" in (thank_you or "")  # a thank-you nudge 11 days late
    week_2 = {k.split(":")[2]: v for k, v in skipped.items() if k.endswith(":week-2")}
    assert len(week_2) == 2
    assert "no longer useful" in (week_2["2"] or "")  # U0B's, behind: too late now
    assert "on pace" in (week_2["1"] or "")  # U0A had a chat


def test_a_cohort_spanning_the_end_of_summer_time_keeps_its_local_hours(world: World) -> None:
    from datetime import UTC, date, datetime

    def utc(*parts: int) -> datetime:
        return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]

    # Denver, from Mon 19 Oct 2026; clocks go back on Sun 1 Nov, in Week 3.
    world.create_cohort(utc(2026, 10, 1), student_ids=["U0A"], start_date=date(2026, 10, 19))
    assert census(world.step(utc(2026, 10, 19, 15))) == Counter({("U0A", "kickoff"): 1})
    assert census(world.step(utc(2026, 10, 26, 15))) == Counter({("U0A", "weekly-nudge"): 1})
    world.step(utc(2026, 10, 30, 23))  # the checkpoint, 17:00 MDT
    # Monday of Week 3 at 09:00 is now 16:00 UTC, not 15:00.
    assert world.step(utc(2026, 11, 2, 15, 59)) == []
    assert census(world.step(utc(2026, 11, 2, 16))) == Counter({("U0A", "weekly-nudge"): 1})
    # The deadline, Fri 13 Nov 17:00 MST, is Sat 00:00 UTC.
    assert census(world.step(utc(2026, 11, 9, 16))) == Counter({("U0A", "weekly-nudge"): 1})
    assert world.step(utc(2026, 11, 11, 23, 59)) == []
    reminder = world.step(utc(2026, 11, 12, 0))  # 48 h before: Wed 17:00 MST
    assert census(reminder) == Counter({("U0A", "deadline-reminder"): 1})
    assert world.step(utc(2026, 11, 13, 23, 59)) == []
    posted = world.step(utc(2026, 11, 14, 0))
    assert census(posted) == Counter({("C0INSTRUCT", "deadline-digest"): 1})
    assert "Fri 13 Nov 2026, 17:00 MST" in posted[0].readable()


def test_a_follow_up_says_how_many_days_it_has_really_been(world: World) -> None:
    """Reached out on a Wednesday evening (Thursday in UTC): the wait runs out Monday evening,
    the follow-up comes Tuesday at 09:00, six days later by the cohort's calendar."""
    world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=["U0A"])
    world.outreach("U0A", "Grace Hopper", local("America/Denver", 2026, 9, 9, 20))
    world.run(local("America/Denver", 2026, 9, 14, 12))  # the kickoff, Monday's nudge
    world.slack.take()
    assert world.step(local("America/Denver", 2026, 9, 15, 8, 59)) == []
    [follow_up] = world.step(local("America/Denver", 2026, 9, 15, 9))
    text = follow_up.readable()
    assert "Grace Hopper, 6 days after you reached out" in text
    assert "*6 days, follow up today*" in text and "5 days" not in text
