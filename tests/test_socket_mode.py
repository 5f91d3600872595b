"""With SLACK_APP_TOKEN set, the bot takes Slack's requests over a Socket Mode WebSocket."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from websockets.sync.server import ServerConnection, serve

from tests.fakeslack import FakeSlack
from tests.slackreq import SlackSender
from tests.test_processes import env, free_port, wait_healthy


def test_socket_mode_acknowledges_envelopes_and_answers(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    acks: queue.Queue[dict[str, Any]] = queue.Queue()
    sender = SlackSender("http://unused", "secret", fake_slack.url + "/response")
    command = sender.command_body("help")

    def session(connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        connection.send(
            json.dumps(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "payload": command,
                    "accepts_response_payload": True,
                }
            )
        )
        for message in connection:
            acks.put(json.loads(message))

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
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_healthy(port)
            ack = acks.get(timeout=15)
            assert ack["envelope_id"] == "env-1"
            deadline = time.monotonic() + 10
            while not fake_slack.of("response_url") and time.monotonic() < deadline:
                time.sleep(0.05)
            answer = fake_slack.of("response_url")[0]
            assert "/coffee outreach Ada Lovelace" in answer.text()
            opened = fake_slack.of("apps.connections.open")[0]
            assert opened.headers["Authorization"] == "Bearer xapp-test"
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=25) == 0
