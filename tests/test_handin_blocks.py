"""The reflection and hand-in builders stay inside Block Kit's limits at the worst inputs."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import pytest

from bot.blocks.handin import handin_post, quoted_chunks
from bot.blocks.logbook import chat_logged
from bot.blocks.reflections import (
    handin_delivered,
    handin_result,
    reflect_modal,
    submit_modal,
)
from bot.domain.handins import HandinForm, PostOutcome
from bot.domain.reflections import ANSWER_MAX, KEYS, QUESTIONS
from bot.models import Chat, Cohort, Contact, Submission
from tests.blockkit import assert_valid_blocks, assert_valid_view

NOW = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 10, 2, 23, 0, tzinfo=UTC)
WORST = {
    "angles": "<" * ANSWER_MAX,
    "lines": "a\n" * (ANSWER_MAX // 2),
    "mixed": ("<!channel> & <@U1> *bold* `code`\n\n" * 100)[:ANSWER_MAX],
}


def chat(chat_id: int, name: str, slug: str) -> Chat:
    made = Chat(id=chat_id, held_on=date(2026, 9, 8), takeaways=None)
    made.contact = Contact(
        id=chat_id, name=name, linkedin_url=f"https://www.linkedin.com/in/{slug}"
    )
    return made


@pytest.mark.parametrize("kind", list(WORST))
def test_the_instructors_post_keeps_every_answer_whole_within_limits(kind: str) -> None:
    answer = WORST[kind].strip()
    submission = Submission(
        answers={key: answer for key in KEYS}, submitted_at=NOW, late=True, revision=3
    )
    cohort = Cohort(name="Mod 5 " + "x" * 100, timezone="America/Denver")
    people = (chat(1, "Ada " + "L" * 95, "ada"), chat(2, "Grace Hopper", "grace"))

    text, blocks = handin_post(submission, people, cohort, "U0STUDENT", DEADLINE)

    assert_valid_blocks(blocks)
    assert "<@U0STUDENT>" in text
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"][2:]
    quoted = "\n".join(
        line for s in sections for line in s.splitlines() if not line.startswith("*")
    )
    lines = [line.removeprefix(">").removeprefix(" ") for line in quoted.splitlines()]
    assert html.unescape("".join(lines)) == answer.replace("\n", "") * len(KEYS)


def test_quoted_chunks_split_a_long_line_without_breaking_an_entity() -> None:
    chunks = quoted_chunks("&" * ANSWER_MAX, limit=1000)

    assert all(len(c) <= 1000 for c in chunks)
    assert all(c.startswith("> ") and c.endswith(";") for c in chunks)
    assert html.unescape("".join(c.removeprefix("> ") for c in chunks)) == "&" * ANSWER_MAX


def test_the_modals_hold_full_answers_and_many_chats() -> None:
    answers = {key: "é" * ANSWER_MAX for key in KEYS}
    chats = [chat(i, f"Person {i} " + "n" * 90, f"person-{i}") for i in range(1, 131)]

    reflect = reflect_modal(answers, "/coffee", {"channel_id": "C1"})
    form = HandinForm(chats, [1, 2], answers, None, DEADLINE, "America/Denver")
    submit = submit_modal(form, NOW, {})

    assert_valid_view(reflect)
    assert_valid_view(submit)
    picker = submit["blocks"][1]["element"]
    assert len(picker["options"]) == 100
    assert [o["value"] for o in picker["initial_options"]] == ["1", "2"]
    labels = [b["label"]["text"] for b in submit["blocks"] if b["type"] == "input"][1:]
    assert labels == [q.text for q in QUESTIONS]


@pytest.mark.parametrize("state", ["posted", "already", "busy", "failed"])
@pytest.mark.parametrize("error", [None, "not_in_channel", "ratelimited", "http_503", "URLError"])
def test_every_result_the_student_can_see_is_valid(state: str, error: str | None) -> None:
    for late in (False, True):
        outcome = PostOutcome(
            state,  # type: ignore[arg-type]
            updated=late,
            permalink="https://test.slack.com/archives/C1/p1",
            error=error,
        )
        blocks = handin_result(
            outcome, late=late, deadline=DEADLINE, timezone="America/Denver", command="/coffee"
        )
        assert_valid_blocks(blocks)
    assert_valid_blocks(handin_delivered(None, updated=False))


def test_the_chat_confirmation_with_everything_is_valid() -> None:
    ada = Contact(id=1, name="Ada <!here>", linkedin_url=None)
    referrals = [Contact(id=i, name=f"Referral {i} " + "r" * 85) for i in range(2, 22)]

    blocks = chat_logged(ada, True, 1, 2, referrals, "<@U1> " * 600, reflect=True)

    assert_valid_blocks(blocks)
    assert "<!here>" not in str(blocks) and "<@U1>" not in str(blocks)
