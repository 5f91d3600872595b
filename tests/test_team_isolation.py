"""Two workspaces installed through OAuth, the same user id (U0SAME) in both, the same channel
ids: neither sees, changes or is messaged about the other's cohorts, students or contacts,
through any command, button, modal, event or scheduled message; and every Web API call made
for a workspace carries that workspace's token."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks.ids import Action, Block
from bot.domain.cohorts import CohortSpec, create_cohort
from bot.models import Chat, Cohort, Contact, Enrollment, Outreach, Reflection, Student, Submission
from bot.schedule.run_due import run_due
from bot.settings import Settings
from bot.webapi.installations import client_factory
from tests.conftest import Bot, running_bot
from tests.fakeslack import Call, FakeSlack
from tests.oauth_flow import install, with_oauth
from tests.reflect_steps import ANSWERS, answer_values, multi_value, prefilled_chats
from tests.slackreq import Reply
from tests.test_event_retries import CountingPool
from tests.test_log_modals import outreach_values
from tests.test_roster import roster

SAME, TEACHER = "U0SAME", "U0TEACH"
STUDENTS, INSTRUCTORS = "C0STUDENTS", "C0INSTRUCT"
KJ = "https://www.linkedin.com/in/katherine-johnson"  # not the help's example names
EXERCISED = {
    *("outreach", "chat", "list", "status", "reflect", "submit", "setup", "help", ""),
    *("report", "export", "forget"),
}
LISTENERS = Path(__file__).resolve().parents[1] / "bot" / "slack" / "listeners"
RUN_DUE_TAKES_CLIENT_FOR = "clients" in inspect.signature(run_due).parameters


@dataclass
class Side:
    """One workspace as its people use it; every step checks the tokens it caused."""

    bot: Bot
    pool: CountingPool
    team: str
    token: str

    @contextmanager
    def step(self) -> Iterator[None]:
        """Whatever Web API calls happen inside carry this workspace's token, and only it."""
        before = len(self.bot.slack.calls)
        yield
        assert self.pool.wait_idle()
        calls = self.bot.slack.calls[before:]
        tokens = {c.token for c in calls if c.method not in {"response_url", "oauth.v2.access"}}
        assert tokens <= {self.token}, f"{self.team} caused calls with {tokens}"

    def run(self, text: str, user: str = SAME) -> Call:
        with self.step():
            return self.bot.run(text, team=self.team, user=user)

    def modal(self, text: str, user: str = SAME) -> dict[str, Any]:
        with self.step():
            body = self.bot.send.command_body(text, team=self.team, user=user)
            assert self.bot.send.form(body).status == 200
            trigger = body["trigger_id"]
            [opened] = self.bot.wait_for(
                "views.open", where=lambda c: c.params["trigger_id"] == trigger
            )
        return opened.view()

    def submit(self, view: dict[str, Any], values: dict[str, Any], user: str = SAME) -> Reply:
        with self.step():
            return self.bot.send.view_submission(view, values, user=user, team=self.team)

    def click(self, action: str, value: str, user: str = SAME) -> Call:
        url = self.bot.slack.response_url(f"{self.team}-{action}-{value}")
        with self.step():
            sent = self.bot.send.block_action(
                action, value, user=user, team=self.team, response_url=url
            )
            assert sent.status == 200
            return self.bot.answer_to(url)

    def choose(self, action: str, value: str, user: str = SAME) -> Call:
        """A pick in a menu (an instructor's student menu)."""
        url = self.bot.slack.response_url(f"{self.team}-{action}-pick")
        with self.step():
            sent = self.bot.send.menu_choice(
                action, value, user=user, team=self.team, response_url=url
            )
            assert sent.status == 200
            return self.bot.answer_to(url)

    def event(self, event: dict[str, Any]) -> None:
        with self.step():
            assert self.bot.send.event(event, team=self.team).status == 200

    def home(self) -> Call:
        before = len(self.bot.slack.of("views.publish"))
        self.event({"type": "app_home_opened", "user": SAME, "tab": "home"})
        return self.bot.wait_for("views.publish", count=before + 1)[-1]

    def cohort(self) -> int:
        spec = CohortSpec(
            team_id=self.team,
            name="Mod 5",
            start_date=date(2026, 9, 7),
            timezone="America/Denver",
            instructors_channel=INSTRUCTORS,
            students_channel=STUDENTS,
            instructor_ids=[TEACHER],
            student_ids=[SAME],
        )
        with self.bot.session() as session:
            return create_cohort(session, spec, self.bot.clock()).id


@pytest.fixture
def two(settings: Settings, fake_slack: FakeSlack) -> Iterator[tuple[Side, Side]]:
    pool = CountingPool()
    fake_slack.users[TEACHER] = {"id": TEACHER, "tz": "America/Denver", "is_admin": True}
    with running_bot(with_oauth(settings), fake_slack, executor=pool) as bot:
        one = Side(bot, pool, "T0ONE", install(bot.base_url, fake_slack, "T0ONE"))
        other = Side(bot, pool, "T0TWO", install(bot.base_url, fake_slack, "T0TWO"))
        one.cohort()
        other.cohort()
        yield one, other
    pool.shutdown()


def rows(bot: Bot, team: str, model: type[Any]) -> list[Any]:
    """The team's rows of a per-student table (contacts, chats, reflections, hand-ins...)."""
    with bot.session() as session:
        query = select(model)
        if model in (Contact,):
            query = query.join(Student, Student.id == Contact.student_id)
        elif model in (Outreach, Chat):
            query = query.join(Contact).join(Student, Student.id == Contact.student_id)
        elif model in (Reflection, Submission):
            query = query.join(Enrollment).join(Student, Student.id == Enrollment.student_id)
        return list(session.scalars(query.where(Student.team_id == team)))


def student_of(bot: Bot, team: str) -> Student:
    with bot.session() as session:
        found = session.scalar(
            select(Student).where(Student.team_id == team, Student.user_id == SAME)
        )
        assert found is not None
        return found


def log_in_the_first(one: Side) -> dict[str, int]:
    """U0SAME in the first workspace logs everything there is to log; the ids of it."""
    one.run(f"outreach Katherine Johnson {KJ}")
    view = one.modal("outreach")
    dorothy = outreach_values(name={"type": "plain_text_input", "value": "Dorothy Vaughan"})
    dorothy["linkedin"] = {"type": "plain_text_input", "value": "linkedin.com/in/dorothy-vaughan"}
    assert one.submit(view, dorothy).status == 200
    listing = one.run("list")
    assert "Katherine Johnson" in listing.text() and "Dorothy Vaughan" in listing.text()
    menus = [b["accessory"] for b in listing.blocks() if b.get("accessory", {}).get("options")]
    dorothy_moves = [o["value"] for o in menus[0]["options"] if "responded" in o["value"]]
    one.choose(Action.CONTACT_MENU, dorothy_moves[0])
    one.run("chat Katherine Johnson")
    one.run("chat Dorothy Vaughan")
    assert one.submit(one.modal("reflect"), answer_values(ANSWERS)).status == 200
    handin = one.modal("submit")
    values = answer_values(ANSWERS) | {
        Block.HANDIN_CHATS.value: multi_value(prefilled_chats(handin))
    }
    assert one.submit(handin, values).status == 200
    one.bot.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == INSTRUCTORS)
    with one.bot.session() as session:
        found = session.execute(
            select(Contact.name, Chat.id)
            .join(Chat.contact)
            .join(Contact.student)
            .where(Student.team_id == one.team)
        )
        chats = {name: chat_id for name, chat_id in found}
    one.click(Action.THANK_YOU_SENT, str(chats["Katherine Johnson"]))
    assert "*Chats:* 2/2" in one.home().text()
    one.run("status")
    one.run("help")
    one.modal("setup", user=TEACHER)
    contacts = {c.name: c.id for c in rows(one.bot, one.team, Contact)}
    return {
        "katherine": contacts["Katherine Johnson"],
        "dorothy": contacts["Dorothy Vaughan"],
        **chats,
    }


def snapshot(bot: Bot, team: str) -> dict[str, Any]:
    """Everything of U0SAME's in a workspace, to compare before and after."""
    return {
        "outreach": sorted((o.contact_id, o.status) for o in rows(bot, team, Outreach)),
        "chats": sorted((c.id, c.thank_you_sent_at) for c in rows(bot, team, Chat)),
        "reflection": [(r.experience, r.takeaways) for r in rows(bot, team, Reflection)],
        "handins": [(s.first_chat_id, s.revision) for s in rows(bot, team, Submission)],
        "timezone": student_of(bot, team).timezone,
    }


def test_the_same_user_in_two_workspaces_sees_and_changes_only_their_own(
    two: tuple[Side, Side],
) -> None:
    one, other = two
    ids = log_in_the_first(one)
    before = snapshot(one.bot, one.team)
    assert len(before["outreach"]) == 2 and before["handins"]

    for text in ("list", "status"):
        shown = other.run(text).text()
        assert "Katherine" not in shown and "Dorothy" not in shown, text
    assert "*Chats:* 0/2" in other.home().text()
    for action in (Action.MOVE_DECLINED, Action.MOVE_CHATTED):
        assert "not in your log" in other.click(action, f"{ids['dorothy']}:0").text()
    assert (
        "not in your log" in other.click(Action.THANK_YOU_SENT, str(ids["Dorothy Vaughan"])).text()
    )
    reflect = other.modal("reflect")
    assert ANSWERS["experience"] not in str(reflect)
    assert "Katherine" not in other.run("submit").text()  # no chats of theirs to hand in
    other.submit(reflect, answer_values({**ANSWERS, "experience": "Mine, in the other one."}))
    other.run(f"outreach Katherine Johnson {KJ}")  # the same profile, logged in the other workspace
    other.run("chat Katherine Johnson")

    other.event({"type": "user_change", "user": {"id": SAME, "tz": "Asia/Tokyo"}})
    other.event({"type": "member_left_channel", "user": SAME, "channel": STUDENTS})
    assert student_of(other.bot, other.team).timezone == "Asia/Tokyo"
    with other.bot.session() as session:
        cohorts = {c.team_id: c.id for c in session.scalars(select(Cohort))}
    assert roster(other.bot, cohorts["T0TWO"]) == {SAME: False}
    assert roster(one.bot, cohorts["T0ONE"]) == {SAME: True}
    other.event({"type": "member_joined_channel", "user": SAME, "channel": STUDENTS})
    assert roster(other.bot, cohorts["T0TWO"]) == {SAME: True}

    assert snapshot(one.bot, one.team) == before  # nothing of the first changed
    assert [r.experience for r in rows(other.bot, other.team, Reflection)] == [
        "Mine, in the other one."
    ]
    assert [c.name for c in rows(other.bot, other.team, Contact)] == ["Katherine Johnson"]

    # The instructor of the other workspace sees, exports and acts on their own cohort only.
    assert "isn't one you instruct" not in other.run("report", user=TEACHER).text()
    report = other.run("report", user=TEACHER).text()
    assert "Dorothy" not in report and "0 of 1 handed in" in report.replace("*", "")
    other.run("export", user=TEACHER)
    [upload] = list(other.bot.slack.uploads.values())[-1:]
    rows_out = upload.decode().splitlines()
    assert "dorothy-vaughan" not in upload.decode() and "Mine, in the other one." in rows_out[1]
    their_cohort = cohorts["T0ONE"]
    forged = f"excuse:{their_cohort}:{student_of(one.bot, one.team).id}:report"
    assert "isn't one you instruct" in other.choose(Action.STUDENT_MENU, forged, TEACHER).text()
    assert "not in your log" in other.run("forget Dorothy Vaughan").text()
    assert "That is for the instructors" in other.run("report").text()  # a student
    assert snapshot(one.bot, one.team) == before
    assert subcommands() <= EXERCISED, "a new subcommand: exercise it in this test too"


def subcommands() -> set[str]:
    """Every subcommand the listeners register (`routes.command(("name", ...), ...)`)."""
    found: set[str] = set()
    for path in LISTENERS.glob("*.py"):
        for names in re.findall(r"routes\.command\(\(([^)]*)\)", path.read_text()):
            found.update(re.findall(r'"([^"]*)"', names))
    return found


@pytest.mark.skipif(
    not RUN_DUE_TAKES_CLIENT_FOR,
    reason="run_due takes one WebClient until the scheduler's `clients: WebClient | ClientFor` "
    "lands (the scale branch); this test then runs",
)
def test_scheduled_messages_go_to_each_workspace_with_its_token(two: tuple[Side, Side]) -> None:
    one, other = two
    one.run("outreach Dorothy Vaughan")
    bot = one.bot
    engine = bot.sessions.kw["bind"]
    checkpoint = datetime(2026, 9, 18, 23, 30, tzinfo=UTC)  # Friday of Week 2, 17:30 Denver
    run_due(checkpoint, bot.sessions, client_factory(bot.settings, engine))
    sent = [c for c in bot.slack.calls if c.method == "chat.postMessage"]
    assert {c.token for c in sent} == {one.token, other.token}
    for side, theirs in ((one, True), (other, False)):
        mine = [c for c in sent if c.token == side.token]
        digest = [c for c in mine if c.params.get("channel") == INSTRUCTORS]
        assert digest and all(("Dorothy Vaughan" in c.text()) is theirs for c in digest)
        assert any(c.params.get("channel") != INSTRUCTORS for c in mine)  # the DMs
