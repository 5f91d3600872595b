"""The clock's index: an idle minute costs the same at any size, and no write is ever missed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from bot.domain import plan_index
from bot.models import Cohort, DeliveryStatus
from tests.schedule_fixtures import World, census, local

START = local("America/Denver", 2026, 9, 1)
KICKOFF = local("America/Denver", 2026, 9, 7, 9)
TUESDAY = local("America/Denver", 2026, 9, 8, 13)


@contextmanager
def statements(world: World) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(world.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(world.engine, "before_cursor_execute", count)


def idle_statements(world: World, at: Any) -> list[str]:
    with statements(world) as seen:
        summary = world.run(at)
    assert summary.sent == summary.failed == summary.skipped == 0
    return seen


def plan_at(world: World, cohort_id: int) -> Any:
    with world.session() as session:
        return session.scalars(select(Cohort.plan_at).where(Cohort.id == cohort_id)).one()


def test_an_idle_minute_costs_the_same_statements_for_3_students_or_60(world: World) -> None:
    world.create_cohort(START, student_ids=["U0A", "U0B", "U0C"])
    world.step(KICKOFF)
    small = idle_statements(world, TUESDAY)
    world.create_cohort(START, name="Mod 6", student_ids=[f"U0M{n:02d}" for n in range(60)])
    assert len(census(world.step(KICKOFF + timedelta(minutes=5)))) == 60
    for n in range(60):
        world.outreach(f"U0M{n:02d}", f"Person {n}", KICKOFF + timedelta(minutes=10))
    world.run(KICKOFF + timedelta(minutes=11))  # plans the cohort after those writes
    large = idle_statements(world, TUESDAY)
    assert len(large) == len(small), (small, large)
    assert len(large) <= 5  # the index, pending hand-ins, the upkeep


def test_after_planning_the_cohort_sleeps_until_its_next_delivery(world: World) -> None:
    cohort_id = world.create_cohort(START, student_ids=["U0A"])
    world.step(KICKOFF)
    nudge = local("America/Denver", 2026, 9, 14, 9)  # Monday of Week 2
    assert plan_at(world, cohort_id) == nudge
    assert world.step(nudge - timedelta(minutes=1)) == []
    assert census(world.step(nudge)) == {("U0A", "weekly-nudge"): 1}


def test_a_chat_logged_after_the_plan_gets_its_thank_you(world: World) -> None:
    cohort_id = world.create_cohort(START, student_ids=["U0A"])
    world.step(KICKOFF)
    assert plan_at(world, cohort_id) is not None
    world.chat("U0A", "Grace Hopper", TUESDAY)
    assert plan_at(world, cohort_id) is None  # the write cleared it: the next run plans
    world.run(TUESDAY + timedelta(minutes=1))
    due = plan_at(world, cohort_id)
    assert due is not None and TUESDAY < due <= TUESDAY + timedelta(hours=24)
    posted = world.step(due)
    assert ("U0A", "thank-you") in census(posted)


def test_a_write_while_the_clock_plans_is_not_lost(world: World) -> None:
    cohort_id = world.create_cohort(START, student_ids=["U0A"])
    with world.session() as session:
        (read,) = plan_index.due_cohorts(session, KICKOFF)
    world.outreach("U0A", "Ada Lovelace", KICKOFF)  # lands after the clock read the facts
    with world.session() as session:
        plan_index.settle(session, [(cohort_id, read.version, KICKOFF + timedelta(days=7))])
    assert plan_at(world, cohort_id) is None  # so the next run plans it again
    with world.session() as session:
        (again,) = plan_index.due_cohorts(session, KICKOFF)
    assert again.version > read.version


def test_a_long_retry_after_defers_one_dm_while_the_others_go_out(world: World) -> None:
    world.create_cohort(START, student_ids=["U0A", "U0B", "U0C"])
    world.slack.fail("chat.postMessage", status=429, retry_after=120, channel="U0A")
    summary = world.run(KICKOFF)
    assert summary.sent == 2 and summary.failed == 1
    assert census(world.slack.take()) == {("U0B", "kickoff"): 1, ("U0C", "kickoff"): 1}
    # Not waited out inside the run: one try, then it is a later run's.
    assert len([c for c in world.slack.of("chat.postMessage") if c.params["channel"] == "U0A"]) == 1
    row = next(r for r in world.deliveries() if r.key == "kickoff:1:1")
    assert row.status == DeliveryStatus.FAILED and row.next_attempt_at is not None
    assert row.next_attempt_at >= KICKOFF + timedelta(seconds=120)
    assert world.step(KICKOFF + timedelta(minutes=1)) == []
    posted = world.step(row.next_attempt_at)
    assert census(posted) == {("U0A", "kickoff"): 1}


def test_a_workspace_that_keeps_rate_limiting_is_left_for_a_later_run(world: World) -> None:
    world.create_cohort(START, student_ids=[f"U0R{n}" for n in range(8)])
    world.slack.fail("chat.postMessage", status=429, retry_after=60, times=4)
    summary = world.run(KICKOFF)
    tried = len(world.slack.of("chat.postMessage"))
    assert tried <= 4 and summary.sent == 0  # each lane stops after two long waits in a row
    later = world.run(KICKOFF + timedelta(seconds=61))
    assert later.sent == 8
    world.run(KICKOFF + timedelta(minutes=10))
    assert len(world.slack.delivered("kickoff")) == 8
