"""Block Kit checks with slack_sdk's own models (they raise on Slack's limits)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from tests.fakeslack import Call

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100


def assert_valid_blocks(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= MESSAGE_BLOCKS_MAX, f"{len(blocks)} blocks in one message"
    parsed = Block.parse_all(blocks)
    assert len(parsed) == len(blocks), "a block type slack_sdk does not know"
    for block in parsed:
        block.validate_json()


def assert_valid_view(view: dict[str, Any]) -> None:
    assert len(view.get("blocks", [])) <= VIEW_BLOCKS_MAX
    model = View(**view)
    model.validate_json()
    for block in model.blocks:
        block.validate_json()


def assert_valid_call(call: Call) -> None:
    """Whatever the bot sent in one call is valid Block Kit."""
    if call.params.get("view"):
        assert_valid_view(call.view())
    elif call.params.get("blocks"):
        assert_valid_blocks(call.blocks())
