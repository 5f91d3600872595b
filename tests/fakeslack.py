"""A loopback fake of Slack's Web API: records every call and can answer with faults."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.json"


def manifest_scopes() -> list[str]:
    """The bot scopes manifest.json asks for: what a token of a fresh install holds."""
    return list(json.loads(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])


@dataclass
class Call:
    """One request the bot made: a Web API method or a response_url post."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    path: str = ""

    def blocks(self) -> list[dict[str, Any]]:
        raw = self.params.get("blocks") or (self.params.get("view") or {}).get("blocks") or []
        return json.loads(raw) if isinstance(raw, str) else list(raw)

    def view(self) -> dict[str, Any]:
        raw = self.params.get("view") or {}
        return json.loads(raw) if isinstance(raw, str) else dict(raw)

    def text(self) -> str:
        """Everything a person would read: the text and every text in the blocks."""
        return self.params.get("text", "") + "\n" + "\n".join(_texts(self.blocks()))


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                found += _texts(value)
        return found
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


@dataclass
class Fault:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int


@dataclass
class FakeSlack:
    """Start with `start()`; point SLACK_API_URL at `api_url`."""

    team_id: str = "T0TEAM"
    bot_user_id: str = "U0BOT"
    calls: list[Call] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    channel_members: dict[str, list[str]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    page_size: int = 2
    socket_mode_url: str | None = None
    # Sent as X-OAuth-Scopes on every successful answer, as Slack does; None: no header.
    scopes: list[str] | None = field(default_factory=manifest_scopes)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, *_args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str = "r") -> str:
        return f"{self.url}/response/{name}"

    def start(self) -> FakeSlack:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(
        self,
        method: str,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with a fault instead of success."""
        body: dict[str, Any] = {"ok": False, "error": error or f"http_{status}"}
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            self.faults.setdefault(method, []).append(Fault(status, body, headers, times))

    def of(self, method: str) -> list[Call]:
        """The calls made to one method (or to response URLs, as `response_url`)."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- serving -------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        data = request.rfile.read(length)
        if request.path.startswith("/upload/"):  # a file's bytes, to an upload URL we gave out
            with self._lock:
                self.uploads[request.path.removeprefix("/upload/")] = data
            self._reply(request, 200, {"ok": True})
            return
        raw = data.decode()
        kind = request.headers.get("Content-Type", "")
        path, _, query = request.path.partition("?")
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        params.update(
            json.loads(raw)
            if "json" in kind and raw
            else dict(parse_qsl(raw, keep_blank_values=True))
        )
        for key in ("blocks", "view", "attachments"):
            if isinstance(params.get(key), str) and params[key].startswith(("[", "{")):
                params[key] = json.loads(params[key])
        is_response_url = path.startswith("/response/")
        method = "response_url" if is_response_url else path.removeprefix("/api/")
        headers = {k: v for k, v in request.headers.items()}
        with self._lock:
            self.calls.append(Call(method, params, headers, path))
            fault = self._take_fault(method)
        if fault is not None:
            self._reply(request, fault.status, fault.body, fault.headers)
            return
        scopes = {"X-OAuth-Scopes": ",".join(self.scopes)} if self.scopes is not None else {}
        self._reply(request, 200, self._answer(method, params), scopes)

    def _take_fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method) or []
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    def _reply(
        self,
        request: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {**ok, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {**ok, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}
        if method == "users.list":
            everyone = [{"id": k, **v} for k, v in sorted(self.users.items())]
            start = int(params.get("cursor") or 0)
            size = int(params.get("limit") or 200)
            following = start + size
            cursor = str(following) if following < len(everyone) else ""
            members = everyone[start:following]
            return {**ok, "members": members, "response_metadata": {"next_cursor": cursor}}
        if method == "apps.connections.open" and self.socket_mode_url:
            return {**ok, "url": self.socket_mode_url}
        if method == "auth.test":
            return {
                **ok,
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": "B0BOT",
                "team": "Test",
                "url": "https://test.slack.com/",
            }
        if method in {"chat.postMessage", "chat.update", "chat.postEphemeral"}:
            ts = params.get("ts") or f"{1700000000 + next(self._ts)}.000100"
            return {
                **ok,
                "channel": params.get("channel"),
                "ts": ts,
                "message": {"text": params.get("text", ""), "ts": ts},
            }
        if method == "chat.getPermalink":
            return {
                **ok,
                "permalink": f"https://test.slack.com/archives/"
                f"{params.get('channel')}/p{params.get('message_ts')}",
            }
        if method in {"views.open", "views.update", "views.push", "views.publish"}:
            return {**ok, "view": {"id": "V0VIEW", **(params.get("view") or {})}}
        if method == "conversations.open":
            return {**ok, "channel": {"id": "D" + str(params.get("users", "X"))}}
        if method == "users.info":
            user = params.get("user", "")
            return {
                **ok,
                "user": self.users.get(
                    user, {"id": user, "tz": "America/Denver", "is_admin": False}
                ),
            }
        if method == "conversations.info":
            channel = params.get("channel", "")
            return {
                **ok,
                "channel": {"id": channel, "is_member": True, **self.channels.get(channel, {})},
            }
        if method == "conversations.members":
            members = self.channel_members.get(params.get("channel", ""), [])
            start = int(params.get("cursor") or 0)
            page = members[start : start + self.page_size]
            following = start + self.page_size
            cursor = str(following) if following < len(members) else ""
            return {**ok, "members": page, "response_metadata": {"next_cursor": cursor}}
        return ok
