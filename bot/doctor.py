"""`python -m bot doctor`: settings, database, token, scopes and channel memberships (with
OAuth: of every installed workspace, each with its own token).

One line per check: `ok:` when it passed, `problem:` with the fix when it did not, `note:` for
what could not be checked. Exit 0 only when there is no problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from bot import db
from bot.cli_problems import one_line, safe_url
from bot.manifest import bot_display_name, bot_scopes, load_source
from bot.models import Cohort
from bot.settings import Settings, SettingsError
from bot.startup import TokenCheck, probe_app_token, probe_bot_token
from bot.webapi.auth import Identity, identify, unreachable_reason
from bot.webapi.client import make_client
from bot.webapi.errors import TRANSPORT_ERRORS as UNREACHABLE
from bot.webapi.errors import error_code, why

Print = Callable[[str], object]


@dataclass
class Report:
    """Prints each finding at once and counts the problems."""

    out: Print
    problems: int = 0

    def ok(self, text: str) -> None:
        self.out(f"ok: {text}")

    def problem(self, text: str) -> None:
        self.problems += 1
        self.out(f"problem: {one_line(text)}")

    def note(self, text: str) -> None:
        self.out(f"note: {text}")


def run_checks(settings: Settings, out: Print) -> int:
    """Run every check, printing one line each; 0 when all is well, else 1."""
    report = Report(out)
    slack_ready = _check_settings(settings, report)
    engine = db.make_engine(settings.database_url)
    try:
        database_ready = _check_database(settings, engine, report)
        identity = _check_tokens(settings, report) if slack_ready else None
        if identity is not None:
            _check_scopes(identity, report)
            if database_ready:
                _check_channels(make_client(settings), engine, identity, report, not settings.oauth)
        if slack_ready and database_ready and settings.oauth:
            _check_installations(settings, engine, report, skip=identity)
    finally:
        engine.dispose()
    if report.problems:
        out(f"{report.problems} problem{'s' if report.problems > 1 else ''} found.")
        return 1
    out("All is well.")
    return 0


def _check_settings(settings: Settings, report: Report) -> bool:
    try:
        settings.require_slack()
    except SettingsError as error:
        report.problem(str(error))
        return False
    report.ok("settings are complete")
    return True


def _check_database(settings: Settings, engine: Engine, report: Report) -> bool:
    where = safe_url(settings.database_url)
    try:
        state = db.migration_state(engine)
    except OperationalError as error:
        report.problem(
            f"cannot reach the database at {where} ({one_line(str(error.orig))}): check "
            "DATABASE_URL and that the database server is running"
        )
        return False
    problem = state.problem()
    if problem:
        report.problem(f"{problem} (database {where})")
        return False
    report.ok(f"database {where} is reachable and migrated ({state.describe()})")
    return True


def _check_tokens(settings: Settings, report: Report) -> Identity | None:
    if settings.oauth and not settings.slack_bot_token:
        report.note("no SLACK_BOT_TOKEN: each workspace has the token of its installation (OAuth)")
        _check_app_token(settings, report)
        return None
    bot = probe_bot_token(settings)
    _report_token(bot, "SLACK_BOT_TOKEN", report)
    if bot.identity:
        who = bot.identity
        report.ok(f"SLACK_BOT_TOKEN works: bot user {who.user_id} in {who.team} ({who.team_id})")
    _check_app_token(settings, report)
    return bot.identity


def _check_app_token(settings: Settings, report: Report) -> None:
    if settings.slack_app_token:
        app = probe_app_token(settings)
        _report_token(app, "SLACK_APP_TOKEN", report)
        if not (app.refused or app.unreachable):
            report.ok("SLACK_APP_TOKEN works: Socket Mode can connect")


def _check_installations(
    settings: Settings, engine: Engine, report: Report, skip: Identity | None
) -> None:
    """Each workspace installed through OAuth: its token, its scopes, its cohorts' channels."""
    from bot.oauth_tables import BOTS
    from bot.webapi.installations import Installations

    with engine.connect() as connection:
        teams = sorted(
            str(team)
            for team in connection.scalars(
                select(BOTS.c.team_id)
                .where(BOTS.c.client_id == settings.slack_client_id)
                .distinct()
            )
            if team
        )
    if not teams:
        report.note("no workspace has installed the app yet: open /slack/install on the bot's URL")
        return
    installations = Installations(settings, engine)
    for team in teams:
        if skip is not None and team == skip.team_id:
            continue
        try:
            client = installations.client_for(team)
            identity = identify(client)
        except SlackApiError as error:
            report.problem(
                f"Slack refused the token of workspace {team} ({error_code(error)}): "
                "reinstall the app there from /slack/install"
            )
            continue
        except UNREACHABLE as error:
            report.problem(f"could not check workspace {team}: {unreachable_reason(error)}")
            return
        report.ok(f"installed in {identity.team} ({team}): bot user {identity.user_id}")
        _check_scopes(identity, report)
        _check_channels(client, engine, identity, report, note_others=False)


def _report_token(check: TokenCheck, setting: str, report: Report) -> None:
    if check.refused:
        report.problem(check.refused)
    elif check.unreachable:
        report.problem(
            f"could not check {setting}: {check.unreachable}; check the network, "
            "or SLACK_API_URL if you changed it"
        )


def _check_scopes(identity: Identity, report: Report) -> None:
    wanted = bot_scopes()
    if identity.scopes is None:
        report.note(
            "Slack did not say which scopes the token holds; compare OAuth & Permissions "
            "with manifest.json"
        )
        return
    missing = sorted(wanted - identity.scopes)
    if missing:
        report.problem(
            f"the token lacks {', '.join(missing)}, which manifest.json asks for: update the "
            "app's manifest (python -m bot manifest --url … or --socket-mode) at "
            "https://api.slack.com/apps, then reinstall the app and copy the new SLACK_BOT_TOKEN"
        )
        return
    report.ok(f"the token holds every scope manifest.json asks for ({len(wanted)})")


def _check_channels(
    client: WebClient, engine: Engine, identity: Identity, report: Report, note_others: bool = True
) -> None:
    """The bot must be a member of each active cohort's instructors' and students' channels
    (those of the token's workspace)."""
    with db.session_scope(db.make_session_factory(engine)) as session:
        cohorts = list(session.scalars(select(Cohort).where(Cohort.active).order_by(Cohort.id)))
        mine = [
            (c.name, channel, what)
            for c in cohorts
            if c.team_id == identity.team_id
            for channel, what in (
                (c.instructors_channel, "instructors' channel"),
                (c.students_channel, "students' channel"),
            )
            if channel
        ]
        elsewhere = sorted({c.team_id for c in cohorts if c.team_id != identity.team_id})
    if not cohorts:
        report.note("no active cohorts yet: create one with /coffee setup or `cohort create`")
        return
    if elsewhere and note_others:
        report.note(
            f"cohorts of other workspaces ({', '.join(elsewhere)}) were not checked: "
            f"this token is for {identity.team_id}"
        )
    invite = f"/invite @{bot_display_name(load_source())}"
    problems = report.problems
    for cohort, channel, what in mine:
        try:
            problem = _membership_problem(client, channel, invite)
        except UNREACHABLE as error:
            reason = unreachable_reason(error)
            report.problem(f"could not ask Slack about {channel}: Slack did not answer ({reason})")
            return
        if problem:
            report.problem(f"{channel}, the {what} of “{cohort}”: {problem}")
    if report.problems == problems and mine:
        report.ok(f"the bot is a member of all {len(mine)} channels of the active cohorts")


def _membership_problem(client: WebClient, channel: str, invite: str) -> str | None:
    """None when the bot is in the channel; otherwise what is wrong and how to fix it."""
    try:
        info = client.conversations_info(channel=channel).get("channel") or {}
    except SlackApiError as error:
        code = error_code(error)
        if code == "channel_not_found":
            return (
                f"the bot can't see it: if it is private, open it in Slack and type {invite}; "
                "if it was deleted, pick another channel with /coffee setup"
            )
        return why(code, "it")
    if info.get("is_archived"):
        return "it is archived: unarchive it, or pick another channel with /coffee setup"
    if info.get("is_member") is False:
        return f"the bot is not a member: open the channel in Slack and type {invite}"
    return None
