"""The baseline: a bare `slack_bolt.App` with default settings, served as `python -m bot web` is.

One `/coffee` listener that acks and then calls `respond("ok")`; Bolt's default listener pool
(5 threads), default ack timeout (3 s). It runs under the bot's own gunicorn front
(`bot.web.GunicornServer` with `gunicorn_options`: gthread, the same WEB_WORKERS and
WEB_THREADS from the environment, the same timeouts) and `make_wsgi_app` (`/healthz` on an
in-memory SQLite engine), so a benchmark compares only the app behind them.

    WEB_WORKERS=4 python bench/bare_app.py --port 3001 --api-url http://127.0.0.1:8000/api/
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.settings import SettingsError, load_settings  # noqa: E402
from bot.web import GunicornServer, Worker, gunicorn_options  # noqa: E402

DEFAULT_TOKEN = "xoxb-bench"
DEFAULT_SIGNING_SECRET = "bench-signing-secret"
SHARED_MODULES = ("slack_bolt", "slack_sdk", "sqlalchemy", "bot.slack.server")


def create_bare_app(api_url: str, token: str, signing_secret: str) -> App:
    """`slack_bolt.App` with its defaults; only the Web API base URL points at the fake."""
    app = App(signing_secret=signing_secret, client=WebClient(token=token, base_url=api_url))

    @app.command("/coffee")
    def coffee(ack: Ack, respond: Respond) -> None:
        ack()
        respond("ok")

    return app


def bare_worker(api_url: str, token: str, signing_secret: str) -> Worker:
    """The bare app in one gunicorn worker."""
    from sqlalchemy import create_engine

    from bot.slack.server import make_wsgi_app

    engine = create_engine("sqlite://")
    app = create_bare_app(api_url, token, signing_secret)
    return Worker(make_wsgi_app(app, engine, signing_secret=signing_secret), engine.dispose)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A bare Bolt app, the benchmark baseline.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-url", required=True, help="Slack Web API base URL (the fake's)")
    parser.add_argument("--token", default=os.environ.get("SLACK_BOT_TOKEN", DEFAULT_TOKEN))
    parser.add_argument(
        "--signing-secret",
        default=os.environ.get("SLACK_SIGNING_SECRET", DEFAULT_SIGNING_SECRET),
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings(env_file=None).model_copy(update={"port": args.port})
    except SettingsError as error:
        print(f"bare_app: {error}", file=sys.stderr)
        return 2
    server = GunicornServer(
        gunicorn_options(settings, host=args.host),
        lambda: bare_worker(args.api_url, args.token, args.signing_secret),
        shared=SHARED_MODULES,
    )
    server.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
