"""Many workspaces: Bolt's OAuth flow against the fake Slack, each workspace served and sent to
with its own token, uninstalls, token rotation — and SLACK_BOT_TOKEN still working beside it."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from bot import db
from bot.domain.cohorts import CohortSpec, create_cohort
from bot.models import Cohort, Student, Workspace
from bot.schedule.upkeep import upkeep
from bot.settings import Settings, SettingsError
from bot.webapi.installations import Installations, NotInstalled, client_factory
from tests.conftest import Bot, running_bot
from tests.fakeslack import FakeSlack, manifest_scopes
from tests.oauth_flow import CLIENT_ID, get, install, link, with_oauth
from tests.slackreq import SlackSender
from tests.test_processes import env, free_port, wait_healthy
from tests.test_roster import eventually
from tests.webprocess import WebProcess

ADMIN = "U0ADMIN"


def cohort_in(bot: Bot, team: str, name: str = "Mod 5", students: tuple[str, ...] = ()) -> int:
    spec = CohortSpec(
        team_id=team,
        name=name,
        start_date=date(2026, 9, 7),
        timezone="America/Denver",
        instructors_channel="C0INSTRUCT",
        instructor_ids=["U0TEACH"],
        student_ids=list(students),
    )
    with bot.session() as session:
        return create_cohort(session, spec, bot.clock()).id


def open_setup(bot: Bot, team: str) -> str | None:
    """`/coffee setup` by a workspace admin of `team`; the token its modal was opened with."""
    bot.slack.users[ADMIN] = {"id": ADMIN, "tz": "America/Denver", "is_admin": True}
    body = bot.send.command_body("setup", user=ADMIN, team=team)
    assert bot.send.form(body).status == 200
    [opened] = bot.wait_for(
        "views.open", where=lambda c: c.params["trigger_id"] == body["trigger_id"]
    )
    return opened.token


def test_the_oauth_variables_leave_slack_bot_token_working(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    """Finding 0: SLACK_CLIENT_ID/SECRET beside the token no longer turn every command into
    "please reinstall": the token serves its own workspace, and /slack/install is there."""
    with running_bot(with_oauth(settings, "xoxb-test-token"), fake_slack) as bot:
        bot.create_cohort()
        answer = bot.run("status")
        assert answer.params["text"] == "Your coffee-chat progress"
        assert "reinstall" not in answer.text()
        assert open_setup(bot, "T0TEAM") == "xoxb-test-token"
        page = get(bot.base_url + "/slack/install")
        assert page.status == 200 and "Add to Slack" in page.body
        query = parse_qs(urlsplit(link(page, "add-to-slack")).query)
        assert query["client_id"] == [CLIENT_ID]
        assert set(query["scope"][0].split(",")) == set(manifest_scopes())


def test_an_installed_workspace_is_served_with_its_own_token(oauth_bot: Bot) -> None:
    token = install(oauth_bot.base_url, oauth_bot.slack, "T0ONE")
    assert token.startswith("xoxb-T0ONE-")
    assert open_setup(oauth_bot, "T0ONE") == token
    users = oauth_bot.slack.of("users.info")
    assert users and {c.token for c in users} == {token}
    with oauth_bot.session() as session:
        row = session.get(Workspace, "T0ONE")
        assert row is not None and row.installed_at is not None


def test_a_workspace_that_never_installed_is_told_so(oauth_bot: Bot) -> None:
    install(oauth_bot.base_url, oauth_bot.slack, "T0ONE")
    answer = oauth_bot.run("status", team="T0NONE")
    assert "not installed" in answer.text()
    assert not oauth_bot.slack.of("views.open")


def test_a_replayed_redirect_installs_nothing(oauth_bot: Bot) -> None:
    fake = oauth_bot.slack
    fake.redirect_uri = oauth_bot.base_url + "/slack/oauth_redirect"
    start = get(oauth_bot.base_url + "/slack/install")
    consent = get(link(start, "add-to-slack"))
    back = link(consent, "allow")
    assert get(back).status == 400  # no state cookie: not the browser that started
    assert not fake.of("oauth.v2.access")


def test_uninstalling_stops_deliveries_and_deletes_the_data_after_the_grace_period(
    oauth_bot: Bot,
) -> None:
    install(oauth_bot.base_url, oauth_bot.slack, "T0ONE")
    cohort_id = cohort_in(oauth_bot, "T0ONE", students=("U0SAME",))
    kept = cohort_in(oauth_bot, "T0TWO", students=("U0SAME",))
    assert oauth_bot.send.event({"type": "app_uninstalled"}, team="T0ONE").status == 200

    def archived() -> bool:
        with oauth_bot.session() as session:
            cohort = session.get(Cohort, cohort_id)
            return cohort is not None and not cohort.active

    assert eventually(archived)
    installations = Installations(oauth_bot.settings, oauth_bot.sessions.kw["bind"])
    assert installations.bot("T0ONE") is None
    with pytest.raises(NotInstalled):
        installations.client_for("T0ONE")
    assert "not installed" in oauth_bot.run("status", team="T0ONE").text()

    uninstalled = oauth_bot.clock() + timedelta(days=29)
    upkeep(oauth_bot.sessions, uninstalled, oauth_bot.settings.uninstalled_data_days)
    with oauth_bot.session() as session:
        assert session.get(Cohort, cohort_id) is not None  # still within the grace period
    upkeep(oauth_bot.sessions, uninstalled + timedelta(days=2), 30)
    with oauth_bot.session() as session:
        assert session.get(Cohort, cohort_id) is None
        assert session.scalar(select(func.count()).where(Student.team_id == "T0ONE")) == 0
        other = session.get(Cohort, kept)
        assert other is not None and other.active and len(other.enrollments) == 1


def test_reinstalling_within_the_grace_period_restores_the_cohorts(oauth_bot: Bot) -> None:
    install(oauth_bot.base_url, oauth_bot.slack, "T0ONE")
    cohort_id = cohort_in(oauth_bot, "T0ONE")
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0NEBOT"]}}
    assert oauth_bot.send.event(revoked, team="T0ONE").status == 200

    def active() -> bool | None:
        with oauth_bot.session() as session:
            cohort = session.get(Cohort, cohort_id)
            return cohort.active if cohort else None

    assert eventually(lambda: active() is False)
    token = install(oauth_bot.base_url, oauth_bot.slack, "T0ONE")
    assert active() is True
    assert open_setup(oauth_bot, "T0ONE") == token


def test_a_users_token_revoked_changes_nothing(oauth_bot: Bot) -> None:
    install(oauth_bot.base_url, oauth_bot.slack, "T0ONE")
    cohort_id = cohort_in(oauth_bot, "T0ONE")
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"], "bot": []}}
    assert oauth_bot.send.event(revoked, team="T0ONE").status == 200
    token = install(oauth_bot.base_url, oauth_bot.slack, "T0TWO")  # a later request, served
    assert token
    with oauth_bot.session() as session:
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None and cohort.active


def test_tokens_rotate_before_they_expire(settings: Settings, fake_slack: FakeSlack) -> None:
    fake_slack.rotation = True
    fake_slack.expires_in = 600  # within the 2 h before expiry in which tokens are rotated
    with running_bot(with_oauth(settings), fake_slack) as bot:
        first = install(bot.base_url, fake_slack, "T0ONE")
        used = open_setup(bot, "T0ONE")
        refreshes = [
            c
            for c in fake_slack.of("oauth.v2.access")
            if c.params.get("grant_type") == "refresh_token"
        ]
        assert refreshes and used != first and fake_slack.team_of(used) == "T0ONE"
        stored = Installations(bot.settings, bot.sessions.kw["bind"]).store.find_bot(
            enterprise_id=None, team_id="T0ONE"
        )
        assert stored is not None and stored.bot_token in {used, fake_slack_latest(fake_slack)}


def fake_slack_latest(fake: FakeSlack) -> str:
    return list(fake.tokens)[-1]


def test_the_client_factory_gives_each_workspace_its_token(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    engine = db.make_engine(settings.database_url)
    try:
        single = client_factory(settings, engine)
        assert single("T0ANY").token == settings.slack_bot_token
        oauth = with_oauth(settings, settings.slack_bot_token)
        with running_bot(oauth, fake_slack) as bot:
            one = install(bot.base_url, fake_slack, "T0ONE")
            two = install(bot.base_url, fake_slack, "T0TWO")
        clients = client_factory(oauth, engine)
        assert clients("T0ONE").token == one and clients("T0TWO").token == two
        assert clients("T0TEAM").token == settings.slack_bot_token  # the token's own workspace
        with pytest.raises(NotInstalled):
            clients("T0NONE")
        assert clients("T0ONE").base_url == settings.slack_api_url
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("client_id", "secret", "named"),
    [("111.222", None, "SLACK_CLIENT_SECRET"), (None, "shh", "SLACK_CLIENT_ID")],
)
def test_one_half_of_the_oauth_pair_stops_start_up_in_one_line(
    settings: Settings, client_id: str | None, secret: str | None, named: str
) -> None:
    half = settings.model_copy(update={"slack_client_id": client_id, "slack_client_secret": secret})
    with pytest.raises(SettingsError) as raised:
        half.require_slack()
    assert str(raised.value).startswith(f"{named} is not set") and "\n" not in str(raised.value)


def test_with_oauth_the_bot_token_is_optional(settings: Settings) -> None:
    with_oauth(settings).require_slack()
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        with_oauth(settings).model_copy(update={"slack_signing_secret": ""}).require_slack()


def test_gunicorns_workers_serve_the_oauth_flow(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    """`python -m bot web`: the state one worker issues, another may consume (it is in the
    database), and the installed workspace is served by every worker."""
    port = free_port()
    environment = env(database_url, fake_slack, PORT=str(port), WEB_WORKERS="2")
    environment |= {
        "SLACK_BOT_TOKEN": "",  # OAuth alone
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": fake_slack.client_secret,
    }
    process = WebProcess(tmp_path, environment)
    try:
        wait_healthy(port)
        base = f"http://127.0.0.1:{port}"
        token = install(base, fake_slack, "T0ONE")
        sender = SlackSender(base, "secret", fake_slack.url + "/response")
        fake_slack.users[ADMIN] = {"id": ADMIN, "tz": "America/Denver", "is_admin": True}
        for _ in range(4):  # whichever worker takes it
            assert sender.command("setup", user=ADMIN, team="T0ONE").status == 200
        opened = wait_for_calls(fake_slack, "views.open", 4)
        assert {c.token for c in opened} == {token}
    finally:
        process.kill()


def wait_for_calls(fake: FakeSlack, method: str, count: int, timeout: float = 15) -> list[Any]:
    deadline = time.monotonic() + timeout
    while len(fake.of(method)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return fake.of(method)


def test_cohort_sync_reads_the_channel_with_its_workspaces_token(
    oauth_bot: Bot, tmp_path: Path
) -> None:
    fake = oauth_bot.slack
    token = install(oauth_bot.base_url, fake, "T0ONE")
    with oauth_bot.session() as session:
        spec = CohortSpec("T0ONE", "Mod 5", date(2026, 9, 7), "America/Denver", "C0INSTRUCT")
        spec.students_channel = "C0STU"
        create_cohort(session, spec, oauth_bot.clock())
    fake.channel_members["C0STU"] = ["U0ONE", "U0TWO"]
    environment = env(oauth_bot.settings.database_url, fake)
    environment |= {
        "SLACK_BOT_TOKEN": "",
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": fake.client_secret,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "cohort", "sync", "Mod 5"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Enrolled 2 students from C0STU" in done.stdout
    assert {c.token for c in fake.of("conversations.members")} == {token}
    missing = subprocess.run(
        [sys.executable, "-m", "bot", "cohort", "sync", "Mod 5"],
        cwd=tmp_path,
        env=environment | {"SLACK_CLIENT_ID": "", "SLACK_BOT_TOKEN": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "SLACK_BOT_TOKEN" in missing.stderr


def test_with_one_workspace_an_uninstall_stops_its_cohorts_too(bot: Bot) -> None:
    cohort = bot.create_cohort()
    assert bot.send.event({"type": "app_uninstalled"}).status == 200

    def archived() -> bool:
        with bot.session() as session:
            found = session.get(Cohort, cohort.id)
            return found is not None and not found.active

    assert eventually(archived)
    with bot.session() as session:
        row = session.get(Workspace, "T0TEAM")
        assert row is not None and row.uninstalled_at is not None
