"""Benchmark `/coffee` commands end to end: the bot's `web` process against a bare Bolt app.

Each server runs as its own subprocess on 127.0.0.1; the fake Slack Web API (which also
receives the posts to response URLs) runs in this process. Every figure is measured in the
same run for the bot and for the baseline (bench/bare_app.py), because the machine is noisy.

    .venv/bin/python bench/bench_commands.py [--quick] [-n N]

Set COFFEE_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to benchmark the
bot on PostgreSQL too, in a fresh schema that is dropped afterwards. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.proctree import tree_memory  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402
from tests.slackreq import SlackSender  # noqa: E402

POSTGRES_ENV = "COFFEE_TEST_POSTGRES_URL"
TOKEN = "xoxb-bench"
SIGNING_SECRET = "bench-signing-secret"
TEAM = "T0TEAM"
STUDENT = "U0STUDENT"
BURST_SIZE = 40  # concurrent commands (defaults; see --burst and --slack-delay)
SLOW_SLACK_SECONDS = 2.0
ACK_DEADLINE = 3.0  # Slack shows the user an error when the HTTP ack takes longer
WARMUP = 4  # requests per server before the measured sequential run
ANSWER_TIMEOUT = 10.0  # per sequential request, for the answer on the response_url
STOP_TIMEOUT = 25.0


# -- the fake Slack ----------------------------------------------------------------------------


class BenchSlack(FakeSlack):
    """The tests' fake Slack, timestamping response_url posts and optionally answering late."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._server.socket.listen(256)  # a burst opens dozens of connections at once
        self.response_delay = 0.0
        self._arrivals: dict[str, float] = {}
        self._arrived = threading.Condition()

    def _reply(
        self,
        request: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        path = request.path.split("?")[0]
        if path.startswith("/response/"):
            # The call is recorded by now; the sender waits until we reply.
            with self._arrived:
                self._arrivals.setdefault(path, time.perf_counter())
                self._arrived.notify_all()
            if self.response_delay > 0:
                time.sleep(self.response_delay)
        super()._reply(request, status, body, headers)

    def wait_answer(self, path: str, timeout: float) -> float | None:
        """perf_counter() when the first post to `path` arrived, or None after `timeout`."""
        deadline = time.perf_counter() + timeout
        with self._arrived:
            while path not in self._arrivals:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return None
                self._arrived.wait(remaining)
            return self._arrivals[path]

    def answers(self) -> dict[str, str]:
        """The text of the first post to each response path."""
        found: dict[str, str] = {}
        for call in self.of("response_url"):
            found.setdefault(call.path, str(call.params.get("text", "")))
        return found


def burst_users(size: int) -> list[str]:
    return [f"U0BURST{i:03d}" for i in range(size)]


def response_path(body: dict[str, Any]) -> str:
    return "/" + str(body["response_url"]).split("/", 3)[3]


# -- server processes --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(**extra: str) -> dict[str, str]:
    """This process's environment without Slack/database settings, plus `extra`."""
    dropped = ("SLACK_", "DATABASE_", "PORT", "LOG_LEVEL", "SLASH_COMMAND")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", **extra)
    return env


def run_cli(args: Sequence[str], cwd: Path, env: dict[str, str]) -> str:
    """`python -m bot <args>`; its stdout, or RuntimeError with its stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"python -m bot {' '.join(args[:2])} failed:\n{result.stderr}")
    return result.stdout


@dataclass
class Server:
    """One server subprocess and everything measured on it."""

    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    cwd: Path
    answers: Callable[[str], str]  # command text -> the answer text expected
    process: subprocess.Popen[bytes] | None = None
    rss: dict[str, float] = field(default_factory=dict)  # MiB by moment
    sequential: list[Sample] = field(default_factory=list)
    burst: BurstResult | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.cwd / f"{self.name.replace(' ', '_').replace('/', '_')}.log"

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches only us; we stop it ourselves
            )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited during start-up:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not healthy after {timeout} s:\n{self.log_tail()}")
            time.sleep(0.1)

    def record_rss(self, moment: str) -> None:
        """RSS of the server's processes (gunicorn's master and workers), summed."""
        if self.process is None:
            return
        memory = tree_memory(self.process.pid)
        self.rss[moment] = memory.rss
        self.rss["peak"] = memory.hwm

    def stop(self) -> None:
        """SIGTERM (requests in flight finish), then SIGKILL after STOP_TIMEOUT."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"warning: {self.name} ignored SIGTERM; killing pid {process.pid}")
            process.kill()
            process.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def ours_answer(text: str) -> str:
    return "Outreach logged." if text.startswith("outreach") else "Your coffee-chat progress"


def baseline_answer(_text: str) -> str:
    return "ok"


# -- measurements ------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str  # "outreach" or "status"
    status: int
    ack: float  # seconds until the HTTP response
    e2e: float | None  # seconds until the answer reached the response_url (None: never)
    answered_right: bool


@dataclass
class BurstResult:
    statuses: list[int]
    acks: list[float]
    answered: int
    last_answer: float | None  # seconds from the burst's start to the last answer
    wall: float  # seconds until every ack returned


def command_text(kind: str, n: int, who: str = "Person") -> str:
    return f"outreach {who} {n}" if kind == "outreach" else "status"


def one_request(server: Server, fake: BenchSlack, kind: str, n: int) -> Sample:
    sender = SlackSender(server.base_url, SIGNING_SECRET, fake.url + "/response")
    text = command_text(kind, n)
    body = sender.command_body(text)
    path = response_path(body)
    started = time.perf_counter()
    try:
        status = sender.form(body).status
    except OSError:
        status = 0
    acked = time.perf_counter() - started
    arrived = fake.wait_answer(path, ANSWER_TIMEOUT) if status == 200 else None
    e2e = None if arrived is None else arrived - started
    answer = fake.answers().get(path, "") if arrived is not None else ""
    return Sample(kind, status, acked, e2e, answer.startswith(server.answers(text)))


def sequential(servers: list[Server], fake: BenchSlack, n: int, budget: float) -> int:
    """`n` requests per server, alternating outreach and status, interleaved across servers
    (the order rotates each round) so that noise hits every server alike. Returns the rounds
    done, fewer than `n` if `budget` seconds ran out."""
    for server in servers:
        for i in range(WARMUP):
            one_request(server, fake, ("outreach", "status")[i % 2], 100_000 + i)
    deadline = time.monotonic() + budget
    for i in range(n):
        if time.monotonic() > deadline:
            print(f"warning: sequential run stopped after {i} of {n} rounds ({budget:.0f} s)")
            return i
        kind = ("outreach", "status")[i % 2]
        shift = i % len(servers)
        for server in servers[shift:] + servers[:shift]:
            server.sequential.append(one_request(server, fake, kind, i))
    return n


def burst(server: Server, fake: BenchSlack, size: int, delay: float, drain: float) -> None:
    """`size` commands at once from different students while Slack takes `delay` s to answer
    each response_url post; then wait up to `drain` s for the answers."""
    sender = SlackSender(server.base_url, SIGNING_SECRET, fake.url + "/response")
    bodies = [
        sender.command_body(command_text(("outreach", "status")[i % 2], i, "Burst"), user=user)
        for i, user in enumerate(burst_users(size))
    ]
    statuses = [0] * size
    acks = [float("nan")] * size
    gate = threading.Barrier(size + 1)

    def fire(i: int) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait(timeout=10)
        started = time.perf_counter()
        try:
            statuses[i] = sender.form(bodies[i]).status
        except OSError:
            statuses[i] = 0
        acks[i] = time.perf_counter() - started

    fake.response_delay = delay
    try:
        threads = [threading.Thread(target=fire, args=(i,), daemon=True) for i in range(size)]
        for thread in threads:
            thread.start()
        gate.wait(timeout=10)
        started = time.perf_counter()
        for thread in threads:
            thread.join(timeout=max(0.1, started + 15 - time.perf_counter()))
        wall = time.perf_counter() - started
        deadline = started + drain
        arrivals = [
            fake.wait_answer(response_path(body), max(0.0, deadline - time.perf_counter()))
            for body in bodies
        ]
    finally:
        fake.response_delay = 0.0
    arrived = [a - started for a in arrivals if a is not None]
    server.burst = BurstResult(
        statuses, acks, len(arrived), max(arrived) if arrived else None, wall
    )


# -- the report --------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of the values that are not NaN; NaN when there are none."""
    ordered = sorted(v for v in values if v == v)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


Row = tuple[str, Callable[[Server], float | str], str]  # label, figure, format


def ms(values: Sequence[float], q: float) -> float:
    return percentile(values, q) * 1000


def acks_of(server: Server) -> list[float]:
    return [s.ack for s in server.sequential]


def e2e_of(server: Server, kind: str, part: slice = slice(None)) -> list[float]:
    samples = [s for s in server.sequential if s.kind == kind][part]
    return [s.e2e for s in samples if s.e2e is not None]


def tenth(server: Server, kind: str, last: bool) -> slice:
    count = len([s for s in server.sequential if s.kind == kind])
    size = max(1, count // 10)
    return slice(count - size, None) if last else slice(0, size)


def throughput(server: Server) -> float:
    busy = sum(max(s.ack, s.e2e or 0.0) for s in server.sequential)
    return len(server.sequential) / busy if busy else float("nan")


def burst_figure(pick: Callable[[BurstResult], float]) -> Callable[[Server], float]:
    return lambda server: pick(server.burst) if server.burst else float("nan")


def rows(size: int, delay: float) -> list[Row]:
    table: list[Row] = [
        ("sequential: requests sent", lambda s: len(s.sequential), "d"),
        ("  acked 200 / answered right", lambda s: _acked_and_right(s), "s"),
        ("  HTTP ack p50 (ms)", lambda s: ms(acks_of(s), 50), ".1f"),
        ("  HTTP ack p95 (ms)", lambda s: ms(acks_of(s), 95), ".1f"),
        ("  HTTP ack max (ms)", lambda s: ms(acks_of(s), 100), ".1f"),
    ]
    for kind in ("outreach", "status"):
        table += [
            (f"  {kind} end-to-end p50 (ms)", lambda s, k=kind: ms(e2e_of(s, k), 50), ".1f"),
            (f"  {kind} end-to-end p95 (ms)", lambda s, k=kind: ms(e2e_of(s, k), 95), ".1f"),
            (f"  {kind} end-to-end max (ms)", lambda s, k=kind: ms(e2e_of(s, k), 100), ".1f"),
            (
                f"  {kind} e2e p50, first tenth (ms)",
                lambda s, k=kind: ms(e2e_of(s, k, tenth(s, k, last=False)), 50),
                ".1f",
            ),
            (
                f"  {kind} e2e p50, last tenth (ms)",
                lambda s, k=kind: ms(e2e_of(s, k, tenth(s, k, last=True)), 50),
                ".1f",
            ),
        ]
    table += [
        ("  throughput, one at a time (req/s)", throughput, ".1f"),
        (
            f"burst of {size}, Slack {delay:g} s slow: acked 200 ≤ {ACK_DEADLINE:g} s",
            burst_figure(
                lambda b: sum(
                    1
                    for st, a in zip(b.statuses, b.acks, strict=True)
                    if st == 200 and a <= ACK_DEADLINE
                )
            ),
            "d",
        ),
        ("  not acked (non-200)", burst_figure(lambda b: sum(st != 200 for st in b.statuses)), "d"),
        ("  non-200 statuses (0: no reply)", burst_figure(_failures), "s"),
        ("  HTTP ack p50 (ms)", burst_figure(lambda b: ms(b.acks, 50)), ".0f"),
        ("  HTTP ack max (ms)", burst_figure(lambda b: ms(b.acks, 100)), ".0f"),
        ("  answers delivered", burst_figure(lambda b: b.answered), "d"),
        (
            "  last answer after (s)",
            burst_figure(lambda b: b.last_answer if b.last_answer is not None else float("nan")),
            ".1f",
        ),
        ("RSS after start-up (MiB)", lambda s: s.rss.get("start", float("nan")), ".1f"),
        ("RSS after sequential run (MiB)", lambda s: s.rss.get("sequential", float("nan")), ".1f"),
        ("RSS after burst (MiB)", lambda s: s.rss.get("burst", float("nan")), ".1f"),
        ("RSS peak, VmHWM (MiB)", lambda s: s.rss.get("peak", float("nan")), ".1f"),
    ]
    return table


def _acked_and_right(server: Server) -> str:  # formatted by hand: two counts in one cell
    ok = sum(s.status == 200 for s in server.sequential)
    right = sum(s.answered_right for s in server.sequential)
    return f"{ok}/{right}"


def _failures(result: BurstResult) -> str:
    counts = Counter(st for st in result.statuses if st != 200)
    return " ".join(f"{st}×{n}" for st, n in sorted(counts.items())) or "none"


def fmt(value: Any, spec: str) -> str:
    if isinstance(value, str):
        return value
    if value != value:  # NaN
        return "-"
    return format(int(value), "d") if spec == "d" else format(value, spec)


def print_table(ours: list[Server], baseline: Server, size: int, delay: float) -> None:
    columns = [*ours, baseline]
    headers = [s.name for s in columns] + [f"{s.name.split('/')[-1]}/base" for s in ours]
    table = rows(size, delay)
    label_width = max(len(label) for label, _, _ in table)
    widths = [max(11, len(h)) for h in headers]

    def line(first: str, cells: list[str]) -> str:
        padded = (f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
        return f"{first:<{label_width}}  " + "  ".join(padded)

    print(line("", headers))
    for label, figure, spec in table:
        values = [figure(s) for s in columns]
        cells = [fmt(v, spec) for v in values]
        base = values[-1]
        for value in values[:-1]:
            numeric = isinstance(value, int | float) and isinstance(base, int | float)
            ratio = value / base if numeric and base and base == base else float("nan")
            cells.append("-" if ratio != ratio else f"{ratio:.2f}x")
        print(line(label, cells))


def versions() -> str:
    names = ("slack-bolt", "slack-sdk", "waitress", "SQLAlchemy")
    found = []
    for name in names:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found.append(f"{name} {importlib.metadata.version(name)}")
    return ", ".join(found)


def machine() -> str:
    cpus = len(os.sched_getaffinity(0))
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: nproc {cpus} ({os.cpu_count()} CPUs), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load avg {load}\n"
        f"packages: {versions()}"
    )


# -- setting up --------------------------------------------------------------------------------


def cohort_args(start: date, burst_size: int) -> list[str]:
    args = [
        "cohort", "create", "--team", TEAM, "--name", "Bench", "--start", start.isoformat(),
        "--timezone", "America/Denver", "--instructors-channel", "C0INSTRUCT",
        "--student", STUDENT,
    ]  # fmt: skip
    for user in burst_users(burst_size):
        args += ["--student", user]
    return args


def postgres_schema(stack: contextlib.ExitStack, base: str) -> str:
    """A fresh schema on the PostgreSQL at `base`, dropped when `stack` closes."""
    from sqlalchemy import create_engine, text

    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()

    stack.callback(drop)
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def ours(name: str, database_url: str, fake: BenchSlack, workdir: Path, burst_size: int) -> Server:
    """Migrate and seed the database, then describe `python -m bot web` on it."""
    env = base_env(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=database_url,
    )
    run_cli(["db", "upgrade"], workdir, env)
    run_cli(cohort_args(date.today() - timedelta(days=7), burst_size), workdir, env)
    port = free_port()
    argv = [sys.executable, "-m", "bot", "web"]
    return Server(name, argv, {**env, "PORT": str(port)}, port, workdir, ours_answer)


def baseline(fake: BenchSlack, workdir: Path) -> Server:
    port = free_port()
    argv = [
        sys.executable, str(ROOT / "bench" / "bare_app.py"),
        "--port", str(port), "--api-url", fake.api_url,
        "--token", TOKEN, "--signing-secret", SIGNING_SECRET,
    ]  # fmt: skip
    return Server("baseline", argv, base_env(), port, workdir, baseline_answer)


def on_sigterm(_signum: int, _frame: Any) -> NoReturn:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the clean-up
    raise SystemExit(143)  # unwinds through the finally blocks that stop the servers


@contextlib.contextmanager
def running(servers: list[Server]) -> Iterator[None]:
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield
    finally:
        for server in servers:
            server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark /coffee commands: bot vs bare Bolt.")
    parser.add_argument("--quick", action="store_true", help="60 sequential requests, not 300")
    parser.add_argument("-n", type=int, default=None, help="sequential requests per server")
    parser.add_argument("--burst", type=int, default=BURST_SIZE, help="concurrent commands")
    parser.add_argument(
        "--slack-delay",
        type=float,
        default=SLOW_SLACK_SECONDS,
        help="seconds the fake takes to answer response_url posts during the burst",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.burst <= 200 or not 0 <= args.slack_delay <= 10:
        parser.error("--burst must be 1..200 and --slack-delay 0..10")
    n = args.n if args.n is not None else (60 if args.quick else 300)
    budget = 45.0 if args.quick else 240.0
    signal.signal(signal.SIGTERM, on_sigterm)
    begun = time.monotonic()
    print(machine())
    print(
        f"sequential: {n} requests per server (+{WARMUP} warm-up), alternating "
        f"`/coffee outreach Person <n>` and `/coffee status`, interleaved across servers\n"
        f"burst: {args.burst} commands at once from different students, the fake answering "
        f"response_url posts after {args.slack_delay:g} s"
    )
    print(flush=True)

    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="coffee-bench-")))
        fake = BenchSlack().start()
        stack.callback(fake.stop)
        sqlite_url = f"sqlite:///{workdir / 'bench.db'}"
        servers = [ours("ours/sqlite", sqlite_url, fake, workdir, args.burst)]
        postgres = os.environ.get(POSTGRES_ENV)
        if postgres:
            pg_dir = workdir / "pg"
            pg_dir.mkdir()
            pg_url = postgres_schema(stack, postgres)
            servers.append(ours("ours/pg", pg_url, fake, pg_dir, args.burst))
        else:
            print(f"(PostgreSQL skipped: set {POSTGRES_ENV} to include it)")
        bare = baseline(fake, workdir)
        everyone = [*servers, bare]
        stack.enter_context(running(everyone))
        for server in everyone:
            server.record_rss("start")

        print(f"[{time.monotonic() - begun:5.1f} s] sequential run …", flush=True)
        sequential(everyone, fake, n, budget)
        for server in everyone:
            server.record_rss("sequential")

        drain = args.burst * args.slack_delay / 5 + 10  # the baseline's 5 threads, plus slack
        for server in everyone:
            print(f"[{time.monotonic() - begun:5.1f} s] burst on {server.name} …", flush=True)
            burst(server, fake, args.burst, args.slack_delay, drain)
            server.record_rss("burst")
        print(f"[{time.monotonic() - begun:5.1f} s] done\n", flush=True)

        print_table(servers, bare, args.burst, args.slack_delay)
        problems = [s for s in everyone if any(not x.answered_right for x in s.sequential)]
        for server in problems:
            print(f"\nwarning: {server.name} gave unexpected answers; log tail:")
            print(server.log_tail(10))
    print(f"\ntotal {time.monotonic() - begun:.0f} s; load avg now {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
