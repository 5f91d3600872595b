"""Students log outreach and chats with /coffee, over signed HTTP against the fake Slack."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import Chat, Contact, Outreach, OutreachStatus
from tests.conftest import Bot
from tests.student_steps import line_of, pick

ADA = "https://www.linkedin.com/in/ada-lovelace"


def count(bot: Bot, model: type) -> int:
    with bot.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_help_and_empty_text_show_usage_with_examples(bot: Bot) -> None:
    for text in ("help", ""):
        answer = bot.run(text)
        assert "/coffee outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace" in (
            answer.text()
        )
        assert answer.params.get("response_type", "ephemeral") == "ephemeral"


def test_unknown_subcommand_is_named_in_one_line_pointing_at_help(bot: Bot) -> None:
    answer = bot.run("coffees please")
    assert "I don't know `coffees`" in answer.text()
    assert "`/coffee help` lists everything" in answer.text()
    assert len(answer.blocks()) == 1


def test_outreach_is_logged_once_and_repeating_it_updates(bot: Bot) -> None:
    bot.create_cohort()
    first = bot.run(f"outreach Ada Lovelace {ADA}")
    assert f"Logged your outreach to <{ADA}|Ada Lovelace>" in first.text()
    assert "1 person tried so far" in first.text()
    again = bot.run("outreach Ada King linkedin.com/in/Ada-Lovelace/")
    assert "Updated your outreach to" in again.text()
    assert count(bot, Contact) == 1 and count(bot, Outreach) == 1
    with bot.session() as session:
        contact = session.scalars(select(Contact)).one()
        assert (contact.name, contact.linkedin_url) == ("Ada King", ADA)


def test_outreach_without_url_then_with_url_is_the_same_person(bot: Bot) -> None:
    bot.create_cohort()
    bot.run("outreach Grace Hopper")
    bot.run("outreach grace hopper https://linkedin.com/in/grace-hopper")
    with bot.session() as session:
        contact = session.scalars(select(Contact)).one()
        assert contact.linkedin_url == "https://www.linkedin.com/in/grace-hopper"


def test_chat_links_to_the_outreach_by_url_or_name(bot: Bot) -> None:
    bot.create_cohort()
    bot.run(f"outreach Ada Lovelace {ADA}")
    bot.run("outreach Grace Hopper")
    by_url = bot.run(f"chat Ada L. {ADA}")
    assert "Logged your chat with" in by_url.text() and "1 of 2 chats" in by_url.text()
    by_name = bot.run("chat GRACE HOPPER")
    assert "2 of 2 chats" in by_name.text()
    assert count(bot, Contact) == 2 and count(bot, Chat) == 2
    with bot.session() as session:
        statuses = set(session.scalars(select(Outreach.status)))
    assert statuses == {OutreachStatus.CHATTED}


def test_chat_with_someone_never_contacted_creates_them(bot: Bot) -> None:
    bot.create_cohort()
    answer = bot.run("chat Katherine Johnson https://www.linkedin.com/in/kjohnson")
    assert "Logged your chat with" in answer.text()
    assert count(bot, Contact) == 1 and count(bot, Chat) == 1


def test_list_shows_each_contact_with_a_menu_to_move_it(bot: Bot) -> None:
    bot.create_cohort()
    bot.run(f"outreach Ada Lovelace {ADA}")
    bot.run("outreach Grace Hopper")
    answer = bot.run("list")
    text = answer.text()
    assert "2 people tried · 0 chats" in text and "Ada Lovelace" in text and "Grace Hopper" in text
    menu = line_of(answer.blocks(), "Ada Lovelace")["accessory"]
    labels = [o["text"]["text"] for o in menu["options"]]
    assert [label.split(" ", 1)[1] for label in labels] == [
        "Message drafts",
        "They replied",
        "Chat scheduled…",
        "We chatted",
        "No response",
    ]


def test_the_menu_moves_a_contact_and_redraws_the_list(bot: Bot) -> None:
    bot.create_cohort()
    bot.run(f"outreach Ada Lovelace {ADA}")
    menu = line_of(bot.run("list").blocks(), "Ada Lovelace")["accessory"]
    redrawn = bot.answer_to(pick(bot, menu, "responded:"))
    assert redrawn.params["replace_original"] is True
    assert "Responded" in redrawn.text()
    menu = line_of(redrawn.blocks(), "Ada Lovelace")["accessory"]
    chatted = bot.answer_to(pick(bot, menu, "chatted:"))
    assert "1 person tried · 1 chat" in chatted.text()
    assert count(bot, Chat) == 1
    menu = line_of(chatted.blocks(), "Ada Lovelace")["accessory"]
    assert menu["confirm"]["style"] == "danger"  # moving on would remove the chat: Slack asks
    back = bot.answer_to(pick(bot, menu, "declined:"))
    assert "Declined" in back.text()
    assert count(bot, Chat) == 0


def test_the_old_one_tap_buttons_still_move_a_contact_without_a_chat(bot: Bot) -> None:
    bot.create_cohort()
    bot.run(f"outreach Ada Lovelace {ADA}")
    with bot.session() as session:
        contact_id = session.scalars(select(Contact.id)).one()
    url = bot.slack.response_url("old")
    bot.send.block_action("move_scheduled", f"{contact_id}:0", response_url=url)
    assert "Chat scheduled" in bot.answer_to(url).text()


def test_a_button_for_someone_elses_contact_changes_nothing(bot: Bot) -> None:
    bot.create_cohort()
    bot.run(f"outreach Ada Lovelace {ADA}")
    with bot.session() as session:
        contact_id = session.scalars(select(Contact.id)).one()
    url = bot.slack.response_url("intruder")
    bot.send.block_action("move_declined", f"{contact_id}:0", user="U0OTHER", response_url=url)
    assert "not in your log" in bot.answer_to(url).text()
    with bot.session() as session:
        assert session.scalars(select(Outreach.status)).one() == OutreachStatus.SENT


def test_long_lists_are_paged(bot: Bot) -> None:
    bot.create_cohort()
    for n in range(18):
        bot.run(f"outreach Person {chr(65 + n)}")
    first = bot.run("list")
    assert "Page 1 of 2" in first.text()
    assert len(first.blocks()) <= 50
    nav = first.blocks()[-1]["elements"]
    assert len(first.blocks()) <= 13  # a header, ten lines, the page and its buttons
    url = bot.slack.response_url("page")
    bot.send.block_action(nav[0]["action_id"], nav[0]["value"], response_url=url)
    assert "Page 2 of 2" in bot.answer_to(url).text()


def test_status_shows_progress_dates_and_who_has_not_answered(bot: Bot) -> None:
    bot.create_cohort()
    bot.run(f"outreach Ada Lovelace {ADA}")
    bot.run("outreach Grace Hopper")
    bot.run("chat Grace Hopper")
    text = bot.run("status").text()
    assert "*Chats:* 1/2" in text
    assert "*People tried:* 2" in text and "at least 8" in text
    assert "Fri 18 Sep 2026, 17:00 MDT" in text  # checkpoint, Friday of Week 2
    assert "Fri 2 Oct 2026, 17:00 MDT" in text  # deadline, Friday of Week 4
    assert "Haven't responded yet (1)" in text and f"<{ADA}|Ada Lovelace>" in text
    assert "*Reflection:* not started" in text and "*Hand-in:* not handed in yet" in text


def test_status_without_a_cohort_says_what_to_do(bot: Bot) -> None:
    text = bot.run("status").text()
    assert "not in a coffee-chat cohort" in text
    assert "instructor" in text


def test_students_are_enrolled_on_first_use_in_the_only_cohort(bot: Bot) -> None:
    bot.create_cohort(student_ids=[])
    assert "*Chats:* 0/2" in bot.run("status", user="U0NEWBIE").text()


def test_with_several_cohorts_the_students_channel_decides(bot: Bot) -> None:
    bot.create_cohort(name="Mod 5 A", student_ids=[], students_channel="C0AAAA")
    bot.create_cohort(name="Mod 5 B", student_ids=[], students_channel="C0BBBB")
    assert "several" in bot.run("status", user="U0NEWBIE").text()
    assert "Mod 5 B" in bot.run("status", user="U0NEWBIE", channel="C0BBBB").text()
    assert "Mod 5 B" in bot.run("status", user="U0NEWBIE").text()


def test_outreach_works_before_any_cohort_exists(bot: Bot) -> None:
    assert "Logged your outreach" in bot.run(f"outreach Ada Lovelace {ADA}").text()
