"""The pieces every modal is made of: the modal itself, input blocks, text inputs, options."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks.ids import Action, Callback
from bot.blocks.text import plain


def modal(
    callback: Callback,
    title: str,
    submit: str,
    blocks: list[dict[str, Any]],
    metadata: dict[str, Any],
) -> dict[str, Any]:
    """A modal with a Cancel button; `metadata` comes back with the submission."""
    return {
        "type": "modal",
        "callback_id": callback.value,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    """An input block whose element answers to Action.INPUT."""
    block: dict[str, Any] = {
        "type": "input",
        "block_id": str(block_id),
        "label": plain(label, 2000),
        "element": {"action_id": Action.INPUT.value, **element},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def text_input(
    max_length: int, placeholder: str, multiline: bool = False, initial: str | None = None
) -> dict[str, Any]:
    """A plain-text input that Slack itself keeps within `max_length`."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "max_length": max_length,
        "multiline": multiline,
        "placeholder": plain(placeholder, 150),
    }
    if initial:
        element["initial_value"] = initial
    return element


def option(value: str, label: str) -> dict[str, Any]:
    """One option of a select menu."""
    return {"text": plain(label), "value": value}


def done_view(title: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """What a modal turns into once saved: the confirmation, and a Close button."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("Close", 24),
        "blocks": blocks,
    }
