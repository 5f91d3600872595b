"""Benchmark the fan-out of kickoff DMs under Slack's rate limits, through the real clock.

A cohort of `--students` (default 1,000) starts: each is due a kickoff DM at once. A fake Slack
on 127.0.0.1 (tests/schedule_fixtures.py's ScheduleFake, subclassed) enforces Slack's limits on
chat.postMessage: 1 message per second per channel and `--per-minute` (default 100) per
workspace in any 60 s, answering HTTP 429 `ratelimited` with Retry-After = the whole seconds
until a slot frees. The clock is the bot's own (bot.schedule.clock.make_scheduler: APScheduler,
one job every `--interval` s that never overlaps itself, a run skipped while one is still
going), running the production Runner (`run_due`, then upkeep) with the scheduler's client
(429s retried in the call when Retry-After ≤ 10 s). Its calendar clock starts a minute after
the kickoff morning and follows wall time. Students' timezones are not stored yet, so the
first run reads them with users.list.

    .venv/bin/python bench/bench_fanout.py [--students 1000] [--per-minute 100] [--quick]

`--quick`: 200 students (~2 min at 100/min). The database is PostgreSQL when
COFFEE_TEST_POSTGRES_URL is set (a fresh schema, dropped at the end), else a SQLite file;
`--backend` chooses. See bench/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.bench_schedule import client_for  # noqa: E402
from bench.seeding import POSTGRES_ENV, add_students, database, exit_on_sigterm  # noqa: E402
from bot import db  # noqa: E402
from bot.domain import calendar  # noqa: E402
from bot.domain.cohorts import CohortSpec, create_cohort  # noqa: E402
from bot.models import Delivery, DeliveryStatus  # noqa: E402
from bot.schedule.clock import Runner, make_scheduler  # noqa: E402
from bot.schedule.run_due import Summary  # noqa: E402
from tests.fakeslack import Fault  # noqa: E402
from tests.schedule_fixtures import ScheduleFake  # noqa: E402

TEAM = "T0BENCH"
START = date(2026, 9, 7)
TIMEZONE = "America/Denver"
ZONES = ("America/Denver", "America/Chicago", "America/New_York")  # all in daytime at the start
CREATED = datetime.combine(START, datetime.min.time(), UTC) - timedelta(days=7)
KICKOFF_AT = calendar.morning_of(START, ZoneInfo(TIMEZONE))
WINDOW = 60.0


@dataclass
class LimitedSlack(ScheduleFake):
    """ScheduleFake with Slack's limits on chat.postMessage: `per_channel` s between messages to
    a channel, `per_minute` messages per workspace in any WINDOW s; 429 + Retry-After beyond."""

    per_minute: int = 100
    per_channel: float = 1.0
    limited: int = 0
    accepted_at: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._window: deque[float] = deque()
        self._last: dict[str, float] = {}

    def _take_fault(self, method: str, channel: Any) -> Any:
        # Called with the fake's lock held, so deciding and taking a slot are one step.
        if method == "chat.postMessage":
            now = time.monotonic()
            while self._window and self._window[0] <= now - WINDOW:
                self._window.popleft()
            waits = [0.0]
            if len(self._window) >= self.per_minute:
                waits.append(self._window[0] + WINDOW - now)
            last = self._last.get(str(channel))
            if last is not None:
                waits.append(last + self.per_channel - now)
            if max(waits) > 0:
                self._local.delay = 0.0
                self.limited += 1
                retry_after = {"Retry-After": str(max(1, math.ceil(max(waits))))}
                return Fault(429, {"ok": False, "error": "ratelimited"}, retry_after, 1)
            self._window.append(now)
            self._last[str(channel)] = now
            self.accepted_at.append(now)
        return super()._take_fault(method, channel)


@dataclass
class Run:
    started: float
    ended: float = 0.0
    summary: Summary | None = None


@dataclass
class TimedRunner(Runner):
    """The production Runner, noting when each run started and ended and what it did."""

    runs: list[Run] = field(default_factory=list)

    def __call__(self) -> Summary:
        run = Run(time.monotonic())
        self.runs.append(run)
        try:
            run.summary = super().__call__()
            return run.summary
        finally:
            run.ended = time.monotonic()


def seed(url: str, students: int, fake: LimitedSlack) -> None:
    """A cohort starting today, `students` enrolled a week before, timezones not read yet."""
    sessions = db.make_session_factory(db.make_engine(url))
    users = [f"U0FAN{n:05}" for n in range(students)]
    with db.session_scope(sessions) as session:
        spec = CohortSpec(
            TEAM, "Fan-out", START, TIMEZONE, "C0INSTRUCT", instructor_ids=["U0TEACH"]
        )
        cohort = create_cohort(session, spec, CREATED)
        add_students(session, cohort.id, TEAM, users, CREATED)
    for n, user in enumerate(users):
        fake.users[user] = {"tz": ZONES[n % len(ZONES)], "is_bot": False}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--per-minute", type=int, default=100, help="the workspace's limit")
    parser.add_argument("--interval", type=float, default=60.0, help="the clock's, in seconds")
    parser.add_argument("--quick", action="store_true", help="200 students")
    default_backend = "postgresql" if os.environ.get(POSTGRES_ENV) else "sqlite"
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default=default_backend)
    args = parser.parse_args()
    exit_on_sigterm()
    students = 200 if args.quick else args.students
    floor = students / args.per_minute * 60
    fastest = (students - 1) // args.per_minute * WINDOW  # the last slot, from an empty window
    limit = 2 * floor + 240
    print(
        f"machine: Python {platform.python_version()}, load avg "
        f"{'/'.join(f'{x:.2f}' for x in os.getloadavg())}; database {args.backend}"
    )
    print(
        f"{students} kickoff DMs; fake Slack: {args.per_minute}/min per workspace (any 60 s), "
        f"1/s per channel, 429 + Retry-After; the clock every {args.interval:.0f} s; "
        f"stops when all are delivered or after {limit:.0f} s"
    )
    fake = LimitedSlack(per_minute=args.per_minute)
    fake.start()
    try:
        with database(args.backend) as url:
            db.upgrade(url)
            seed(url, students, fake)
            result = fan_out(url, fake, students, args.interval, limit)
    finally:
        fake.stop()
    report(fake, result, students, floor, fastest, args.per_minute)
    return 0


@dataclass
class Result:
    began: float
    runs: list[Run]
    rows_sent: int


def fan_out(url: str, fake: LimitedSlack, students: int, interval: float, limit: float) -> Result:
    engine = db.make_engine(url)
    sessions = db.make_session_factory(engine)
    began = time.monotonic()

    def clock() -> datetime:  # the calendar follows wall time from a minute after the kickoff
        return KICKOFF_AT + timedelta(minutes=1, seconds=time.monotonic() - began)

    runner = TimedRunner(sessions, client_for(fake), clock=clock)
    scheduler = make_scheduler(runner, background=True, interval=interval)
    scheduler.start()
    shown = 0
    try:
        while time.monotonic() - began < limit:
            time.sleep(0.5)
            delivered = len({k for p in fake.delivered("kickoff") for k in p.keys})
            finished = [r for r in runner.runs if r.ended]
            if len(finished) > shown:
                for run in finished[shown:]:
                    line = run.summary.line() if run.summary else "failed (see the log)"
                    print(
                        f"[{run.started - began:6.1f} s] run {finished.index(run) + 1}: "
                        f"{run.ended - run.started:5.1f} s, {line}; {delivered} delivered so far",
                        flush=True,
                    )
                shown = len(finished)
            if delivered >= students and runner.runs and runner.runs[-1].ended:
                break
    finally:
        stopping = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True)
        stopping.start()
        stopping.join(120)  # waits for a run in progress
    with db.session_scope(sessions) as session:
        sent = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.kind == "kickoff", Delivery.status == DeliveryStatus.SENT)
        )
    engine.dispose()
    return Result(began, list(runner.runs), int(sent or 0))


def report(
    fake: LimitedSlack,
    result: Result,
    students: int,
    floor: float,
    fastest: float,
    per_minute: int,
) -> None:
    posts = fake.delivered("kickoff")
    keys = Counter(k for p in posts if p.part == 1 for k in p.keys)
    delivered = len(keys)
    duplicates = sum(n - 1 for n in keys.values())
    elapsed = (max(fake.accepted_at) - result.began) if fake.accepted_at else float("nan")
    calls = Counter(c.method for c in fake.calls)
    total_calls = sum(calls.values())
    posted_ok = len(fake.accepted_at)
    print(f"\n{'fan-out':44}{'figure':>12}   target")
    rows = [
        ("DMs delivered (distinct delivery keys)", f"{delivered}/{students}", f"{students}"),
        ("  kickoff rows settled as sent", f"{result.rows_sent}", ""),
        ("duplicates (a key posted twice)", f"{duplicates}", "0"),
        ("elapsed: first run start → last DM (s)", f"{elapsed:.0f}", ""),
        ("  floor: students ÷ rate (s)", f"{floor:.0f}", ""),
        ("  fastest possible in the fake's window (s)", f"{fastest:.0f}", ""),
        ("% of the allowed rate (fastest ÷ elapsed)", f"{fastest / elapsed:.0%}", "≥ 90%"),
        ("  students ÷ rate ÷ elapsed", f"{floor / elapsed:.0%}", ""),
        ("Web API calls per DM (all methods)", f"{total_calls / max(delivered, 1):.3f}", "≤ 1.1"),
        ("  chat.postMessage accepted", f"{posted_ok}", ""),
        ("  chat.postMessage answered 429", f"{fake.limited}", ""),
        ("  users.list", f"{calls['users.list']}", ""),
        ("  conversations.*", f"{sum(n for m, n in calls.items() if m.startswith('conv'))}", ""),
        ("  users.info", f"{calls['users.info']}", ""),
        ("  other methods", f"{total_calls - sum(calls[m] for m in _counted(calls))}", ""),
        ("clock runs (started)", f"{len(result.runs)}", ""),
    ]
    for label, value, target in rows:
        print(f"  {label:42}{value:>12}   {target}")
    rate_ok = elapsed > 0 and fastest / elapsed >= 0.9
    calls_ok = total_calls / max(delivered, 1) <= 1.1
    print(
        f"  targets: rate {_met(rate_ok)}, duplicates {_met(duplicates == 0)}, calls per DM "
        f"{_met(calls_ok)}, all delivered {_met(delivered == students)} "
        f"(limit {per_minute}/min)"
    )


def _counted(calls: Counter[str]) -> list[str]:
    return [
        m
        for m in calls
        if m in {"chat.postMessage", "users.list", "users.info"} or m.startswith("conv")
    ]


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


if __name__ == "__main__":
    raise SystemExit(main())
