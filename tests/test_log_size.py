"""Status and the list read only what they show: the same statements at 10 contacts as at 1,000,
and the same answer as reading the whole log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, select

from bot.blocks.home import STANDING_SHOWN, student_home
from bot.blocks.ids import Action
from bot.blocks.status import status_blocks
from bot.domain.read_model import cohort_facts, student_standing
from bot.models import Enrollment
from tests.conftest import Bot
from tests.log_fixtures import seed_log
from tests.slackreq import STUDENT, TEAM

LONG_LOG = "U0LONGLOG"


@contextmanager
def counting(bot: Bot) -> Iterator[list[str]]:
    """The SQL statements the app's engine executes inside the block."""
    engine = bot.sessions.kw["bind"]
    assert isinstance(engine, Engine)
    seen: list[str] = []

    def one(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", one)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", one)


def statements_of(bot: Bot, text: str, user: str) -> tuple[int, str]:
    bot.run(text, user=user)  # once first: who is asking is resolved on first use
    with counting(bot) as seen:
        answer = bot.run(text, user=user).text()
    return len(seen), answer


def test_status_and_list_issue_the_same_statements_at_10_and_1000_contacts(bot: Bot) -> None:
    bot.create_cohort(student_ids=[STUDENT, LONG_LOG])
    seed_log(bot.sessions, TEAM, STUDENT, 10, bot.clock())
    seed_log(bot.sessions, TEAM, LONG_LOG, 1000, bot.clock())

    answers = {}
    for command in ("status", "list"):
        short, _ = statements_of(bot, command, STUDENT)
        long, answers[command] = statements_of(bot, command, LONG_LOG)
        assert short == long, command
        assert short <= 12, command  # who is asking, the standing or the page: a few each
    # What they show still counts the whole log.
    status, listed = answers["status"], answers["list"]
    assert "*People tried:* 833" in status and "*Chats:* 166/2" in status
    assert "*Leads:* 167" in status and "and 162 more" in status
    assert "Haven't responded yet (334)" in status and "…and 309 more" in status
    assert "Coming up (166)" in status and "…and 161 more" in status
    assert "833 people tried · 166 chats · 167 leads" in listed
    assert "Page 1 of 100" in listed
    assert "|Person 0999>*" in listed and "|Person 0990>*" in listed
    assert "|Person 0989>*" not in listed


def test_the_limited_standing_shows_what_the_whole_log_shows(bot: Bot) -> None:
    """Status and App Home from the first few of each list are those from everything."""
    bot.create_cohort(student_ids=[STUDENT])
    seed_log(bot.sessions, TEAM, STUDENT, 200, bot.clock())
    now = bot.clock()
    with bot.session() as session:
        enrollment = session.scalars(select(Enrollment)).one()
        cohort = cohort_facts(enrollment.cohort)
        limited = student_standing(session, enrollment, STANDING_SHOWN)
        whole = student_standing(session, enrollment)
        assert limited.chats == whole.chats[:STANDING_SHOWN]
        assert limited.unanswered == whole.unanswered[:STANDING_SHOWN]
        assert status_blocks(cohort, limited, now, "/coffee") == status_blocks(
            cohort, whole, now, "/coffee"
        )
        assert student_home("/coffee", now, cohort, limited) == student_home(
            "/coffee", now, cohort, whole
        )
        for field in ("attempts", "unanswered_count", "chat_count", "lead_count"):
            assert getattr(limited, field) == getattr(whole, field), field
        assert limited.scheduled_count == whole.scheduled_count
        assert limited.last_activity_at == whole.last_activity_at


def test_the_pages_of_a_list_show_everyone_once_even_when_added_at_the_same_instant(
    bot: Bot,
) -> None:
    bot.create_cohort()
    seed_log(bot.sessions, TEAM, STUDENT, 25, bot.clock(), same_instant=True)
    text = bot.run("list").text()
    seen = []
    for page in range(3):
        url = bot.slack.response_url(f"page-{page}")
        if page:
            bot.send.block_action(Action.PAGE_OLDER.value, str(page), response_url=url)
            text = bot.answer_to(url).text()
        assert f"Page {page + 1} of 3" in text
        lines = {text.find(f"|Person {n:04d}>*"): n for n in range(25)}  # where their line is
        seen += [n for at, n in sorted(lines.items()) if at >= 0]
    assert sorted(seen) == list(range(25))
    assert seen[:3] == [24, 23, 22]  # newest first; at the same instant, the last added first
