"""`python -m bot web`: gunicorn's gthread workers, each building its own app after the fork."""

from __future__ import annotations

import gc
import importlib
import logging
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.settings import Settings
from bot.slack.server import WsgiApp

log = logging.getLogger(__name__)

GRACEFUL_TIMEOUT = 25  # s for requests and listeners in flight; Heroku SIGKILLs 30 s after SIGTERM
# Imported by the master once PORT is bound, before the fork: the workers share those pages.
SHARED_MODULES = ("slack_bolt", "slack_sdk", "bot.slack.app", "bot.slack.server", "bot.models")


@dataclass
class Worker:
    """What one worker process serves, and what lets it finish when it exits."""

    wsgi: WsgiApp
    close: Callable[[], None]


def gunicorn_options(settings: Settings, host: str = "0.0.0.0") -> dict[str, Any]:
    """gunicorn's settings for PORT, WEB_WORKERS and WEB_THREADS."""
    return {
        "bind": [f"{host}:{settings.port}"],
        "workers": settings.web_workers,
        "worker_class": "gthread",
        "threads": settings.web_threads,
        "preload_app": False,  # engines, pools and threads must not cross the fork
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "loglevel": settings.log_level.lower(),
        "proc_name": "coffee-chat",
        "control_socket_disable": True,  # stopped by signals; no socket file in $HOME
    }


class GunicornServer(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn started from Python: each worker calls `build` once and serves its WSGI app;
    at the worker's exit (after its requests in flight) it calls the Worker's `close`."""

    def __init__(
        self,
        options: dict[str, Any],
        build: Callable[[], Worker],
        shared: Sequence[str] = SHARED_MODULES,
    ) -> None:
        self.options = options
        self.build = build
        self.shared = shared
        self.worker: Worker | None = None
        super().__init__(prog="coffee-chat")

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)
        self.cfg.set("when_ready", self._import_shared)
        self.cfg.set("post_fork", self._default_signals)
        self.cfg.set("worker_exit", self._close_worker)

    def load(self) -> WsgiApp:
        self.worker = self.build()
        gc.collect()
        gc.freeze()  # start-up objects live forever: keep them out of full collections' pauses
        return self.worker.wsgi

    def _import_shared(self, _arbiter: object) -> None:
        for module in self.shared:
            importlib.import_module(module)

    @staticmethod
    def _default_signals(_arbiter: object, _worker: object) -> None:
        """A new worker inherits the master's handlers, which would swallow a SIGTERM sent
        before gunicorn installs the worker's own; until then, SIGTERM simply ends it (it
        has no app and no requests yet)."""
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            signal.signal(signum, signal.SIG_DFL)

    def _close_worker(self, _arbiter: object, _worker: object) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None


def bot_worker(settings: Settings) -> Worker:
    """The bot in one worker: its engine, its listener pool, its Bolt app."""
    from bot import db
    from bot.slack.app import create_app, listener_pool
    from bot.slack.server import make_wsgi_app

    engine = db.engine_for(settings)
    listeners = listener_pool()
    app = create_app(settings, db.make_session_factory(engine), executor=listeners)

    def close() -> None:
        listeners.shutdown(wait=True)  # listeners that already acked finish their work
        engine.dispose()
        log.info("worker stopped")

    return Worker(make_wsgi_app(app, engine, signing_secret=settings.slack_signing_secret), close)


def serve_web(settings: Settings) -> int:
    """Serve HTTP on PORT with gunicorn until SIGTERM (gunicorn exits the process)."""
    log.info(
        "web: %d workers × %d threads; each worker's database pool holds up to %d connections",
        settings.web_workers,
        settings.web_threads,
        settings.db_pool_size + settings.db_max_overflow,
    )
    GunicornServer(gunicorn_options(settings), lambda: bot_worker(settings)).run()
    return 0
