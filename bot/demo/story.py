"""`python -m bot demo`: a whole four-week cohort, played against a stand-in for Slack.

The real app serves signed HTTP on 127.0.0.1; the scheduler runs at each instant of the story
with the clock moved on. Every message and view the bot sends is printed, in order, with whom
it went to and when (cohort time). The database lives in a temporary folder that is removed at
the end: nothing is left behind.
"""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Select, select

from bot import db
from bot.demo.render import blocks_text, readable, view_text
from bot.demo.stand_in import Sent, StandIn
from bot.models import Delivery, Student
from bot.schedule.run_due import run_due
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.server import HttpServer, make_wsgi_app
from bot.webapi.client import make_client

TZ = ZoneInfo("America/Denver")
TEAM = "T0DEMO"
IVY, ADA, BEN, CAM = "U0IVY", "U0ADA", "U0BEN", "U0CAM"
INSTRUCTORS, STUDENTS = "C0INSTRUCT", "C0STUDENTS"
NAMES = {
    IVY: "Ivy (instructor)",
    ADA: "Ada",
    BEN: "Ben",
    CAM: "Cam",
    INSTRUCTORS: "instructors",
    STUDENTS: "mod-5-students",
    "U0BOT": "Coffee Chat",
}
START = date(2026, 9, 7)  # Monday of Week 1


def linkedin(name: str) -> str:
    return "https://www.linkedin.com/in/" + name.lower().replace(" ", "-")


class Pool(ThreadPoolExecutor):
    """The listeners' threads, and a way to wait until they are all done."""

    def __init__(self) -> None:
        super().__init__(8, thread_name_prefix="demo-listener")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending:
                    return
            time.sleep(0.01)


BEFORE = datetime(2026, 9, 1, 9, tzinfo=TZ).astimezone(UTC)


@dataclass
class Clock:
    now: datetime = BEFORE

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Demo:
    """The stand-in, the app over HTTP, the clock, and what has been shown so far."""

    slack: StandIn
    settings: Settings
    base_url: str
    pool: Pool
    clock: Clock
    out: TextIO
    shown: int = 0
    asker: dict[str, str] = field(default_factory=dict)  # response_url → who it answers
    trigger: int = 0

    # -- doing things as people ------------------------------------------------------------

    def at(self, *when: int) -> None:
        year, month, day, hour, *minute = when
        local = datetime(year, month, day, hour, minute[0] if minute else 0, tzinfo=TZ)
        self.clock.now = local.astimezone(UTC)

    def command(self, user: str, text: str, channel: str = "D0DM") -> None:
        self.trigger += 1
        url = f"{self.slack.url}/response/{self.trigger}"
        self.asker[url] = user
        body = {
            "token": "demo",
            "team_id": TEAM,
            "team_domain": "demo",
            "channel_id": channel,
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": NAMES[user],
            "command": "/coffee",
            "text": text,
            "api_app_id": "A0DEMO",
            "is_enterprise_install": "false",
            "response_url": url,
            "trigger_id": f"demo.{self.trigger}",
        }
        self._say(f"{NAMES[user]} types: /coffee {text}")
        self._post(urlencode(body), "application/x-www-form-urlencoded")
        self.settle(user)

    def submit(self, user: str, values: dict[str, dict[str, Any]]) -> None:
        """Submit the last form the bot opened, with `values` by block id (the rest as shown)."""
        view = self.slack.last_view()
        state = {"values": {**_untouched(view), **{k: {"input": v} for k, v in values.items()}}}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "demo"},
            "user": {"id": user, "team_id": TEAM, "name": NAMES[user]},
            "api_app_id": "A0DEMO",
            "trigger_id": "demo.view",
            "view": {**view, "team_id": TEAM, "state": state},
        }
        self._say(f"{NAMES[user]} fills in “{view.get('title', {}).get('text', 'the form')}”")
        answer = self._post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )
        if answer.get("response_action") == "update":
            self._print_view(user, "the form becomes", answer["view"])
        elif answer.get("response_action") == "errors":
            self._print(f"the form says: {answer['errors']}")
        self.settle(user)

    def choose(
        self,
        user: str,
        action_id: str,
        value: str,
        *,
        in_channel: str | None = None,
        ts: str | None = None,
    ) -> None:
        """Pick an option of a menu (or press a button) on a message the bot sent."""
        self.trigger += 1
        url = f"{self.slack.url}/response/{self.trigger}"
        self.asker[url] = user
        action: dict[str, Any] = {"action_id": action_id, "block_id": "b", "action_ts": "1.2"}
        if ":" in value and action_id == "student_menu":
            action |= {"type": "overflow", "selected_option": {"value": value}}
        else:
            action |= {"type": "button", "value": value}
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "demo"},
            "user": {"id": user, "team_id": TEAM, "name": NAMES[user]},
            "api_app_id": "A0DEMO",
            "trigger_id": f"demo.{self.trigger}",
            "response_url": url,
            "channel": {"id": in_channel or "D0DM", "name": "x"},
            "container": {
                "type": "message",
                "message_ts": ts or "1.1",
                "is_ephemeral": in_channel is None,
            },
            "actions": [action],
        }
        self._say(f"{NAMES[user]} picks “{value.split(':')[0]}”")
        self._post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
        self.settle(user)

    def clock_runs(self, *when: int) -> None:
        """The scheduler's run at that instant."""
        self.at(*when)
        self._say("the clock runs")
        sessions = db.make_session_factory(db.make_engine(self.settings.database_url))
        run_due(self.clock.now, sessions, make_client(self.settings), command="/coffee")
        sessions.kw["bind"].dispose()
        self.settle(None)

    # -- showing it ------------------------------------------------------------------------

    def settle(self, user: str | None) -> None:
        """Wait for the listeners, then print what the bot sent since the last time."""
        self.pool.wait_idle()
        time.sleep(0.05)
        for sent in self.slack.take():
            self._show(sent, user)

    def _show(self, sent: Sent, user: str | None) -> None:
        p = sent.params
        if sent.method in {"views.open", "views.update"}:
            self._print_view(
                user,
                "a form opens" if sent.method == "views.open" else "the form becomes",
                p["view"],
            )
            return
        if sent.method == "views.publish":
            self._print_lines(
                f"App Home of @{NAMES.get(str(p.get('user_id')), '?')}", view_text(p["view"], NAMES)
            )
            return
        if sent.method == "files.completeUploadExternal":
            self._print_lines(
                "a file in the DM", [readable(str(p.get("initial_comment") or ""), NAMES)]
            )
            return
        if sent.method == "response_url":
            who = self.asker.get(str(p.get("__url__")), user or "")
            where = f"only @{NAMES.get(who, 'them')} sees"
            if p.get("replace_original") in (True, "true"):
                where += " (in place of the last one)"
        elif sent.method == "chat.postEphemeral":
            who, channel = NAMES.get(str(p.get("user")), "?"), NAMES.get(str(p.get("channel")), "?")
            where = f"only @{who} sees, in #{channel}"
        else:
            channel = str(p.get("channel"))
            target = channel.removeprefix("D") if channel.startswith("D") else channel
            where = (
                f"DM to @{NAMES[target]}"
                if target in NAMES and target.startswith("U")
                else f"#{NAMES.get(channel, channel)}"
            )
            if p.get("thread_ts"):
                where += ", in the thread"
            if sent.method == "chat.update":
                where += " (edited)"
        blocks = p.get("blocks") or []
        lines = (
            blocks_text(blocks, NAMES) if blocks else [readable(str(p.get("text") or ""), NAMES)]
        )
        self._print_lines(where, lines)

    def _print_view(self, user: str | None, what: str, view: dict[str, Any]) -> None:
        self._print_lines(f"{what} for @{NAMES.get(user or '', 'them')}", view_text(view, NAMES))

    def _print_lines(self, heading: str, lines: list[str]) -> None:
        self.shown += 1
        self._print(f"→ {heading}")
        for line in lines:
            self.out.write(f"    {line}\n")

    def _print(self, text: str) -> None:
        self.out.write(f"  {text}\n")

    def _say(self, what: str) -> None:
        local = self.clock.now.astimezone(TZ)
        self.out.write(
            f"\n[{local:%a} {local.day} {local:%b} {local:%H:%M} {local.tzname()}] {what}\n"
        )

    def _post(self, body: str, content_type: str) -> dict[str, Any]:
        stamp = str(int(time.time()))
        signature = str(
            SignatureVerifier(self.settings.slack_signing_secret).generate_signature(
                timestamp=stamp, body=body
            )
        )
        request = urllib.request.Request(
            self.base_url + "/slack/events",
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature,
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read().decode()
        return json.loads(raw) if raw.strip().startswith("{") else {}


def _untouched(view: dict[str, Any]) -> dict[str, Any]:
    """Every input of a form as it was shown (initial values kept)."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block.get("element", {})
        kind = element.get("type")
        value: dict[str, Any] = {"type": kind}
        if kind == "plain_text_input":
            value["value"] = element.get("initial_value")
        elif kind == "datepicker":
            value["selected_date"] = element.get("initial_date")
        elif kind == "datetimepicker":
            value["selected_date_time"] = element.get("initial_date_time")
        elif kind == "conversations_select":
            value["selected_conversation"] = element.get("initial_conversation")
        elif kind == "multi_users_select":
            value["selected_users"] = element.get("initial_users", [])
        elif kind == "number_input":
            value["value"] = element.get("initial_value")
        elif kind == "static_select":
            value["selected_option"] = element.get("initial_option")
        elif kind == "multi_static_select":
            value["selected_options"] = element.get("initial_options", [])
        values[block["block_id"]] = {"input": value}
    return values


@contextmanager
def running(folder: Path, out: TextIO) -> Iterator[Demo]:
    """The stand-in and the app, on a database in `folder`; stopped and removed afterwards."""
    slack = StandIn(team_id=TEAM).start()
    slack.users.update(
        {
            IVY: {"tz": "America/Denver", "is_admin": True, "profile": {"real_name": "Ivy"}},
            ADA: {"tz": "America/Denver", "profile": {"real_name": "Ada"}},
            BEN: {"tz": "America/Denver", "profile": {"real_name": "Ben"}},
            CAM: {"tz": "America/Denver", "profile": {"real_name": "Cam"}},
        }
    )
    slack.channel_members[STUDENTS] = [ADA, BEN, CAM]
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-demo",
        slack_signing_secret=secrets.token_hex(16),
        slack_api_url=slack.api_url,
        database_url=f"sqlite:///{folder / 'demo.db'}",
        log_level="ERROR",
    )
    db.upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    clock, pool = Clock(), Pool()
    app = create_app(settings, db.make_session_factory(engine), clock=clock, executor=pool)
    server = HttpServer(
        make_wsgi_app(app, engine, signing_secret=settings.slack_signing_secret), "127.0.0.1", 0
    )
    server.start_in_thread()
    try:
        yield Demo(slack, settings, f"http://127.0.0.1:{server.port}", pool, clock, out)
    finally:
        server.close()
        server.wait_closed()
        pool.shutdown(wait=True)
        engine.dispose()
        slack.stop()


def play(demo: Demo) -> None:
    """Four weeks of a cohort: set up, kickoff, logging, nudges, checkpoint, hand-in, deadline."""
    demo.at(2026, 9, 1, 10)
    demo.command(IVY, "setup", channel=INSTRUCTORS)
    demo.submit(
        IVY,
        {
            "cohort_name": {"type": "plain_text_input", "value": "Mod 5"},
            "timezone": {"type": "plain_text_input", "value": "America/Denver"},
            "instructors_channel": {
                "type": "conversations_select",
                "selected_conversation": INSTRUCTORS,
            },
            "students_channel": {"type": "conversations_select", "selected_conversation": STUDENTS},
        },
    )
    demo.clock_runs(2026, 9, 7, 9)
    demo.at(2026, 9, 7, 11)
    for person in ("Grace Hopper", "Katherine Johnson", "Margaret Hamilton"):
        demo.command(ADA, f"outreach {person} {linkedin(person)}")
    for person in ("Alan Kay", "Barbara Liskov", "Donald Knuth", "Frances Allen"):
        demo.command(BEN, f"outreach {person} {linkedin(person)}")
    demo.command(CAM, "outreach Tim Berners-Lee")
    demo.at(2026, 9, 9, 14)
    demo.command(ADA, f"chat Grace Hopper {linkedin('Grace Hopper')}")
    demo.clock_runs(2026, 9, 9, 19)
    demo.clock_runs(2026, 9, 14, 9)
    demo.at(2026, 9, 14, 15)
    demo.command(ADA, f"chat Katherine Johnson {linkedin('Katherine Johnson')}")
    demo.command(BEN, f"chat Barbara Liskov {linkedin('Barbara Liskov')}")
    demo.command(CAM, "status")
    demo.clock_runs(2026, 9, 18, 17)
    demo.at(2026, 9, 18, 17, 30)
    demo.command(IVY, "report", channel=INSTRUCTORS)
    cam = _student_id(demo, CAM)
    digest = _digest_ts(demo)
    if cam and digest:
        demo.choose(
            IVY, "student_menu", f"nudge:1:{cam}:checkpoint", in_channel=INSTRUCTORS, ts=digest
        )
    demo.clock_runs(2026, 9, 21, 9)
    demo.at(2026, 9, 22, 11)
    demo.command(ADA, "reflect")
    demo.submit(
        ADA,
        {
            "answer_experience": {
                "type": "plain_text_input",
                "value": "Slow at first; alumni answered fastest.",
            },
            "answer_takeaways": {
                "type": "plain_text_input",
                "value": "Both started somewhere else.",
            },
            "answer_similarly": {"type": "plain_text_input", "value": "Research the person first."},
            "answer_differently": {
                "type": "plain_text_input",
                "value": "Ask sooner, follow up once.",
            },
        },
    )
    demo.command(ADA, "submit")
    demo.submit(ADA, {})
    demo.clock_runs(2026, 9, 30, 17)
    demo.clock_runs(2026, 10, 2, 17)


def _student_id(demo: Demo, user: str) -> int | None:
    found = _scalar(demo, select(Student.id).where(Student.user_id == user))
    return int(found) if found is not None else None


def _digest_ts(demo: Demo) -> str | None:
    found = _scalar(demo, select(Delivery.ts).where(Delivery.kind == "checkpoint-digest"))
    return str(found) if found is not None else None


def _scalar(demo: Demo, query: Select[Any]) -> Any:
    """One value from the demo's database (what a person would read off a message)."""
    engine = db.make_engine(demo.settings.database_url)
    try:
        with db.session_scope(db.make_session_factory(engine)) as session:
            return session.scalar(query)
    finally:
        engine.dispose()


NEXT = """
That was a four-week cohort in {seconds:.0f} seconds: {shown} messages, forms and views.
Nothing was sent anywhere; the temporary database is gone.

What to do next:
  1. Create the Slack app: `python -m bot manifest --socket-mode` (on a laptop) or
     `python -m bot manifest --url https://your-host` prints the manifest; paste it at
     https://api.slack.com/apps → Create New App → From an app manifest, then install it.
  2. `cp .env.example .env` and set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (and, for Socket
     Mode, SLACK_APP_TOKEN).
  3. `python -m bot doctor` checks it all; `python -m bot` runs the bot.
"""


def run(where: Path, out: TextIO = sys.stdout) -> int:
    """Play the demo in a temporary folder inside `where` (removed at the end)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="coffee-chat-demo-", dir=where) as folder:
        out.write(
            "Coffee Chat demo: a cohort of three students and their instructor, four weeks "
            "in a minute,\nagainst a stand-in for Slack on 127.0.0.1. Times are the "
            "cohort's (America/Denver).\n"
        )
        with running(Path(folder), out) as demo:
            play(demo)
            shown = demo.shown
    out.write(NEXT.format(seconds=time.monotonic() - started, shown=shown))
    return 0
