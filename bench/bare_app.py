"""The baseline: a bare `slack_bolt.App` with default settings behind the bot's own HTTP front.

One `/coffee` listener that acks and then calls `respond("ok")`; Bolt's default listener pool
(5 threads), default ack timeout (3 s). It is served by the same waitress front as the bot
(`bot.slack.server.HttpServer` + `make_wsgi_app`, `/healthz` backed by an in-memory SQLite
engine), so the benchmark compares only the app behind it.

    python bench/bare_app.py --port 3001 --api-url http://127.0.0.1:8000/api/
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Sequence

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy import create_engine

from bot.signals import stop_on_sigterm
from bot.slack.server import HttpServer, make_wsgi_app

DEFAULT_TOKEN = "xoxb-bench"
DEFAULT_SIGNING_SECRET = "bench-signing-secret"

log = logging.getLogger("bench.bare_app")


def create_bare_app(api_url: str, token: str, signing_secret: str) -> App:
    """`slack_bolt.App` with its defaults; only the Web API base URL points at the fake."""
    app = App(signing_secret=signing_secret, client=WebClient(token=token, base_url=api_url))

    @app.command("/coffee")
    def coffee(ack: Ack, respond: Respond) -> None:
        ack()
        respond("ok")

    return app


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
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = create_bare_app(args.api_url, args.token, args.signing_secret)
    engine = create_engine("sqlite://")
    wsgi = make_wsgi_app(app, engine, signing_secret=args.signing_secret)
    server = HttpServer(wsgi, args.host, args.port)
    stop_on_sigterm(server.close)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.close()
    engine.dispose()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
