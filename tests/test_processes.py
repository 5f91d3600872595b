"""The process commands as an operator runs them: serve, migrate, cohorts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot import db
from tests.fakeslack import FakeSlack

HEADS = ", ".join(sorted(db.head_revisions()))  # what a fresh database migrates to

ROOT = Path(__file__).resolve().parents[1]


def env(database_url: str, fake: FakeSlack | None = None, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    base.update(PYTHONPATH=str(ROOT), DATABASE_URL=database_url, **extra)
    if fake is not None:
        base.update(
            SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="secret", SLACK_API_URL=fake.api_url
        )
    return base


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot(*args: str, cwd: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def wait_healthy(port: int, timeout: float = 20) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return r.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_all_in_one_migrates_serves_and_stops_on_sigterm(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env("sqlite:///coffee.db", fake_slack, PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert b'"database": true' in wait_healthy(port)
        assert (tmp_path / "coffee.db").exists()
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=25) == 0
        assert time.monotonic() - started < 25
    finally:
        if process.poll() is None:
            process.kill()
    output = process.stdout.read() if process.stdout else ""
    assert f"database migrated: no tables → {HEADS}" in output and "stopped" in output


def test_web_does_not_migrate_but_db_upgrade_does(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    result = bot("db", "upgrade", cwd=tmp_path, environment=env(database_url))
    assert result.returncode == 0, result.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "web"],
        cwd=tmp_path,
        env=env(database_url, fake_slack, PORT=str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert b'"status": "ok"' in wait_healthy(port)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=25) == 0


def test_cohort_create_fills_in_the_calendar_and_lists_it(
    tmp_path: Path, database_url: str
) -> None:
    environment = env(database_url)
    created = bot(
        "cohort",
        "create",
        "--team",
        "T0TEAM",
        "--name",
        "Mod 5",
        "--start",
        "2026-09-07",
        "--timezone",
        "America/Denver",
        "--instructors-channel",
        "C0INSTRUCT",
        "--student",
        "U0A",
        "--student",
        "U0B",
        cwd=tmp_path,
        environment=environment,
    )
    assert created.returncode == 0, created.stderr
    assert "checkpoint Fri 18 Sep 2026, 17:00 MDT" in created.stdout
    assert "deadline Fri 2 Oct 2026, 17:00 MDT" in created.stdout
    listed = bot("cohort", "list", cwd=tmp_path, environment=environment)
    assert "Mod 5" in listed.stdout and "2 students" in listed.stdout


def test_cohort_create_asks_slack_for_the_workspace(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    created = bot(
        "cohort",
        "create",
        "--name",
        "Mod 5",
        "--start",
        "2026-09-07",
        "--timezone",
        "Europe/London",
        "--instructors-channel",
        "C0INSTRUCT",
        cwd=tmp_path,
        environment=env(database_url, fake_slack),
    )
    assert created.returncode == 0, created.stderr
    assert "[T0TEAM]" in created.stdout and "BST" in created.stdout


def test_cohort_create_rejects_bad_input_in_one_line(tmp_path: Path, database_url: str) -> None:
    environment = env(database_url)
    cases = [
        (["--timezone", "Mars/Olympus"], "not a timezone I know"),
        (["--timezone", "UTC", "--start", "2020-01-01"], "more than a year ago"),
        (
            ["--timezone", "UTC", "--checkpoint", "2026-10-10T17:00:00+00:00"],
            "deadline must come after the checkpoint",
        ),
        (["--timezone", "UTC", "--instructors-channel", "general"], "not a channel ID"),
    ]
    for extra, words in cases:
        args = [
            "cohort",
            "create",
            "--team",
            "T0TEAM",
            "--name",
            "X",
            "--start",
            "2026-09-07",
            "--instructors-channel",
            "C0INSTRUCT",
            *extra,
        ]
        result = bot(*args, cwd=tmp_path, environment=environment)
        assert result.returncode != 0
        assert words in result.stderr and "Traceback" not in result.stderr
    assert "No cohorts yet" in bot("cohort", "list", cwd=tmp_path, environment=environment).stdout
