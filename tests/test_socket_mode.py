"""With SLACK_APP_TOKEN set, the bot takes Slack's requests over a Socket Mode WebSocket."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from websockets.sync.server import ServerConnection, serve

from tests.fakeslack import FakeSlack
from tests.slackreq import SlackSender
from tests.test_processes import env, free_port, wait_healthy
from tests.test_request_guard import (
    SENTINEL,
    block_actions,
    command,
    element,
    event_callback,
    state,
    view_submission,
    without,
)

Session = Callable[[ServerConnection], None]


@contextmanager
def socket_mode_bot(
    tmp_path: Path, fake_slack: FakeSlack, session: Session, stderr: Any = subprocess.DEVNULL
) -> Iterator[None]:
    """`python -m bot web` in Socket Mode, connected to a WebSocket server running `session`."""
    with serve(session, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        fake_slack.socket_mode_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/"
        port = free_port()
        environment = env(
            "sqlite:///coffee.db", fake_slack, PORT=str(port), SLACK_APP_TOKEN="xapp-test"
        )
        subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            cwd=tmp_path,
            env=environment,
            check=True,
            capture_output=True,
            timeout=60,
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "web"],
            cwd=tmp_path,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            wait_healthy(port)
            yield
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=25) == 0


def wait_for_answer(fake_slack: FakeSlack) -> str:
    deadline = time.monotonic() + 10
    while not fake_slack.of("response_url") and time.monotonic() < deadline:
        time.sleep(0.05)
    return fake_slack.of("response_url")[0].text()


def test_socket_mode_acknowledges_envelopes_and_answers(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    acks: queue.Queue[dict[str, Any]] = queue.Queue()
    sender = SlackSender("http://unused", "secret", fake_slack.url + "/response")
    command_body = sender.command_body("help")

    def session(connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        connection.send(
            json.dumps(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "payload": command_body,
                    "accepts_response_payload": True,
                }
            )
        )
        for message in connection:
            acks.put(json.loads(message))

    with socket_mode_bot(tmp_path, fake_slack, session):
        ack = acks.get(timeout=15)
        assert ack["envelope_id"] == "env-1"
        assert "/coffee outreach Ada Lovelace" in wait_for_answer(fake_slack)
        opened = fake_slack.of("apps.connections.open")[0]
        assert opened.headers["Authorization"] == "Bearer xapp-test"


def envelope(kind: str, payload: Any, number: int, **extra: Any) -> dict[str, Any]:
    return {"envelope_id": f"bad-{number}", "type": kind, "payload": payload, **extra}


# Envelopes Slack would not send: each payload is one the HTTP guard answers 400 (the same
# builders as tests/test_request_guard.py), or the envelope around it is wrong.
MALFORMED_PAYLOADS: list[tuple[str, Any]] = [
    ("interactive", [block_actions()]),
    ("interactive", 12),
    ("interactive", None),
    ("interactive", without(block_actions(), "type")),
    ("interactive", block_actions(type=["block_actions"])),
    ("interactive", block_actions(actions=[])),
    ("interactive", block_actions(actions=[SENTINEL])),
    ("interactive", without(block_actions(), "user")),
    ("interactive", block_actions(user={"id": SENTINEL, "team_id": "T0TEAM"})),
    ("interactive", block_actions(team=5)),
    ("interactive", block_actions(team=[SENTINEL])),
    ("interactive", block_actions(authorizations="T0TEAM")),
    ("interactive", block_actions(response_url=SENTINEL)),
    ("interactive", without(view_submission(), "view")),
    ("interactive", view_submission({"state": [SENTINEL]})),
    ("interactive", state({"name": SENTINEL})),
    ("interactive", element(value=5)),
    ("interactive", element(value="Ada \ud800")),
    ("interactive", element(selected_date_time=10**12)),
    ("interactive", event_callback()),  # an event in an interactive envelope
    ("events_api", event_callback(SENTINEL)),
    ("events_api", event_callback({"type": "app_home_opened", "user": [1]})),
    ("events_api", without(event_callback(), "team_id")),
    ("events_api", block_actions()),  # a button press in an Events API envelope
    ("slash_commands", command(user_id="<drop>")),
    ("slash_commands", command(response_url="javascript:alert(1)")),
    ("slash_commands", {**command(), "text": ["outreach", SENTINEL]}),
    ("slash_commands", block_actions()),
]
MALFORMED_ENVELOPES: list[dict[str, Any]] = [
    {"type": "slash_commands", "payload": command()},  # no envelope_id: nothing to ack
    {"type": "slash_commands", "envelope_id": 7, "payload": command()},
    envelope("slash_commands", command(), 900, retry_attempt="1"),
    envelope("slash_commands", command(), 901, accepts_response_payload="yes"),
    envelope("telepathy", command(), 902),
]
NOT_JSON = ["{nope " + SENTINEL, "[" * 100_000 + "]" * 100_000, json.dumps([command()])]


def test_socket_mode_drops_malformed_envelopes_logged_once_and_keeps_serving(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    acks: queue.Queue[dict[str, Any]] = queue.Queue()
    sender = SlackSender("http://unused", "secret", fake_slack.url + "/response")
    bad = [envelope(kind, p, n) for n, (kind, p) in enumerate(MALFORMED_PAYLOADS)]
    bad += MALFORMED_ENVELOPES
    refused = len(bad) + len(NOT_JSON)

    def session(connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        for raw in NOT_JSON:
            connection.send(raw)
        for message in bad:
            connection.send(json.dumps(message))
        good = {"envelope_id": "good", "type": "slash_commands"}
        connection.send(json.dumps({**good, "payload": sender.command_body("help")}))
        for message in connection:
            acks.put(json.loads(message))

    log = tmp_path / "stderr.log"
    expected = {m["envelope_id"] for m in bad if isinstance(m.get("envelope_id"), str)}
    expected.add("good")
    with log.open("w") as stderr, socket_mode_bot(tmp_path, fake_slack, session, stderr):
        assert "/coffee outreach Ada Lovelace" in wait_for_answer(fake_slack)
        acked = set()
        deadline = time.monotonic() + 10
        while acked != expected and time.monotonic() < deadline:
            with suppress(queue.Empty):
                acked.add(acks.get(timeout=0.5)["envelope_id"])
    assert acked == expected  # dropped, not left for Slack to send again
    lines = log.read_text().splitlines()
    ours = [line for line in lines if "refused a Socket Mode request" in line]
    assert len(ours) == refused, "\n".join(lines)
    assert not [line for line in lines if "Traceback" in line or "Failed to" in line]
    assert SENTINEL not in log.read_text()
    assert len(fake_slack.of("response_url")) == 1  # only the good command was answered
