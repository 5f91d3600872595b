"""Fuzz: thousands of hostile, correctly signed requests at every entry point of the real app.

Every /coffee subcommand with hostile text; every block action the bot registers with tampered
values — the students' buttons and menus, and the instructors' (a student's menu in the digest,
the report and App Home; report pages; the cohort picker; posting the digest, export, editing
the cohort) with the cohort and student they name forged to another team's, a colleague's
cohort, another cohort's student, a huge or non-numeric id or markup; every modal the bot opens
(the extension, "when is the chat?" and the drafts among them), submitted with forged state and
private_metadata; the events it subscribes to with hostile or missing fields and other teams.
Each request goes over HTTP to the real app (guard, Bolt, listeners, database) and its answers
to the loopback fake Slack.

Asserted for every request: no HTTP 5xx, no apology (the answer to an unexpected failure), no
live broadcast (`<!channel>`, `<!here>`, `<!everyone>`, a user group) and no `<@U…>` mention of
anyone but the asker, the bot, the cohort's instructors or people picked in a user picker, and
valid Block Kit. Reported too: listener errors in the log, commands that got no answer at all.

The run is reproducible (one seed per entry point) and waits for each request's listener to
finish before looking at what it sent, so answers are attributed to the request that caused
them. A table of findings, by entry point and symptom, is printed at the end of the module;
set COFFEE_FUZZ_REPORT=path.json to keep it. Entry points with known failures on the code of
today are xfailed (strictly on their known symptoms: a new symptom fails the test).
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks.cohort_view import WHERE
from bot.blocks.ids import Action, Choice
from bot.blocks.text import plain
from bot.domain.cohorts import CohortSpec, create_cohort
from bot.models import ActionKind, Chat, Cohort, Contact, Enrollment, Student
from bot.settings import Settings
from bot.slack.errors import DATABASE_DOWN, UNEXPECTED
from tests.blockkit import assert_valid_call, assert_valid_view
from tests.conftest import Bot, running_bot
from tests.fakeslack import Call, FakeSlack
from tests.hostile import (
    CHANNELS,
    NAMES,
    URLS,
    forge_element,
    hostile_id,
    hostile_metadata,
    hostile_number,
    hostile_text,
    markup_name,
    plausible_element,
)
from tests.slackreq import STUDENT, TEAM, Reply

SEED = 20260909
SCALE = {"sqlite": 1.0, "postgresql": 0.25}  # the PostgreSQL run is a quarter of the size
OTHER_TEAM, OTHER_STUDENT, TEACHER, OTHER_TEACHER = "T0OTHER", "U0OTHER", "U0TEACH", "U0TEACHB"
NOWHERE_TEAM, NEWCOMER, BOT_USER = "T0NOWHERE", "U0NEW", "U0BOT"
# The instructors' worlds add a second cohort of TEACHER's and a cohort of the same team that
# TEACHER does not instruct (ELSEWHERE_TEACHER's, with ELSEWHERE_STUDENT).
SECOND_STUDENT, ELSEWHERE_TEACHER, ELSEWHERE_STUDENT = "U0SECOND", "U0TEACHC", "U0STUDC"
INSTRUCTORS = {TEAM: {TEACHER}, OTHER_TEAM: {OTHER_TEACHER}}

FIVE_XX = "HTTP 5xx"
APOLOGY = "apology for bad input"
BROADCAST = "live broadcast mention"
FOREIGN = "mention of another user"
BLOCK_KIT = "invalid Block Kit"
LOGGED = "listener error logged"
SILENT = "no answer"
LOST_ACK = "HTTP 404 (ack lost)"
ASSERTED = (FIVE_XX, APOLOGY, BROADCAST, FOREIGN, BLOCK_KIT)
BROADCAST_RE = re.compile(r"<!(?:channel|here|everyone|subteam\^)")
MENTION_RE = re.compile(r"<@([A-Z0-9]+)")

# -- entry points: how many hostile requests each gets on SQLite ------------------------------

SUBCOMMANDS = [
    "",
    "help",
    "outreach",
    "chat",
    "list",
    "status",
    "setup",
    "reflect",
    "submit",
    "report",
    "export",
    "forget",
    "<unknown>",
]
COMMANDS = {f"/coffee {sub or '(empty)'}": 50 for sub in SUBCOMMANDS}
MOVES = ["responded", "scheduled", "chatted", "declined", "no_response"]
CHOICES = [choice.value for choice in Choice]
ACTIONS = {
    **{f"action move_{status}": 50 for status in MOVES},
    "action move_<forged status>": 30,
    "action list_page_newer/older": 80,
    "action thank_you_sent": 80,
    "action open_reflect_modal": 80,
    "action reached_out/open_drafts/undo_remove_chat": 60,
    "action contact_menu/chat_menu": 80,
    "action how_it_works/open_*_modal": 40,
    "action check_in_happened/rescheduled/missed": 60,
    "action unregistered ids": 30,
}
# The instructors' buttons and menus (in the digest, the report and their App Home): each
# value names a cohort (and a student), forged to name another team's, another cohort's, or none.
INSTRUCTING = {
    "action student_menu": 100,
    "action report_page": 40,
    "action pick_cohort": 40,
    "action post_digest/export_csv/open_setup": 60,
}
VIEWS = {
    "view outreach_modal": 150,
    "view chat_modal": 150,
    "view setup_modal": 120,
    "view reflect_modal": 100,
    "view submit_modal": 100,
    "view extend_modal": 80,
    "view schedule_modal": 80,
    "view drafts_modal": 30,
    "view_closed (no listener)": 20,
}
EVENTS = {
    "event app_home_opened": 50,
    "event member_joined_channel": 50,
    "event member_left_channel": 50,
    "event user_change": 50,
    "event (unsubscribed types)": 30,
}
ENTRIES = {**COMMANDS, **ACTIONS, **INSTRUCTING, **VIEWS, **EVENTS}
TAUGHT = {"setup_modal", "extend_modal"}  # modals only instructors are shown

# Known failures of today's listeners (being rewritten: one error path, a middleware, roles):
# entry point -> (the databases, the asserted symptoms expected, why). See the report table.
KNOWN: dict[str, tuple[set[str], set[str], str]] = {}
"""Entry points that fail today on known symptoms: entry -> (databases, symptoms, why). Each is
xfailed (strict=False) on exactly those symptoms; a new symptom still fails. Empty since the
listeners' rewrite (one request middleware, one error path, ids read by `record_id`); before
it, every status and page button, the thank-you button, and the chat and hand-in modals failed
on a '²' or a 40-digit id (apology, or HTTP 500 from the modals)."""


class KnownFailure(AssertionError):
    """Only the symptoms known for this entry point: xfail. Anything else fails the test."""


# -- waiting for listeners ---------------------------------------------------------------------


class TrackedExecutor(ThreadPoolExecutor):
    """The listener pool, counting work in flight so a test can wait until it is all done."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="listener")
        self._pending = 0
        self.submitted = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1
            self.submitted += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 30) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def wait_for_request(self, before: int, reply: Future[Reply], timeout: float = 30) -> None:
        """Until the listener the request started has finished, or it started none.

        The reply can come later than the listener's work (a slow answer).
        """

        def settled() -> bool:
            if self.submitted > before:
                return self._pending == 0
            return reply.done()

        with self._idle:
            waited = 0.0
            while not settled():
                self._idle.wait(0.005)
                waited += 0.005
                assert waited < timeout, "the request did not settle in 30 s"


# -- the world each entry point is fuzzed in ----------------------------------------------------


@dataclass
class Case:
    entry: str
    asker: str
    team: str
    send: Callable[[], Reply]
    example: str
    reachable: bool  # could a person produce it through Slack, without the signing secret?
    users: tuple[str, ...] = ()
    answers: bool = False  # must it answer the user somehow?
    registered: bool = True  # does the app have a listener for it?


@dataclass
class World:
    bot: Bot
    executor: TrackedExecutor
    rnd: random.Random
    own_contacts: list[int] = field(default_factory=list)
    own_chats: list[int] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # other students' contact and chat ids
    modals: dict[str, dict[str, Any]] = field(default_factory=dict)
    cohorts: list[str] = field(default_factory=list)  # the cohorts TEACHER instructs
    students: list[str] = field(default_factory=list)  # their students (Student.id)
    foreign_cohorts: list[str] = field(default_factory=list)  # another team's, a colleague's
    foreign_students: list[str] = field(default_factory=list)
    roster: dict[str, list[str]] = field(default_factory=dict)  # cohort id -> its students

    def quiet(self) -> None:
        assert self.executor.wait_idle(), "listeners still running after 30 s"

    def asker(self, teacher: float = 0.1) -> tuple[str, str]:
        """Mostly the student; sometimes their instructor, a newcomer, another team."""
        if self.rnd.random() < teacher:
            return TEACHER, TEAM
        roll = self.rnd.random()
        for limit, who in (
            (0.06, (NEWCOMER, TEAM)),
            (0.10, (STUDENT, OTHER_TEAM)),
            (0.13, (OTHER_STUDENT, OTHER_TEAM)),
            (0.15, (STUDENT, NOWHERE_TEAM)),
        ):
            if roll < limit:
                return who
        return STUDENT, TEAM

    def instructor(self) -> tuple[str, str]:
        """Mostly TEACHER; sometimes a student, a colleague, another team's instructor."""
        roll = self.rnd.random()
        for limit, who in (
            (0.12, (STUDENT, TEAM)),
            (0.2, (OTHER_TEACHER, OTHER_TEAM)),
            (0.26, (TEACHER, OTHER_TEAM)),
            (0.32, (ELSEWHERE_TEACHER, TEAM)),
            (0.35, (NEWCOMER, TEAM)),
        ):
            if roll < limit:
                return who
        return TEACHER, TEAM


def build_world(bot: Bot, executor: TrackedExecutor, entry: str) -> World:
    world = World(bot, executor, random.Random(f"{SEED}:{entry}"))
    bot.slack.users[TEACHER] = {"id": TEACHER, "tz": "America/Denver", "is_admin": True}
    bot.create_cohort(students_channel="C0STUDENTS", instructor_ids=[TEACHER])
    with bot.session() as session:
        spec = CohortSpec(
            team_id=OTHER_TEAM,
            name="Other team",
            start_date=date(2026, 9, 7),
            timezone="Europe/London",
            instructors_channel="C0OTHERINS",
            instructor_ids=[OTHER_TEACHER],
            student_ids=[OTHER_STUDENT],
        )
        create_cohort(session, spec, bot.clock())
    for text in (
        "outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace",
        "chat Grace Hopper https://www.linkedin.com/in/grace-hopper",
        "chat Jean Bartik https://www.linkedin.com/in/jean-bartik",
    ):
        bot.run(text)
    bot.run(
        "chat Other Person https://www.linkedin.com/in/other", user=OTHER_STUDENT, team=OTHER_TEAM
    )
    for sub, user in (
        ("outreach", STUDENT),
        ("chat", STUDENT),
        ("reflect", STUDENT),
        ("submit", STUDENT),
        ("setup", TEACHER),
    ):
        assert bot.send.command(sub, user=user).status == 200
        world.quiet()
        view = bot.slack.of("views.open")[-1].view()
        world.modals[view["callback_id"]] = view
    with bot.session() as session:
        for contact in session.scalars(select(Contact).join(Student)):
            owner = session.get(Student, contact.student_id)
            assert owner is not None
            chat = session.scalar(select(Chat).where(Chat.contact_id == contact.id))
            if owner.user_id == STUDENT:
                world.own_contacts.append(contact.id)
                world.own_chats += [chat.id] if chat else []
            else:
                world.foreign += [str(contact.id)] + ([str(chat.id)] if chat else [])
    world.foreign.append("999999")
    if entry in INSTRUCTING or entry == "view extend_modal":
        instructors_world(world)
    if entry in {"view schedule_modal", "view drafts_modal"}:
        choice = "scheduled" if entry == "view schedule_modal" else "drafts"
        unchatted = [c for c in world.own_contacts if str(c) not in _chat_contacts(world)]
        click(world, Action.CONTACT_MENU, f"{choice}:{unchatted[0]}:0", STUDENT, overflow=True)
        modal = bot.slack.of("views.open")[-1].view()
        world.modals[modal["callback_id"]] = modal
    world.quiet()
    bot.slack.clear()
    return world


def _chat_contacts(world: World) -> set[str]:
    with world.bot.session() as session:
        return {str(i) for i in session.scalars(select(Chat.contact_id))}


def instructors_world(world: World) -> None:
    """A second cohort TEACHER instructs (so there is a cohort picker) and a colleague's cohort
    in the same workspace; the extension form, opened from the report's menu."""
    bot = world.bot
    bot.slack.users[ELSEWHERE_TEACHER] = {"id": ELSEWHERE_TEACHER, "tz": "America/Denver"}
    bot.create_cohort(name="Mod 6", instructor_ids=[TEACHER], student_ids=[SECOND_STUDENT])
    bot.create_cohort(
        name="Mod 7",
        instructors_channel="C0INSTRUCC",
        instructor_ids=[ELSEWHERE_TEACHER],
        student_ids=[ELSEWHERE_STUDENT],
    )
    with bot.session() as session:
        for cohort in session.scalars(select(Cohort)):
            mine = cohort.team_id == TEAM and TEACHER in (cohort.instructor_ids or [])
            (world.cohorts if mine else world.foreign_cohorts).append(str(cohort.id))
            enrolled = select(Enrollment.student_id).where(Enrollment.cohort_id == cohort.id)
            ids = [str(i) for i in session.scalars(enrolled)]
            world.roster[str(cohort.id)] = ids
            (world.students if mine else world.foreign_students).extend(ids)
    world.foreign_cohorts.append("999999")
    world.foreign += [*world.foreign_cohorts, *world.foreign_students]
    first_cohort, first_student = world.cohorts[0], world.students[0]
    value = f"extend:{first_cohort}:{first_student}:report"
    click(world, Action.STUDENT_MENU, value, TEACHER, overflow=True)
    modal = bot.slack.of("views.open")[-1].view()
    world.modals[modal["callback_id"]] = modal


def click(world: World, action: Action, value: str, user: str, overflow: bool = False) -> None:
    """What a person's click sends, to set the world up; waits for its listener."""
    clicked: dict[str, Any] = {"type": "button", "value": value}
    if overflow:
        clicked = {"type": "overflow", "selected_option": {"value": value, "text": plain("x")}}
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "team_id": TEAM, "name": "someone"},
        "api_app_id": "A0APP",
        "trigger_id": "setup.1",
        "channel": {"id": "C0GENERAL", "name": "general"},
        "container": {"type": "message", "is_ephemeral": True},
        "response_url": world.bot.slack.response_url("setup"),
        "actions": [{**clicked, "action_id": action.value, "block_id": "b", "action_ts": "1.2"}],
    }
    assert world.bot.send.interactive(payload).status == 200
    world.quiet()


# -- hostile requests, by entry point -----------------------------------------------------------


def command_case(world: World, entry: str, typed: str | None = None) -> Case:
    rnd = world.rnd
    sub = entry.removeprefix("/coffee ")
    asker, team = world.asker(teacher=0.5 if sub in {"setup", "report", "export"} else 0.1)
    if typed is not None:
        asker, team, text = STUDENT, TEAM, typed
    elif sub == "<unknown>":
        text = hostile_text(rnd, size=rnd.randint(1, 4))
    else:
        spelled = {"(empty)": ""}.get(sub, sub)
        if spelled and rnd.random() < 0.2:
            spelled = rnd.choice([spelled.upper(), spelled.title(), f" \t{spelled}"])
        roll = rnd.random()
        if roll < 0.15:
            args = ""
        elif roll < 0.45 and sub in {"outreach", "chat"}:
            args = f"{markup_name(rnd)} {rnd.choice(URLS)}"
        elif roll < 0.6 and sub in {"outreach", "chat"}:
            args = f"{rnd.choice(NAMES)} {hostile_text(rnd, size=2)} {rnd.choice(URLS)}"
        elif roll < 0.55 and sub == "setup":
            args = "new"
        else:
            args = hostile_text(rnd, size=rnd.randint(1, 6))
        text = f"{spelled} {args}"
    text = text.encode("utf-8", "replace").decode()  # Slack sends UTF-8: no lone surrogates
    channel = rnd.choice(["C0GENERAL", "C0GENERAL", "C0STUDENTS", "D0DM", hostile_id(rnd, "C")])
    body = world.bot.send.command_body(text, user=asker, team=team, channel=channel)
    return Case(
        entry,
        asker,
        team,
        lambda: world.bot.send.form(body),
        f"{asker}@{team} /coffee {text}",
        reachable="\x00" not in text,
        answers=True,
    )


def action_case(world: World, entry: str, edge: str | None = None) -> Case:
    rnd = world.rnd
    asker, team = world.asker(teacher=0.05) if edge is None else (STUDENT, TEAM)
    own = [str(c) for c in world.own_contacts]
    page = rnd.choice(["0", "1", "3"])
    reachable = True
    if entry.startswith("action move_"):
        status = entry.removeprefix("action move_")
        if status == "<forged status>":
            status = rnd.choice(["sent", "deleted", "DROP", "x" * 200, "chatted_", "٣", "_"])
            reachable = False
        action_id = f"move_{status}"
        if edge is not None:
            value = rnd.choice([f"{edge}:0", f"{rnd.choice(own)}:{edge}", edge])
            reachable = False
        elif rnd.random() < 0.5:
            value = f"{rnd.choice(own)}:{page}"
        else:
            value = rnd.choice(
                [
                    f"{rnd.choice(world.foreign)}:{page}",
                    f"{rnd.choice(own)}:{hostile_number(rnd)}",
                    hostile_number(rnd),
                    f"{hostile_number(rnd)}:0",
                    "1:2:3",
                    ":",
                ]
            )
            reachable = False
    elif entry == "action list_page_newer/older":
        action_id = rnd.choice([Action.PAGE_NEWER, Action.PAGE_OLDER]).value
        number = rnd.choice(["0", "1", "2", "99", "9" * 30, "٣", "007"])
        value = number if rnd.random() < 0.5 else hostile_number(rnd)
        value = value if edge is None else edge
        reachable = number in {"0", "1", "2"} and value == number
    elif entry == "action thank_you_sent":
        action_id = Action.THANK_YOU_SENT.value
        if edge is not None:
            value, reachable = edge, False
        elif rnd.random() < 0.4 and world.own_chats:
            value = str(rnd.choice(world.own_chats))
        else:
            value = rnd.choice([rnd.choice(world.foreign), hostile_number(rnd)])
            reachable = False
    elif entry == "action open_reflect_modal":
        action_id = Action.OPEN_REFLECT.value
        value = rnd.choice([*own, hostile_number(rnd), rnd.choice(world.foreign)])
        value = value if edge is None else edge
        reachable = value in own
    elif entry == "action reached_out/open_drafts/undo_remove_chat":
        action_id = rnd.choice([Action.REACHED_OUT, Action.OPEN_DRAFTS, Action.UNDO_REMOVE]).value
        mine = rnd.choice(own)
        value = rnd.choice(
            [f"{mine}:{page}", mine, f"{rnd.choice(world.foreign)}:0", hostile_number(rnd)]
        )
        value = value if edge is None else edge
        reachable = value.split(":")[0] in own
    elif entry == "action contact_menu/chat_menu":
        action_id = rnd.choice([Action.CONTACT_MENU, Action.CHAT_MENU]).value
        choice = rnd.choice([*CHOICES, "sent", "x" * 200, "٣"])
        contact = rnd.choice([rnd.choice(own), rnd.choice(world.foreign), hostile_number(rnd)])
        value = f"{choice}:{contact}:{page}" if edge is None else edge
        reachable = choice in CHOICES and contact in own
    elif entry == "action check_in_happened/rescheduled/missed":
        action_id = rnd.choice(
            [Action.CHECK_IN_HAPPENED, Action.CHECK_IN_RESCHEDULED, Action.CHECK_IN_MISSED]
        ).value
        mine = rnd.choice(own)
        value = rnd.choice(
            [
                f"{mine}:{rnd.randint(1, 2**31)}",
                mine,
                f"{rnd.choice(world.foreign)}:1789000000",
                f"{mine}:{hostile_number(rnd)}",
                f"{hostile_number(rnd)}:1789000000",
                ":",
            ]
        )
        value = value if edge is None else edge
        reachable = value.split(":")[0] in own
    elif entry == "action how_it_works/open_*_modal":
        action_id = rnd.choice(
            [Action.HOW_IT_WORKS, Action.OPEN_HANDIN, Action.OPEN_OUTREACH, Action.OPEN_CHAT]
        ).value
        value = hostile_number(rnd) if edge is None else edge
    else:
        action_id = rnd.choice(
            [
                Action.INPUT,
                "list_page_1",  # the page buttons of messages sent before they were renamed
                "move",
                "x" * 300,
            ]
        )
        value = hostile_number(rnd)
        reachable = False
    n = rnd.randint(1, 10**9)
    clicked: dict[str, Any] = {"type": "button", "value": value}
    if entry == "action contact_menu/chat_menu":  # an overflow sends the option picked
        clicked = {"type": "overflow", "selected_option": {"value": value, "text": plain(value)}}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": team, "domain": "test"},
        "user": {"id": asker, "team_id": team, "name": "student"},
        "api_app_id": "A0APP",
        "trigger_id": f"fuzz.{n}",
        "actions": [
            {
                **clicked,
                "action_id": action_id,
                "block_id": rnd.choice(["b", f"move_{value[:20]}", hostile_text(rnd, size=1)]),
                "action_ts": "1.2",
            }
        ],
    }
    in_modal = entry == "action open_reflect_modal" and rnd.random() < 0.4
    if in_modal or rnd.random() < 0.03:  # a click inside a modal (the view of a logged chat)
        reachable = reachable and in_modal
        payload["view"] = {
            "id": "V0DONE",
            "type": "modal",
            "team_id": team,
            "state": {"values": {}},
        }
        payload["container"] = {"type": "view", "view_id": "V0DONE"}
    else:
        payload["channel"] = {"id": rnd.choice(CHANNELS), "name": "general"}
        payload["container"] = {"type": "message", "is_ephemeral": True}
        payload["response_url"] = world.bot.slack.response_url(f"fuzz{n}")
    if rnd.random() < 0.05:
        payload["team"] = {"id": rnd.choice([OTHER_TEAM, NOWHERE_TEAM])}
        reachable = False
    return Case(
        entry,
        asker,
        team,
        lambda: world.bot.send.interactive(payload),
        f"{asker}@{team} {action_id} value={value}{' in a modal' if 'view' in payload else ''}",
        reachable,
        registered=entry not in {"action unregistered ids", "action move_<forged status>"},
    )


KINDS = [kind.value for kind in ActionKind]


def instructor_case(world: World, entry: str, edge: str | None = None) -> Case:
    """A click on an instructor's button or menu, naming a cohort (and a student) that may be
    another team's, a colleague's, another cohort's, or not an id at all."""
    rnd = world.rnd
    asker, team = world.instructor() if edge is None else (TEACHER, TEAM)

    def pick(own: list[str], foreign: list[str]) -> tuple[str, bool]:
        roll = rnd.random()
        if roll < 0.6:
            return rnd.choice(own), True
        if roll < 0.85:
            return rnd.choice(foreign), False
        return rnd.choice([hostile_number(rnd), "<!channel>", "9" * 20]), False

    cohort, real = pick(world.cohorts, world.foreign_cohorts)
    action_id: str
    overflow = select_menu = False
    if entry == "action student_menu":
        action_id, overflow = Action.STUDENT_MENU.value, True
        student, real_student = pick(world.students, world.foreign_students)
        kind = rnd.choice([*KINDS, *KINDS, "delete", "NUDGE", "<!channel>", "x" * 200, ""])
        where = rnd.choice([*WHERE, *WHERE, "<!here>", hostile_text(rnd, size=1), ""])
        value = f"{kind}:{cohort}:{student}:{where}"
        if rnd.random() < 0.1:
            value = rnd.choice([f"{value}:{hostile_number(rnd)}", hostile_text(rnd, size=2)])
        real = real and real_student and student in world.roster.get(cohort, [])
        real = real and kind in KINDS and where in WHERE and value.count(":") == 3
    elif entry == "action report_page":
        action_id = Action.REPORT_PAGE.value
        page = rnd.choice(["0", "1", "2", "99", "9" * 30, "-1", "²", "", hostile_number(rnd)])
        value = f"{cohort}:{page}" if rnd.random() < 0.9 else hostile_text(rnd, size=2)
        real = real and page in {"0", "1"} and value == f"{cohort}:{page}"
    elif entry == "action pick_cohort":
        action_id, select_menu = Action.PICK_COHORT.value, True
        purpose = rnd.choice(["report", "export", "report", "export", "delete", "<!channel>", ""])
        value = f"{purpose}:{cohort}"
        real = real and purpose in {"report", "export"}
    else:
        choices = [Action.POST_DIGEST, Action.EXPORT, Action.OPEN_SETUP]
        action_id = rnd.choice(choices).value
        value = cohort
    if edge is not None:
        value = rnd.choice([edge, f"{edge}:{edge}", f"nudge:{edge}:{world.students[0]}:report"])
        real = False
    real = real and asker == TEACHER and team == TEAM
    n = rnd.randint(1, 10**9)
    clicked: dict[str, Any] = {"type": "button", "value": value}
    if overflow or select_menu:
        option = {"value": value, "text": plain(value[:75] or "x")}
        kind_of = "overflow" if overflow else "static_select"
        clicked = {"type": kind_of, "selected_option": option}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": team, "domain": "test"},
        "user": {"id": asker, "team_id": team, "name": "instructor"},
        "api_app_id": "A0APP",
        "trigger_id": f"fuzz.{n}",
        "actions": [{**clicked, "action_id": action_id, "block_id": "b", "action_ts": "1.2"}],
    }
    roll = rnd.random()
    if roll < 0.2:  # on their App Home
        payload["view"] = {"id": "V0HOME", "type": "home", "team_id": team}
        payload["container"] = {"type": "view", "view_id": "V0HOME"}
    else:  # on the report (ephemeral) or a digest in the instructors' channel
        ts = rnd.choice(["1.2", "1700000000.000100", hostile_text(rnd, size=1)])
        channel = rnd.choice(["C0INSTRUCT", "C0INSTRUCC", "C0OTHERINS", *CHANNELS])
        payload["channel"] = {"id": channel, "name": "instructors"}
        payload["container"] = {"type": "message", "message_ts": ts, "is_ephemeral": roll < 0.6}
        payload["response_url"] = world.bot.slack.response_url(f"fuzz{n}")
    shown = f"{asker}@{team} {action_id} value={value[:80]}"
    return Case(entry, asker, team, lambda: world.bot.send.interactive(payload), shown, real)


def view_case(world: World, entry: str, edge: tuple[str, str] | None = None) -> Case:
    rnd = world.rnd
    callback = entry.removeprefix("view ")
    if entry.startswith("view_closed"):
        callback = rnd.choice(list(world.modals))
    view = world.modals[callback]
    asker, team = world.asker(teacher=0.8 if callback in TAUGHT else 0.05)
    if callback in TAUGHT and asker == TEACHER and rnd.random() < 0.2:
        asker = STUDENT  # a student submitting the instructors' form
    values: dict[str, Any] = {}
    reachable, users, shown = True, (), []
    own_ids = [str(i) for i in world.own_contacts + world.own_chats]
    inputs = [block for block in view["blocks"] if block.get("type") == "input"]
    hostile = set(rnd.sample(range(len(inputs)), min(len(inputs), rnd.choice([0, 1, 1, 2]))))
    if edge is not None:
        asker, team, hostile = (TEACHER if callback in TAUGHT else STUDENT), TEAM, set()
    for number, block in enumerate(inputs):
        block_id = block["block_id"]
        if edge is not None and block_id == edge[0]:
            values[block_id] = edge_state(block["element"], edge[1])
            reachable = False
            shown.insert(0, f"{block_id}={_brief(values[block_id])}")
            continue
        if number not in hostile:
            values[block_id] = plausible_element(rnd, block_id, block["element"])
            shown.append(f"{block_id}={_brief(values[block_id])}")
            continue
        if rnd.random() < 0.05:
            reachable = False  # Slack always sends every input block
            shown.append(f"{block_id} left out")
            continue
        forged = forge_element(rnd, block["element"], [*world.foreign, *own_ids])
        values[block_id] = forged.state
        reachable = reachable and forged.reachable
        users += forged.users
        shown.insert(0, f"{block_id}={_brief(forged.state)}")
    picked = (values.get("contact") or {}).get("selected_option")
    if picked and (values.get("name") or {}).get("value"):  # a person picks one or types one
        if rnd.random() < 0.5:
            values["contact"] = {"type": "static_select", "selected_option": None}
        else:
            values["name"] = {"type": "plain_text_input", "value": None}
    metadata, real = hostile_metadata(rnd, view.get("private_metadata", ""), world.foreign)
    if edge is not None:
        metadata, real = view.get("private_metadata", ""), True
    submitted = {**view, "private_metadata": metadata}
    if entry.startswith("view_closed"):
        payload = {
            "type": "view_closed",
            "team": {"id": team},
            "user": {"id": asker, "team_id": team},
            "view": {**submitted, "id": "V0VIEW", "team_id": team},
            "is_cleared": rnd.random() < 0.5,
        }
        send: Callable[[], Reply] = lambda: world.bot.send.interactive(payload)  # noqa: E731
    else:
        send = lambda: world.bot.send.view_submission(  # noqa: E731
            submitted, values, user=asker, team=team
        )
    example = f"{asker}@{team} {callback} {' '.join(shown)} meta={metadata[:60]}"
    return Case(
        entry,
        asker,
        team,
        send,
        example,
        reachable and real,
        users,
        answers=not entry.startswith("view_closed") and callback != "drafts_modal",  # Done: closed
        registered=not entry.startswith("view_closed"),
    )


TIMEZONES = ["America/Denver", "Mars/Olympus", "", None, "../../etc/passwd", "UTC\x00", "utc"]


def event_case(world: World, entry: str) -> Case:
    rnd = world.rnd
    asker, team = world.asker(teacher=0.05)
    user = rnd.choice([asker, asker, hostile_id(rnd), BOT_USER, None])
    kind = entry.removeprefix("event ")
    event: dict[str, Any]
    if kind == "app_home_opened":
        event = {"type": kind, "user": user, "channel": "D0DM", "event_ts": "1.2"}
        event["tab"] = rnd.choice(["home", "home", "messages", hostile_text(rnd, size=1), None])
    elif kind in {"member_joined_channel", "member_left_channel"}:
        event = {"type": kind, "user": user, "channel_type": "C", "event_ts": "1.2"}
        event["channel"] = rnd.choice(["C0STUDENTS", "C0STUDENTS", *CHANNELS, None])
        event["team"] = rnd.choice([team, team, OTHER_TEAM, None])
    elif kind == "user_change":
        profile = {"id": user, "team_id": rnd.choice([team, team, OTHER_TEAM, None])}
        profile["tz"] = rnd.choice([*TIMEZONES, hostile_text(rnd, size=1), 5, ["UTC"]])
        event = {"type": kind, "user": profile if rnd.random() < 0.9 else user}
    else:
        event = rnd.choice(
            [
                {"type": "message", "user": user, "channel": "C0STUDENTS", "text": "<!channel>"},
                {"type": "team_join", "user": {"id": hostile_id(rnd), "team_id": team}},
                {"type": "channel_created", "channel": {"id": "C0NEW", "name": "x"}},
                {"type": "app_mention", "user": user, "text": hostile_text(rnd)},
                {"type": hostile_text(rnd, size=1)},
            ]
        )
    event = {k: v for k, v in event.items() if v is not None or rnd.random() < 0.3}
    return Case(
        entry,
        asker,
        team,
        lambda: world.bot.send.event(event, team=team),
        f"{team} {json.dumps(event, ensure_ascii=False)[:120]}",
        reachable=user == asker and team != NOWHERE_TEAM and _natural(event),
        registered=kind != "(unsubscribed types)",
    )


EDGES = ["²", "٣", "9" * 40, "-1", "1e3", " 1", "0x1F", "", "null", "9999-12-31"]
EDGE_TEXTS = [
    "<!channel>",
    "<!here> <@U0BOSS> Smith",
    "Pat <!subteam^S0TEAM|@team> payload https://www.linkedin.com/in/payload-pat",
    "ﬃ" * 40,
    "Ada <https://evil.example|https://www.linkedin.com/in/ada> Lovelace",
    "A" * 3000,
]


def edge_cases(world: World, entry: str) -> list[Case]:
    """The values that broke something once, tried on purpose before the random ones."""
    if entry in COMMANDS:
        sub = {"(empty)": "", "<unknown>": ""}.get(entry.removeprefix("/coffee "), entry[8:])
        return [command_case(world, entry, f"{sub} {text}".strip()) for text in EDGE_TEXTS]
    if entry in ACTIONS and entry != "action unregistered ids":
        return [action_case(world, entry, edge) for edge in EDGES]
    if entry in INSTRUCTING:
        return [instructor_case(world, entry, edge) for edge in [*EDGES, *EDGE_TEXTS[:3]]]
    if entry in VIEWS and not entry.startswith("view_closed"):
        view = world.modals[entry.removeprefix("view ")]
        fields = [
            b["block_id"]
            for b in view["blocks"]
            if b.get("type") == "input" and b["element"].get("type") != "plain_text_input"
        ]
        return [view_case(world, entry, (field, edge)) for field in fields for edge in EDGES]
    return []


def edge_state(element: dict[str, Any], edge: str) -> dict[str, Any]:
    kind = element.get("type")
    if kind == "static_select":
        return {"type": kind, "selected_option": {"value": edge}}
    if kind == "multi_static_select":
        return {"type": kind, "selected_options": [{"value": edge}, {"value": edge}]}
    if kind == "datepicker":
        return {"type": kind, "selected_date": edge}
    if kind == "datetimepicker":
        return {
            "type": kind,
            "selected_date_time": int(edge) if edge.lstrip("-").isdecimal() else 0,
        }
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": "C" + edge if edge.isalnum() else None}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": []}
    return {"type": kind, "value": edge}


def _natural(event: dict[str, Any]) -> bool:
    """Whether Slack could send this event as it is (a real tab, a real timezone)."""
    profile = event.get("user")
    if isinstance(profile, dict):
        return profile.get("tz") == "America/Denver" and profile.get("team_id") is not None
    return event.get("tab", "home") in {"home", "messages"} and "channel" in event


def case_for(world: World, entry: str) -> Case:
    if entry in COMMANDS:
        return command_case(world, entry)
    if entry in ACTIONS:
        return action_case(world, entry)
    if entry in INSTRUCTING:
        return instructor_case(world, entry)
    if entry in VIEWS:
        return view_case(world, entry)
    return event_case(world, entry)


def _brief(state: dict[str, Any]) -> str:
    shown = {k: v for k, v in state.items() if k != "type"}
    return json.dumps(shown, ensure_ascii=False)[:50]


# -- what the bot answered ---------------------------------------------------------------------


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _mrkdwn(node: Any, top: bool = True) -> Iterator[str]:
    """Texts Slack renders as mrkdwn: a message's text, mrkdwn objects, untyped texts."""
    if isinstance(node, dict):
        kind = node.get("type")
        if isinstance(node.get("text"), str) and (kind == "mrkdwn" or kind is None or top):
            yield node["text"]
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                yield from _mrkdwn(value, top=False)
    elif isinstance(node, list):
        for item in node:
            yield from _mrkdwn(item, top=False)


def _reply_json(reply: Reply) -> Any:
    try:
        return json.loads(reply.body) if reply.body else None
    except ValueError:
        return None


def symptoms(
    world: World, case: Case, reply: Reply, calls: list[Call], errors: list[str]
) -> list[str]:
    found: list[str] = []
    if reply.status >= 500:
        found.append(FIVE_XX)
    acked = _reply_json(reply)
    everything = [*_strings(acked), *(s for c in calls for s in _strings(c.params))]
    if any(UNEXPECTED in s or DATABASE_DOWN in s for s in everything):
        found.append(APOLOGY)
    shown = [*_mrkdwn(acked), *(t for c in calls for t in _mrkdwn(c.params))]
    if any(BROADCAST_RE.search(text) for text in shown):
        found.append(BROADCAST)
    mentioned = {uid for text in shown for uid in MENTION_RE.findall(text)}
    allowed = {case.asker, BOT_USER, *case.users, *INSTRUCTORS.get(case.team, set())}
    if mentioned - allowed:
        allowed |= instructors_of(world, case.team) | students_taught_by(world, case)
    if mentioned - allowed:
        found.append(FOREIGN)
    try:
        for call in calls:
            assert_valid_call(call)
        if isinstance(acked, dict) and isinstance(acked.get("view"), dict):
            assert_valid_view(acked["view"])
    except Exception:
        found.append(BLOCK_KIT)
    found += sorted({f"{LOGGED}: {_cause(error)}" for error in errors})
    if reply.status == 404 and case.registered:
        found.append(LOST_ACK)
    if case.answers and reply.status == 200 and not calls and not reply.body:
        found.append(SILENT)
    return found


def _cause(message: str) -> str:
    """The kind of a listener error, without the value that caused it."""
    cause = re.sub(r"^listener failed( on \S+)?: ", "", message.split("\n", 1)[0])
    cause = re.sub(r"^\([\w.]+\) ", "", cause)  # SQLAlchemy's (psycopg.errors.X) prefix
    return re.split(r": '|\[SQL", cause, maxsplit=1)[0].strip()[:44]


def students_taught_by(world: World, case: Case) -> set[str]:
    """The students an instructor sees (in their report, App Home and digests): those of the
    cohorts they instruct in their own workspace. Nobody, for anyone else."""
    with world.bot.session() as session:
        cohorts = session.scalars(select(Cohort).where(Cohort.team_id == case.team))
        taught = [c.id for c in cohorts if case.asker in (c.instructor_ids or [])]
        if not taught:
            return set()
        return set(
            session.scalars(
                select(Student.user_id)
                .join(Enrollment, Enrollment.student_id == Student.id)
                .where(Enrollment.cohort_id.in_(taught))
            )
        )


def instructors_of(world: World, team: str) -> set[str]:
    with world.bot.session() as session:
        cohorts = session.scalars(select(Cohort).where(Cohort.team_id == team))
        return {uid for cohort in cohorts for uid in cohort.instructor_ids or []}


# -- the run ----------------------------------------------------------------------------------


@dataclass
class Finding:
    count: int = 0
    reachable: int = 0
    example: str = ""


FINDINGS: dict[tuple[str, str, str], Finding] = {}
SENT: dict[str, int] = {}


@pytest.fixture
def fuzz_bot(settings: Settings, fake_slack: FakeSlack) -> Iterator[tuple[Bot, TrackedExecutor]]:
    executor = TrackedExecutor()
    try:
        with running_bot(settings, fake_slack, executor=executor) as bot:
            yield bot, executor
    finally:
        executor.shutdown(wait=True)


def _params() -> list[Any]:
    params = []
    for database in SCALE:
        for entry in ENTRIES:
            marks = []
            if entry in KNOWN and database in KNOWN[entry][0]:
                reason = KNOWN[entry][2]
                marks.append(pytest.mark.xfail(strict=False, reason=reason, raises=KnownFailure))
            params.append(pytest.param(entry, database, marks=marks, id=f"{database}:{entry}"))
    return params


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("entry", "database_url"), _params(), indirect=["database_url"])
def test_hostile_requests_get_no_5xx_no_apology_and_no_live_mention(
    entry: str,
    database_url: str,
    fuzz_bot: tuple[Bot, TrackedExecutor],
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot, executor = fuzz_bot
    database = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    world = build_world(bot, executor, entry)
    caplog.set_level(logging.WARNING)
    edges = edge_cases(world, entry)
    count = max(1, round(ENTRIES[entry] * SCALE[database]))
    cases = iter([*edges, *(case_for(world, entry) for _ in range(count))])
    count += len(edges)
    failed: dict[str, Finding] = {}
    sent: list[tuple[Case, Future[Reply], list[Call], list[str]]] = []
    with ThreadPoolExecutor(16, thread_name_prefix="fuzz-client") as clients:
        for case in cases:
            calls_before, submitted_before = len(bot.slack.calls), executor.submitted
            caplog.clear()
            reply = clients.submit(case.send)
            executor.wait_for_request(submitted_before, reply)
            errors = [
                r.getMessage()
                for r in caplog.records
                if r.levelno >= logging.ERROR and r.threadName.startswith("listener")
            ]
            sent.append((case, reply, bot.slack.calls[calls_before:], errors))
        results = [(case, reply.result(30), calls, errors) for case, reply, calls, errors in sent]
    for case, answer, calls, errors in results:
        for symptom in symptoms(world, case, answer, calls, errors):
            finding = FINDINGS.setdefault((database, entry, symptom), Finding())
            finding.count += 1
            finding.reachable += case.reachable
            finding.example = finding.example or _shown(case, answer)
            if symptom in ASSERTED:
                failed[symptom] = finding
    SENT[database] = SENT.get(database, 0) + count
    if failed:
        table = "\n".join(f"  {s}: {f.count}× e.g. {f.example}" for s, f in failed.items())
        known = KNOWN.get(entry, (set(), set(), ""))[1]
        error = KnownFailure if set(failed) <= known else AssertionError
        raise error(f"{entry} on {database}, {count} requests:\n{table}")


def _shown(case: Case, reply: Reply) -> str:
    text = case.example if len(case.example) <= 160 else case.example[:159] + "…"
    return f"{text!r} → HTTP {reply.status}"


@pytest.fixture(scope="module", autouse=True)
def findings_table(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not SENT:
        return
    lines = [
        f"fuzz: {sum(SENT.values())} hostile signed requests ("
        + ", ".join(f"{n} on {db}" for db, n in SENT.items())
        + "); ! asserted, ? known failure (xfail), via Slack: how many a person could send",
        f"  {'database':<10} {'entry point':<30} {'symptom':<67} {'count':>5} {'via Slack':>9}",
    ]
    for (database, entry, symptom), f in sorted(FINDINGS.items()):
        known = symptom in KNOWN.get(entry, (set(), set(), ""))[1]
        flag = ("?" if known else "!") if symptom in ASSERTED else " "
        lines.append(
            f"{flag} {database:<10} {entry:<30} {symptom:<67} {f.count:>5} {f.reachable:>9}"
        )
        lines.append(f"      e.g. {f.example}")
    if len(lines) == 2:
        lines.append("  (no findings)")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + "\n".join(lines))
    target = os.environ.get("COFFEE_FUZZ_REPORT")
    if target:
        rows = [
            {"database": d, "entry": e, "symptom": s, **vars(f)}
            for (d, e, s), f in sorted(FINDINGS.items())
        ]
        with open(target, "w", encoding="utf-8") as out:
            json.dump({"sent": SENT, "findings": rows}, out, ensure_ascii=False, indent=1)
