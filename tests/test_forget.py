"""A student's own data: `/coffee forget NAME` and `/coffee forget me`, confirmed first."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.blocks.ids import Action
from bot.models import Chat, Contact, Enrollment, Outreach
from tests.blockkit import assert_valid_blocks
from tests.conftest import Bot

ADA = "https://www.linkedin.com/in/ada-lovelace"


def count(bot: Bot, model: type) -> int:
    with bot.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def button_of(answer_blocks: list[dict[str, object]]) -> dict[str, object]:
    [button] = [
        e
        for b in answer_blocks
        if b["type"] == "actions"
        for e in b["elements"]  # type: ignore[attr-defined]
    ]
    return button  # type: ignore[no-any-return]


def test_forgetting_a_person_asks_first_then_deletes_all_about_them(bot: Bot) -> None:
    bot.create_cohort()
    bot.run(f"chat Ada Lovelace {ADA}")
    bot.run("outreach Grace Hopper")

    asked = bot.run("forget ada lovelace")

    assert_valid_blocks(asked.blocks())
    assert "Forget *Ada Lovelace* and everything you logged about them" in asked.text()
    button = button_of(asked.blocks())
    assert button["style"] == "danger" and "confirm" in button
    assert count(bot, Contact) == 2  # nothing deleted before the confirmation

    where = bot.slack.response_url("forget")
    bot.send.block_action(Action.FORGET, str(button["value"]), response_url=where)

    assert "Deleted *Ada Lovelace* (1 contact, 1 outreach, 1 chat)" in bot.answer_to(where).text()
    with bot.session() as session:
        assert [c.name for c in session.scalars(select(Contact))] == ["Grace Hopper"]
    assert count(bot, Chat) == 0 and count(bot, Outreach) == 1


def test_forgetting_everything_keeps_the_enrollment(bot: Bot) -> None:
    bot.create_cohort()
    bot.run(f"chat Ada Lovelace {ADA}")
    bot.run("outreach Grace Hopper")

    asked = bot.run("forget me")
    assert "Delete *everything you logged*: 2 people" in asked.text()
    where = bot.slack.response_url("me")
    bot.send.block_action(
        Action.FORGET, str(button_of(asked.blocks())["value"]), response_url=where
    )

    assert "Deleted everything you logged" in bot.answer_to(where).text()
    assert count(bot, Contact) == 0 and count(bot, Enrollment) == 1


def test_someone_elses_forget_button_deletes_nothing(bot: Bot) -> None:
    bot.create_cohort(student_ids=["U0STUDENT", "U0OTHER"])
    bot.run(f"chat Ada Lovelace {ADA}")
    with bot.session() as session:
        ada = session.scalars(select(Contact)).one().id
    bot.run("outreach Someone Else", user="U0OTHER")
    where = bot.slack.response_url("intruder")

    bot.send.block_action(Action.FORGET, f"contact:{ada}", user="U0OTHER", response_url=where)

    assert "is not in your log" in bot.answer_to(where).text()
    assert count(bot, Contact) == 2


def test_forget_needs_a_name_and_one_in_the_log(bot: Bot) -> None:
    bot.create_cohort()
    bot.run("outreach Grace Hopper")
    assert "`/coffee forget Ada Lovelace`" in bot.run("forget").text()
    assert "“Nobody Known” is not in your log; `/coffee list` shows who is." in (
        bot.run("forget Nobody Known").text()
    )
    assert count(bot, Contact) == 1
