"""Steps of the student-side tests: menus, buttons and what a student reads, over signed HTTP."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import func, select

from tests.conftest import Bot
from tests.fakeslack import Call, _texts
from tests.slackreq import STUDENT, TEAM

ADA = "https://www.linkedin.com/in/ada-lovelace"
GRACE = "https://www.linkedin.com/in/grace-hopper"
KATHERINE = "https://www.linkedin.com/in/kjohnson"
NOTICES = {"notice", "undo", "prep"}  # what just happened, above the list
_clicks = itertools.count(1)


def count(bot: Bot, model: type) -> int:
    with bot.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def visible_chars(blocks: list[dict[str, Any]]) -> int:
    """How many characters a person reads in blocks: every text but those shown only once
    tapped (a menu's options, a confirmation dialog). Slack's date tokens count in full, so
    this is an upper bound."""

    def shown(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: shown(v) for k, v in node.items() if k not in {"options", "confirm"}}
        if isinstance(node, list):
            return [shown(item) for item in node]
        return node

    return sum(len(text) for text in _texts(shown(blocks)))


def interact(
    bot: Bot,
    action: dict[str, Any],
    user: str = STUDENT,
    channel: str = "C0GENERAL",
    view: dict[str, Any] | None = None,
) -> str:
    """Send one block action (from a message, or from inside `view`); its response_url."""
    n = next(_clicks)
    url = bot.slack.response_url(f"click{n}")
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "team_id": TEAM, "name": "student"},
        "api_app_id": "A0APP",
        "trigger_id": f"trigger.click{n}",
        "actions": [{"block_id": "b", "action_ts": "1.2", **action}],
    }
    if view is not None:
        payload["view"] = {"id": "V0OPEN", "team_id": TEAM, "state": {"values": {}}, **view}
        payload["container"] = {"type": "view", "view_id": "V0OPEN"}
    else:
        payload["channel"] = {"id": channel, "name": "general"}
        payload["container"] = {"type": "message", "is_ephemeral": True}
        payload["response_url"] = url
    reply = bot.send.interactive(payload)
    assert reply.status == 200, reply
    return url


def press(bot: Bot, button: dict[str, Any], **kwargs: Any) -> str:
    """Press a button as the bot drew it."""
    action = {"type": "button", "action_id": button["action_id"], "value": button["value"]}
    return interact(bot, action, **kwargs)


def pick(bot: Bot, menu: dict[str, Any], starts: str, **kwargs: Any) -> str:
    """Pick the option of an overflow menu whose value starts with `starts`."""
    option = next(o for o in menu["options"] if o["value"].startswith(starts))
    action = {"type": "overflow", "action_id": menu["action_id"], "selected_option": option}
    return interact(bot, action, **kwargs)


def line_of(blocks: list[dict[str, Any]], person: str) -> dict[str, Any]:
    """The line of a list about `person` (their name in bold, linked or not)."""
    found = [
        b
        for b in blocks
        if b["type"] == "section"
        and b.get("block_id") not in NOTICES
        and any(
            mark in b.get("text", {}).get("text", "") for mark in (f"|{person}>*", f"*{person}*")
        )
    ]
    assert len(found) == 1, f"{len(found)} lines about {person}"
    return found[0]


def elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every interactive element of some blocks: accessories and actions."""
    found: list[dict[str, Any]] = []
    for block in blocks:
        if "accessory" in block:
            found.append(block["accessory"])
        found += block.get("elements", []) if block["type"] == "actions" else []
    return found


def element(
    blocks: list[dict[str, Any]], action_id: str, value: str | None = None
) -> dict[str, Any]:
    found = [
        e
        for e in elements(blocks)
        if e.get("action_id") == action_id and (value is None or e.get("value") == value)
    ]
    assert found, f"no {action_id} in {[e.get('action_id') for e in elements(blocks)]}"
    return found[0]


def after(block: dict[str, Any], blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """The block right after `block`."""
    return blocks[blocks.index(block) + 1]


def opened(bot: Bot, count: int = 1, method: str = "views.open") -> Call:
    calls = bot.wait_for(method, count=count)
    assert len(calls) >= count, f"no {method}"
    return calls[count - 1]


def drafts_in(view: dict[str, Any]) -> dict[str, str]:
    """The texts of a drafts modal, by block id."""
    return {
        b["block_id"]: b["element"]["initial_value"] for b in view["blocks"] if b["type"] == "input"
    }
