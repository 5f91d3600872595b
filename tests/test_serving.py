"""`python -m bot web` under gunicorn: several workers, signed requests, a graceful SIGTERM."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select

from bot import db
from bot.blocks.help import help_text
from bot.models import Enrollment, Student
from bot.settings import (
    DEFAULT_DB_MAX_OVERFLOW,
    DEFAULT_DB_POOL_SIZE,
    MAX_DEFAULT_WEB_WORKERS,
    Settings,
)
from tests.fakeslack import FakeSlack
from tests.slackreq import SlackSender
from tests.test_processes import env, free_port, wait_healthy
from tests.webprocess import WebProcess

ROOT = Path(__file__).resolve().parents[1]
SECRET = "secret"  # the signing secret tests.test_processes.env gives the bot
STUDENTS = "C0STUDENTS"
RELEASE_TIMEOUT = 20  # s a held users.info waits for the test at most


class HeldSlack(FakeSlack):
    """A fake Slack that holds `users.info` until the test releases it."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.asked = threading.Event()
        self.release = threading.Event()

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "users.info":
            self.asked.set()
            self.release.wait(RELEASE_TIMEOUT)
        return super()._answer(method, params)


@pytest.fixture
def held_slack() -> Iterator[HeldSlack]:
    fake = HeldSlack().start()
    yield fake
    fake.release.set()
    fake.stop()


@pytest.fixture
def web(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> Iterator[tuple[WebProcess, int]]:
    """`python -m bot web` with 2 workers of 2 threads each, on a migrated database."""
    port = free_port()
    environment = env(database_url, fake_slack, PORT=str(port), WEB_WORKERS="2", WEB_THREADS="2")
    process = WebProcess(tmp_path, environment)
    try:
        wait_healthy(port)
        yield process, port
    finally:
        process.kill()


def answers(fake: FakeSlack) -> list[str]:
    return [str(call.params.get("text")) for call in fake.of("response_url")]


def test_web_serves_health_and_signed_commands_from_several_workers(
    web: tuple[WebProcess, int], fake_slack: FakeSlack
) -> None:
    process, port = web
    assert len(process.wait_for_workers(2)) == 2, process.output
    assert b'"database": true' in wait_healthy(port)
    sender = SlackSender(f"http://127.0.0.1:{port}", SECRET, fake_slack.url + "/response")

    replies = [sender.command("help").status for _ in range(6)]

    assert replies == [200] * 6
    process.process.send_signal(signal.SIGTERM)
    assert process.process.wait(timeout=30) == 0, process.output
    assert answers(fake_slack) == [help_text("/coffee")] * 6  # every listener finished


def test_sigterm_lets_an_acked_listener_finish_its_database_write(
    tmp_path: Path, held_slack: HeldSlack, database_url: str
) -> None:
    created = subprocess.run(
        [sys.executable, "-m", "bot", "cohort", "create", "--team", "T0TEAM", "--name", "Mod 5",
         "--start", "2026-09-07", "--timezone", "UTC", "--instructors-channel", "C0INSTRUCT",
         "--students-channel", STUDENTS],
        cwd=tmp_path, env=env(database_url), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    port = free_port()
    environment = env(database_url, held_slack, PORT=str(port), WEB_WORKERS="2")
    process = WebProcess(tmp_path, environment)
    try:
        wait_healthy(port)
        sender = SlackSender(f"http://127.0.0.1:{port}", SECRET, held_slack.url + "/response")
        joined = {"type": "member_joined_channel", "user": "U0NEW", "channel": STUDENTS}
        assert sender.event({**joined, "team": "T0TEAM"}).status == 200
        assert held_slack.asked.wait(RELEASE_TIMEOUT), process.output

        process.process.send_signal(signal.SIGTERM)
        # Both workers got SIGTERM; the one running the listener waits for it to finish.
        assert process.wait_for_lines("Worker exiting", count=2), process.output
        held_slack.release.set()

        assert process.process.wait(timeout=30) == 0, process.output
    finally:
        process.kill()
    assert process.output.count("worker stopped") == 2
    engine = db.make_engine(database_url)
    with db.session_scope(db.make_session_factory(engine)) as session:
        enrolled = session.scalars(
            select(Student.user_id).join(Enrollment, Enrollment.student_id == Student.id)
        ).all()
    engine.dispose()
    assert enrolled == ["U0NEW"]


def test_sigterm_lets_a_request_in_flight_finish(
    web: tuple[WebProcess, int], fake_slack: FakeSlack
) -> None:
    process, port = web
    body = urlencode(
        SlackSender("", SECRET, fake_slack.url + "/response").command_body("help")
    ).encode()
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body.decode())
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nX-Slack-Request-Timestamp: {stamp}\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        # A first request on the same connection: a worker has accepted it and keeps it.
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        health = http.client.HTTPResponse(connection)
        health.begin()
        assert health.status == 200 and b"ok" in health.read()

        connection.sendall(head)  # half a request: the signature and body are still to come
        process.process.send_signal(signal.SIGTERM)
        assert process.wait_for_lines("Handling signal: term"), process.output
        connection.sendall(f"X-Slack-Signature: {signature}\r\n\r\n".encode() + body)

        reply = http.client.HTTPResponse(connection)
        reply.begin()
        assert reply.status == 200, reply.read()
        reply.read()
    assert process.process.wait(timeout=30) == 0, process.output
    assert answers(fake_slack) == [help_text("/coffee")]


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("WEB_WORKERS", "0", "WEB_WORKERS must be a whole number from 1 to 32, not '0'."),
        ("WEB_THREADS", "lots", "WEB_THREADS must be a whole number from 1 to 64, not 'lots'."),
        ("DB_POOL_SIZE", "2.5", "DB_POOL_SIZE must be a whole number from 1 to 100, not '2.5'."),
        ("DB_MAX_OVERFLOW", "-1", "DB_MAX_OVERFLOW must be a whole number from 0 to 100"),
        ("DB_POOL_TIMEOUT", "0", "DB_POOL_TIMEOUT must be a number of seconds from 0.1 to 30"),
    ],
)
def test_a_bad_serving_setting_stops_start_up_in_one_line(
    tmp_path: Path, fake_slack: FakeSlack, name: str, value: str, words: str
) -> None:
    environment = env(f"sqlite:///{tmp_path / 'c.db'}", fake_slack, PORT=str(free_port()))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "web"],
        cwd=tmp_path,
        env={**environment, name: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"coffee-chat: {words}")


def test_the_default_pools_of_web_and_clock_fit_a_20_connection_postgresql() -> None:
    processes = MAX_DEFAULT_WEB_WORKERS + 1  # every web worker, and the clock
    spare = 20 - processes * (DEFAULT_DB_POOL_SIZE + DEFAULT_DB_MAX_OVERFLOW)
    assert spare >= 2  # the release phase's migrations and a one-off `heroku run`
    cores = len(os.sched_getaffinity(0))
    workers = Settings(_env_file=None).web_workers  # type: ignore[call-arg]
    assert workers == min(2 * cores, MAX_DEFAULT_WEB_WORKERS)


def test_the_engine_takes_its_pool_from_the_settings(database_url: str) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        db_pool_size="3",
        db_max_overflow=0,
        db_pool_timeout=1.5,
    )
    engine = db.engine_for(settings)
    try:
        if database_url.startswith("postgresql"):
            assert (engine.pool.size(), engine.pool.timeout()) == (3, 1.5)  # type: ignore[attr-defined]
        assert db.is_reachable(engine)
    finally:
        engine.dispose()


def test_every_setting_is_described_in_the_env_example() -> None:
    example = (ROOT / ".env.example").read_text()
    documented = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}
    assert {name.upper() for name in Settings.model_fields} <= documented
