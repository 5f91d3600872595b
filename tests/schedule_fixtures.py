"""Fixtures for scheduled work: a fake Slack that keeps what was posted, a world to drive.

`ScheduleFake` extends the fake Web API with what run_due needs beyond it: the history of what
was posted with its metadata (conversations.history/replies), and answers that arrive too late
(a timeout after Slack acted).
`World` seeds students through the domain functions, with explicit instants, and runs run_due.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot import db
from bot.domain.cohorts import CohortSpec, create_cohort, get_or_create_student
from bot.domain.extensions import grant_extension
from bot.domain.logbook import PersonInput, log_chat, log_outreach, schedule_chat, set_status
from bot.domain.text import name_key
from bot.domain.thank_you import mark_thank_you_sent
from bot.models import Chat, Contact, Delivery, Enrollment, Student, Submission
from bot.schedule.run_due import Summary, run_due
from bot.settings import Settings
from bot.webapi.client import SCHEDULED_RATE_LIMIT_WAIT, make_client
from tests.blockkit import assert_valid_blocks
from tests.fakeslack import FakeSlack

TEAM = "T0TEAM"
SIGNING_SECRET = "test-signing-secret"


@dataclass
class Post:
    """A message Slack accepted (chat.postMessage answered ok)."""

    channel: str
    text: str
    blocks: list[dict[str, Any]]
    keys: list[str]
    part: int
    thread_ts: str | None
    ts: str

    @property
    def kind(self) -> str:
        return self.keys[0].split(":")[0] if self.keys else ""

    def readable(self) -> str:
        """Every text a person would read in the message."""
        found: list[str] = [self.text]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if isinstance(node.get("text"), str):
                    found.append(node["text"])
                for key, value in node.items():
                    if key != "text" or not isinstance(value, str):
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.blocks)
        return "\n".join(found)


@dataclass
class ScheduleFake(FakeSlack):
    """The fake Web API, plus history with metadata and late answers."""

    posts: list[Post] = field(default_factory=list)
    seen: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        self._slow: dict[tuple[str, str | None], list[float]] = {}
        self._pass: dict[tuple[str, str | None], int] = {}
        self._local = threading.local()

    # -- what tests use ------------------------------------------------------------------

    def slow(self, method: str, seconds: float, times: int = 1, channel: str | None = None) -> None:
        """Act on the next `times` calls of `method` (to `channel`, if given), but answer only
        after `seconds`."""
        with self._lock:
            self._slow.setdefault((method, channel), []).extend([seconds] * times)

    def fail_after(
        self, method: str, successes: int, channel: str | None = None, **fault: Any
    ) -> None:
        """Let `successes` calls of `method` (to `channel`, if given) through, then answer
        with `fail(**fault)`."""
        with self._lock:
            self._pass[method, channel] = successes
        self.fail(method, channel=channel, **fault)

    def take(self) -> list[Post]:
        """The messages posted since the last take()."""
        with self._lock:
            fresh = self.posts[self.seen :]
            self.seen = len(self.posts)
        return fresh

    def delivered(self, kind: str | None = None, channel: str | None = None) -> list[Post]:
        with self._lock:
            return [
                p
                for p in self.posts
                if (kind is None or p.kind == kind) and (channel is None or p.channel == channel)
            ]

    # -- serving -------------------------------------------------------------------------

    def _take_fault(self, method: str, channel: Any) -> Any:
        queue = self._slow.get((method, channel)) or self._slow.get((method, None)) or []
        self._local.delay = queue.pop(0) if queue else 0.0
        for key in ((method, channel), (method, None)):
            if self._pass.get(key) and (key[1] is None or key[1] == channel):
                self._pass[key] -= 1
                return None
        return super()._take_fault(method, channel)

    def _reply(
        self,
        request: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        delay = getattr(self._local, "delay", 0.0)
        self._local.delay = 0.0
        if delay:
            time.sleep(delay)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            super()._reply(request, status, body, headers)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        answer = super()._answer(method, params)
        if method == "chat.postMessage":
            metadata = params.get("metadata") or {}
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            payload = metadata.get("event_payload") or {}
            with self._lock:
                self.posts.append(
                    Post(
                        channel=str(params.get("channel")),
                        text=str(params.get("text") or ""),
                        blocks=list(params.get("blocks") or []),
                        keys=str(payload.get("keys") or "").split(),
                        part=int(payload.get("part") or 1),
                        thread_ts=params.get("thread_ts"),
                        ts=str(answer["ts"]),
                    )
                )
                self._metadata[answer["ts"]] = metadata
        if method in {"conversations.history", "conversations.replies"}:
            return {**answer, "messages": self._history(method, params), "has_more": False}
        return answer

    @property
    def _metadata(self) -> dict[str, Any]:
        if not hasattr(self, "_metadata_by_ts"):
            self._metadata_by_ts: dict[str, Any] = {}
        return self._metadata_by_ts

    def _history(self, method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        channel = str(params.get("channel"))
        with self._lock:
            mine = [p for p in self.posts if channel in (p.channel, "D" + p.channel)]
            if method == "conversations.replies":
                mine = [p for p in mine if params.get("ts") in (p.ts, p.thread_ts)]
            else:
                mine = [p for p in mine if p.thread_ts is None]
            return [
                {"type": "message", "ts": p.ts, "text": p.text, "metadata": self._metadata[p.ts]}
                for p in reversed(mine)
            ]


@dataclass
class World:
    """The database, the fake Slack and a WebClient, driven the way the scheduler sees them."""

    slack: ScheduleFake
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient

    @contextmanager
    def session(self) -> Iterator[Session]:
        with db.session_scope(self.sessions) as session:
            yield session

    def run(self, now: datetime) -> Summary:
        summary = run_due(now, self.sessions, self.client)
        assert not summary.errors, summary.errors
        return summary

    def step(self, now: datetime) -> list[Post]:
        """Run twice at `now`; return what the first run posted (the second must post none)."""
        self.run(now)
        posted = self.slack.take()
        self.run(now)
        again = self.slack.take()
        assert again == [], f"the second run at {now} posted {[p.keys for p in again]}"
        for post in posted:
            assert_valid_blocks(post.blocks)
        return posted

    def create_cohort(self, now: datetime, **overrides: Any) -> int:
        spec = CohortSpec(
            team_id=TEAM,
            name=overrides.pop("name", "Mod 5"),
            start_date=overrides.pop("start_date", date(2026, 9, 7)),
            timezone=overrides.pop("timezone", "America/Denver"),
            instructors_channel=overrides.pop("instructors_channel", "C0INSTRUCT"),
            instructor_ids=overrides.pop("instructor_ids", ["U0TEACH"]),
            student_ids=overrides.pop("student_ids", []),
            **overrides,
        )
        with self.session() as session:
            return create_cohort(session, spec, now).id

    def student(self, session: Session, user: str) -> Student:
        return get_or_create_student(session, TEAM, user)

    def outreach(self, user: str, name: str, now: datetime, url: str | None = None) -> None:
        self.outreach_many(user, [(name, url)], now)

    def outreach_many(self, user: str, people: list[tuple[str, str | None]], now: datetime) -> None:
        """Log several outreach attempts of one student at `now`, in one transaction."""
        today = now.date()
        with self.session() as session:
            student = self.student(session, user)
            for name, url in people:
                log_outreach(session, student, PersonInput(name, url), now, today, today)

    def chat(self, user: str, name: str, now: datetime, url: str | None = None) -> int:
        today = now.date()
        with self.session() as session:
            person = PersonInput(name, url)
            logged = log_chat(session, self.student(session, user), person, now, today, today)
            assert logged.contact.chat is not None
            return logged.contact.chat.id

    def move(self, user: str, name: str, status: str, now: datetime) -> None:
        with self.session() as session:
            student = self.student(session, user)
            contact = self._contact(session, student, name)
            set_status(session, student, contact.id, status, now, now.date())

    def schedule(self, user: str, name: str, at: datetime | None, now: datetime) -> int:
        """Move a contact to scheduled, for `at` (None: no time given); its outreach id."""
        with self.session() as session:
            student = self.student(session, user)
            contact = self._contact(session, student, name)
            schedule_chat(session, student, contact.id, at, now, now.date())
            assert contact.outreach is not None
            return contact.outreach.id

    def thank(self, user: str, name: str, now: datetime) -> None:
        with self.session() as session:
            student = self.student(session, user)
            chat = self._contact(session, student, name).chat
            assert chat is not None
            mark_thank_you_sent(session, student, chat.id, now)

    def extend(self, cohort_id: int, user: str, until: datetime) -> None:
        with self.session() as session:
            grant_extension(session, cohort_id, user, until)

    def hand_in(self, cohort_id: int, user: str, now: datetime, posted: bool = True) -> None:
        """A hand-in as the hand-in flow leaves it once posted: two chats, the answers, the post
        (not yet posted, as when Slack refused it, with `posted=False`)."""
        with self.session() as session:
            student = self.student(session, user)
            enrollment = session.scalars(
                select(Enrollment).where(
                    Enrollment.cohort_id == cohort_id, Enrollment.student_id == student.id
                )
            ).one()
            chats = list(
                session.scalars(select(Chat).join(Contact).where(Contact.student_id == student.id))
            )
            session.add(
                Submission(
                    enrollment_id=enrollment.id,
                    first_chat_id=chats[0].id,
                    second_chat_id=chats[1].id,
                    answers={"experience": "ok"},
                    submitted_at=now,
                    post_channel=enrollment.cohort.instructors_channel if posted else None,
                    post_ts=f"{now.timestamp():.6f}" if posted else None,
                    posted_revision=1 if posted else 0,
                )
            )

    def deliveries(self) -> list[Delivery]:
        with self.session() as session:
            return list(session.scalars(select(Delivery).order_by(Delivery.id)))

    def _contact(self, session: Session, student: Student, name: str) -> Contact:
        return session.scalars(
            select(Contact).where(
                Contact.student_id == student.id, Contact.name_key == name_key(name)
            )
        ).one()


def census(posts: list[Post]) -> Counter[tuple[str, str]]:
    """The posts as (recipient, kind) counts, parts of a digest counted once."""
    return Counter((p.channel, p.kind) for p in posts if p.part == 1)


def local(tz: str, *parts: int) -> datetime:
    """An instant given as wall-clock time in `tz`."""
    return datetime(*parts, tzinfo=ZoneInfo(tz))  # type: ignore[misc]


def make_world(database_url: str, fake: ScheduleFake) -> World:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.api_url,
        database_url=database_url,
    )
    engine = db.make_engine(database_url)
    return World(
        fake,
        settings,
        engine,
        db.make_session_factory(engine),
        make_client(settings, SCHEDULED_RATE_LIMIT_WAIT),
    )


@pytest.fixture
def schedule_slack() -> Iterator[ScheduleFake]:
    fake = ScheduleFake().start()
    yield fake
    fake.stop()


@pytest.fixture
def world(database_url: str, schedule_slack: ScheduleFake) -> Iterator[World]:
    made = make_world(database_url, schedule_slack)
    yield made
    made.engine.dispose()
