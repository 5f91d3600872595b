"""One read model: wherever a student's standing shows, it says the same at the same instant."""

from __future__ import annotations

import re
from datetime import datetime

from tests.conftest import Bot
from tests.schedule_fixtures import World, local
from tests.slackreq import STUDENT

DENVER = "America/Denver"
MONDAY_WEEK_3 = local(DENVER, 2026, 9, 21, 9)  # the nudge, the follow-ups and (here) the checkpoint
LOGGED = local(DENVER, 2026, 9, 16, 8)  # five days before: their follow-ups are due at 09:00
WAITING = [f"Person {n}" for n in range(1, 6)]


def url(name: str) -> str:
    return "https://www.linkedin.com/in/" + name.lower().replace(" ", "-")


def linked_names(text: str) -> set[str]:
    return set(re.findall(r"<https://www\.linkedin\.com/in/[^|>]+\|([^>]+)>", text))


def seed(world: World, now: datetime) -> None:
    """One student: a chat, and seven more people tried: one replied, one marked no response."""
    world.create_cohort(
        local(DENVER, 2026, 9, 1, 12), student_ids=[STUDENT], checkpoint_at=MONDAY_WEEK_3
    )
    world.chat(STUDENT, "Chatted Person", local(DENVER, 2026, 9, 10, 12), url("Chatted Person"))
    people = [(name, url(name)) for name in [*WAITING, "Replied Person", "Silent Person"]]
    world.outreach_many(STUDENT, people, now)
    world.move(STUDENT, "Replied Person", "responded", now)
    world.move(STUDENT, "Silent Person", "no_response", now)


def test_status_home_nudge_follow_up_and_digest_give_the_same_unanswered_list(
    bot: Bot, world: World
) -> None:
    seed(world, LOGGED)
    unanswered = {*WAITING, "Silent Person"}

    world.run(MONDAY_WEEK_3)
    dms = [p for p in world.slack.delivered(channel=STUDENT) if p.part == 1]
    # One DM that morning besides the checkpoint's: the nudge leads, the follow-ups are in it.
    [morning] = [p for p in dms if p.kind not in ("checkpoint", "kickoff")]
    assert morning.kind == "weekly-nudge"
    assert {k.split(":")[0] for k in morning.keys} == {"weekly-nudge", "follow-up"}
    assert len(morning.keys) == 1 + len(WAITING)
    posts = {p.kind: p.readable() for p in world.slack.delivered() if p.part == 1}
    bot.clock.set(MONDAY_WEEK_3)
    status = bot.run("status").text()
    assert bot.send.event({"type": "app_home_opened", "user": STUDENT, "tab": "home"}).status == 200
    [home] = bot.wait_for("views.publish")

    shown = {
        "status": status,
        "App Home": home.text(),
        "Monday morning (nudge and follow-ups)": posts["weekly-nudge"],
        "checkpoint digest": posts["checkpoint-digest"],
    }
    for where, text in shown.items():
        assert linked_names(text) & {*unanswered, "Replied Person"} == unanswered, where
        assert "(6)" in text, where  # the same count: five waiting, one marked no response
    for where in (
        "status",
        "App Home",
        "Monday morning (nudge and follow-ups)",
        "checkpoint digest",
    ):
        text = shown[where]
        assert re.search(r"1/2\b", text) and re.search(r"\b8\b", text), where  # chats, tried
    morning_text = posts["weekly-nudge"]
    assert morning_text.count("5 days, follow up today") == len(WAITING)  # not the silent one
    assert "Week 3 check-in" in morning_text
