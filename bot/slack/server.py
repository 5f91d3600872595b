"""The HTTP front: Slack's requests on /slack/events, a health check on /healthz and, with
OAuth, Bolt's install pages (GET /slack/install, GET /slack/oauth_redirect)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine
from waitress.server import create_server

from bot.db import is_reachable
from bot.slack.request_guard import RequestGuard

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def make_wsgi_app(app: App | None, engine: Engine, *, signing_secret: str) -> WsgiApp:
    """Route /healthz to the database check, /slack/events (through the guard) and the OAuth
    flow's pages to Bolt."""
    bolt = SlackRequestHandler(app) if app is not None else None
    slack = RequestGuard(bolt, signing_secret) if bolt is not None else None
    flow = app.oauth_flow if app is not None else None
    oauth_paths = {flow.install_path, flow.redirect_uri_path} if flow is not None else set()

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            healthy = is_reachable(engine)
            body = json.dumps(
                {"status": "ok" if healthy else "database unreachable", "database": healthy}
            ).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(
                status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        if slack is not None and path == "/slack/events":
            return slack(environ, start_response)
        if bolt is not None and path in oauth_paths and environ.get("REQUEST_METHOD") == "GET":
            return bolt(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return wsgi


class HttpServer:
    """A waitress server that can be started on a thread and closed cleanly."""

    def __init__(self, wsgi: WsgiApp, host: str, port: int, threads: int = 16) -> None:
        self.server = create_server(
            wsgi, host=host, port=port, threads=threads, channel_timeout=30, ident="coffee-chat"
        )
        self._stop = threading.Event()
        self._stopped = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server.effective_port)  # type: ignore[union-attr]

    def serve_forever(self) -> None:
        """Serve until close(); then finish the requests in flight and release the port."""
        log.info("serving HTTP on port %s", self.port)
        server: Any = self.server
        try:
            while not self._stop.is_set():
                server.asyncore.loop(timeout=0.5, map=server._map, count=1)
        finally:
            server.task_dispatcher.shutdown(cancel_pending=False, timeout=20)
            server.asyncore.close_all(server._map)
            self._stopped.set()

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="http", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop serving (safe from any thread, including a signal handler)."""
        self._stop.set()
        self.server.pull_trigger()  # type: ignore[union-attr]

    def wait_closed(self, timeout: float = 25) -> bool:
        return self._stopped.wait(timeout)
