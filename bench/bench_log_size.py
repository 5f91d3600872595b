"""Benchmark `/coffee status` and `/coffee list` at 10 and at 1,000 contacts, end to end.

`python -m bot web` (gunicorn) on SQLite (and PostgreSQL when COFFEE_TEST_POSTGRES_URL is set),
served and seeded as bench/bench_commands.py does it, plus three students' logs written straight
to the database (tests/log_fixtures.py): of 10, 100 and 1,000 contacts. Signed commands go
one at a time, the (command, log) pairs and the servers taking turns so noise hits them
alike; the figure is the time until the answer reached the fake Slack's response URL.

    .venv/bin/python bench/bench_log_size.py [-n 60] [--long 1000]

A third student with 100 contacts gets the same answer as the one with 1,000 (every list
status shows is full at 100), which tells the log's cost from the longer answer's.

Target (issue "Fast at any cohort size"): at 1,000 contacts ≤ 1.2× the time at 10. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.bench_commands import (  # noqa: E402  (the servers, as bench_commands runs them)
    ANSWER_TIMEOUT,
    POSTGRES_ENV,
    SIGNING_SECRET,
    STUDENT,
    TEAM,
    BenchSlack,
    Server,
    burst_users,
    machine,
    on_sigterm,
    ours,
    percentile,
    postgres_schema,
    response_path,
    running,
)
from bot import db  # noqa: E402
from tests.log_fixtures import seed_log  # noqa: E402
from tests.slackreq import SlackSender  # noqa: E402

SHORT = 10
FULL = 100  # every list status shows is as long at 100 contacts as at 1,000: the same answer
TARGET = 1.2
WARMUP = 3  # requests per (server, command, log) before the measured ones
BUDGET = 240.0  # s for the measured requests, at most
ANSWERS = {"status": "Your coffee-chat progress", "list": "Your coffee-chat log"}
COMMANDS = tuple(ANSWERS)


@dataclass
class Column:
    """A server, the students with the short and the long log, and the times by (command,
    log length)."""

    server: Server
    users: dict[int, str]
    e2e: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    wrong: int = 0
    expected: int = 0  # measured requests sent


def one(column: Column, fake: BenchSlack, command: str, size: int) -> float | None:
    """Seconds from sending `/coffee <command>` as the student with `size` contacts until the
    answer reached the response URL (None: not acked, no answer in time, or a wrong one)."""
    server = column.server
    sender = SlackSender(server.base_url, SIGNING_SECRET, fake.url + "/response")
    body = sender.command_body(command, user=column.users[size])
    path = response_path(body)
    started = time.perf_counter()
    try:
        status = sender.form(body).status
    except OSError:
        status = 0
    arrived = fake.wait_answer(path, ANSWER_TIMEOUT) if status == 200 else None
    if arrived is None or not fake.answers().get(path, "").startswith(ANSWERS[command]):
        column.wrong += 1
        return None
    return arrived - started


def measure(columns: list[Column], fake: BenchSlack, sizes: Sequence[int], n: int) -> int:
    """`n` rounds of every (server, command, log), the order rotating each round; returns the
    rounds done (fewer when BUDGET ran out)."""
    pairs = [(c, command, size) for c in columns for command in COMMANDS for size in sizes]
    for column, command, size in pairs:
        for _ in range(WARMUP):
            one(column, fake, command, size)
    deadline = time.monotonic() + BUDGET
    for i in range(n):
        if time.monotonic() > deadline:
            print(f"warning: stopped after {i} of {n} rounds ({BUDGET:.0f} s)")
            return i
        shift = i % len(pairs)
        for column, command, size in pairs[shift:] + pairs[:shift]:
            took = one(column, fake, command, size)
            column.expected += 1
            if took is not None:
                column.e2e.setdefault((command, size), []).append(took)
    return n


def print_table(columns: list[Column], sizes: Sequence[int]) -> None:
    headers = [c.server.name for c in columns]
    width = 46
    long = sizes[-1]

    def line(first: str, cells: list[str]) -> str:
        return f"{first:<{width}}" + "".join(f"{c:>14}" for c in cells)

    def p50(column: Column, command: str, size: int) -> float:
        return percentile(column.e2e.get((command, size), []), 50)

    print(line("end to end (ms), one request at a time", headers))
    for command in COMMANDS:
        for q in (50, 95):
            for size in sizes:
                cells = [
                    f"{percentile(c.e2e.get((command, size), []), q) * 1000:.1f}" for c in columns
                ]
                print(line(f"  {command} p{q}, {size:,} contacts", cells))
        ratios = [p50(c, command, long) / p50(c, command, SHORT) for c in columns]
        print(line(f"  {command} p50, {long:,} / {SHORT} contacts", [f"{r:.2f}x" for r in ratios]))
        verdicts = [f"{'met' if r <= TARGET else 'MISSED'} ≤ {TARGET}x" for r in ratios]
        print(line("    target", verdicts))
        if FULL in sizes:
            same = [f"{p50(c, command, long) / p50(c, command, FULL):.2f}x" for c in columns]
            print(line(f"  {command} p50, {long:,} / {FULL} (the same answer)", same))
    counts = [f"{sum(len(times) for times in c.e2e.values())}/{c.expected}" for c in columns]
    print(line("  answered right / sent", counts))
    print(line("  not acked, late or wrong", [str(c.wrong) for c in columns]))


def seed(server: Server, users: dict[int, str]) -> None:
    """Each student's log, straight into the server's database (before it starts), then
    ANALYZE: the planner's statistics, as a database in use has them (autovacuum keeps them
    on PostgreSQL); a table just filled without them gets plans no production database would."""
    engine = db.make_engine(server.env["DATABASE_URL"])
    try:
        sessions = db.make_session_factory(engine)
        for size, user in users.items():
            seed_log(sessions, TEAM, user, size, datetime.now(UTC))
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark status and list by log length.")
    parser.add_argument("-n", type=int, default=60, help="requests per command, log and server")
    parser.add_argument("--long", type=int, default=1000, help="contacts in the long log")
    args = parser.parse_args(argv)
    if not 1 <= args.n <= 500 or not FULL < args.long <= 20_000:
        parser.error(f"-n must be 1..500 and --long {FULL + 1}..20000")
    signal.signal(signal.SIGTERM, on_sigterm)
    begun = time.monotonic()
    print(machine())
    users = dict(zip((SHORT, FULL, args.long), [STUDENT, *burst_users(2)], strict=True))
    logs = ", ".join(f"{size:,} contacts ({user})" for size, user in users.items())
    print(
        f"{args.n} signed `/coffee status` and `/coffee list` per log and server (+{WARMUP} "
        f"warm-up), one at a time, from three students: {logs}; each log a sixth each of "
        "leads, waiting, no response, responded, scheduled and chatted\n",
        flush=True,
    )
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="coffee-log-")))
        fake = BenchSlack().start()
        stack.callback(fake.stop)
        servers = [ours("ours/sqlite", f"sqlite:///{workdir / 'bench.db'}", fake, workdir, 2)]
        if postgres := os.environ.get(POSTGRES_ENV):
            (workdir / "pg").mkdir()
            url = postgres_schema(stack, postgres)
            servers.append(ours("ours/pg", url, fake, workdir / "pg", 2))
        else:
            print(f"(PostgreSQL skipped: set {POSTGRES_ENV} to include it)")
        for server in servers:
            seed(server, users)
        columns = [Column(server, users) for server in servers]
        stack.enter_context(running(servers))
        print(f"[{time.monotonic() - begun:5.1f} s] measuring …", flush=True)
        measure(columns, fake, list(users), args.n)
        print(f"[{time.monotonic() - begun:5.1f} s] done\n", flush=True)
        print_table(columns, list(users))
        for column in columns:
            if column.wrong:
                print(f"\nwarning: {column.server.name} answered wrong or late; log tail:")
                print(column.server.log_tail(10))
    print(f"\ntotal {time.monotonic() - begun:.0f} s; load avg now {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
