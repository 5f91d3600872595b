"""A loopback fake of Slack's Web API: records every call and can answer with faults.

It also plays Slack's side of OAuth: the "Add to Slack" consent page (GET
/oauth/v2/authorize, which redirects back with a code) and oauth.v2.access, which issues each
workspace its own bot token (`xoxb-<TEAM>-<n>`, with refresh tokens when `rotation` is on).
Every call records the token it was made with (`Call.token`); auth.test answers for the
token's workspace. It can be slow (`delays`) and enforce trigger_ids' 3 s (`trigger_ttl`).
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

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

    @property
    def token(self) -> str | None:
        """The token the call was made with (Authorization: Bearer, or a `token` field)."""
        auth = next((v for k, v in self.headers.items() if k.lower() == "authorization"), "")
        if auth.startswith("Bearer "):
            return auth.removeprefix("Bearer ")
        token = self.params.get("token")
        return str(token) if token else None


def issued_at(trigger_id: str) -> float | None:
    """When a trigger_id made by tests/slackreq.py was issued (its last part, in ms)."""
    last = trigger_id.rsplit(".", 1)[-1]
    return int(last) / 1000 if last.isdigit() and len(last) >= 12 else None


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
    channel: str | None = None  # only calls to this channel (None: any)


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
    # OAuth: the app's credentials, where the consent page sends the browser back, which
    # workspace it installs in, and whether tokens rotate (expiring after `expires_in` s).
    client_id: str = "111.222"
    client_secret: str = "fake-client-secret"
    redirect_uri: str | None = None
    authorize_team: str = "T0TEAM"
    rotation: bool = False
    expires_in: int = 43200
    # Seconds to wait before answering a method (or "response_url"), as a slow Slack does.
    delays: dict[str, float] = field(default_factory=dict)
    # A views.open whose trigger_id is older than this (s) is refused with expired_trigger_id.
    trigger_ttl: float | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._serial = itertools.count(1)
        self.tokens: dict[str, str] = {}  # bot token → its workspace
        self.refresh_tokens: dict[str, str] = {}  # refresh token → its workspace
        self.expires: dict[str, float] = {}  # bot token → when it expires
        self.codes: dict[str, str] = {}  # OAuth code → the workspace it installs in
        self.revoked: set[str] = set()
        self.expired_triggers: list[str] = []  # views.open calls refused as too late
        self._local = threading.local()
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
        channel: str | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (to `channel`, if given) with a fault."""
        body: dict[str, Any] = {"ok": False, "error": error or f"http_{status}"}
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            fault = Fault(status, body, headers, times, channel)
            self.faults.setdefault(method, []).append(fault)

    def of(self, method: str) -> list[Call]:
        """The calls made to one method (or to response URLs, as `response_url`)."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def issue_code(self, team_id: str) -> str:
        """An OAuth code for installing in `team_id` (what the consent page redirects with)."""
        code = f"code-{team_id}-{next(self._serial)}"
        with self._lock:
            self.codes[code] = team_id
        return code

    def revoke(self, team_id: str) -> None:
        """Every token of the workspace stops working (the app was uninstalled)."""
        with self._lock:
            self.revoked |= {t for t, team in self.tokens.items() if team == team_id}

    def team_of(self, token: str | None) -> str:
        """The workspace a bot token belongs to (SLACK_BOT_TOKEN's: `team_id`)."""
        return self.tokens.get(token or "", self.team_id)

    def bot_user_of(self, team_id: str) -> str:
        return self.bot_user_id if team_id == self.team_id else f"U{team_id[1:]}BOT"[:20]

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
        if path == "/oauth/v2/authorize":
            method = "oauth.v2.authorize"
        call = Call(method, params, headers, path)
        with self._lock:
            self.calls.append(call)
            fault = self._take_fault(method, params.get("channel"))
        if method == "oauth.v2.authorize":
            self._consent_page(request, params)
            return
        expired = method == "views.open" and self._trigger_expired(params)
        if self.delays.get(method):
            time.sleep(self.delays[method])
        if fault is not None:
            self._reply(request, fault.status, fault.body, fault.headers)
            return
        if expired:
            self._reply(request, 200, {"ok": False, "error": "expired_trigger_id"})
            return
        refused = self._refused(method, call)
        if refused:
            self._reply(request, 200, {"ok": False, "error": refused})
            return
        scopes = {"X-OAuth-Scopes": ",".join(self.scopes)} if self.scopes is not None else {}
        self._local.call = call  # the token it came with, for _answer (subclasses override it)
        self._reply(request, 200, self._answer(method, params), scopes)

    def _trigger_expired(self, params: dict[str, Any]) -> bool:
        trigger = str(params.get("trigger_id") or "")
        issued = issued_at(trigger)
        if self.trigger_ttl is None or issued is None or time.time() - issued <= self.trigger_ttl:
            return False
        with self._lock:
            self.expired_triggers.append(trigger)
        return True

    def _refused(self, method: str, call: Call) -> str | None:
        """Why Slack would refuse the call's token: revoked, expired."""
        if method in {"oauth.v2.access", "response_url"}:
            return None
        token = call.token
        if token in self.revoked:
            return "token_revoked"
        expires = self.expires.get(token or "")
        if expires is not None and time.time() > expires:
            return "token_expired"
        return None

    def _consent_page(self, request: BaseHTTPRequestHandler, params: dict[str, Any]) -> None:
        """Slack's "Add Coffee Chat to your workspace" page: Allow goes back with a code."""
        redirect = params.get("redirect_uri") or self.redirect_uri
        if params.get("client_id") != self.client_id or not redirect:
            self._page(request, 400, "<p>Invalid client_id or redirect_uri</p>")
            return
        team = self.authorize_team
        query = urlencode({"code": self.issue_code(team), "state": params.get("state", "")})
        scopes = html.escape(str(params.get("scope", "")))
        self._page(
            request,
            200,
            f"<h1>Coffee Chat is requesting permission to access {team}</h1>"
            f'<p id="scopes">{scopes}</p>'
            f'<a id="allow" href="{html.escape(redirect)}?{html.escape(query)}">Allow</a>',
        )

    def _page(self, request: BaseHTTPRequestHandler, status: int, body: str) -> None:
        data = f"<!doctype html><html><body>{body}</body></html>".encode()
        request.send_response(status)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _take_fault(self, method: str, channel: Any) -> Fault | None:
        queue = self.faults.get(method) or []
        fault = next((f for f in queue if f.channel in (None, channel)), None)
        if fault is None:
            return None
        fault.times -= 1
        if fault.times <= 0:
            queue.remove(fault)
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
        call: Call = self._local.call
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
            team = self.team_of(call.token)
            return {
                **ok,
                "team_id": team,
                "user_id": self.bot_user_of(team),
                "bot_id": "B0BOT" if team == self.team_id else f"B{team[1:]}"[:20],
                "app_id": "A0APP",
                "team": "Test" if team == self.team_id else f"Team {team}",
                "url": "https://test.slack.com/",
            }
        if method == "oauth.v2.access":
            return self._oauth_access(params, call)
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

    def _oauth_access(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        """A code (or a refresh token) for the workspace's new bot token."""
        auth = next((v for k, v in call.headers.items() if k.lower() == "authorization"), "")
        sent = auth.removeprefix("Basic ")
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if sent != expected and (
            params.get("client_id") != self.client_id
            or params.get("client_secret") != self.client_secret
        ):
            return {"ok": False, "error": "invalid_client_id"}
        with self._lock:
            if params.get("grant_type") == "refresh_token":
                team = self.refresh_tokens.get(str(params.get("refresh_token")))
            else:
                team = self.codes.pop(str(params.get("code")), None)
            if team is None:
                return {"ok": False, "error": "invalid_code"}
            serial = next(self._serial)
            token = f"xoxb-{team}-{serial}"
            self.tokens[token] = team
            answer: dict[str, Any] = {
                "ok": True,
                "access_token": token,
                "token_type": "bot",
                "scope": ",".join(manifest_scopes()),
                "bot_user_id": self.bot_user_of(team),
                "app_id": "A0APP",
                "team": {"id": team, "name": f"Team {team}"},
                "enterprise": None,
                "is_enterprise_install": False,
                "authed_user": {"id": "U0ADMIN"},
            }
            if self.rotation:
                refresh = f"xoxe-1-{team}-{serial}"
                self.refresh_tokens[refresh] = team
                self.expires[token] = time.time() + self.expires_in
                answer |= {"refresh_token": refresh, "expires_in": self.expires_in}
        return answer
