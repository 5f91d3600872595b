"""The process commands of the interface contract: serve, migrate, cohorts, doctor, manifest."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot import db
from bot.cli_args import Parser, command, instant
from bot.cli_cohorts import add_cohort_commands
from bot.cli_problems import explain, one_line
from bot.models import utcnow
from bot.settings import Settings, SettingsError, load_settings
from bot.startup import check_slack

log = logging.getLogger("bot")

SILENT = logging.CRITICAL + 1
# Below LOG_LEVEL=DEBUG, libraries speak only when it matters: Alembic and Socket Mode from
# WARNING; the Web API client never, since the bot reports every failed call itself.
QUIET_LOGGERS = {"alembic": logging.WARNING, "slack_sdk": logging.WARNING, "slack_sdk.web": SILENT}
# At every level: SQL statements' parameters are students' text.
NEVER_BELOW_WARNING = ("sqlalchemy.engine", "sqlalchemy.pool")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one process command; any problem ends in one line on stderr and a non-zero code."""
    args = _parser().parse_args(argv)
    settings: Settings | None = None
    try:
        if args.run is run_demo:  # no settings: it brings its own
            configure_logging("ERROR")
            shown: int = run_demo(None, args)
            return shown
        settings = load_settings()
        configure_logging(settings.log_level, _secrets(settings))
        if args.run in (run_web, run_all, run_clock):
            settings.require_slack()
            check_slack(settings)
        result: int = args.run(settings, args)
        return result
    except (Exception, KeyboardInterrupt) as error:
        line, code = explain(error, settings)
        print(f"coffee-chat: {one_line(line)}", file=sys.stderr)
        return code


def configure_logging(level: str, secrets: Sequence[str | None] = ()) -> None:
    """Log lines on stderr at LOG_LEVEL, libraries' own lines kept for what matters, and no
    personal data, token or secret at any level (bot.logfilter)."""
    from bot.logfilter import install

    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install(logging.getLogger().handlers, secrets)
    for name in NEVER_BELOW_WARNING:
        logging.getLogger(name).setLevel(logging.WARNING)
    if level != "DEBUG":
        for name, quiet in QUIET_LOGGERS.items():
            logging.getLogger(name).setLevel(quiet)


def _secrets(settings: Settings) -> list[str | None]:
    return [
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.slack_client_secret,
    ]


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m bot",
        description="Coffee Chat. With no command: migrate the database, then serve Slack "
        "(HTTP on PORT, or Socket Mode when SLACK_APP_TOKEN is set) and run the clock.",
    )
    parser.set_defaults(run=run_all)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    web_only = command(
        sub, "web", "serve Slack's HTTP requests (or Socket Mode) only; no migrations"
    )
    web_only.set_defaults(run=run_web)
    clock_only = command(sub, "clock", "run the scheduler only: jobs run-due every minute")
    clock_only.set_defaults(run=run_clock)

    jobs = command(sub, "jobs", "scheduled work")
    jobs_sub = jobs.add_subparsers(required=True, title="jobs commands", metavar="COMMAND")
    due = command(jobs_sub, "run-due", "send every reminder and digest that is due, once")
    due.add_argument("--now", type=instant, default=None, help="ISO 8601 instant; default: now")
    due.set_defaults(run=run_jobs_due)

    database = command(sub, "db", "database maintenance")
    database_sub = database.add_subparsers(required=True, title="db commands", metavar="COMMAND")
    upgrade = command(database_sub, "upgrade", "apply the database migrations (Procfile release)")
    upgrade.set_defaults(run=run_upgrade)

    add_cohort_commands(sub)

    doctor = command(
        sub,
        "doctor",
        "check settings, database, token, scopes and channel memberships; exit 0 when all is well",
    )
    doctor.set_defaults(run=run_doctor)
    manifest = command(
        sub, "manifest", "print the Slack app manifest for Socket Mode or for a public URL"
    )
    way = manifest.add_mutually_exclusive_group(required=True)
    way.add_argument("--socket-mode", action="store_true", help="no URLs; Socket Mode on")
    way.add_argument(
        "--url", type=_public_url, help="your public https URL, e.g. https://bot.example.com"
    )
    manifest.set_defaults(run=run_manifest)
    demo = command(
        sub,
        "demo",
        "see it work: a whole cohort in a minute against a stand-in for Slack; no settings needed",
    )
    demo.add_argument(
        "--dir", type=Path, default=Path.cwd(), help="where its temporary folder goes (removed)"
    )
    demo.set_defaults(run=run_demo)
    return parser


def run_demo(_settings: Settings | None, args: argparse.Namespace) -> int:
    """The demo needs no settings and leaves nothing behind."""
    from bot.demo.story import run

    if not args.dir.is_dir():
        raise SettingsError(f"--dir {args.dir} is not a folder: pass one that exists.")
    result: int = run(args.dir)
    return result


def _public_url(text: str) -> str:
    from bot.manifest import check_public_url

    try:
        return check_public_url(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    state = db.upgrade(settings.database_url)
    print(f"database is up to date ({state.describe()})")
    return 0


def run_doctor(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.doctor import run_checks

    return run_checks(settings, print)


def run_manifest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.manifest import http_manifest, render, socket_mode_manifest

    if args.socket_mode:
        manifest = socket_mode_manifest(settings.slash_command)
    else:
        manifest = http_manifest(args.url, settings.slash_command)
    print(render(manifest))
    return 0


def run_web(settings: Settings, _args: argparse.Namespace) -> int:
    """The `web` process: gunicorn (WEB_WORKERS × WEB_THREADS); with SLACK_APP_TOKEN, one
    process holding the Socket Mode connection, as `python -m bot` does."""
    from bot.web import serve_web

    settings.require_slack()
    if settings.slack_app_token:
        return serve(settings, with_clock=False)
    return serve_web(settings)


def run_all(settings: Settings, _args: argparse.Namespace) -> int:
    settings.require_slack()
    db.upgrade(settings.database_url)
    return serve(settings, with_clock=True)


def serve(settings: Settings, with_clock: bool) -> int:
    """Serve HTTP on PORT (and Socket Mode when SLACK_APP_TOKEN is set) until SIGTERM."""
    from bot.signals import stop_on_sigterm
    from bot.slack.app import create_app, listener_pool
    from bot.slack.server import HttpServer, make_wsgi_app

    engine = db.engine_for(settings)
    listeners = listener_pool()
    app = create_app(settings, db.make_session_factory(engine), executor=listeners)
    wsgi = make_wsgi_app(app, engine, signing_secret=settings.slack_signing_secret)
    server = HttpServer(wsgi, "0.0.0.0", settings.port)
    stoppers: list[Callable[[], None]] = [server.close]
    if settings.slack_app_token:
        from bot.slack.socket_mode import GuardedSocketModeHandler

        socket = GuardedSocketModeHandler(app, settings.slack_app_token)
        socket.connect()  # type: ignore[no-untyped-call]
        stoppers.append(socket.close)
        log.info("connected to Slack in Socket Mode")
    if with_clock:
        stoppers.extend(start_background_clock(settings, engine))

    def stop() -> None:
        for stopper in stoppers:
            stopper()

    stop_on_sigterm(stop)
    gc.collect()
    gc.freeze()  # start-up objects live forever: keep them out of full collections' pauses
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        stop()
    listeners.shutdown(wait=True)  # let listeners that already acked finish their work
    engine.dispose()
    log.info("stopped")
    return 0


def start_background_clock(settings: Settings, engine: object) -> list[Callable[[], None]]:
    """Start the scheduler beside the web server; returns what stops it."""
    from sqlalchemy import Engine

    from bot.schedule.clock import start_background

    assert isinstance(engine, Engine)
    return [start_background(settings, engine)]


def run_clock(settings: Settings, _args: argparse.Namespace) -> int:
    """The `clock` process: run_due every minute until SIGTERM."""
    from bot.schedule.clock import run_forever

    engine = db.engine_for(settings)
    run_forever(settings, engine)
    engine.dispose()
    return 0


def run_jobs_due(settings: Settings, args: argparse.Namespace) -> int:
    """Send what is due at --now (default: now), each cohort with its workspace's token, and
    print what was done in one line."""
    from bot.schedule.run_due import run_due
    from bot.webapi.installations import clients_for

    settings.require_slack()
    db.upgrade(settings.database_url)
    engine = db.engine_for(settings)
    now = args.now or utcnow()
    summary = run_due(
        now,
        db.make_session_factory(engine),
        clients_for(settings, engine),
        command=settings.slash_command,
    )
    engine.dispose()
    print(f"run-due at {now.isoformat()}: {summary.line()}")
    for error in summary.errors:
        print(f"coffee-chat: {error}", file=sys.stderr)
    return 1 if summary.errors else 0
