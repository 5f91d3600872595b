"""Start-up asks Slack about the tokens: one refused stops it in one line, an outage only warns."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fakeslack import FakeSlack
from tests.test_processes import bot, env, free_port, wait_healthy

CLOSED_PORT_API = "http://127.0.0.1:9/api/"  # the discard port: nothing listens there


def unreachable(**extra: str) -> dict[str, str]:
    """Settings whose SLACK_API_URL points at a closed port."""
    return env(
        "sqlite:///coffee.db",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=CLOSED_PORT_API,
        **extra,
    )


def only_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("coffee-chat: "), stderr
    return lines[0]


@pytest.mark.parametrize("process", [["web"], ["clock"], []])
@pytest.mark.parametrize("code", ["invalid_auth", "token_revoked"])
def test_a_bot_token_slack_refuses_stops_start_up_in_one_line(
    tmp_path: Path, fake_slack: FakeSlack, process: list[str], code: str
) -> None:
    fake_slack.fail("auth.test", error=code)
    done = bot(*process, cwd=tmp_path, environment=env("sqlite:///coffee.db", fake_slack))
    assert done.returncode == 2
    line = only_line(done.stderr)
    assert "SLACK_BOT_TOKEN" in line and code in line and "OAuth & Permissions" in line
    assert not (tmp_path / "coffee.db").exists()  # refused before migrating anything


def test_an_app_token_slack_refuses_stops_start_up_in_one_line(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("apps.connections.open", error="invalid_auth")
    environment = env("sqlite:///coffee.db", fake_slack, SLACK_APP_TOKEN="xapp-revoked")
    done = bot(cwd=tmp_path, environment=environment)
    assert done.returncode == 2
    line = only_line(done.stderr)
    assert "SLACK_APP_TOKEN" in line and "App-Level Tokens" in line
    [opened] = fake_slack.of("apps.connections.open")
    assert opened.headers["Authorization"] == "Bearer xapp-revoked"


@pytest.mark.parametrize("process", [["web"], []])
def test_an_unreachable_slack_only_warns_and_the_bot_serves(
    tmp_path: Path, process: list[str]
) -> None:
    port = free_port()
    environment = unreachable(PORT=str(port))
    if process == ["web"]:
        assert bot("db", "upgrade", cwd=tmp_path, environment=environment).returncode == 0
    running = subprocess.Popen(
        [sys.executable, "-m", "bot", *process],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert b'"database": true' in wait_healthy(port)
    finally:
        running.send_signal(signal.SIGTERM)
        _, stderr = running.communicate(timeout=25)
    assert running.returncode == 0, stderr
    warnings = [line for line in stderr.splitlines() if "could not check" in line]
    assert len(warnings) == 1, stderr
    assert "WARNING" in warnings[0] and "SLACK_BOT_TOKEN" in warnings[0]
    assert "Connection refused" in warnings[0] and "starting anyway" in warnings[0]
    assert "Traceback" not in stderr


def midday_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon at `now` (Etc/GMT-N is UTC+N)."""
    offset = (12 - now.hour + 12) % 24 - 12
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


def test_the_clock_keeps_trying_when_slack_is_unreachable(tmp_path: Path) -> None:
    environment = unreachable()
    zone = midday_zone(datetime.now(UTC))  # outside quiet hours, so the kickoff is tried now
    yesterday = (datetime.now(ZoneInfo(zone)) - timedelta(days=1)).date().isoformat()
    created = bot(
        *("cohort", "create", "--team", "T0TEAM", "--name", "Mod 5", "--start", yesterday),
        *("--timezone", zone, "--instructors-channel", "C0INSTRUCT", "--student", "U0A"),
        cwd=tmp_path,
        environment=environment,
    )
    assert created.returncode == 0, created.stderr
    clock = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[str] = []
    try:
        assert clock.stderr is not None
        for line in clock.stderr:  # until the first run has tried to send the kickoff
            seen.append(line)
            if "bot.schedule.clock: run_due:" in line:
                break
        assert clock.poll() is None, "".join(seen)
    finally:
        clock.send_signal(signal.SIGTERM)
        _, rest = clock.communicate(timeout=25)
    assert clock.returncode == 0, "".join(seen) + rest
    assert any("could not check SLACK_BOT_TOKEN" in line for line in seen), seen
    assert "1 failed" in seen[-1], seen[-1]


def test_start_up_checks_the_token_with_auth_test(tmp_path: Path, fake_slack: FakeSlack) -> None:
    port = free_port()
    environment = env("sqlite:///coffee.db", fake_slack, PORT=str(port))
    running = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_healthy(port)
    finally:
        running.send_signal(signal.SIGTERM)
        _, stderr = running.communicate(timeout=25)
    assert running.returncode == 0, stderr
    [checked] = fake_slack.of("auth.test")[:1]
    assert checked.headers["Authorization"] == "Bearer xoxb-test"
    assert "could not check" not in stderr
