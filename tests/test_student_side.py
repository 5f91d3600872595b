"""The student's side, as three students found it through a cohort: each finding, over signed
HTTP against the fake Slack, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select, update

from bot.models import Chat, Contact, Outreach, OutreachStatus
from tests.conftest import Bot
from tests.schedule_fixtures import World, local
from tests.slackreq import STUDENT, date_value, select_value, text_value
from tests.student_steps import (
    ADA,
    GRACE,
    KATHERINE,
    after,
    count,
    drafts_in,
    element,
    elements,
    line_of,
    opened,
    pick,
    press,
    visible_chars,
)
from tests.test_log_modals import open_modal

DENVER = "America/Denver"
DATE_TOKEN = re.compile(r"<!date\^(\d+)\^\{date_short_pretty\} at \{time\}\|([^>|]+)>")


def chat_with_referral(bot: Bot) -> dict[str, object]:
    """Grace, reached out to, then chatted with in the form: she referred Katherine."""
    bot.run(f"outreach Grace Hopper {GRACE}")
    view = open_modal(bot, "chat")
    picker = next(b for b in view["blocks"] if b.get("block_id") == "contact")
    grace = picker["element"]["options"][0]["value"]
    reply = bot.send.view_submission(
        view,
        {
            "contact": select_value(grace),
            "name": text_value(None),
            "linkedin": text_value(None),
            "date": date_value("2026-09-09"),
            "note": text_value(None),
            "takeaways": text_value("Ship small things\nRead the error message twice"),
            "referrals": text_value(f"Katherine Johnson {KATHERINE}"),
        },
    ).json()
    assert reply["response_action"] == "update", reply
    return dict(reply["view"])


# -- 1. one tap silently deleted a chat ---------------------------------------------------------


def test_a_logged_chat_is_never_lost_by_one_tap_it_asks_first_and_can_be_undone(
    bot: Bot,
) -> None:
    bot.create_cohort()
    bot.run(f"outreach Ada Lovelace {ADA}")
    bot.run(f"chat Ada Lovelace {ADA}")
    with bot.session() as session:
        session.execute(update(Chat).values(takeaways="Read the docs first"))
        chat_id = session.scalars(select(Chat.id)).one()
        contact_id = session.scalars(select(Contact.id)).one()

    listing = bot.run("list")
    ada = line_of(listing.blocks(), "Ada Lovelace")
    menu = ada["accessory"]
    assert menu["type"] == "overflow"
    assert menu["confirm"]["style"] == "danger"
    assert "removes the chat you logged" in menu["confirm"]["text"]["text"]
    assert not [o for o in menu["options"] if o["value"].startswith("chatted")]

    # The one-tap buttons of lists sent before stay safe: they remove nothing.
    old = bot.answer_to(press(bot, {"action_id": "move_declined", "value": f"{contact_id}:0"}))
    assert count(bot, Chat) == 1
    assert "removes the chat you logged" in old.text()

    removed = bot.answer_to(pick(bot, menu, "declined:"))
    assert count(bot, Chat) == 0
    assert "Removed your chat with" in removed.text() and "0 chats" in removed.text()
    undo = element(removed.blocks(), "undo_remove_chat")

    restored = bot.answer_to(press(bot, undo))
    assert restored.params["replace_original"] is True
    assert "1 chat" in restored.text() and "Restored your chat with" in restored.text()
    with bot.session() as session:
        chat = session.scalars(select(Chat)).one()
        outreach = session.scalars(select(Outreach)).one()
    assert (chat.id, chat.takeaways, outreach.status) == (
        chat_id,
        "Read the docs first",
        OutreachStatus.CHATTED,
    )


def test_an_undo_of_someone_elses_chat_restores_nothing(bot: Bot) -> None:
    bot.create_cohort()
    bot.run(f"chat Ada Lovelace {ADA}")
    menu = line_of(bot.run("list").blocks(), "Ada Lovelace")["accessory"]
    undo = element(bot.answer_to(pick(bot, menu, "responded:")).blocks(), "undo_remove_chat")

    answer = bot.answer_to(press(bot, undo, user="U0OTHER"))

    assert "not in your log" in answer.text()
    assert count(bot, Chat) == 0


# -- 2. referrals read as outreach -------------------------------------------------------------


def test_a_referral_is_a_lead_everywhere_until_one_tap_says_i_reached_out(bot: Bot) -> None:
    bot.create_cohort()
    done = chat_with_referral(bot)
    shown = str(done["blocks"])
    assert "Log it with `outreach`" not in shown
    assert "lead" in shown.lower() and "Katherine Johnson" in shown
    element(done["blocks"], "reached_out")  # type: ignore[arg-type]

    listing = bot.run("list")
    katherine = line_of(listing.blocks(), "Katherine Johnson")
    assert (
        "Lead" in katherine["text"]["text"]
        and "referred by Grace Hopper" in (katherine["text"]["text"])
    )
    assert "Waiting for a reply" not in katherine["text"]["text"]
    header = listing.blocks()[0]["text"]["text"]
    assert "1 person tried" in header and "1 lead" in header and "2 people" not in header
    status = bot.run("status").text()
    assert "*People tried:* 1" in status and "*Leads:* 1" in status
    assert "Katherine Johnson" in status

    reached = element([after(katherine, listing.blocks())], "reached_out")
    redrawn = bot.answer_to(press(bot, reached))
    katherine = line_of(redrawn.blocks(), "Katherine Johnson")
    assert "Waiting for a reply" in katherine["text"]["text"]
    assert "2 people tried" in redrawn.blocks()[0]["text"]["text"]
    assert "*People tried:* 2" in bot.run("status").text()
    with bot.session() as session:
        assert len(session.scalars(select(Outreach)).all()) == 2


def test_i_reached_out_inside_the_chat_form_turns_it_into_the_confirmation(bot: Bot) -> None:
    bot.create_cohort()
    done = chat_with_referral(bot)
    button = element(done["blocks"], "reached_out")  # type: ignore[arg-type]

    press(bot, button, view={**done, "type": "modal"})

    update_call = opened(bot, method="views.update")
    assert update_call.params["view_id"] == "V0OPEN"
    assert "Logged your outreach to" in update_call.text()
    assert "*People tried:* 2" in bot.run("status").text()


# -- 5. too long for a phone -------------------------------------------------------------------


def test_the_kickoff_fits_a_phone_screen_with_the_details_one_tap_away(
    bot: Bot, world: World
) -> None:
    world.create_cohort(local(DENVER, 2026, 9, 1, 12), student_ids=[STUDENT])
    [kickoff] = [p for p in world.step(local(DENVER, 2026, 9, 7, 9, 30)) if p.kind == "kickoff"]

    size = visible_chars(kickoff.blocks)
    print(f"\nkickoff: {size} characters in {len(kickoff.blocks)} blocks")
    assert size <= 700 and len(kickoff.blocks) <= 6
    how = element(kickoff.blocks, "how_it_works")
    press(bot, how, channel="D0STUDENT")
    details = opened(bot).text()
    for question in (
        "How was your experience finding someone to chat with?",
        "What do you want to do differently in your next coffee chat?",
    ):
        assert question in details
    assert "at least 8" in details and "Is there anyone else I should talk to?" in details
    assert "15-minute video call" in details and "within 24 hours" in details


def test_a_nine_contact_list_is_one_line_and_one_menu_per_person(bot: Bot) -> None:
    bot.create_cohort()
    for n in range(9):
        bot.run(f"outreach Person {chr(65 + n)} https://www.linkedin.com/in/person-{n}")

    blocks = bot.run("list").blocks()

    assert len(blocks) <= 11, len(blocks)
    controls = elements(blocks)
    assert len(controls) == 9 and {c["type"] for c in controls} == {"overflow"}
    assert all(len(c["options"]) <= 5 for c in controls)


def test_a_typo_says_did_you_mean_and_not_the_whole_help(bot: Bot) -> None:
    answer = bot.run("chats")

    assert "Did you mean `/coffee chat`?" in answer.text()
    assert "outreach NAME [LINKEDIN_URL]" not in answer.text()
    assert len(answer.blocks()) <= 2


def test_app_home_shows_progress_the_next_date_buttons_and_contacts_without_the_help(
    bot: Bot,
) -> None:
    bot.create_cohort()
    bot.run(f"outreach Ada Lovelace {ADA}")
    bot.run("chat Grace Hopper")
    assert bot.send.event({"type": "app_home_opened", "user": STUDENT, "tab": "home"}).status == 200

    home = opened(bot, method="views.publish")
    text = home.text()
    assert "this message" not in text and "outreach NAME [LINKEDIN_URL]" not in text
    assert "█" in text and "1/2" in text
    assert "Checkpoint" in text and DATE_TOKEN.search(text)
    assert "Ada Lovelace" in text and "Grace Hopper" in text
    blocks = home.blocks()
    for action in ("open_outreach_modal", "open_chat_modal", "open_reflect_modal"):
        element(blocks, action)
    handin = element(blocks, "open_handin_modal")

    press(bot, handin, view={"type": "home"})
    [told] = bot.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == STUDENT)
    assert "To hand in you need 2 chats" in told.text()  # one chat: told what's missing
    press(bot, element(blocks, "open_outreach_modal"), view={"type": "home"})
    assert opened(bot).view()["callback_id"] == "outreach_modal"
    assert not bot.slack.of("views.update")  # a modal never replaces the App Home


# -- 6. wording slips --------------------------------------------------------------------------


def test_a_missing_name_shows_the_whole_command_to_write(bot: Bot) -> None:
    text = bot.run(f"outreach {ADA}").text()

    assert f"Write it like: `/coffee outreach Ada Lovelace {ADA}`" in text


def test_the_handin_refusal_reads_right(bot: Bot) -> None:
    bot.create_cohort()

    text = bot.run("submit").text()

    assert "once you've held them" in text and "once you've held it" not in text
    assert "2 chats logged with each person's LinkedIn URL" in text


def test_relogging_with_other_case_or_spacing_keeps_the_name_as_first_written(bot: Bot) -> None:
    bot.create_cohort()
    bot.run("outreach Sam Smith")
    again = bot.run("outreach sam  smith")

    assert "Sam Smith" in again.text()
    with bot.session() as session:
        assert session.scalars(select(Contact.name)).one() == "Sam Smith"


def test_counts_of_one_are_singular_for_a_one_chat_cohort(bot: Bot, world: World) -> None:
    world.create_cohort(
        local(DENVER, 2026, 9, 1, 12), student_ids=[STUDENT], required_chats=1, min_attempts=1
    )
    kickoff = world.step(local(DENVER, 2026, 9, 7, 9, 30))
    status = bot.run("status").text()
    for text in [*(p.readable() for p in kickoff), status]:
        assert not re.search(r"\b1 (chats|people|students)\b", text), text


def test_the_handin_post_shows_each_linkedin_once(bot: Bot) -> None:
    from tests.reflect_steps import ANSWERS, hand_in, instructor_posts, log_chats, save_reflection

    bot.create_cohort()
    log_chats(bot, ("Ada Lovelace", ADA), ("Grace Hopper", GRACE))
    save_reflection(bot, ANSWERS)
    hand_in(bot)

    [post] = instructor_posts(bot)
    people = post.text()
    assert people.count(ADA) == 1 and people.count(GRACE) == 1


# -- 7. dates ----------------------------------------------------------------------------------


def test_instants_show_in_each_readers_clock_with_the_cohorts_time_as_fallback(
    bot: Bot,
) -> None:
    bot.create_cohort()

    answer = bot.run("status")

    tokens = DATE_TOKEN.findall(answer.text())
    checkpoint = int(datetime(2026, 9, 18, 23, 0, tzinfo=UTC).timestamp())
    assert (str(checkpoint), "Fri 18 Sep 2026, 17:00 MDT") in tokens
    assert "<!date" not in answer.params["text"]
    for call in bot.slack.calls:
        headers = [b for b in call.blocks() if b["type"] == "header"]
        assert all("<!date" not in b["text"]["text"] for b in headers)


def test_setup_warns_when_a_default_date_falls_on_a_public_holiday(bot: Bot) -> None:
    from tests.test_setup import dm_to, make_admin, open_setup, submit

    make_admin(bot, tz="America/Denver")
    view = open_setup(bot)
    # Starting Mon 30 Nov 2026, the default deadline is Friday of Week 4: 25 December.
    reply = submit(
        bot,
        view,
        cohort_name=text_value("Winter"),
        start_date=date_value("2026-11-30"),
        timezone=text_value("America/Denver"),
    )

    saved = str(reply.json()["view"]["blocks"])
    assert "Christmas Day" in saved and "deadline" in saved.lower()
    [report] = dm_to(bot, "U0ADMIN")
    assert "Christmas Day" in report.text()


def test_setup_warns_of_a_weekend_and_a_country_without_holidays_does_not_crash(
    bot: Bot,
) -> None:
    from tests.setup_values import datetime_value
    from tests.test_setup import make_admin, open_setup, submit

    make_admin(bot, tz="UTC")
    view = open_setup(bot)
    saturday = datetime(2026, 9, 26, 17, 0, tzinfo=UTC)
    reply = submit(
        bot,
        view,
        cohort_name=text_value("Far away"),
        start_date=date_value("2026-09-14"),
        timezone=text_value("Antarctica/Troll"),
        checkpoint=datetime_value(saturday),
    )

    answer = reply.json()
    assert answer["response_action"] == "update", answer
    assert "Saturday" in str(answer["view"]["blocks"])


# -- 8. drafts that help students ask ----------------------------------------------------------


def test_a_contacts_line_offers_a_first_ask_a_follow_up_and_a_thank_you_quoting_takeaways(
    bot: Bot,
) -> None:
    bot.create_cohort()
    chat_with_referral(bot)  # Grace: chatted, with takeaways; Katherine: a lead she referred
    bot.run("outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace")
    listing = bot.run("list").blocks()
    shown = len(bot.slack.of("views.open"))  # the chat form

    menu = line_of(listing, "Ada Lovelace")["accessory"]
    pick(bot, menu, "drafts:")
    texts = drafts_in(opened(bot, shown + 1).view())
    first = texts["draft_first_ask"]
    assert first.startswith("Hi Ada,") and "quick 15-minute video call" in first
    assert "learn a bit more about what you do" in first and "job" in first
    assert len(first) <= 300  # fits a LinkedIn connection note
    assert "Sep 9" in texts["draft_follow_up"]

    lead = after(line_of(listing, "Katherine Johnson"), listing)
    press(bot, element([lead], "open_drafts"))
    assert "Grace Hopper suggested" in drafts_in(opened(bot, shown + 2).view())["draft_first_ask"]

    grace = after(line_of(listing, "Grace Hopper"), listing)
    press(bot, element([grace], "open_drafts"))
    note = drafts_in(opened(bot, shown + 3).view())["draft_thank_you"]
    assert "Ship small things" in note and "Read the error message twice" in note
    assert "Katherine Johnson" in note  # thanked for the referral too


def test_logging_outreach_without_a_message_offers_the_draft(bot: Bot) -> None:
    bot.create_cohort()

    answer = bot.run(f"outreach Ada Lovelace {ADA}")

    press(bot, element(answer.blocks(), "open_drafts"))
    assert "15-minute video call" in drafts_in(opened(bot).view())["draft_first_ask"]


def test_drafts_of_someone_elses_contact_are_refused(bot: Bot) -> None:
    bot.create_cohort()
    answer = bot.run(f"outreach Ada Lovelace {ADA}")
    button = element(answer.blocks(), "open_drafts")

    refused = bot.answer_to(press(bot, button, user="U0OTHER"))

    assert "not in your log" in refused.text()
    assert not bot.slack.of("views.open")


# -- 9. the date and time of a scheduled chat; the prep card -----------------------------------


def test_scheduling_asks_when_gives_the_prep_card_and_shows_the_time(bot: Bot) -> None:
    bot.create_cohort()
    bot.run(f"outreach Ada Lovelace {ADA}")
    menu = line_of(bot.run("list").blocks(), "Ada Lovelace")["accessory"]

    moved = bot.answer_to(pick(bot, menu, "scheduled:"))
    prep = moved.text()
    assert "Is there anyone else I should talk to?" in prep
    assert "15–30 minutes" in prep and "within 24 hours" in prep
    assert "How did you end up in this role?" in prep and "typical day" in prep
    form = opened(bot).view()
    assert form["callback_id"] == "schedule_modal"
    picker = next(b for b in form["blocks"] if b.get("block_id") == "scheduled_for")
    assert picker["element"]["type"] == "datetimepicker"

    when = datetime(2026, 9, 11, 18, 30, tzinfo=UTC)
    saved = bot.send.view_submission(
        form,
        {"scheduled_for": {"type": "datetimepicker", "selected_date_time": int(when.timestamp())}},
    ).json()
    assert saved["response_action"] == "update"
    with bot.session() as session:
        outreach = session.scalars(select(Outreach)).one()
    assert (outreach.status, outreach.scheduled_for) == (OutreachStatus.SCHEDULED, when)
    stamp = str(int(when.timestamp()))
    assert stamp in line_of(bot.run("list").blocks(), "Ada Lovelace")["text"]["text"]
    status = bot.run("status").text()
    assert (stamp, "Fri 11 Sep 2026, 12:30 MDT") in DATE_TOKEN.findall(status)


def test_a_chat_time_in_the_past_is_refused_on_the_field(bot: Bot) -> None:
    bot.create_cohort()
    bot.run(f"outreach Ada Lovelace {ADA}")
    menu = line_of(bot.run("list").blocks(), "Ada Lovelace")["accessory"]
    bot.answer_to(pick(bot, menu, "scheduled:"))
    form = opened(bot).view()

    past = int(datetime(2026, 9, 1, 12, tzinfo=UTC).timestamp())
    refused = bot.send.view_submission(
        form, {"scheduled_for": {"type": "datetimepicker", "selected_date_time": past}}
    ).json()

    assert refused["response_action"] == "errors"
    assert "has passed" in refused["errors"]["scheduled_for"]


# -- every student message, one cohort through ---------------------------------------------------


def test_every_message_a_student_reads_is_short_and_valid(bot: Bot, world: World) -> None:
    """A student's whole month, every message read; prints the longest."""
    world.create_cohort(local(DENVER, 2026, 9, 1, 12), student_ids=[STUDENT])
    world.step(local(DENVER, 2026, 9, 7, 9, 30))
    bot.clock.set(local(DENVER, 2026, 9, 9, 10))
    for n in range(9):
        bot.run(f"outreach Person {chr(65 + n)} https://www.linkedin.com/in/person-{n}")
    chat_with_referral(bot)
    bot.run("chat Person A")
    for text in ("list", "status", "help", "chats", ""):
        bot.run(text)
    bot.send.command("submit")  # two chats with LinkedIns: the hand-in form opens
    opened(bot)
    bot.send.event({"type": "app_home_opened", "user": STUDENT, "tab": "home"})
    opened(bot, method="views.publish")
    world.step(local(DENVER, 2026, 9, 14, 9, 30))

    to_student = [
        (c.method, c.blocks())
        for c in bot.slack.calls + world.slack.calls
        if c.method in {"response_url", "chat.postEphemeral"}
        or (c.method == "chat.postMessage" and str(c.params.get("channel")).endswith(STUDENT))
    ]
    sizes = sorted(((visible_chars(b), len(b), m) for m, b in to_student), reverse=True)
    longest = sizes[0]
    print(f"\nlongest student message: {longest[0]} characters in {longest[1]} blocks")
    assert len(to_student) >= 15
    assert longest[0] <= 2500 and longest[1] <= 20
