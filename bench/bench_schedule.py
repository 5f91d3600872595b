"""Benchmark the clock's idle tick and the Week 2 checkpoint run at 20 / 500 / 2,000 students.

For each size, on a fresh database: a cohort whose students are all behind at the checkpoint
(no chat yet, TRIED people tried each, so 40,000 outreach rows at 2,000), written in bulk, with
every delivery due before the checkpoint settled as sent (kickoffs, follow-ups: what earlier
runs would have done), and the cohort's instant in the clock's index cleared. Then, against a
fake Slack on 127.0.0.1 that answers at once (tests/schedule_fixtures.py's ScheduleFake):

- the checkpoint run: `run_due` a minute after the checkpoint, end to end: time, SQL
  statements, commits, messages posted; and its planning part alone (`_Run.plan`, timed by a
  wrapper);
- the idle tick: `run_due` a minute later, and again each minute (`--rounds`): nothing is due,
  the cohort was planned once. Median time; statements of one tick.

The baseline, measured in the same run on each backend, is the idle floor: the same `run_due`
on an empty database (no cohorts).

    .venv/bin/python bench/bench_schedule.py [--sizes 20,500,2000] [--quick] [--rounds 5]

SQLite in a temporary file; set COFFEE_TEST_POSTGRES_URL to run on PostgreSQL too (a fresh
schema per database, dropped at the end). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from bench.seeding import (  # noqa: E402
    POSTGRES_ENV,
    Statements,
    add_outreach,
    add_students,
    backends,
    database,
    exit_on_sigterm,
)
from bot import db  # noqa: E402
from bot.domain import calendar, plan_index  # noqa: E402
from bot.domain.cohorts import CohortSpec, create_cohort  # noqa: E402
from bot.domain.read_model import cohort_facts, cohort_standings  # noqa: E402
from bot.domain.schedule_rules import due_deliveries  # noqa: E402
from bot.models import Cohort, Delivery, DeliveryStatus  # noqa: E402
from bot.schedule import run_due as engine_module  # noqa: E402
from bot.schedule.run_due import Summary, run_due  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.webapi.client import SCHEDULED_RATE_LIMIT_WAIT, make_client  # noqa: E402
from tests.schedule_fixtures import ScheduleFake  # noqa: E402

TEAM = "T0BENCH"
START = date(2026, 9, 7)  # a Monday; the checkpoint is Friday of Week 2, 17:00 in Denver
TIMEZONE = "America/Denver"
TRIED = 20
CREATED = datetime.combine(START, datetime.min.time(), UTC) - timedelta(days=7)
CHECKPOINT = calendar.default_checkpoint(START, ZoneInfo(TIMEZONE))
NOW = CHECKPOINT + timedelta(minutes=1)  # the checkpoint run; the idle ticks a minute apart after
SIZES = (20, 500, 2000)
QUICK_SIZES = (20, 500)


def client_for(fake: ScheduleFake) -> WebClient:
    """The scheduler's client (bot.webapi.installations.clients_for), pointed at the fake."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-bench-token",
        slack_signing_secret="bench-signing-secret",
        slack_api_url=fake.api_url,
        database_url="sqlite://",
    )
    return make_client(settings, SCHEDULED_RATE_LIMIT_WAIT)


def seed_cohort(
    session: Session, students: int, now: datetime, tried: int = TRIED, timezone: str = TIMEZONE
) -> Cohort:
    """A cohort of `students` enrolled before it starts, each with `tried` people tried on its
    second day (no reply, no chat: all behind at the checkpoint), stored timezones; bulk."""
    spec = CohortSpec(
        TEAM, f"Bench {students}", START, TIMEZONE, "C0INSTRUCT", instructor_ids=["U0TEACH"]
    )
    cohort = create_cohort(session, spec, now)
    users = [f"U{students}X{n:05}" for n in range(students)]
    ids = add_students(session, cohort.id, TEAM, users, now, timezone)
    if tried:
        second_day = datetime.combine(START + timedelta(days=1), datetime.min.time(), UTC)
        second_day += timedelta(hours=16)
        statuses = ["sent", "sent", "no_response", "declined"]
        add_outreach(session, ids, tried, second_day, lambda i, _s: statuses[i % len(statuses)])
    return cohort


def settle_before(session: Session, cohort: Cohort, before: datetime) -> int:
    """Record every delivery due before `before` as earlier runs would have left it (sent, or
    skipped when the rules say so), in one INSERT; how many."""
    facts = cohort_facts(cohort)
    students = cohort_standings(session, cohort)
    rows = [
        {"key": due.key, "kind": str(due.kind), "cohort_id": due.cohort_id,
         "student_id": due.student_id, "period": due.period,
         "status": (DeliveryStatus.SKIPPED if due.skip_reason else DeliveryStatus.SENT).value,
         "due_at": due.due_at, "attempts": 0 if due.skip_reason else 1,
         "last_error": due.skip_reason, "late": False,
         "channel": None if due.skip_reason else due.recipient,
         "ts": None if due.skip_reason else f"{due.due_at.timestamp():.6f}",
         "sent_at": None if due.skip_reason else due.due_at, "created_at": due.due_at}
        for due in due_deliveries(facts, students, before - timedelta(seconds=1))
    ]  # fmt: skip
    if rows:
        session.execute(insert(Delivery), rows)
    plan_index.replan(session, [cohort.id])  # the next run plans it
    return len(rows)


@dataclass
class Planning:
    """What `_Run.plan` took in the runs made inside `timed_planning()`."""

    seconds: float = 0.0
    cpu: float = 0.0  # this thread's CPU time: less at the mercy of a loaded machine
    statements: int = 0
    calls: int = 0


@contextmanager
def timed_planning(counter: Statements) -> Iterator[Planning]:
    """Wrap bot.schedule.run_due._Run.plan to time it and count its statements."""
    found = Planning()
    original: Callable[..., Any] = engine_module._Run.plan

    def plan(run: Any) -> Any:
        before, started, cpu = counter.count, time.perf_counter(), time.thread_time()
        try:
            return original(run)
        finally:
            found.seconds += time.perf_counter() - started
            found.cpu += time.thread_time() - cpu
            found.statements += counter.count - before
            found.calls += 1

    setattr(engine_module._Run, "plan", plan)  # noqa: B010 (a benchmark's probe)
    try:
        yield found
    finally:
        setattr(engine_module._Run, "plan", original)  # noqa: B010


@dataclass
class Measured:
    """One run of run_due: wall time, statements, commits, what it posted."""

    seconds: float
    statements: int
    commits: int
    summary: Summary
    posts: int = 0
    dms: int = 0
    planning: Planning = field(default_factory=Planning)


def measure(
    now: datetime,
    sessions: sessionmaker[Session],
    client: WebClient,
    fake: ScheduleFake,
    counter: Statements,
) -> Measured:
    fake.take()
    statements, commits = counter.count, counter.commits
    with timed_planning(counter) as planning:
        started = time.perf_counter()
        summary = run_due(now, sessions, client)
        seconds = time.perf_counter() - started
    posted = fake.take()
    return Measured(
        seconds,
        counter.count - statements,
        counter.commits - commits,
        summary,
        len(posted),
        sum(1 for p in posted if p.channel.startswith("U")),
        planning,
    )


def idle_ticks(
    start: datetime,
    rounds: int,
    sessions: sessionmaker[Session],
    client: WebClient,
    fake: ScheduleFake,
    counter: Statements,
) -> tuple[float, Measured]:
    """`rounds` runs a minute apart from `start`: median seconds, and the last run."""
    runs = [
        measure(start + timedelta(minutes=k), sessions, client, fake, counter)
        for k in range(rounds)
    ]
    busy = [r for r in runs if r.posts or r.summary.skipped or r.summary.errors]
    if busy:
        print(f"  warning: an idle tick was not idle: {busy[0].summary.line()}")
    return statistics.median(r.seconds for r in runs), runs[-1]


def replans(
    now: datetime,
    rounds: int,
    sessions: sessionmaker[Session],
    client: WebClient,
    counter: Statements,
) -> tuple[float, float, int]:
    """Planning alone, `rounds` times after the checkpoint run (the cohort's instant cleared,
    then stored again, as a run does): median seconds, median CPU seconds of this thread,
    statements of one."""
    times, cpus, statements = [], [], 0
    for _ in range(rounds):
        with db.session_scope(sessions) as session:
            plan_index.replan(session, [c.id for c in session.scalars(select(Cohort))])
        run = engine_module._Run(now, sessions, client, "/coffee")
        before, started, cpu = counter.count, time.perf_counter(), time.thread_time()
        run.plan()
        times.append(time.perf_counter() - started)
        cpus.append(time.thread_time() - cpu)
        statements = counter.count - before
        run.settle()
    return statistics.median(times), statistics.median(cpus), statements


@dataclass
class Column:
    label: str
    idle: tuple[float, Measured]
    checkpoint: Measured | None = None
    seed_seconds: float = 0.0
    settled: int = 0
    replanned: tuple[float, float, int] = (0.0, 0.0, 0)


def bench_backend(
    backend: str, sizes: tuple[int, ...], rounds: int, fake: ScheduleFake
) -> list[Column]:
    client = client_for(fake)
    print(f"{backend}: load avg {_load()[0]:.2f} at the start", flush=True)
    columns: list[Column] = []
    for size in (0, *sizes):
        with database(backend) as url:
            db.upgrade(url)
            engine = db.make_engine(url)
            counter = Statements(engine)
            sessions = db.make_session_factory(engine)
            started = time.perf_counter()
            settled = 0
            if size:
                with db.session_scope(sessions) as session:
                    cohort = seed_cohort(session, size, CREATED)
                    assert cohort.checkpoint_at == CHECKPOINT
                    settled = settle_before(session, cohort, CHECKPOINT)
            seeded = time.perf_counter() - started
            column = Column(f"{size:,}" if size else "empty db", (0.0, _empty()), None, seeded)
            column.settled = settled
            if size:
                column.checkpoint = measure(NOW, sessions, client, fake, counter)
                if column.checkpoint.summary.errors:
                    print(f"  warning: errors in the run: {column.checkpoint.summary.errors[:3]}")
                column.replanned = replans(
                    NOW + timedelta(seconds=30), min(rounds, 3), sessions, client, counter
                )
            column.idle = idle_ticks(
                NOW + timedelta(minutes=1), rounds, sessions, client, fake, counter
            )
            columns.append(column)
            print(
                f"[{time.strftime('%H:%M:%S')}] {backend} {column.label}: seeded in "
                f"{seeded:.1f} s ({settled} deliveries settled before the checkpoint)"
                + (
                    f", checkpoint run {column.checkpoint.seconds:.1f} s"
                    if column.checkpoint
                    else ""
                ),
                flush=True,
            )
            engine.dispose()
    return columns


def _empty() -> Measured:
    return Measured(0.0, 0, 0, Summary())


def table(backend: str, columns: list[Column]) -> None:
    width = 12
    head = f"{backend:40}" + "".join(f"{c.label:>{width}}" for c in columns)
    print("\n" + head)

    def row(label: str, value: Callable[[Column], str]) -> None:
        print(f"  {label:38}" + "".join(f"{value(c):>{width}}" for c in columns))

    def cp(fmt: Callable[[Measured], str]) -> Callable[[Column], str]:
        return lambda c: fmt(c.checkpoint) if c.checkpoint else "-"

    row("idle tick: time, median (ms)", lambda c: f"{c.idle[0] * 1000:.1f}")
    row("idle tick: statements", lambda c: str(c.idle[1].statements))
    row("idle tick: commits", lambda c: str(c.idle[1].commits))
    row("checkpoint run: time (s)", cp(lambda m: f"{m.seconds:.2f}"))
    row("  statements", cp(lambda m: str(m.statements)))
    row("  commits", cp(lambda m: str(m.commits)))
    row("  messages posted (DMs + channel)", cp(lambda m: f"{m.dms}+{m.posts - m.dms}"))
    row("  sent / skipped / failed", cp(lambda m: _counts(m.summary)))
    row("  statements per message", cp(lambda m: f"{m.statements / max(m.posts, 1):.3f}"))
    row("  commits per message", cp(lambda m: f"{m.commits / max(m.posts, 1):.3f}"))
    row("  planning: time (s)", cp(lambda m: f"{m.planning.seconds:.3f}"))
    row("  planning: CPU time here (s)", cp(lambda m: f"{m.planning.cpu:.3f}"))
    row("  planning: statements", cp(lambda m: str(m.planning.statements)))
    row("  planning: share of the run", cp(lambda m: f"{m.planning.seconds / m.seconds:.0%}"))
    row(
        "planning alone, median of 3 (s)",
        lambda c: f"{c.replanned[0]:.3f}" if c.checkpoint else "-",
    )
    row("  CPU time here (s)", lambda c: f"{c.replanned[1]:.3f}" if c.checkpoint else "-")
    row("  statements", lambda c: str(c.replanned[2]) if c.checkpoint else "-")
    row(
        "idle tick ÷ checkpoint run (time)",
        lambda c: f"{c.idle[0] / c.checkpoint.seconds:.2%}" if c.checkpoint else "-",
    )
    sized = [c for c in columns if c.checkpoint]
    if not sized:
        return
    idle = {c.idle[1].statements for c in sized}
    largest = sized[-1]
    assert largest.checkpoint is not None
    planned = {c.checkpoint.planning.statements for c in sized if c.checkpoint}
    share = largest.idle[0] / largest.checkpoint.seconds
    plan_s, plan_cpu = largest.replanned[0], largest.replanned[1]
    print(
        f"  targets: idle statements constant from {sized[0].label} to {largest.label}: "
        f"{_met(len(idle) == 1)} ({'/'.join(str(c.idle[1].statements) for c in sized)}; "
        f"empty db {columns[0].idle[1].statements}); idle ≤ 5% of the {largest.label} "
        f"checkpoint run: {_met(share <= 0.05)} ({share:.2%})"
    )
    print(
        f"           planning statements constant: {_met(len(planned) == 1)} "
        f"({'/'.join(str(c.checkpoint.planning.statements) for c in sized if c.checkpoint)}); "
        f"planning at {largest.label} ≤ 1 s"
        + (" (PostgreSQL)" if backend == "postgresql" else " (the target is PostgreSQL's)")
        + f": {_met(plan_s <= 1.0)} ({plan_s:.2f} s; CPU time here {plan_cpu:.2f} s)"
    )


def _counts(summary: Summary) -> str:
    return f"{summary.sent}/{summary.skipped}/{summary.failed}"


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def rss_mib() -> tuple[float, float]:
    """(VmRSS now, peak: ru_maxrss) of this process, MiB."""
    now = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
    return now, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="students, e.g. 20,500")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}")
    parser.add_argument("--rounds", type=int, default=5, help="idle ticks per size (median)")
    args = parser.parse_args()
    exit_on_sigterm()
    sizes = QUICK_SIZES if args.quick else tuple(int(s) for s in args.sizes.split(","))
    print(
        f"machine: {platform.python_version()} on {platform.system()} {platform.release()}, "
        f"load avg {'/'.join(f'{x:.2f}' for x in _load())}; SQLAlchemy {sqlalchemy.__version__}"
    )
    print(
        f"sizes: {', '.join(map(str, sizes))} students, {TRIED} people tried each, all behind; "
        f"baseline: the same run_due on an empty database; {args.rounds} idle ticks per size"
    )
    if POSTGRES_ENV not in os.environ:
        print(f"(PostgreSQL skipped: set {POSTGRES_ENV} to include it)")
    started = time.perf_counter()
    fake = ScheduleFake()
    fake.start()
    try:
        for backend in backends():
            columns = bench_backend(backend, sizes, args.rounds, fake)
            table(backend, columns)
            now, peak = rss_mib()
            print(
                f"  RSS of this process after the {columns[-1].label} run: {now:.0f} MiB, "
                f"peak {peak:.0f} MiB (seeding and the fake Slack included)"
            )
    finally:
        fake.stop()
    print(f"\ntotal {time.perf_counter() - started:.0f} s; load avg now {_load()[0]:.2f}")
    return 0


def _load() -> tuple[float, float, float]:
    return os.getloadavg()


if __name__ == "__main__":
    raise SystemExit(main())
