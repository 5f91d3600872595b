"""A stand-in for Slack on 127.0.0.1 for the demo: it answers the Web API calls the bot makes,
takes the posts to response URLs, and keeps everything the bot sent, in order."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

SHOWN = {
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "views.open",
    "views.update",
    "views.publish",
    "response_url",
    "files.completeUploadExternal",
}


@dataclass(frozen=True)
class Sent:
    """One thing the bot sent that a person would see."""

    method: str
    params: dict[str, Any]


@dataclass
class StandIn:
    """Start with `start()`; point SLACK_API_URL at `api_url`."""

    team_id: str = "T0DEMO"
    bot_user_id: str = "U0BOT"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channel_members: dict[str, list[str]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._history: dict[str, list[dict[str, Any]]] = {}
        self._modal: dict[str, Any] = {}
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                stand_in._handle(self)

            def do_GET(self) -> None:
                stand_in._handle(self)

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

    def start(self) -> StandIn:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def take(self) -> list[Sent]:
        """What was sent since the last take, in order."""
        with self._lock:
            taken, self.sent = self.sent, []
        return taken

    def last_view(self) -> dict[str, Any]:
        """The modal last opened or updated (with the id the bot was given)."""
        with self._lock:
            return dict(self._modal)

    # -- serving -------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length)
        path = request.path.partition("?")[0]
        if path.startswith("/upload/"):
            return self._reply(request, {"ok": True})
        text = raw.decode("utf-8", "replace")
        kind = request.headers.get("Content-Type", "")
        params: dict[str, Any] = (
            json.loads(text) if "json" in kind and text else dict(parse_qsl(text))
        )
        for key in ("blocks", "view", "metadata", "files"):
            value = params.get(key)
            if isinstance(value, str) and value.startswith(("[", "{")):
                params[key] = json.loads(value)
        method = "response_url" if path.startswith("/response/") else path.removeprefix("/api/")
        if method == "response_url":
            params["__url__"] = self.url + path
        answer = self._answer(method, params)
        with self._lock:
            if method in SHOWN:
                self.sent.append(Sent(method, params))
        self._reply(request, answer)

    def _reply(self, request: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            return {**ok, "team_id": self.team_id, "user_id": self.bot_user_id, "team": "Demo"}
        if method in {"chat.postMessage", "chat.update", "chat.postEphemeral"}:
            ts = params.get("ts") or f"{1700000000 + next(self._ts)}.000100"
            channel = str(params.get("channel") or "")
            if method == "chat.postMessage":
                message = {"ts": ts, "metadata": params.get("metadata") or {}}
                with self._lock:
                    self._history.setdefault(channel, []).append(message)
            return {**ok, "channel": channel, "ts": ts}
        if method == "chat.getPermalink":
            return {
                **ok,
                "permalink": f"https://demo.slack.com/archives/{params.get('channel')}"
                f"/p{str(params.get('message_ts')).replace('.', '')}",
            }
        if method in {"views.open", "views.update", "views.push", "views.publish"}:
            view = dict(params.get("view") or {})
            view_id = params.get("view_id") or f"V{next(self._views):07d}"
            params["view"] = {"id": view_id, **view}
            if view.get("type") == "modal":
                with self._lock:
                    self._modal = params["view"]
            return {**ok, "view": params["view"]}
        if method == "conversations.open":
            return {**ok, "channel": {"id": "D" + str(params.get("users", "X"))}}
        if method == "conversations.info":
            return {**ok, "channel": {"id": params.get("channel"), "is_member": True}}
        if method == "conversations.members":
            return {
                **ok,
                "members": self.channel_members.get(str(params.get("channel")), []),
                "response_metadata": {"next_cursor": ""},
            }
        if method in {"conversations.history", "conversations.replies"}:
            with self._lock:
                messages = list(self._history.get(str(params.get("channel")), []))
            return {**ok, "messages": messages, "has_more": False}
        if method == "users.info":
            user = str(params.get("user"))
            return {**ok, "user": {"id": user, **self.users.get(user, {})}}
        if method == "users.list":
            members = [{"id": k, **v} for k, v in self.users.items()]
            return {**ok, "members": members, "response_metadata": {"next_cursor": ""}}
        if method == "files.getUploadURLExternal":
            return {**ok, "upload_url": f"{self.url}/upload/F1", "file_id": "F1"}
        return ok
