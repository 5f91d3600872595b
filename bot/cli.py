"""The process commands of the interface contract: serve, migrate, cohorts."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy.exc import OperationalError

from bot import db
from bot.domain import assignment
from bot.domain.cohorts import CohortSpec, create_cohort, list_cohorts
from bot.domain.errors import DomainError
from bot.models import utcnow
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one process command; problems end in one line on stderr and a non-zero code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        logging.basicConfig(
            level=settings.log_level,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        result: int = args.run(settings, args)
        return result
    except SettingsError as error:
        print(f"coffee-chat: {error}", file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"coffee-chat: {error.message}", file=sys.stderr)
        return 1
    except OperationalError as error:
        print(f"coffee-chat: cannot reach the database: {error.orig}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.set_defaults(run=run_all)
    sub = parser.add_subparsers(title="commands")
    sub.add_parser("web", help="serve Slack's HTTP requests only").set_defaults(run=run_web)
    sub.add_parser("clock", help="run the scheduler only").set_defaults(run=run_clock)

    jobs = sub.add_parser("jobs", help="scheduled work")
    jobs_sub = jobs.add_subparsers(required=True)
    due = jobs_sub.add_parser("run-due", help="send every reminder and digest that is due")
    due.add_argument("--now", type=_instant, default=None, help="ISO 8601 instant; default: now")
    due.set_defaults(run=run_jobs_due)

    database = sub.add_parser("db", help="database maintenance")
    database_sub = database.add_subparsers(required=True)
    database_sub.add_parser("upgrade", help="apply migrations").set_defaults(run=run_upgrade)

    cohort = sub.add_parser("cohort", help="create and list cohorts")
    cohort_sub = cohort.add_subparsers(required=True)
    create = cohort_sub.add_parser("create", help="create a cohort")
    create.add_argument("--team", default=None, help="workspace (team) ID; default: the bot's")
    create.add_argument("--name", required=True)
    create.add_argument("--start", required=True, type=_date, help="YYYY-MM-DD, day 1 of Week 1")
    create.add_argument("--timezone", required=True, help="IANA name, e.g. America/Denver")
    create.add_argument("--instructors-channel", required=True, help="channel ID, e.g. C0123")
    create.add_argument("--students-channel", default=None)
    create.add_argument("--instructor", action="append", default=[], help="user ID (repeat)")
    create.add_argument("--student", action="append", default=[], help="user ID (repeat)")
    create.add_argument("--checkpoint", type=_instant, default=None, help="ISO 8601 instant")
    create.add_argument("--deadline", type=_instant, default=None, help="ISO 8601 instant")
    create.add_argument("--required-chats", type=int, default=assignment.REQUIRED_CHATS)
    create.add_argument("--min-attempts", type=int, default=assignment.MIN_ATTEMPTS)
    create.add_argument(
        "--break", dest="breaks", action="append", default=[], type=_break,
        help="a week off: YYYY-MM-DD[:WEEKS] (repeat); later weeks move by its length",
    )  # fmt: skip
    create.set_defaults(run=run_cohort_create)
    extend = cohort_sub.add_parser("extend", help="give one student a later deadline")
    extend.add_argument("--cohort", required=True, type=int, help="cohort number (cohort list)")
    extend.add_argument("--student", required=True, help="user ID, e.g. U0123")
    extend.add_argument(
        "--until", required=True, type=_date_or_instant,
        help="YYYY-MM-DD (17:00 cohort time) or an ISO 8601 instant",
    )  # fmt: skip
    extend.set_defaults(run=run_cohort_extend)
    cohort_sub.add_parser("list", help="list cohorts").set_defaults(run=run_cohort_list)
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-09-07") from None


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 instant like 2026-09-18T17:00:00-06:00"
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset; write it like 2026-09-18T17:00:00-06:00"
        )
    return value.astimezone(UTC)


def run_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    db.upgrade(settings.database_url)
    log.info("database is up to date")
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
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        socket = SocketModeHandler(app, settings.slack_app_token)
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

    settings.require_slack()
    engine = db.engine_for(settings)
    run_forever(settings, engine)
    engine.dispose()
    return 0


def run_jobs_due(settings: Settings, args: argparse.Namespace) -> int:
    """Send what is due at --now (default: now) and print what was done in one line."""
    from bot.schedule.run_due import run_due
    from bot.webapi.client import make_client

    settings.require_slack()
    db.upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    now = args.now or utcnow()
    summary = run_due(
        now,
        db.make_session_factory(engine),
        make_client(settings),
        command=settings.slash_command,
    )
    engine.dispose()
    print(f"run-due at {now.isoformat()}: {summary.line()}")
    for error in summary.errors:
        print(f"coffee-chat: {error}", file=sys.stderr)
    return 1 if summary.errors else 0


def run_cohort_extend(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.extensions import grant_extension

    engine = db.make_engine(settings.database_url)
    with db.session_scope(db.make_session_factory(engine)) as session:
        enrollment = grant_extension(session, args.cohort, args.student, args.until)
        cohort = enrollment.cohort
        print(
            f"{args.student} in {cohort.name}: deadline extended to "
            f"{_format(enrollment.deadline_override, cohort.timezone)}"
        )
    engine.dispose()
    return 0


def _format(instant: datetime | None, timezone: str) -> str:
    from zoneinfo import ZoneInfo

    from bot.domain.calendar import format_instant

    return format_instant(instant, ZoneInfo(timezone)) if instant else "the cohort's deadline"


def _break(text: str) -> dict[str, str]:
    day, _, weeks = text.partition(":")
    if not weeks:
        weeks = "1"
    try:
        date.fromisoformat(day)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a break like 2026-09-21 or 2026-09-21:2 (start date:weeks)"
        ) from None
    if not weeks.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: the weeks after the colon must be a number")
    return {"start": day, "weeks": weeks}


def _date_or_instant(text: str) -> date | datetime:
    if len(text) == 10:
        return _date(text)
    return _instant(text)


def run_cohort_create(settings: Settings, args: argparse.Namespace) -> int:
    db.upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    team_id = args.team or _team_of_bot(settings)
    spec = CohortSpec(
        team_id=team_id,
        name=args.name,
        start_date=args.start,
        timezone=args.timezone,
        instructors_channel=args.instructors_channel,
        students_channel=args.students_channel,
        instructor_ids=args.instructor,
        student_ids=args.student,
        checkpoint_at=args.checkpoint,
        deadline_at=args.deadline,
        required_chats=args.required_chats,
        min_attempts=args.min_attempts,
        breaks=args.breaks,
    )
    with db.session_scope(db.make_session_factory(engine)) as session:
        cohort = create_cohort(session, spec, utcnow())
        print(_describe(cohort))
    engine.dispose()
    return 0


def run_cohort_list(settings: Settings, _args: argparse.Namespace) -> int:
    engine = db.make_engine(settings.database_url)
    with db.session_scope(db.make_session_factory(engine)) as session:
        cohorts = list_cohorts(session)
        if not cohorts:
            print("No cohorts yet. Create one with: python -m bot cohort create --help")
        for cohort in cohorts:
            print(_describe(cohort))
    engine.dispose()
    return 0


def _describe(cohort: object) -> str:
    from zoneinfo import ZoneInfo

    from bot.domain.calendar import format_instant
    from bot.models import Cohort

    assert isinstance(cohort, Cohort)
    tz = ZoneInfo(cohort.timezone)
    students = len(cohort.enrollments)
    return (
        f"#{cohort.id} {cohort.name} [{cohort.team_id}] starts {cohort.start_date} "
        f"({cohort.timezone}); checkpoint {format_instant(cohort.checkpoint_at, tz)}; "
        f"deadline {format_instant(cohort.deadline_at, tz)}; "
        f"instructors' channel {cohort.instructors_channel}; {students} students"
    )


def _team_of_bot(settings: Settings) -> str:
    """The workspace of the bot token, asked from Slack (auth.test)."""
    from bot.webapi.client import make_client

    if not settings.slack_bot_token:
        raise SettingsError("SLACK_BOT_TOKEN is not set: pass --team T0123 or set the token.")
    return str(make_client(settings).auth_test()["team_id"])
