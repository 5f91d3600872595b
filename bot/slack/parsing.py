"""Reading what students type after the slash command and into modals."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.blocks.ids import Action
from bot.domain.errors import InvalidInput
from bot.domain.linkedin import EXAMPLE, looks_like_linkedin
from bot.domain.logbook import PersonInput


@dataclass(frozen=True)
class CommandText:
    """`/coffee outreach Ada Lovelace https://…` as a subcommand and its arguments."""

    subcommand: str
    arguments: str


def split_command(text: str | None) -> CommandText:
    words = (text or "").strip().split(None, 1)
    if not words:
        return CommandText("", "")
    return CommandText(words[0].lower(), words[1].strip() if len(words) > 1 else "")


def person_from_arguments(arguments: str, subcommand: str) -> PersonInput:
    """`Ada Lovelace https://…` as a person; the URL, when given, comes last."""
    words = arguments.split()
    url = words.pop() if words and looks_like_linkedin(words[-1]) else None
    stray = [w for w in words if looks_like_linkedin(w)]
    if stray:
        raise InvalidInput(
            f"Put the LinkedIn URL last, after the name, like: "
            f"`{subcommand} Ada Lovelace {EXAMPLE}`",
            "linkedin",
        )
    return PersonInput(name=" ".join(words), linkedin_url=url)


def view_values(view: dict[str, Any]) -> dict[str, Any]:
    """The submitted value of each input block, keyed by block id."""
    values: dict[str, Any] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        element = actions.get(Action.INPUT.value, {})
        kind = element.get("type")
        if kind == "static_select":
            selected = element.get("selected_option")
            values[block_id] = selected["value"] if selected else None
        elif kind == "datepicker":
            values[block_id] = element.get("selected_date")
        elif kind == "datetimepicker":
            values[block_id] = element.get("selected_date_time")
        elif kind == "conversations_select":
            values[block_id] = element.get("selected_conversation")
        elif kind == "multi_users_select":
            values[block_id] = element.get("selected_users") or []
        elif kind == "multi_static_select":
            values[block_id] = [o["value"] for o in element.get("selected_options") or []]
        else:
            values[block_id] = element.get("value")
    return values


def parse_date(value: str | None, field: str) -> date:
    if not value:
        raise InvalidInput("Pick a date.", field)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("That date is not valid; pick one from the calendar.", field) from exc


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
