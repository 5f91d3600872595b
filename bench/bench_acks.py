"""Benchmark acks: latency and throughput of signed `/coffee status` under load, with wrk.

`python -m bot web` (gunicorn) against a bare Bolt app (bench/bare_app.py) under the same
gunicorn settings and the same fake Slack, at several concurrencies; medians of rounds,
side by side, with ratios. Needs wrk (`apt-get install -y wrk`, `brew install wrk`).

    .venv/bin/python bench/bench_acks.py [--rounds 3] [--seconds 5] [--concurrency 1,16,64]

Set COFFEE_TEST_POSTGRES_URL to benchmark the bot on PostgreSQL too. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bench.bench_commands import (  # noqa: E402  (the servers, as bench_commands runs them)
    POSTGRES_ENV,
    SIGNING_SECRET,
    STUDENT,
    Server,
    baseline,
    on_sigterm,
    ours,
    postgres_schema,
    running,
)
from bench.proctree import Memory, tree_cpu, tree_memory  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402
from tests.slackreq import SlackSender  # noqa: E402

ACK_DEADLINE = 3  # s: Slack shows the user an error when the ack takes longer
DRAIN_LIMIT = 60.0  # s to wait, after a round, for the answers of the commands it acked
QUIET = 2.0  # s without a new answer after which the drain gives up
WARMUP_SECONDS = 2
CLOCK_IDLE = 10  # s after `python -m bot clock` starts (its first run_due is at once) to measure it
MARKERS = {"baseline": b'"ok"'}  # what a right answer contains; the bot's is below
BOT_MARKER = b"Your coffee-chat progress"


class LeanSlack(FakeSlack):
    """The tests' fake Slack, except that posts to response URLs are only counted (by the
    URL's first part, the server's name and round) and checked for the expected answer."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._server.socket.listen(1024)  # a round opens many connections at once
        self.posts: Counter[str] = Counter()
        self.right: Counter[str] = Counter()
        self._count = threading.Lock()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        if not request.path.startswith("/response/"):
            super()._handle(request)
            return
        raw = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        key = request.path.split("/")[2]
        marker = MARKERS.get(key.split("@")[0], BOT_MARKER)
        with self._count:
            self.posts[key] += 1
            self.right[key] += marker in raw
        self._reply(request, 200, {"ok": True})


@dataclass
class Round:
    """One wrk run against one server."""

    requests: int
    seconds: float
    p50: float  # ms
    p99: float  # ms
    max: float  # ms
    non_200: int  # wrk's status errors (HTTP status above 399)
    socket_errors: int  # connect, read and write errors
    late: int  # wrk's timeouts: no reply within ACK_DEADLINE
    answers: int = 0
    right: int = 0
    drained: float = 0.0  # s after the round until its last answer arrived
    cpu: float = 0.0  # CPU s the server's processes used, from the start to the last answer

    @property
    def acked(self) -> int:
        return self.requests - self.non_200

    @property
    def rate(self) -> float:
        return self.acked / self.seconds


@dataclass
class Column:
    """A server and its rounds, by concurrency."""

    server: Server
    rounds: dict[int, list[Round]] = field(default_factory=dict)
    memory: dict[str, Memory] = field(default_factory=dict)


def clock_memory(server: Server) -> Memory | None:
    """RSS and PSS of `python -m bot clock` on the server's database, CLOCK_IDLE s after it
    started (after its first run_due, with nothing due); None if it exited."""
    env = {k: v for k, v in server.env.items() if k != "PORT"}
    log_path = server.cwd / f"clock-{server.name.replace('/', '-')}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "clock"],
            cwd=server.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        time.sleep(CLOCK_IDLE)
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace").splitlines()[-10:]
            print(f"warning: the clock on {server.name} exited:", *tail, sep="\n")
            return None
        return tree_memory(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


LUA = """wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Slack-Request-Timestamp"] = "{stamp}"
wrk.headers["X-Slack-Signature"] = "{signature}"
{extra}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def lua_script(path: Path, key: str, fake: LeanSlack, close: bool) -> None:
    """A wrk script POSTing `/coffee status`, signed now as Slack signs (Bolt accepts a
    signature for 5 minutes, so one body serves a round), its answers counted under `key`."""
    sender = SlackSender("", SIGNING_SECRET, f"{fake.url}/response/{key}")
    body = urlencode(sender.command_body("status", user=STUDENT))
    assert '"' not in body and "\\" not in body  # URL-encoded: safe inside a Lua string
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    extra = 'wrk.headers["Connection"] = "close"' if close else ""
    path.write_text(LUA.format(body=body, stamp=stamp, signature=signature, extra=extra))


def wrk(server: Server, script: Path, connections: int, seconds: float) -> Round:
    threads = min(connections, 2)
    argv = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s",
        f"--timeout={ACK_DEADLINE}s", "-s", str(script), server.base_url + "/slack/events",
    ]  # fmt: skip
    result = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    n, duration, connect, read, write, status, timeout, p50, p99, top = map(
        int, lines[-1].split()[1:]
    )
    return Round(
        requests=n,
        seconds=duration / 1e6,
        p50=p50 / 1000,
        p99=p99 / 1000,
        max=top / 1000,
        non_200=status,
        socket_errors=connect + read + write,
        late=timeout,
    )


def drain(fake: LeanSlack, key: str, expected: int) -> tuple[int, int, float]:
    """Wait until `expected` answers under `key` arrived (or none came for QUIET s, or
    DRAIN_LIMIT passed); the answers, the right ones, and when the last one came."""
    started = last = time.monotonic()
    seen = -1
    while True:
        count = fake.posts[key]
        now = time.monotonic()
        if count != seen:
            seen, last = count, now
        if count >= expected or now - last > QUIET or now - started > DRAIN_LIMIT:
            return count, fake.right[key], last - started
        time.sleep(0.05)


def measure(column: Column, fake: LeanSlack, workdir: Path, c: int, n: int, args: Any) -> Round:
    key = f"{column.server.name.replace('/', '-')}@{c}-{n}"
    script = workdir / f"{key}.lua"
    lua_script(script, key, fake, args.close)
    cpu = tree_cpu(_pid(column.server))
    result = wrk(column.server, script, c, args.seconds)
    result.answers, result.right, result.drained = drain(fake, key, result.acked)
    result.cpu = tree_cpu(_pid(column.server)) - cpu
    return result


# -- the report --------------------------------------------------------------------------------


def median(rounds: list[Round], pick: Any) -> float:
    return statistics.median(pick(r) for r in rounds) if rounds else float("nan")


ROWS: list[tuple[str, Any, str, bool]] = [  # label, figure of the rounds, format, is a median
    ("ack p50 (ms)", lambda rs: median(rs, lambda r: r.p50), ".1f", True),
    ("ack p99 (ms)", lambda rs: median(rs, lambda r: r.p99), ".1f", True),
    ("ack max (ms)", lambda rs: median(rs, lambda r: r.max), ".0f", True),
    ("throughput (acks/s)", lambda rs: median(rs, lambda r: r.rate), ".0f", True),
    ("server CPU per request (ms)", lambda rs: median(rs, _cpu_per_request), ".2f", True),
    ("acked 200, all rounds", lambda rs: sum(r.acked for r in rs), "d", False),
    ("past 3 s (wrk timeouts)", lambda rs: sum(r.late for r in rs), "d", False),
    ("non-200 / socket errors", lambda rs: _errors(rs), "s", False),
    ("answers delivered / right", lambda rs: _answers(rs), "s", False),
    ("last answer after round (s)", lambda rs: max(r.drained for r in rs), ".1f", False),
]  # fmt: skip


def _cpu_per_request(result: Round) -> float:
    return 1000 * result.cpu / max(1, result.answers)


def _errors(rounds: list[Round]) -> str:
    return f"{sum(r.non_200 for r in rounds)}/{sum(r.socket_errors for r in rounds)}"


def _answers(rounds: list[Round]) -> str:
    return f"{sum(r.answers for r in rounds)}/{sum(r.right for r in rounds)}"


def fmt(value: Any, spec: str) -> str:
    if isinstance(value, str):
        return value
    if value != value:
        return "-"
    return format(int(value), "d") if spec == "d" else format(value, spec)


def print_tables(columns: list[Column], concurrencies: list[int], rounds: int) -> None:
    ours_columns, base = columns[:-1], columns[-1]
    headers = [c.server.name for c in columns] + [
        f"{c.server.name.split('/')[-1]}/base" for c in ours_columns
    ]
    width = max(len(label) for label, *_ in ROWS) + 2
    cells = [max(12, len(h)) for h in headers]

    def line(first: str, values: list[str]) -> str:
        return f"{first:<{width}}" + "".join(
            f"{v:>{w + 2}}" for v, w in zip(values, cells, strict=False)
        )

    for c in concurrencies:
        print(line(f"concurrency {c} ({rounds} rounds)", headers))
        for label, figure, spec, ratio in ROWS:
            values = [figure(col.rounds.get(c, [])) for col in columns]
            row = [fmt(v, spec) for v in values]
            for value in values[:-1]:
                fits = ratio and isinstance(value, float | int) and values[-1]
                row.append(f"{value / values[-1]:.2f}x" if fits else "-")
            print(line(f"  {label}", row))
        for col in ours_columns:
            p99 = ROWS[1][1](col.rounds.get(c, [])) / ROWS[1][1](base.rounds.get(c, []))
            rate = ROWS[3][1](col.rounds.get(c, [])) / ROWS[3][1](base.rounds.get(c, []))
            print(
                f"  targets, {col.server.name}: p99 {p99:.2f}x "
                f"({'met' if p99 <= 1.5 else 'MISSED'}, ≤ 1.5x), throughput {rate:.2f}x "
                f"({'met' if rate >= 0.7 else 'MISSED'}, ≥ 0.7x)"
            )
        print()
    print(line("memory, master + workers (MiB)", headers[: len(columns)]))
    for moment in ("start", "end"):
        for kind in ("rss", "pss"):
            row = [
                fmt(getattr(col.memory[moment], kind), ".0f") if moment in col.memory else "-"
                for col in columns
            ]
            print(line(f"  {kind.upper()} after {moment}", row))
    row = [str(col.memory["end"].processes) if "end" in col.memory else "-" for col in columns]
    print(line("  processes", row))
    print(line(f"clock, idle {CLOCK_IDLE} s after start (MiB)", headers[: len(ours_columns)]))
    for kind in ("rss", "pss"):
        row = [
            fmt(getattr(col.memory["clock"], kind), ".0f") if "clock" in col.memory else "-"
            for col in ours_columns
        ]
        print(line(f"  {kind.upper()} of `python -m bot clock`", row))


def machine(settings: Settings) -> str:
    cpus = len(os.sched_getaffinity(0))
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0]
    return (
        f"machine: {cpus} CPUs, Python {platform.python_version()}, load avg {load}; "
        f"{version.strip()}\n"
        f"gunicorn gthread, both servers: {settings.web_workers} workers × "
        f"{settings.web_threads} threads (WEB_WORKERS, WEB_THREADS)"
    )


# -- main --------------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark acks: bot vs bare Bolt, with wrk.")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server (median)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of a round")
    parser.add_argument("--concurrency", default="1,16,64", help="connections, comma-separated")
    parser.add_argument("--workers", type=int, help="WEB_WORKERS for both (default: theirs)")
    parser.add_argument("--threads", type=int, help="WEB_THREADS for both (default: theirs)")
    parser.add_argument("--close", action="store_true", help="a new connection per request")
    args = parser.parse_args(argv)
    args.concurrencies = [int(c) for c in args.concurrency.split(",")]
    if not 1 <= args.rounds <= 9 or not 1 <= args.seconds <= 30:
        parser.error("--rounds must be 1..9 and --seconds 1..30")
    if not all(1 <= c <= 256 for c in args.concurrencies):
        parser.error("--concurrency: each must be 1..256")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if shutil.which("wrk") is None:
        print("bench_acks: wrk not found; install it: apt-get install -y wrk (Debian, Ubuntu) "
              "or brew install wrk (macOS)", file=sys.stderr)  # fmt: skip
        return 2
    for name, value in (("WEB_WORKERS", args.workers), ("WEB_THREADS", args.threads)):
        if value is not None:
            os.environ[name] = str(value)
    signal.signal(signal.SIGTERM, on_sigterm)
    begun = time.monotonic()
    print(machine(Settings(_env_file=None)))  # type: ignore[call-arg]
    print(
        f"load: wrk POSTing a signed `/coffee status` of one enrolled student, keep-alive"
        f"{' off' if args.close else ''}, {args.rounds} rounds of {args.seconds:g} s per "
        f"server and concurrency, servers alternating; every answer awaited between rounds\n",
        flush=True,
    )
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="coffee-acks-")))
        fake = LeanSlack().start()
        stack.callback(fake.stop)
        servers = [ours("ours/sqlite", f"sqlite:///{workdir / 'bench.db'}", fake, workdir, 0)]
        if postgres := os.environ.get(POSTGRES_ENV):
            (workdir / "pg").mkdir()
            url = postgres_schema(stack, postgres)
            servers.append(ours("ours/pg", url, fake, workdir / "pg", 0))
        else:
            print(f"(PostgreSQL skipped: set {POSTGRES_ENV} to include it)")
        servers.append(baseline(fake, workdir))
        columns = [Column(server) for server in servers]
        stack.enter_context(running(servers))
        for column in columns:
            measure(column, fake, workdir, 16, -1, _warmup(args))
            column.memory["start"] = tree_memory(_pid(column.server))
        for c in args.concurrencies:
            print(f"[{time.monotonic() - begun:5.0f} s] concurrency {c} …", flush=True)
            for n in range(args.rounds):
                shift = n % len(columns)
                for column in columns[shift:] + columns[:shift]:
                    column.rounds.setdefault(c, []).append(
                        measure(column, fake, workdir, c, n, args)
                    )
        for column in columns:
            column.memory["end"] = tree_memory(_pid(column.server))
        print(f"[{time.monotonic() - begun:5.0f} s] the clock's memory …", flush=True)
        for column in columns[:-1]:
            if (clock := clock_memory(column.server)) is not None:
                column.memory["clock"] = clock
        print(f"[{time.monotonic() - begun:5.0f} s] done\n", flush=True)
        print_tables(columns, args.concurrencies, args.rounds)
        for column in columns:
            if any(r.right < r.acked for rs in column.rounds.values() for r in rs):
                print(f"\nwarning: {column.server.name} answered wrong or not at all; log tail:")
                print(column.server.log_tail(10))
    print(f"\ntotal {time.monotonic() - begun:.0f} s; load avg now {os.getloadavg()[0]:.2f}")
    return 0


def _warmup(args: argparse.Namespace) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "seconds": WARMUP_SECONDS})


def _pid(server: Server) -> int:
    assert server.process is not None
    return server.process.pid


if __name__ == "__main__":
    raise SystemExit(main())
