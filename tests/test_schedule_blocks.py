"""The digests and reminders as Block Kit: the seed's rule, and Slack's limits at any size."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.blocks import digests, reminders
from bot.blocks.packing import Message, size
from bot.domain.calendar import Break
from bot.domain.standing import (
    Attempt,
    ChatFacts,
    CohortFacts,
    Planned,
    ReflectionState,
    Standing,
)
from tests.blockkit import assert_valid_blocks

NOW = datetime(2026, 9, 18, 23, tzinfo=UTC)


def cohort(**overrides: object) -> CohortFacts:
    values: dict[str, object] = {
        "id": 1,
        "name": "Mod 5 <!channel>",
        "timezone": "America/Denver",
        "start_date": date(2026, 9, 7),
        "breaks": (Break(date(2026, 9, 21), 1),),
        "checkpoint_at": NOW,
        "deadline_at": NOW + timedelta(days=14),
        "required_chats": 2,
        "min_attempts": 8,
        "instructors_channel": "C0INSTRUCT",
        "instructor_ids": ("U0TEACH",),
        "created_by": None,
        "created_at": NOW - timedelta(days=30),
        **overrides,
    }
    return CohortFacts(**values)  # type: ignore[arg-type]


def attempt(n: int, status: str = "sent", long: bool = False) -> Attempt:
    name = f"Person Number {n}" + (
        " With An Extraordinarily Long Hyphenated-Name" * 2 if long else ""
    )
    slug = f"person-{n}" + ("-with-an-extraordinarily-long-profile-slug-indeed" if long else "")
    return Attempt(
        id=n,
        contact_id=n,
        name=name,
        linkedin_url=f"https://www.linkedin.com/in/{slug}",
        sent_on=date(2026, 9, 8),
        sent_at=NOW - timedelta(days=10),
        status=status,
    )


def student(
    n: int,
    chats: int = 0,
    tried: int = 0,
    long: bool = False,
    outreach: tuple[Attempt, ...] | None = None,
    **kw: object,
) -> Standing:
    attempts = outreach or tuple(attempt(n * 1000 + k, long=long) for k in range(tried))
    unanswered = tuple(sorted((a for a in attempts if a.unanswered), key=lambda a: a.id))
    values: dict[str, object] = {
        "student_id": n,
        "user_id": f"U0S{n:03}",
        "enrolled_at": NOW - timedelta(days=20),
        "deadline_at": NOW + timedelta(days=14),
        "extended": False,
        "attempts": len(attempts),
        "unanswered": unanswered,
        "unanswered_count": len(unanswered),
        "chats": tuple(
            ChatFacts(n * 1000 + 900 + k, f"Chat {k}", None, date(2026, 9, 9), NOW)
            for k in range(chats)
        ),
        **kw,
    }
    return Standing(**values)  # type: ignore[arg-type]


def assert_fits(message: Message) -> None:
    """Valid Block Kit, at most 50 blocks, and a size Slack takes and a person can read."""
    assert_valid_blocks(message.blocks)
    assert sum(size(b) for b in message.blocks) + len(message.text) <= 40000


def every_message(message: Message) -> list[Message]:
    return [message, *message.thread]


def text_of(message: Message) -> str:
    """The notification text and every mrkdwn text: where Slack parses mentions and links."""
    found: list[str] = [message.text]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.blocks)
    return "\n".join(found)


def test_checkpoint_digest_lists_unanswered_contacts_and_flags_fewer_than_8() -> None:
    students = [
        student(1, chats=2, tried=3),  # on track: named, not detailed
        student(2, chats=1, tried=9),
        student(3, chats=0, tried=5),
        student(4, chats=0, tried=8),
        student(5, chats=1, tried=2),
    ]
    message = digests.checkpoint_digest(cohort(), students)
    assert message.thread == []
    assert_fits(message)
    text = text_of(message)
    assert "*4 of 5 students* have fewer than 2 chats" in text
    assert "everyone they tried who hasn't responded — at least 8 people" in text
    assert "*2* of them have fewer than 8 on that list" in text
    assert "*On track (1):* <@U0S001>" in text
    ranked = [int(u) for u in re.findall(r"\d+\. <@U0S(\d+)>", text)]
    assert ranked == [3, 4, 5, 2]  # no chat and a short list; no chat; one chat and short; one
    lines = {int(m.group(1)): m.group(0) for m in re.finditer(r"<@U0S(\d+)> —[^\n]*", text)}
    assert "5 waiting on a reply, fewer than 8" in lines[3] and "fewer than 8" in lines[5]
    assert "fewer than 8" not in lines[4] and "fewer than 8" not in lines[2]
    assert "no chat yet" in lines[3] and "1/2 chats" in lines[2]
    for k in range(9):
        assert f"<https://www.linkedin.com/in/person-{2000 + k}|Person Number {2000 + k}>" in text
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    menus = [b["accessory"] for b in message.blocks if "accessory" in b]
    assert len(menus) == 4 and {o["value"].split(":")[0] for o in menus[0]["options"]} == {
        "nudge",
        "extend",
        "excuse",
    }
    assert menus[0]["options"][0]["value"] == "nudge:1:3:checkpoint"  # what, cohort, whom, where


def test_the_unanswered_list_leaves_out_people_who_replied_or_chatted() -> None:
    tried = (attempt(1), attempt(2, "responded"), attempt(3, "chatted"), attempt(4, "no_response"))
    one = student(1, chats=1, outreach=tried)
    text = text_of(digests.checkpoint_digest(cohort(), [one]))
    assert "Person Number 1>" in text and "Person Number 4>" in text
    assert "Person Number 2>" not in text and "Person Number 3>" not in text
    assert "Waiting on a reply (2)" in text
    dm = text_of(reminders.checkpoint_dm(cohort(), one, "/coffee"))
    assert "person-1 " in dm and "person-4 " in dm and "person-2" not in dm


@pytest.mark.parametrize(("size", "tried"), [(60, 30), (300, 12), (2000, 12), (1, 400)])
def test_a_digest_of_any_size_is_one_post_and_at_most_three_thread_replies(
    size: int, tried: int
) -> None:
    students = [student(n, chats=n % 2, tried=tried, long=True) for n in range(size)]
    message = digests.checkpoint_digest(cohort(), students)
    messages = every_message(message)
    assert len(message.thread) <= 3
    for part in messages:
        assert_fits(part)
        assert len(part.text) < 4000
    everything = "\n".join(text_of(m) for m in messages)
    for n in range(size):
        assert f"<@U0S{n:03}>" in everything  # everyone is named, on top or in the thread
    top = text_of(message)
    most_at_risk = [int(u) for u in re.findall(r"\d+\. <@U0S(\d+)>", top)]
    assert len(most_at_risk) == min(10, size)
    for n in most_at_risk:  # the most at risk show whom they tried, on top
        assert f"person-{n * 1000}-with" in top
    if size >= 300:
        assert "`/coffee export`" in everything  # the full lists are in the export


def test_the_deadline_digest_says_who_handed_in_who_is_missing_and_who_has_more_time() -> None:
    link = "https://test.slack.com/archives/C0INSTRUCT/p1"
    students = [
        student(1, chats=2, submitted_at=NOW, handin_link=link),
        student(2, chats=2, submitted_at=NOW, submission_late=True),
        student(3, chats=1, reflection=ReflectionState.DRAFT),
        student(4, chats=0),
        student(5, chats=0, extended=True, deadline_at=NOW + timedelta(days=21)),
        student(6, chats=0, excused=True),
    ]
    message = digests.deadline_digest(
        cohort(deadline_at=NOW + timedelta(days=14)), students, now=NOW + timedelta(days=14)
    )
    assert_fits(message)
    text = text_of(message)
    assert "2 of 6 handed in" in text and "(1 late)" in text and "*2* missing" in text
    assert "*1* excused" in text and "*Excused (1):* <@U0S006>" in text
    missing = text[text.index("Missing") : text.index("Extensions")]
    assert missing.index("<@U0S004>") < missing.index("<@U0S003>")
    assert "<@U0S005> — until" in text[text.index("Extensions") :]
    handed = text[text.index("Handed in (2)") :]
    assert f"<@U0S001> — on time, <{link}|post>" in handed
    assert "<@U0S002> — late" in handed


def test_a_very_large_deadline_digest_stays_within_limits() -> None:
    students = [student(n, chats=n % 3, submitted_at=NOW if n % 4 else None) for n in range(500)]
    message = digests.deadline_digest(cohort(), students)
    for part in every_message(message):
        assert_fits(part)


def test_every_reminder_is_valid_block_kit_and_escapes_names() -> None:
    c = cohort()
    nobody = student(1)
    busy = student(2, chats=1, tried=300, long=True)
    chat = ChatFacts(
        7,
        "Ada <@U0EVIL> *Lovelace*",
        "https://www.linkedin.com/in/ada",
        date(2026, 9, 9),
        NOW,
        takeaways="<!channel> " + "x" * 5000,
        contact_id=70,
    )
    other = ChatFacts(8, "Grace <!here>", None, date(2026, 9, 9), NOW, contact_id=80)
    planned = Planned(9, "Eve <@U0EVIL>", None, NOW + timedelta(hours=3), 90)
    messages = [
        reminders.kickoff(c, nobody, "/coffee"),
        reminders.weekly_nudge(c, nobody, 2, "/coffee"),
        reminders.weekly_nudge(c, busy, 3, "/coffee"),
        reminders.weekly_nudge(c, student(3, chats=2), 4, "/coffee"),
        reminders.thank_you(c, [chat], NOW),
        reminders.thank_you_recorded(chat.name, chat.linkedin_url),
        reminders.follow_up(c, student(5, outreach=(attempt(1),)), [attempt(1)], NOW, "/coffee"),
        reminders.follow_up(c, busy, list(busy.unanswered[:120]), NOW, "/coffee"),
        reminders.checkpoint_dm(c, nobody, "/coffee"),
        reminders.checkpoint_dm(c, busy, "/coffee"),
        reminders.deadline_reminder(c, busy, "/coffee"),
        reminders.deadline_reminder(
            c, student(4, chats=2, reflection=ReflectionState.COMPLETE), "/coffee"
        ),
        reminders.channel_alert(c, "Week 2 checkpoint digest", "not_in_channel", "/coffee"),
        reminders.thank_you(c, [chat, other], NOW),
        reminders.prep(c, [planned]),
        reminders.check_in(c, [planned]),
        reminders.check_in(c, [planned, planned]),
        reminders.morning(
            c, busy, 3, list(busy.unanswered[:120]), [planned], [planned], [chat, other], NOW, "/c"
        ),
    ]
    for message in messages:
        assert message.thread == []
        assert_fits(message)
        assert "<@U0EVIL>" not in text_of(message) and "<!channel>" not in text_of(message)
    thanks = messages[4]
    button = thanks.blocks[1]["elements"][0]
    assert button["action_id"] == "thank_you_sent" and button["value"] == "7"
    assert "more: `/coffee list` shows all 300" in text_of(messages[9])
    for message in messages[:-1]:  # a student's DM on a phone (the kickoff included)
        assert len(message.blocks) <= 12
    assert len(messages[-1].blocks) <= 12  # everything due at once, in one message
