"""The reflection and hand-in modals, and what the student sees once they are saved."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.forms import done_view, input_block, modal, option, text_input
from bot.blocks.ids import AnswerBlock, Block, Callback
from bot.blocks.text import context, escape, mrkdwn_section, plain, truncate, when
from bot.domain.handins import HandinForm, PostOutcome
from bot.domain.reflections import ANSWER_MAX, QUESTIONS
from bot.models import Chat
from bot.webapi.errors import meaning, why

CHAT_OPTIONS_MAX = 100


def answer_inputs(answers: Mapping[str, str], optional: bool) -> list[dict[str, Any]]:
    """The four questions, verbatim, as multiline inputs holding the saved answers."""
    return [
        input_block(
            AnswerBlock.of(question.key),
            question.text,
            text_input(
                ANSWER_MAX, question.placeholder, multiline=True, initial=answers.get(question.key)
            ),
            optional=optional,
        )
        for question in QUESTIONS
    ]


def reflect_modal(
    answers: Mapping[str, str], command: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    """The reflection form: a draft the student can save and reopen as often as they like."""
    intro = mrkdwn_section(
        "Answer the four reflection questions of the assignment. Save whenever you like: "
        f"`{escape(command)} reflect` brings your answers back, so you can write in several "
        f"sittings. When you have your two chats, hand in with `{escape(command)} submit`."
    )
    blocks = [intro, *answer_inputs(answers, optional=True)]
    return modal(Callback.REFLECT_MODAL, "Reflection", "Save", blocks, metadata)


def reflection_saved(answered: int, command: str) -> list[dict[str, Any]]:
    """Confirmation of a saved draft, with what is left."""
    total = len(QUESTIONS)
    if answered == total:
        text = (
            f":white_check_mark: Saved your reflection: all {total} questions answered. "
            f"Hand in with `{escape(command)} submit` once you have your two chats."
        )
    else:
        text = (
            f":memo: Saved your draft: {answered} of {total} questions answered. "
            f"Finish the rest any time with `{escape(command)} reflect`."
        )
    return [mrkdwn_section(text)]


def chat_option_label(chat: Chat) -> str:
    held = chat.held_on
    return truncate(f"{chat.contact.name} · chatted {held:%b} {held.day}", 75)


def submit_modal(form: HandinForm, now: datetime, metadata: dict[str, Any]) -> dict[str, Any]:
    """The deliverable: pick two chats (their LinkedIns go to the instructors), confirm answers."""
    chats, chosen, submission, deadline = form.chats, form.chosen, form.submission, form.deadline
    tz = ZoneInfo(form.timezone)
    lines = [
        "*Hand in your coffee chats.* Pick the two people you chatted with and check your "
        "answers. Your instructors get one post in their channel with both LinkedIns and "
        "your answers.",
        f"*Deadline:* {when(deadline, tz)}",
    ]
    if submission is not None:
        lines.append(
            f"You handed in {when(submission.submitted_at, tz)}; handing in again "
            "updates that same post."
        )
    if now > deadline:
        lines.append(
            ":warning: The deadline has passed. You can still hand in; it will be marked late."
        )
    options = {str(c.id): chat_option_label(c) for c in chats[:CHAT_OPTIONS_MAX]}
    select: dict[str, Any] = {
        "type": "multi_static_select",
        "placeholder": plain("Pick two chats", 150),
        "options": [option(value, label) for value, label in options.items()],
        "max_selected_items": 2,
    }
    initial = [str(chat_id) for chat_id in chosen if str(chat_id) in options]
    if initial:
        select["initial_options"] = [option(value, options[value]) for value in initial]
    blocks = [
        mrkdwn_section("\n".join(lines)),
        input_block(
            Block.HANDIN_CHATS,
            "The two people you chatted with",
            select,
            hint="Only chats whose LinkedIn URL is in your log are listed.",
        ),
        *answer_inputs(form.answers, optional=False),
    ]
    return modal(Callback.SUBMIT_MODAL, "Hand in", "Hand in", blocks, metadata)


def handing_in_view() -> dict[str, Any]:
    """Shown at once after the hand-in is saved, while it is posted to the instructors."""
    return done_view(
        "Handing in",
        [
            mrkdwn_section(
                ":hourglass_flowing_sand: *Handed in and saved.* Posting it to your "
                "instructors' channel…"
            )
        ],
    )


def handin_result(
    outcome: PostOutcome, late: bool, deadline: datetime, timezone: str, command: str
) -> list[dict[str, Any]]:
    """What the student is told once the post went through, is on its way, or failed."""
    state, error = outcome.state, outcome.error
    link = f"<{escape(outcome.permalink)}|see the post>" if outcome.permalink else ""
    if state == "failed":
        reason = escape(why(error, "your instructors' channel"))
        text = (
            f":warning: *Your hand-in is saved*, but I couldn't post it to your instructors' "
            f"channel just now ({reason}). I'll keep trying on my own and "
            "your instructors will see it as soon as it goes through; I'll message you then."
        )
        if meaning(error).channel_problem:
            text += " Please let your instructor know, so they can invite me to their channel."
    elif state == "busy":
        text = (
            ":hourglass_flowing_sand: *Handed in and saved.* It's being posted to your "
            "instructors' channel right now; they'll see it in a moment."
        )
    elif outcome.updated:
        text = (
            ":white_check_mark: *Hand-in updated.* The same post in your instructors' channel "
            f"now shows your changes. {link}"
        )
    else:
        text = f":white_check_mark: *Handed in!* Your instructors have it. {link}"
    blocks = [mrkdwn_section(text.strip())]
    if late:
        due = when(deadline, ZoneInfo(timezone))
        blocks.append(
            mrkdwn_section(
                f":alarm_clock: This came in after your deadline ({due}), so it's marked late. "
                "Your instructors still have it."
            )
        )
    else:
        blocks.append(
            context(
                f"Changed your mind? Run `{escape(command)} submit` again to update the same post."
            )
        )
    return blocks


def handin_delivered(permalink: str | None, updated: bool) -> list[dict[str, Any]]:
    """The DM sent when a hand-in that could not be posted at first has gone through."""
    what = "update of your hand-in" if updated else "hand-in"
    link = f" <{escape(permalink)}|See the post.>" if permalink else ""
    return [
        mrkdwn_section(
            f":white_check_mark: Your {what} has now reached your instructors' channel.{link}"
        )
    ]
