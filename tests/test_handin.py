"""`/coffee submit`: the deliverable reaches the instructors' channel once, edited on resubmit."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.blocks.ids import AnswerBlock, Block, Callback
from bot.domain.reflections import ANSWER_MAX, KEYS, QUESTIONS
from bot.models import Chat, Cohort, Reflection, Submission
from bot.schedule.run_due import run_due
from bot.webapi.client import make_client
from bot.webapi.handins import post_pending_handins
from tests.blockkit import assert_valid_blocks, assert_valid_view
from tests.conftest import Bot
from tests.reflect_steps import (
    ADA,
    ANSWERS,
    GRACE,
    hand_in,
    input_blocks,
    instructor_posts,
    log_chats,
    open_modal,
    prefilled_answers,
    prefilled_chats,
    save_reflection,
    submission,
)


def ready(bot: Bot, answers: dict[str, str | None] | None = None) -> list[int]:
    """A cohort, two chats with LinkedIns, and the reflection written."""
    bot.create_cohort()
    chat_ids = log_chats(bot, ADA, GRACE)
    save_reflection(bot, dict(ANSWERS) if answers is None else answers)
    return chat_ids


def result_view(bot: Bot, count: int = 1) -> dict[str, object]:
    """The view the student sees once the post went through (or did not)."""
    updates = bot.wait_for("views.update", count=count, timeout=10)
    assert len(updates) >= count, "the hand-in modal was never updated with the result"
    view = updates[count - 1].view()
    assert_valid_view(view)
    return view


def test_fewer_than_two_chats_with_linkedins_says_what_is_missing(bot: Bot) -> None:
    bot.create_cohort()
    log_chats(bot, ADA, ("Alan Turing", None))

    answer = bot.run("submit")

    text = answer.text()
    assert "you have 1 (Ada Lovelace)" in text
    assert "Missing LinkedIn URL for: Alan Turing" in text
    assert "chat Alan Turing https://www.linkedin.com/in/" in text
    assert bot.slack.of("views.open") == []
    assert bot.slack.of("chat.postMessage") == []


def test_no_chats_at_all_says_so_and_shows_how_to_log_one(bot: Bot) -> None:
    bot.create_cohort()

    text = bot.run("submit").text()

    assert "you have none yet" in text
    assert "Log 2 more chats" in text
    assert bot.slack.of("views.open") == []


def test_hand_in_posts_once_to_the_instructors_and_links_the_student_to_it(bot: Bot) -> None:
    chat_ids = ready(bot)

    view = open_modal(bot, "submit")

    assert view["callback_id"] == Callback.SUBMIT_MODAL
    assert_valid_view(view)
    assert sorted(prefilled_chats(view)) == sorted(chat_ids)
    assert prefilled_answers(view) == ANSWERS
    labels = [b["label"]["text"] for b in input_blocks(view).values()][1:]
    assert labels == [q.text for q in QUESTIONS]

    reply = hand_in(bot)

    body = reply.json()
    assert body["response_action"] == "update"
    assert "Posting it to your instructors" in str(body["view"]["blocks"])
    posts = instructor_posts(bot)
    assert len(posts) == 1
    post = posts[0]
    assert_valid_blocks(post.blocks())
    text = post.text()
    assert "<@U0STUDENT>" in text
    assert ADA[1] in text and GRACE[1] in text
    for question in QUESTIONS:
        assert question.text in text
        assert ANSWERS[question.key].splitlines()[0] in text
    row = submission(bot)
    assert (row.revision, row.posted_revision, row.late) == (1, 1, False)
    assert row.post_channel == "C0INSTRUCT" and row.post_ts
    assert row.post_error is None and row.post_claimed_until is None
    assert sorted([row.first_chat_id, row.second_chat_id]) == sorted(chat_ids)
    shown = str(result_view(bot)["blocks"])
    assert "Handed in!" in shown
    assert f"https://test.slack.com/archives/C0INSTRUCT/p{row.post_ts}" in shown
    assert "handed in" in bot.run("status").text()


def test_handing_in_again_edits_the_same_post(bot: Bot) -> None:
    ready(bot)
    hand_in(bot)
    result_view(bot)
    first = submission(bot)

    changed = {**ANSWERS, "differently": "Follow up after five days, not two weeks."}
    view = open_modal(bot, "submit")
    assert "updates that same post" in str(view["blocks"])
    reply = hand_in(bot, answers=changed)

    assert reply.json()["response_action"] == "update"
    updates = bot.wait_for("chat.update")
    assert len(updates) == 1
    assert updates[0].params["channel"] == "C0INSTRUCT"
    assert updates[0].params["ts"] == first.post_ts
    assert "Follow up after five days" in updates[0].text()
    assert "version 2" in updates[0].text()
    assert len(instructor_posts(bot)) == 1  # still exactly one post for this student
    row = submission(bot)
    assert (row.revision, row.posted_revision, row.post_ts) == (2, 2, first.post_ts)
    assert row.answers["differently"] == changed["differently"]
    assert "Hand-in updated" in str(result_view(bot, count=2)["blocks"])
    with bot.session() as session:
        draft = session.scalars(select(Reflection)).one()
        assert draft.differently == changed["differently"]


def test_after_the_deadline_a_hand_in_is_accepted_and_marked_late(bot: Bot) -> None:
    ready(bot)
    bot.clock.set(cohort_deadline_of(bot) + timedelta(hours=1))

    view = open_modal(bot, "submit")
    assert "deadline has passed" in str(view["blocks"])
    reply = hand_in(bot)

    assert reply.json()["response_action"] == "update"
    row = submission(bot)
    assert row.late is True
    posts = instructor_posts(bot)
    assert len(posts) == 1 and "Late" in posts[0].text()
    assert "(late)" in posts[0].params["text"]
    assert "marked late" in str(result_view(bot)["blocks"])
    assert "(late)" in bot.run("status").text()


def cohort_deadline_of(bot: Bot) -> datetime:
    with bot.session() as session:
        return session.scalars(select(Cohort.deadline_at)).one()


def test_a_resubmission_after_the_deadline_edits_the_post_and_marks_it_late(bot: Bot) -> None:
    ready(bot)
    hand_in(bot)
    result_view(bot)
    assert submission(bot).late is False
    bot.clock.set(cohort_deadline_of(bot) + timedelta(minutes=5))

    hand_in(bot)

    updates = bot.wait_for("chat.update")
    assert len(updates) == 1 and "Late" in updates[0].text()
    assert len(instructor_posts(bot)) == 1
    assert submission(bot).late is True


def test_an_empty_answer_is_an_error_on_that_field_and_nothing_is_handed_in(bot: Bot) -> None:
    chat_ids = ready(bot)

    reply = hand_in(bot, chat_ids, {**ANSWERS, "similarly": "   ", "differently": None})

    body = reply.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {AnswerBlock.SIMILARLY, AnswerBlock.DIFFERENTLY}
    assert "Answer this question" in body["errors"][AnswerBlock.SIMILARLY]
    assert_nothing_handed_in(bot)


def test_picking_other_than_two_chats_is_an_error_on_the_picker(bot: Bot) -> None:
    chat_ids = ready(bot)

    reply = hand_in(bot, chat_ids[:1])

    body = reply.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [Block.HANDIN_CHATS]
    assert "you picked only one" in body["errors"][Block.HANDIN_CHATS]
    assert_nothing_handed_in(bot)


def test_someone_elses_chat_cannot_be_handed_in(bot: Bot) -> None:
    chat_ids = ready(bot)
    bot.run(f"chat {ADA[0]} {ADA[1]}", user="U0OTHER")
    with bot.session() as session:
        other = max(session.scalars(select(Chat.id)))

    reply = hand_in(bot, [chat_ids[0], other])

    assert list(reply.json()["errors"]) == [Block.HANDIN_CHATS]
    assert_nothing_handed_in(bot)


def test_answers_over_slacks_limit_are_inline_errors_and_keep_the_rest(bot: Bot) -> None:
    chat_ids = ready(bot)
    long = {**ANSWERS, "takeaways": "y" * (ANSWER_MAX + 10)}

    reply = hand_in(bot, chat_ids, long)

    body = reply.json()
    assert list(body["errors"]) == [AnswerBlock.TAKEAWAYS]
    assert "Shorten it by 10" in body["errors"][AnswerBlock.TAKEAWAYS]
    assert_nothing_handed_in(bot)
    with bot.session() as session:
        assert session.scalars(select(Reflection)).one().takeaways == ANSWERS["takeaways"]


def assert_nothing_handed_in(bot: Bot) -> None:
    with bot.session() as session:
        assert session.scalars(select(Submission)).all() == []
    assert instructor_posts(bot) == []


def test_user_text_in_the_instructors_post_can_form_no_mention(bot: Bot) -> None:
    bot.create_cohort()
    log_chats(bot, ("Eve <!channel> Mallory", "https://www.linkedin.com/in/eve"), GRACE)
    sneaky = {key: f"{key}: <!channel> <@U0BOSS> <!here|x> <https://evil.example|ok> & *"
              for key in KEYS}  # fmt: skip
    save_reflection(bot, sneaky)

    hand_in(bot)

    posts = instructor_posts(bot)
    assert len(posts) == 1
    text = posts[0].text()
    assert "<!channel>" not in text and "<!here" not in text and "<@U0BOSS>" not in text
    assert "<https://evil.example" not in text
    assert "&lt;!channel&gt;" in text and "&lt;@U0BOSS&gt;" in text and "&amp;" in text
    mentions = [part.split(">")[0] for part in text.split("<@")[1:]]
    assert mentions == ["U0STUDENT", "U0STUDENT"]  # the fallback text and the student line


def test_a_long_escaped_answer_is_split_across_sections_and_kept_whole(bot: Bot) -> None:
    bot.create_cohort()
    log_chats(bot, ADA, GRACE)
    full = {key: "<" * ANSWER_MAX for key in KEYS}
    save_reflection(bot, full)

    hand_in(bot)

    post = instructor_posts(bot)[0]
    blocks = post.blocks()
    assert_valid_blocks(blocks)
    assert post.text().count("&lt;") == ANSWER_MAX * len(KEYS)


def test_a_rate_limited_post_is_saved_told_honestly_and_delivered_later(bot: Bot) -> None:
    ready(bot)
    bot.slack.fail("chat.postMessage", status=429, retry_after=1, times=3)

    reply = hand_in(bot)

    assert reply.json()["response_action"] == "update"
    shown = str(result_view(bot)["blocks"])
    assert "Your hand-in is saved" in shown and "slow down" in shown
    assert "your instructors will see it" in shown
    assert len(instructor_posts(bot)) == 3  # the first try and the client's two retries
    row = submission(bot)
    assert (row.revision, row.posted_revision, row.post_ts) == (1, 0, None)
    assert row.post_error == "ratelimited"
    assert row.post_claimed_until is None
    assert "handed in" in bot.run("status").text()  # saved, whatever Slack said

    client = make_client(bot.settings)
    assert post_pending_handins(client, bot.sessions, bot.clock()) == 1
    assert post_pending_handins(client, bot.sessions, bot.clock()) == 0

    posts = instructor_posts(bot)
    assert len(posts) == 4 and all(p.params.get("blocks") for p in posts)
    row = submission(bot)
    assert (row.posted_revision, row.post_error) == (1, None)
    assert row.post_ts is not None
    dms = [c for c in bot.slack.of("chat.postMessage") if c.params.get("channel") == "U0STUDENT"]
    assert len(dms) == 1 and "reached your instructors" in dms[0].text()
    assert row.post_ts in dms[0].text()


def test_a_long_rate_limit_is_not_waited_out_while_the_student_watches(bot: Bot) -> None:
    ready(bot)
    bot.slack.fail("chat.postMessage", status=429, retry_after=30)

    hand_in(bot)

    shown = str(result_view(bot)["blocks"])
    assert "Your hand-in is saved" in shown and "slow down" in shown
    assert len(instructor_posts(bot)) == 1  # the clock posts it later, see below
    assert submission(bot).post_error == "ratelimited"


def test_the_scheduled_run_delivers_a_hand_in_slack_refused(bot: Bot) -> None:
    ready(bot)
    bot.slack.fail("chat.postMessage", status=503, times=3)
    hand_in(bot)
    assert submission(bot).posted_revision == 0

    client = make_client(bot.settings)
    first = run_due(bot.clock(), bot.sessions, client)
    again = run_due(bot.clock(), bot.sessions, client)

    assert first.errors == [] and again.errors == []
    assert len(instructor_posts(bot)) == 4  # three refused by Slack, then one landed
    row = submission(bot)
    assert (row.posted_revision, row.post_error) == (1, None) and row.post_ts is not None


def test_the_bot_missing_from_the_channel_asks_for_an_invite_then_delivers(bot: Bot) -> None:
    ready(bot)
    bot.slack.fail("chat.postMessage", error="not_in_channel")

    hand_in(bot)

    shown = str(result_view(bot)["blocks"])
    assert "not a member of your instructors' channel" in shown
    assert "let your instructor know" in shown
    assert submission(bot).post_error == "not_in_channel"

    # a resubmission while still undelivered is one post, with the latest answers
    hand_in(bot, answers={**ANSWERS, "experience": "Changed my mind."})
    result_view(bot, count=2)
    assert bot.slack.of("chat.update") == []
    posts = instructor_posts(bot)
    assert len(posts) == 2  # the refused one, and the resubmission that went through
    assert "Changed my mind." in posts[-1].text()
    assert post_pending_handins(make_client(bot.settings), bot.sessions, bot.clock()) == 0


def test_a_server_error_is_retried_by_the_clock_exactly_once(bot: Bot) -> None:
    ready(bot)
    bot.slack.fail("chat.postMessage", status=503, times=3)
    hand_in(bot)
    shown = str(result_view(bot)["blocks"])
    assert "wasn't reachable" in shown
    client = make_client(bot.settings)
    counts: list[int] = []
    runs = [
        threading.Thread(
            target=lambda: counts.append(post_pending_handins(client, bot.sessions, bot.clock()))
        )
        for _ in range(4)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join()

    assert sorted(counts) == [0, 0, 0, 1]
    assert len(instructor_posts(bot)) == 4  # three refused, one delivered
    assert submission(bot).posted_revision == 1


def test_a_post_claimed_by_another_process_is_left_alone(bot: Bot) -> None:
    ready(bot)
    bot.slack.fail("chat.postMessage", error="is_archived")
    hand_in(bot)
    assert "archived" in str(result_view(bot)["blocks"])
    now = bot.clock()
    with bot.session() as session:
        row = session.scalars(select(Submission)).one()
        row.post_claimed_until = now + timedelta(minutes=1)

    client = make_client(bot.settings)
    assert post_pending_handins(client, bot.sessions, now) == 0
    assert len(instructor_posts(bot)) == 1

    assert post_pending_handins(client, bot.sessions, now + timedelta(minutes=2)) == 1
    assert len(instructor_posts(bot)) == 2


def test_a_deleted_post_is_posted_again_on_resubmission(bot: Bot) -> None:
    ready(bot)
    hand_in(bot)
    result_view(bot)
    first_ts = submission(bot).post_ts
    bot.slack.fail("chat.update", error="message_not_found")

    hand_in(bot)

    assert "Hand-in updated" not in str(result_view(bot, count=2)["blocks"])
    assert len(bot.slack.of("chat.update")) == 1
    assert len(instructor_posts(bot)) == 2
    row = submission(bot)
    assert (row.posted_revision, row.revision) == (2, 2)
    assert row.post_ts not in (None, first_ts)


def test_a_resubmission_while_another_process_posts_is_left_to_it(bot: Bot) -> None:
    ready(bot)
    hand_in(bot)
    now = bot.clock()
    with bot.session() as session:
        session.scalars(select(Submission)).one().post_claimed_until = now + timedelta(minutes=1)

    hand_in(bot, answers={**ANSWERS, "similarly": "Keep the ask to 15 minutes."})

    assert "being posted to your instructors' channel" in str(result_view(bot, count=2)["blocks"])
    assert bot.slack.of("chat.update") == []
    client = make_client(bot.settings)
    assert post_pending_handins(client, bot.sessions, now + timedelta(minutes=2)) == 1
    updates = bot.slack.of("chat.update")
    assert len(updates) == 1 and "15 minutes" in updates[0].text()
    assert len(instructor_posts(bot)) == 1
    dms = [c for c in bot.slack.of("chat.postMessage") if c.params.get("channel") == "U0STUDENT"]
    assert len(dms) == 1 and "update of your hand-in" in dms[0].text()


def test_a_closed_modal_gets_the_result_as_a_dm_instead(bot: Bot) -> None:
    ready(bot)
    bot.slack.fail("views.update", error="not_found")

    hand_in(bot)

    dms = bot.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == "U0STUDENT")
    assert len(dms) == 1 and "Handed in!" in dms[0].text()
    assert len(instructor_posts(bot)) == 1
