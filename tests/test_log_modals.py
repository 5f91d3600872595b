"""`/coffee outreach` and `/coffee chat` with no arguments open modals; saving them logs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.models import Chat, Contact, Outreach
from tests.conftest import Bot
from tests.slackreq import date_value, select_value, text_value


def open_modal(bot: Bot, text: str) -> dict[str, Any]:
    body = bot.send.command_body(text)
    assert bot.send.form(body).status == 200
    calls = bot.wait_for("views.open", where=lambda c: c.params["trigger_id"] == body["trigger_id"])
    assert calls, "no modal opened"
    return calls[0].view()


def outreach_values(**overrides: Any) -> dict[str, Any]:
    values = {
        "name": text_value("Ada Lovelace"),
        "linkedin": text_value("linkedin.com/in/ada-lovelace"),
        "role": text_value("Engineer"),
        "company": text_value(None),
        "source": select_value("alumni"),
        "channel": select_value("email"),
        "date": date_value("2026-09-08"),
        "note": text_value("Asked for 15 minutes\n<!channel> next week"),
    }
    values.update(overrides)
    return values


def test_outreach_modal_opens_with_the_trigger_and_saves(bot: Bot) -> None:
    bot.create_cohort()
    view = open_modal(bot, "outreach")
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels[:2] == ["Name", "LinkedIn profile URL"]
    date_block = next(b for b in view["blocks"] if b["block_id"] == "date")
    assert date_block["element"]["initial_date"] == "2026-09-09"  # today in Denver
    reply = bot.send.view_submission(view, outreach_values())
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "update"
    assert "Logged your outreach to" in str(answer["view"]["blocks"])
    with bot.session() as session:
        contact = session.scalars(select(Contact)).one()
        outreach = session.scalars(select(Outreach)).one()
    assert contact.linkedin_url == "https://www.linkedin.com/in/ada-lovelace"
    assert (contact.role, contact.source) == ("Engineer", "alumni")
    assert (outreach.channel, str(outreach.sent_on)) == ("email", "2026-09-08")
    assert outreach.note == "Asked for 15 minutes\n<!channel> next week"


def test_outreach_modal_errors_are_shown_on_the_field(bot: Bot) -> None:
    bot.create_cohort()
    view = open_modal(bot, "outreach")
    cases = [
        ({"linkedin": text_value("https://example.com/ada")}, "linkedin", "not a LinkedIn"),
        ({"name": text_value("🚀🚀")}, "name", "emoji"),
        ({"date": date_value("2030-01-01")}, "date", "in the future"),
        ({"note": text_value("x" * 2001)}, "note", "2001 characters"),
    ]
    for override, field, words in cases:
        reply = bot.send.view_submission(view, outreach_values(**override)).json()
        assert reply["response_action"] == "errors"
        assert list(reply["errors"]) == [field]
        assert words in reply["errors"][field]
    with bot.session() as session:
        assert session.scalars(select(Contact)).all() == []


def test_chat_modal_offers_existing_contacts_and_logs_a_chat(bot: Bot) -> None:
    bot.create_cohort()
    bot.run("outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace")
    bot.run("outreach Grace Hopper")
    view = open_modal(bot, "chat")
    picker = next(b for b in view["blocks"] if b["block_id"] == "contact")
    names = [o["text"]["text"] for o in picker["element"]["options"]]
    assert sorted(names) == ["Ada Lovelace", "Grace Hopper"]
    ada = next(
        o["value"] for o in picker["element"]["options"] if o["text"]["text"] == "Ada Lovelace"
    )
    reply = bot.send.view_submission(
        view,
        {
            "contact": select_value(ada),
            "name": text_value(None),
            "linkedin": text_value(None),
            "date": date_value("2026-09-09"),
            "note": text_value("Talked about testing"),
        },
    ).json()
    assert reply["response_action"] == "update"
    assert "1 of 2 chats" in str(reply["view"]["blocks"])
    with bot.session() as session:
        chat = session.scalars(select(Chat)).one()
        assert chat.contact.name == "Ada Lovelace" and chat.note == "Talked about testing"


def test_chat_modal_adds_someone_new(bot: Bot) -> None:
    bot.create_cohort()
    view = open_modal(bot, "chat")
    assert all(b.get("block_id") != "contact" for b in view["blocks"])  # nobody to pick yet
    reply = bot.send.view_submission(
        view,
        {
            "name": text_value("Katherine Johnson"),
            "linkedin": text_value("https://www.linkedin.com/in/kjohnson/"),
            "date": date_value("2026-09-09"),
            "note": text_value(None),
        },
    ).json()
    assert reply["response_action"] == "update"
    with bot.session() as session:
        assert session.scalars(select(Contact.linkedin_url)).one() == (
            "https://www.linkedin.com/in/kjohnson"
        )


def test_chat_modal_refuses_both_a_pick_and_a_new_name(bot: Bot) -> None:
    bot.create_cohort()
    bot.run("outreach Grace Hopper")
    view = open_modal(bot, "chat")
    picker = next(b for b in view["blocks"] if b["block_id"] == "contact")
    reply = bot.send.view_submission(
        view,
        {
            "contact": select_value(picker["element"]["options"][0]["value"]),
            "name": text_value("Someone Else"),
            "linkedin": text_value(None),
            "date": date_value("2026-09-09"),
            "note": text_value(None),
        },
    ).json()
    assert reply["response_action"] == "errors" and "not both" in reply["errors"]["name"]
    reply = bot.send.view_submission(
        view,
        {
            "contact": select_value(None),
            "name": text_value(None),
            "linkedin": text_value(None),
            "date": date_value("2026-09-09"),
            "note": text_value(None),
        },
    ).json()
    assert reply["response_action"] == "errors" and "Pick a contact" in reply["errors"]["name"]
    with bot.session() as session:
        assert session.scalars(select(Chat)).all() == []
