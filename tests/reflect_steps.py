"""Steps a student takes in the reflection and hand-in tests, over signed HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.blocks.ids import AnswerBlock, Block
from bot.domain.reflections import KEYS
from bot.models import Chat, Contact, Submission
from tests.conftest import Bot
from tests.fakeslack import Call
from tests.slackreq import Reply, text_value

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_45a9da7be8a07f4a.txt"
INSTRUCTORS = "C0INSTRUCT"
ADA = ("Ada Lovelace", "https://www.linkedin.com/in/ada-lovelace")
GRACE = ("Grace Hopper", "https://www.linkedin.com/in/grace-hopper")
ANSWERS = {
    "experience": "Hard at first; LinkedIn search and alumni worked best.",
    "takeaways": "Ada: read the docs.\nGrace: ship small things.",
    "similarly": "Research the person first and keep the ask short.",
    "differently": "Send the thank-you the same day.",
}


def seed_questions() -> list[str]:
    """The four reflection questions exactly as the assignment writes them."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    return [line[2:].strip() for line in lines if line.startswith("* ") and line.endswith("?")]


def open_modal(bot: Bot, text: str) -> dict[str, Any]:
    """Type `/coffee <text>` and return the modal the bot opened."""
    before = len(bot.slack.of("views.open"))
    reply = bot.send.command(text)
    assert reply.status == 200, reply
    calls = bot.wait_for("views.open", count=before + 1)
    assert len(calls) == before + 1, f"no modal for /coffee {text}"
    return calls[-1].view()


def answer_values(answers: dict[str, str | None]) -> dict[str, Any]:
    return {AnswerBlock.of(key).value: text_value(text) for key, text in answers.items()}


def multi_value(chat_ids: list[int]) -> dict[str, Any]:
    return {
        "type": "multi_static_select",
        "selected_options": [
            {"value": str(i), "text": {"type": "plain_text", "text": str(i)}} for i in chat_ids
        ],
    }


def log_chats(bot: Bot, *people: tuple[str, str | None]) -> list[int]:
    """Log a chat with each person (name, LinkedIn URL or None); their chat ids in order."""
    ids = []
    for name, url in people:
        bot.run(f"chat {name} {url or ''}".strip())
        with bot.session() as session:
            chat_id = session.scalar(select(Chat.id).join(Chat.contact).where(Contact.name == name))
        assert chat_id is not None
        ids.append(chat_id)
    return ids


def save_reflection(bot: Bot, answers: dict[str, str | None]) -> Reply:
    view = open_modal(bot, "reflect")
    return bot.send.view_submission(view, answer_values(answers))


def hand_in(
    bot: Bot, chat_ids: list[int] | None = None, answers: dict[str, str | None] | None = None
) -> Reply:
    """Open `/coffee submit` and submit it (with the modal's own prefills unless given); once
    saved, return only when the student has been shown the result of the post."""
    view = open_modal(bot, "submit")
    values = answer_values(prefilled_answers(view) if answers is None else answers)
    chosen = chat_ids if chat_ids is not None else prefilled_chats(view)
    values[Block.HANDIN_CHATS.value] = multi_value(chosen)
    shown = len(bot.slack.of("views.update"))
    reply = bot.send.view_submission(view, values)
    if reply.json().get("response_action") == "update":  # saved: wait until it is posted
        assert len(bot.wait_for("views.update", count=shown + 1, timeout=10)) == shown + 1
    return reply


def input_blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def prefilled_answers(view: dict[str, Any]) -> dict[str, str | None]:
    inputs = input_blocks(view)
    return {key: inputs[AnswerBlock.of(key).value]["element"].get("initial_value") for key in KEYS}


def prefilled_chats(view: dict[str, Any]) -> list[int]:
    element = input_blocks(view)[Block.HANDIN_CHATS.value]["element"]
    return [int(o["value"]) for o in element.get("initial_options", [])]


def instructor_posts(bot: Bot, method: str = "chat.postMessage") -> list[Call]:
    return [c for c in bot.slack.of(method) if c.params.get("channel") == INSTRUCTORS]


def submission(bot: Bot) -> Submission:
    with bot.session() as session:
        row = session.scalar(select(Submission))
        assert row is not None
        return row
