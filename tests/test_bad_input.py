"""Bad input gets a clear message and stores nothing; user text never becomes a mention."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from bot.models import Contact
from tests.conftest import Bot


def contacts(bot: Bot) -> int:
    with bot.session() as session:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)


def test_a_wrong_signature_is_refused_and_nothing_is_stored(bot: Bot) -> None:
    body = bot.send.command_body("outreach Ada Lovelace")
    reply = bot.send.form(body, signature="v0=" + "0" * 64)
    assert reply.status == 401
    time.sleep(0.3)
    assert contacts(bot) == 0 and bot.slack.of("response_url") == []


def test_a_stale_signature_is_refused_and_nothing_is_stored(bot: Bot) -> None:
    body = bot.send.command_body("outreach Ada Lovelace")
    reply = bot.send.form(body, timestamp=int(time.time()) - 10 * 60)
    assert reply.status == 401
    time.sleep(0.3)
    assert contacts(bot) == 0


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("outreach", None),  # no arguments opens the modal instead: covered elsewhere
        ("outreach https://www.linkedin.com/in/ada", "name is missing"),
        ("outreach Ada https://www.linkedin.com/company/acme", "is not a LinkedIn profile URL"),
        ("outreach Ada https://example.com/in/ada", "is not a LinkedIn profile URL"),
        ("outreach https://www.linkedin.com/in/ada Ada", "Put the LinkedIn URL last"),
        ("outreach " + "A" * 120, "keep it to 100 or fewer"),
        ("outreach Ada 🚀🚀🚀", "emoji"),
        ("outreach Ada :tada:", "emoji"),
        ("outreach \u202eAda", "right-to-left"),
        ("outreach Ada\x00Lovelace", "control characters"),
        ("chat ???", "no letters"),
        ("chat Ada https://www.linkedin.com/in/", "is not a LinkedIn profile URL"),
    ],
)
def test_bad_names_and_urls_get_a_clear_message_and_store_nothing(
    bot: Bot, text: str, says: str | None
) -> None:
    if says is None:
        return
    answer = bot.run(text)
    assert says in answer.text()
    assert (
        "linkedin.com/in/" in answer.text()
        or "Ada Lovelace" in answer.text()
        or ("100" in answer.text())
    )
    assert contacts(bot) == 0


def test_mentions_in_a_name_are_stored_as_text_and_shown_escaped(bot: Bot) -> None:
    bot.run("outreach <!channel> <!here> <@U0BOSS> Smith")
    with bot.session() as session:
        assert session.scalars(select(Contact.name)).one() == "<!channel> <!here> <@U0BOSS> Smith"
    for answer in (bot.run("list"), bot.run("outreach <!channel> <!here> <@U0BOSS> Smith")):
        text = answer.text()
        assert "<!channel>" not in text and "<!here>" not in text and "<@U0BOSS>" not in text
        assert "&lt;!channel&gt;" in text


def test_a_bad_url_echoed_back_cannot_ping_anyone(bot: Bot) -> None:
    text = bot.run("outreach Ada linkedin.com/<!channel>").text()
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
