"""Fixtures: the real app served over HTTP, a fake Slack, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot import db
from bot.domain.cohorts import CohortSpec, create_cohort
from bot.models import Cohort
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.server import HttpServer, make_wsgi_app
from tests.blockkit import assert_valid_call
from tests.fakeslack import Call, FakeSlack
from tests.slackreq import STUDENT, TEAM, SlackSender

POSTGRES_ENV = "COFFEE_TEST_POSTGRES_URL"
SIGNING_SECRET = "test-signing-secret"


@dataclass
class Clock:
    """A clock the tests move by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 9, 9, 16, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def set(self, instant: datetime) -> None:
        self.now = instant.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a fresh schema on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'coffee.db'}"
        db.upgrade(url)
        yield url
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_ENV} (.ci/run does)")
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    db.upgrade(url)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def settings_for(database_url: str, fake_slack: FakeSlack) -> Settings:
    """The bot's settings for a test: the fake Slack, this database, no .env file."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.api_url,
        database_url=database_url,
    )


@pytest.fixture
def settings(database_url: str, fake_slack: FakeSlack) -> Settings:
    return settings_for(database_url, fake_slack)


@dataclass
class Bot:
    """The running app, its fake Slack, its database and its clock, as a test drives them."""

    send: SlackSender
    slack: FakeSlack
    clock: Clock
    sessions: sessionmaker[Session]
    base_url: str
    settings: Settings

    @contextmanager
    def session(self) -> Iterator[Session]:
        with db.session_scope(self.sessions) as session:
            yield session

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, where: Any = None
    ) -> list[Call]:
        """Wait until the fake has received `count` calls of `method` (matching `where`)."""
        deadline = time.monotonic() + timeout
        while True:
            calls = [c for c in self.slack.of(method) if where is None or where(c)]
            if len(calls) >= count or time.monotonic() > deadline:
                return calls
            time.sleep(0.01)

    def run(self, text: str, **kwargs: Any) -> Call:
        """Type `/coffee <text>` and return what the bot answered through the response_url."""
        body = self.send.command_body(text, **kwargs)
        reply = self.send.form(body)
        assert reply.status == 200, reply
        return self.answer_to(body["response_url"], f"/coffee {text}")

    def answer_to(self, response_url: str, what: str = "the request") -> Call:
        """The last post the bot made to a response_url."""
        path = "/" + response_url.split("/", 3)[3]
        calls = self.wait_for("response_url", where=lambda c: c.path == path)
        assert calls, f"no answer to {what}"
        return calls[-1]

    def create_cohort(self, **overrides: Any) -> Cohort:
        spec = CohortSpec(
            team_id=TEAM,
            name=overrides.pop("name", "Mod 5"),
            start_date=overrides.pop("start_date", date(2026, 9, 7)),
            timezone=overrides.pop("timezone", "America/Denver"),
            instructors_channel=overrides.pop("instructors_channel", "C0INSTRUCT"),
            students_channel=overrides.pop("students_channel", None),
            instructor_ids=overrides.pop("instructor_ids", ["U0TEACH"]),
            student_ids=overrides.pop("student_ids", [STUDENT]),
            **overrides,
        )
        with self.session() as session:
            return create_cohort(session, spec, self.clock())


@contextmanager
def running_bot(
    settings: Settings,
    fake_slack: FakeSlack,
    clock: Clock | None = None,
    executor: ThreadPoolExecutor | None = None,
) -> Iterator[Bot]:
    """Serve the real app over HTTP on 127.0.0.1 until the block ends, as Slack reaches it."""
    clock = clock or Clock()
    engine = db.make_engine(settings.database_url)
    sessions = db.make_session_factory(engine)
    app = create_app(settings, sessions, clock=clock, executor=executor)
    wsgi = make_wsgi_app(app, engine, signing_secret=settings.slack_signing_secret)
    server = HttpServer(wsgi, "127.0.0.1", 0)
    server.start_in_thread()
    base_url = f"http://127.0.0.1:{server.port}"
    sender = SlackSender(base_url, SIGNING_SECRET, fake_slack.url + "/response")
    try:
        yield Bot(sender, fake_slack, clock, sessions, base_url, settings)
    finally:
        server.close()
        server.wait_closed()
        engine.dispose()


@pytest.fixture
def bot(settings: Settings, fake_slack: FakeSlack) -> Iterator[Bot]:
    """The real app over HTTP; afterwards, everything it sent must be valid Block Kit."""
    with running_bot(settings, fake_slack) as running:
        yield running
    for call in fake_slack.calls:
        assert_valid_call(call)


from tests.schedule_fixtures import schedule_slack, world  # noqa: E402, F401  (scheduled work)


@pytest.fixture
def oauth_bot(settings: Settings, fake_slack: FakeSlack) -> Iterator[Bot]:
    """The real app with OAuth (SLACK_CLIENT_ID/SECRET, no SLACK_BOT_TOKEN): no workspace
    installed yet (tests.oauth_flow.install does it)."""
    from tests.oauth_flow import with_oauth

    with running_bot(with_oauth(settings), fake_slack) as running:
        yield running
    for call in fake_slack.calls:
        assert_valid_call(call)
