"""`python -m bot cohort …`: create, list, sync, extend, archive, unarchive and purge cohorts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot import db
from bot.blocks.setup import INVITE
from bot.cli_args import Parser, command, day, day_or_instant, instant, week_off
from bot.domain import assignment
from bot.domain.cohort_lookup import AmbiguousCohort, cohort_named
from bot.domain.cohorts import CohortSpec, create_cohort, list_cohorts
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.retention import archive_cohort, purge_cohort, unarchive_cohort
from bot.models import Cohort, utcnow
from bot.settings import Settings, SettingsError
from bot.webapi.auth import Identity, identify
from bot.webapi.errors import TRANSPORT_ERRORS as UNREACHABLE
from bot.webapi.errors import why


def add_cohort_commands(sub: argparse._SubParsersAction[Parser]) -> None:
    """Register `cohort …` and its subcommands."""
    cohort = command(sub, "cohort", "create, list, sync, extend, archive and purge cohorts")
    cohort_sub = cohort.add_subparsers(required=True, title="cohort commands", metavar="COMMAND")
    _add_create(cohort_sub)
    command(cohort_sub, "list", "list every cohort with its dates and students").set_defaults(
        run=run_list
    )
    sync = _named(cohort_sub, "sync", "enroll the members of the cohort's students' channel")
    sync.set_defaults(run=run_sync)
    extend = command(cohort_sub, "extend", "give one student a later deadline")
    extend.add_argument("--cohort", required=True, type=int, help="cohort number (cohort list)")
    extend.add_argument("--student", required=True, help="user ID, e.g. U0123")
    extend.add_argument(
        "--until", required=True, type=day_or_instant,
        help="YYYY-MM-DD (17:00 cohort time) or an ISO 8601 instant",
    )  # fmt: skip
    extend.set_defaults(run=run_extend)
    archive = _named(
        cohort_sub, "archive", "stop every reminder and digest of a cohort; its data stays"
    )
    archive.set_defaults(run=run_archive)
    _named(cohort_sub, "unarchive", "make an archived cohort active again").set_defaults(
        run=run_unarchive
    )
    purge = _named(
        cohort_sub,
        "purge",
        "archive a cohort and delete its students' data (enrollments, contacts, outreach, "
        "chats, reflections, hand-ins, deliveries), after you type its name",
    )
    purge.add_argument("--yes", action="store_true", help="confirm without typing (for scripts)")
    purge.set_defaults(run=run_purge)


def _add_create(sub: argparse._SubParsersAction[Parser]) -> None:
    create = command(
        sub,
        "create",
        "create a cohort; with --students-channel, enroll that channel's members",
    )
    create.add_argument("--team", default=None, help="workspace (team) ID; default: the bot's")
    create.add_argument("--name", required=True)
    create.add_argument("--start", required=True, type=day, help="YYYY-MM-DD, day 1 of Week 1")
    create.add_argument("--timezone", required=True, help="IANA name, e.g. America/Denver")
    create.add_argument("--instructors-channel", required=True, help="channel ID, e.g. C0123")
    create.add_argument(
        "--students-channel", default=None,
        help="channel ID; its members are enrolled (not bots, instructors or admins)",
    )  # fmt: skip
    create.add_argument("--instructor", action="append", default=[], help="user ID (repeat)")
    create.add_argument("--student", action="append", default=[], help="user ID (repeat)")
    create.add_argument("--checkpoint", type=instant, default=None, help="ISO 8601 instant")
    create.add_argument("--deadline", type=instant, default=None, help="ISO 8601 instant")
    create.add_argument("--required-chats", type=int, default=assignment.REQUIRED_CHATS)
    create.add_argument("--min-attempts", type=int, default=assignment.MIN_ATTEMPTS)
    create.add_argument(
        "--break", dest="breaks", action="append", default=[], type=week_off,
        help="a week off: YYYY-MM-DD[:WEEKS] (repeat); later weeks move by its length",
    )  # fmt: skip
    create.set_defaults(run=run_create)


def _named(sub: argparse._SubParsersAction[Parser], name: str, what: str) -> Parser:
    """A subcommand taking a cohort's NAME (or number) and an optional --team."""
    parser = command(sub, name, what)
    parser.add_argument("name", metavar="NAME", help="the cohort's name (or its number)")
    parser.add_argument(
        "--team", default=None, help="workspace ID, when several workspaces use the name"
    )
    return parser


def run_create(settings: Settings, args: argparse.Namespace) -> int:
    """Create the cohort, then enroll its students' channel (a failure there is one line)."""
    if args.students_channel and args.students_channel == args.instructors_channel:
        raise InvalidInput(
            "Pick a students' channel other than the instructors' channel: the checkpoint "
            "digest names who is behind, so only instructors should read it."
        )
    client = _client(
        settings,
        "--students-channel needs SLACK_BOT_TOKEN to read the channel's members: set it (see "
        ".env.example), or pass each student with --student U… instead"
        if args.students_channel
        else None,
        args.team,
    )
    identity = identify(client) if client and (args.students_channel or not args.team) else None
    team_id = args.team or (identity.team_id if identity else None)
    if not team_id:
        raise SettingsError("SLACK_BOT_TOKEN is not set: pass --team T0123 or set the token.")
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
    db.upgrade(settings.database_url)
    with _database(settings) as sessions:
        with db.session_scope(sessions) as session:
            cohort_id = create_cohort(session, spec, utcnow()).id
        try:
            if client and identity and args.students_channel:
                _sync(client, sessions, cohort_id, identity, just_created=True)
        finally:
            print(_describe_by_id(sessions, cohort_id))
    return 0


def run_list(settings: Settings, _args: argparse.Namespace) -> int:
    with _database(settings) as sessions, db.session_scope(sessions) as session:
        cohorts = list_cohorts(session)
        if not cohorts:
            print("No cohorts yet. Create one with: python -m bot cohort create --help")
        for cohort in cohorts:
            print(describe(cohort))
    return 0


def run_sync(settings: Settings, args: argparse.Namespace) -> int:
    with _database(settings) as sessions:
        with db.session_scope(sessions) as session:
            cohort = _find(session, args)
            cohort_id, channel, team_id = cohort.id, cohort.students_channel, cohort.team_id
        client = _client(
            settings,
            "cohort sync needs SLACK_BOT_TOKEN to read the channel's members: set it "
            "(see .env.example)",
            team_id,
        )
        assert client is not None
        if not channel:
            raise InvalidInput(
                f"“{cohort.name}” has no students' channel to enroll: pick one with "
                "`/coffee setup` in Slack (without one, students enroll on first use)."
            )
        _sync(client, sessions, cohort_id, identify(client))
    return 0


def run_extend(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.calendar import format_instant, zone
    from bot.domain.extensions import grant_extension

    with _database(settings) as sessions, db.session_scope(sessions) as session:
        enrollment = grant_extension(session, args.cohort, args.student, args.until)
        cohort = enrollment.cohort
        until = enrollment.deadline_override
        shown = format_instant(until, zone(cohort.timezone)) if until else "the cohort's deadline"
        print(f"{args.student} in {cohort.name}: deadline extended to {shown}")
    return 0


def run_archive(settings: Settings, args: argparse.Namespace) -> int:
    with _database(settings) as sessions, db.session_scope(sessions) as session:
        cohort = _find(session, args)
        changed = archive_cohort(session, cohort)
        which = f"{cohort.name} [{cohort.team_id}]"
    if changed:
        print(
            f"Archived {which}: no more reminders or digests; its data stays "
            "(`cohort unarchive` undoes this, `cohort purge` deletes it)."
        )
    else:
        print(f"{which} was already archived.")
    return 0


def run_unarchive(settings: Settings, args: argparse.Namespace) -> int:
    with _database(settings) as sessions, db.session_scope(sessions) as session:
        cohort = _find(session, args)
        changed = unarchive_cohort(session, cohort)
        which = f"{cohort.name} [{cohort.team_id}]"
    print(f"{which} {'is active again' if changed else 'was not archived'}.")
    return 0


def run_purge(settings: Settings, args: argparse.Namespace) -> int:
    """Delete a cohort's students' data once the operator typed its name (or passed --yes)."""
    with _database(settings) as sessions:
        with db.session_scope(sessions) as session:  # not held while someone types
            cohort = _find(session, args)
            name, team, students = cohort.name, cohort.team_id, len(cohort.enrollments)
        if not args.yes:
            _confirm(name, team, students)
        with db.session_scope(sessions) as session:
            purged = purge_cohort(session, _find(session, args))
    kept = (
        f"; {purged.kept_logs} of them are in another cohort too, so their contacts and chats stay"
        if purged.kept_logs
        else ""
    )
    print(f"Purged {name} [{team}]: deleted {purged.deleted.line()}{kept}. It stays archived.")
    return 0


def _confirm(name: str, team: str, students: int) -> None:
    if not sys.stdin.isatty():
        raise InvalidInput(
            f"Not purged: to delete the data of {name}, run this at a terminal and type the "
            "cohort's name, or pass --yes from a script."
        )
    print(
        f"This deletes the data of the {students} students of {name} [{team}]: enrollments, "
        "contacts, outreach, chats, reflections, hand-ins and deliveries. It cannot be undone."
    )
    try:
        typed = input("Type the cohort's name to confirm: ")
    except EOFError:
        typed = ""
    if " ".join(typed.split()) != name:
        raise InvalidInput(f"Not purged: “{typed.strip()}” is not “{name}”.")


def describe(cohort: Cohort) -> str:
    """One line about a cohort, as `cohort list` shows it."""
    from bot.domain.calendar import format_instant, zone

    tz = zone(cohort.timezone)
    archived = " (archived)" if not cohort.active else ""
    students = len(cohort.enrollments)
    channel = f"; students' channel {cohort.students_channel}" if cohort.students_channel else ""
    return (
        f"#{cohort.id} {cohort.name} [{cohort.team_id}]{archived} starts {cohort.start_date} "
        f"({cohort.timezone}); checkpoint {format_instant(cohort.checkpoint_at, tz)}; "
        f"deadline {format_instant(cohort.deadline_at, tz)}; "
        f"instructors' channel {cohort.instructors_channel}{channel}; {students} students"
    )


def _describe_by_id(sessions: sessionmaker[Session], cohort_id: int) -> str:
    with db.session_scope(sessions) as session:
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None
        return describe(cohort)


def _find(session: Session, args: argparse.Namespace) -> Cohort:
    try:
        return cohort_named(session, args.name, args.team)
    except AmbiguousCohort as error:
        choices = " or ".join(f"--team {team}" for team in error.teams)
        raise InvalidInput(
            f"Cohorts named “{error.name}” exist in {len(error.teams)} workspaces: add {choices}."
        ) from None


def _sync(
    client: WebClient,
    sessions: sessionmaker[Session],
    cohort_id: int,
    identity: Identity,
    just_created: bool = False,
) -> None:
    """Enroll the students' channel and print how it went; a failure is one DomainError line."""
    from bot.webapi.roster import sync_students_channel

    with db.session_scope(sessions) as session:
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None and cohort.students_channel
        name, channel = cohort.name, cohort.students_channel
    saved = f"{name} is saved, but " if just_created else ""
    retry = f'then run `python -m bot cohort sync "{name}"`'
    try:
        outcome = sync_students_channel(client, sessions, cohort_id, identity.user_id, utcnow())
    except (SlackApiError, *UNREACHABLE) as error:
        from bot.cli_problems import explain

        line, _ = explain(error, None)
        raise DomainError(f"{saved}its students weren't enrolled: {line}; {retry}") from None
    if outcome.error:
        raise DomainError(
            f"{saved}I couldn't read the members of {channel}: {why(outcome.error, channel)}; "
            f"invite the bot there ({INVITE}), {retry}"
        )
    already = f" ({outcome.already} already enrolled)" if outcome.already else ""
    people = "student" if outcome.enrolled == 1 else "students"
    print(f"Enrolled {outcome.enrolled} {people} from {channel}{already}.")


def _client(
    settings: Settings, required: str | None, team_id: str | None = None
) -> WebClient | None:
    """A Web API client, or None without a token; SettingsError(`required`) if one is needed.
    With OAuth and a workspace, that workspace's installation (DomainError if it has none)."""
    from bot.webapi.client import make_client

    if settings.oauth and team_id:
        return _installed_client(settings, team_id)
    if settings.slack_bot_token:
        return make_client(settings)
    if required:
        raise SettingsError(required + ".")
    return None


def _installed_client(settings: Settings, team_id: str) -> WebClient:
    from bot.webapi.installations import NotInstalled, client_factory

    engine = db.engine_for(settings)
    try:
        db.require_migrated(engine)
        return client_factory(settings, engine)(team_id)
    except NotInstalled:
        raise DomainError(
            f"the bot is not installed in workspace {team_id}: install it from /slack/install "
            "on the bot's web address first"
        ) from None
    finally:
        engine.dispose()


@contextmanager
def _database(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """Sessions on the configured database once it is known to be migrated."""
    engine = db.engine_for(settings)
    try:
        db.require_migrated(engine)
        yield db.make_session_factory(engine)
    finally:
        engine.dispose()
