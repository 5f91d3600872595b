"""`/coffee reflect`, and what a logged chat adds: takeaways, referrals, "Reflect now"."""

from __future__ import annotations

from sqlalchemy import select

from bot.blocks.ids import Action, AnswerBlock, Block, Callback
from bot.domain.reflections import ANSWER_MAX, KEYS, QUESTIONS
from bot.models import Chat, Cohort, Contact, ContactSource, Outreach, Reflection
from tests.blockkit import assert_valid_blocks, assert_valid_view
from tests.conftest import Bot
from tests.reflect_steps import (
    ADA,
    ANSWERS,
    GRACE,
    input_blocks,
    open_modal,
    save_reflection,
    seed_questions,
)
from tests.slackreq import text_value


def reflection(bot: Bot) -> Reflection | None:
    with bot.session() as session:
        return session.scalar(select(Reflection))


def test_the_four_labels_are_the_assignments_questions_word_for_word(bot: Bot) -> None:
    questions = seed_questions()
    assert len(questions) == 4
    assert [q.text for q in QUESTIONS] == questions
    bot.create_cohort()

    view = open_modal(bot, "reflect")

    assert view["callback_id"] == Callback.REFLECT_MODAL
    assert_valid_view(view)
    inputs = list(input_blocks(view).values())
    assert [b["label"]["text"] for b in inputs] == questions
    for block in inputs:
        element = block["element"]
        assert element["type"] == "plain_text_input"
        assert element["multiline"] is True
        assert element["max_length"] == ANSWER_MAX
        assert element["placeholder"]["text"]


def test_a_draft_is_saved_and_the_modal_reopens_with_it(bot: Bot) -> None:
    bot.create_cohort()

    reply = save_reflection(bot, {"experience": ANSWERS["experience"], "takeaways": ""})

    body = reply.json()
    assert body["response_action"] == "update"
    assert_valid_view(body["view"])
    assert "1 of 4" in str(body["view"]["blocks"])
    saved = reflection(bot)
    assert saved is not None
    assert saved.experience == ANSWERS["experience"]
    assert saved.takeaways is None
    assert "draft started" in bot.run("status").text()

    view = open_modal(bot, "reflect")
    inputs = input_blocks(view)
    assert inputs[AnswerBlock.EXPERIENCE]["element"]["initial_value"] == ANSWERS["experience"]
    assert "initial_value" not in inputs[AnswerBlock.SIMILARLY]["element"]

    second = bot.send.view_submission(
        view, {AnswerBlock.of(k).value: text_value(v) for k, v in ANSWERS.items()}
    )

    assert second.json()["response_action"] == "update"
    saved = reflection(bot)
    assert saved is not None
    assert [getattr(saved, key) for key in KEYS] == [ANSWERS[key] for key in KEYS]
    assert "all four answers written" in bot.run("status").text()


def test_an_answer_over_slacks_limit_is_an_inline_error_and_nothing_is_lost(bot: Bot) -> None:
    bot.create_cohort()
    save_reflection(bot, {"experience": "First sitting."})

    reply = save_reflection(
        bot,
        {
            "experience": "Second sitting, rewritten.",
            "takeaways": "x" * (ANSWER_MAX + 1),
            "similarly": "Keep it short.",
        },
    )

    body = reply.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [AnswerBlock.TAKEAWAYS]
    assert "3,001" in body["errors"][AnswerBlock.TAKEAWAYS]
    saved = reflection(bot)
    assert saved is not None
    assert saved.experience == "First sitting."  # rejected input records nothing
    assert saved.similarly is None


def test_an_empty_reflection_is_refused_on_the_first_question(bot: Bot) -> None:
    bot.create_cohort()

    reply = save_reflection(bot, {key: "   " for key in KEYS})

    body = reply.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [AnswerBlock.EXPERIENCE]
    assert reflection(bot) is None


def test_reflect_outside_a_cohort_says_why_and_opens_nothing(bot: Bot) -> None:
    answer = bot.run("reflect")

    assert "not in a coffee-chat cohort" in answer.text()
    assert bot.slack.of("views.open") == []


def test_the_chat_modal_keeps_takeaways_and_turns_referrals_into_contacts(bot: Bot) -> None:
    bot.create_cohort()
    view = open_modal(bot, "chat")
    assert_valid_view(view)
    assert {Block.TAKEAWAYS, Block.REFERRALS} <= set(input_blocks(view))

    reply = bot.send.view_submission(
        view,
        {
            Block.NAME: text_value(ADA[0]),
            Block.LINKEDIN: text_value(ADA[1]),
            Block.DATE: {"type": "datepicker", "selected_date": "2026-09-08"},
            Block.TAKEAWAYS: text_value("Read the docs before you ask."),
            Block.REFERRALS: text_value(f"{GRACE[0]} {GRACE[1]}\n\n- Alan Turing\n"),
        },
    )

    body = reply.json()
    assert body["response_action"] == "update", body
    assert_valid_view(body["view"])
    confirmation = str(body["view"]["blocks"])
    assert "Grace Hopper, Alan Turing" in confirmation
    assert Action.OPEN_REFLECT in confirmation
    with bot.session() as session:
        ada = session.scalars(select(Contact).where(Contact.name == ADA[0])).one()
        chat = session.scalars(select(Chat).where(Chat.contact_id == ada.id)).one()
        assert chat.takeaways == "Read the docs before you ask."
        referred = session.scalars(select(Contact).where(Contact.id != ada.id)).all()
        assert sorted((c.name, c.linkedin_url) for c in referred) == [
            ("Alan Turing", None),
            GRACE,
        ]
        assert {c.source for c in referred} == {ContactSource.REFERRAL}
        assert {c.referred_by_id for c in referred} == {ada.id}
        assert session.scalars(select(Outreach).where(Outreach.contact_id != ada.id)).all() == []

    # the takeaways wait for the student in the reflection's takeaways question
    reflect = open_modal(bot, "reflect")
    prefill = input_blocks(reflect)[AnswerBlock.TAKEAWAYS]["element"]["initial_value"]
    assert prefill == "Ada Lovelace: Read the docs before you ask."


def test_a_bad_referral_line_is_an_inline_error_and_nothing_is_logged(bot: Bot) -> None:
    bot.create_cohort()
    view = open_modal(bot, "chat")

    reply = bot.send.view_submission(
        view,
        {
            Block.NAME: text_value(ADA[0]),
            Block.DATE: {"type": "datepicker", "selected_date": "2026-09-08"},
            Block.REFERRALS: text_value("Grace Hopper\nAlan Turing https://example.com/alan"),
        },
    )

    body = reply.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [Block.REFERRALS]
    assert "line 2" in body["errors"][Block.REFERRALS]
    assert "linkedin.com/in/" in body["errors"][Block.REFERRALS]
    with bot.session() as session:
        assert session.scalars(select(Contact)).all() == []


def test_the_person_you_chatted_with_listed_as_a_referral_is_skipped(bot: Bot) -> None:
    bot.create_cohort()
    view = open_modal(bot, "chat")

    reply = bot.send.view_submission(
        view,
        {
            Block.NAME: text_value(ADA[0]),
            Block.DATE: {"type": "datepicker", "selected_date": "2026-09-08"},
            Block.REFERRALS: text_value("ada lovelace\nGrace Hopper"),
        },
    )

    assert reply.json()["response_action"] == "update"
    with bot.session() as session:
        contacts = {c.name: c for c in session.scalars(select(Contact))}
        assert set(contacts) == {ADA[0], GRACE[0]}
        assert contacts[ADA[0]].referred_by_id is None
        assert contacts[GRACE[0]].referred_by_id == contacts[ADA[0]].id


def test_a_logged_chat_offers_reflect_now_and_recalls_what_to_do_differently(bot: Bot) -> None:
    bot.create_cohort()
    save_reflection(bot, {"differently": "Ask <!channel> fewer questions & <@U0BOSS> listen"})

    answer = bot.run(f"chat {ADA[0]} {ADA[1]}")

    blocks = answer.blocks()
    assert_valid_blocks(blocks)
    text = answer.text()
    assert "Last time you wanted to do differently" in text
    assert "&lt;!channel&gt;" in text and "&lt;@U0BOSS&gt;" in text and "&amp;" in text
    assert "<!channel>" not in text and "<@U0BOSS>" not in text
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    reflect = next(b for b in buttons if b["action_id"] == Action.OPEN_REFLECT)

    bot.send.block_action(reflect["action_id"], reflect["value"], response_url=None)

    opened = bot.wait_for("views.open", count=2)
    assert len(opened) == 2  # the first one was the reflection saved above
    view = opened[-1].view()
    assert view["callback_id"] == Callback.REFLECT_MODAL
    assert "fewer questions" in str(view["blocks"])


def test_reflect_now_inside_the_chat_modal_turns_it_into_the_reflection(bot: Bot) -> None:
    bot.create_cohort()
    view = open_modal(bot, "chat")
    reply = bot.send.view_submission(
        view,
        {
            Block.NAME: text_value(GRACE[0]),
            Block.DATE: {"type": "datepicker", "selected_date": "2026-09-08"},
        },
    )
    logged = reply.json()["view"]
    assert Action.OPEN_REFLECT in str(logged["blocks"])

    payload = {
        "type": "block_actions",
        "team": {"id": "T0TEAM", "domain": "test"},
        "user": {"id": "U0STUDENT", "team_id": "T0TEAM", "name": "student"},
        "api_app_id": "A0APP",
        "trigger_id": "trigger.modal",
        "container": {"type": "view", "view_id": "V0LOGGED"},
        "view": {**logged, "id": "V0LOGGED", "team_id": "T0TEAM", "private_metadata": "{}"},
        "actions": [
            {"type": "button", "action_id": Action.OPEN_REFLECT.value, "value": "1",
             "block_id": "reflect", "action_ts": "1.2"}
        ],
    }  # fmt: skip
    assert bot.send.interactive(payload).status == 200

    updated = bot.wait_for("views.update")
    assert updated and updated[-1].params["view_id"] == "V0LOGGED"
    assert updated[-1].view()["callback_id"] == Callback.REFLECT_MODAL
    assert len(bot.slack.of("views.open")) == 1  # only the chat modal itself


def test_chat_logged_outside_a_cohort_has_no_reflect_button(bot: Bot) -> None:
    answer = bot.run(f"chat {ADA[0]}")

    assert Action.OPEN_REFLECT not in str(answer.blocks())
    assert reflection(bot) is None


def test_a_refusal_that_is_not_about_an_answer_shows_on_the_first_question(bot: Bot) -> None:
    cohort = bot.create_cohort()
    view = open_modal(bot, "reflect")
    with bot.session() as session:
        session.get(Cohort, cohort.id).active = False  # type: ignore[union-attr]

    reply = bot.send.view_submission(view, {AnswerBlock.EXPERIENCE.value: text_value("Fine.")})

    body = reply.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [AnswerBlock.EXPERIENCE]
    assert "cohort" in body["errors"][AnswerBlock.EXPERIENCE]
    assert reflection(bot) is None
