"""Reading what people type after the slash command, into modals and onto buttons.

Everything here reads payloads defensively: a value of a shape Slack never sends (a forged or
tampered request) reads as missing, or as an InvalidInput naming the field; never a crash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from bot.blocks.ids import Action, Choice
from bot.domain.errors import COMMAND, InvalidInput
from bot.domain.linkedin import EXAMPLE, looks_like_linkedin
from bot.domain.logbook import PersonInput

MAX_ID_DIGITS = 12  # database ids; anything longer is not one of ours
STALE = f"That is not in your log any more. Run `{COMMAND} list` to see your log."


@dataclass(frozen=True)
class CommandText:
    """`/coffee outreach Ada Lovelace https://…` as a subcommand and its arguments."""

    subcommand: str
    arguments: str


def split_command(text: object) -> CommandText:
    words = (text if isinstance(text, str) else "").strip().split(None, 1)
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
            f"`{COMMAND} {subcommand} Ada Lovelace {EXAMPLE}`",
            "linkedin",
        )
    example = f"`{COMMAND} {subcommand} Ada Lovelace {EXAMPLE}`"
    return PersonInput(name=" ".join(words), linkedin_url=url, example=example)


def record_id(value: object, field: str | None = None, stale: str = STALE) -> int:
    """A database id carried by a button or a menu option; InvalidInput when it isn't one."""
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and 0 < len(text) <= MAX_ID_DIGITS):
        raise InvalidInput(stale, field)
    return int(text)


def contact_and_page(value: object) -> tuple[int, int]:
    """A button's `<contact id>:<page>` (a page that isn't one reads as the first)."""
    contact, _, page = (value if isinstance(value, str) else "").partition(":")
    return record_id(contact), page_number(page)


def menu_choice(action: Mapping[str, Any]) -> tuple[Choice, int, int]:
    """The option picked in a contact's ⋯ menu: `<choice>:<contact id>:<page>`."""
    option = action.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    choice, _, rest = (value if isinstance(value, str) else "").partition(":")
    if choice not in {c.value for c in Choice}:
        raise InvalidInput(STALE)
    contact, page = contact_and_page(rest)
    return Choice(choice), contact, page


def page_number(value: object) -> int:
    """A page carried by a button (0 first); anything that isn't one reads as the first."""
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else 0


def metadata(view: Mapping[str, Any]) -> dict[str, Any]:
    """A view's private_metadata as we wrote it (a JSON object), or {}."""
    raw = view.get("private_metadata")
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        loaded = json.loads(raw)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


class Form:
    """The values of a submitted modal, by block id, each read as the element it should be."""

    def __init__(self, view: Mapping[str, Any]) -> None:
        state = view.get("state")
        values = state.get("values") if isinstance(state, dict) else None
        self._elements: dict[str, dict[str, Any]] = {}
        for block_id, actions in (values if isinstance(values, dict) else {}).items():
            element = actions.get(Action.INPUT.value) if isinstance(actions, dict) else None
            if isinstance(element, dict):
                self._elements[str(block_id)] = element
        self.metadata = metadata(view)

    def blocks(self) -> list[str]:
        """The block ids that came back, in order."""
        return list(self._elements)

    def text(self, block: str) -> str | None:
        value = self._elements.get(block, {}).get("value")
        return value if isinstance(value, str) else None

    def choice(self, block: str) -> str | None:
        selected = self._elements.get(block, {}).get("selected_option")
        value = selected.get("value") if isinstance(selected, dict) else None
        return value if isinstance(value, str) else None

    def choices(self, block: str) -> list[str]:
        options = self._elements.get(block, {}).get("selected_options")
        if not isinstance(options, list):
            return []
        found = [o.get("value") for o in options if isinstance(o, dict)]
        return [value for value in found if isinstance(value, str)]

    def users(self, block: str) -> list[str]:
        users = self._elements.get(block, {}).get("selected_users")
        return [u for u in users if isinstance(u, str)] if isinstance(users, list) else []

    def conversation(self, block: str) -> str | None:
        value = self._elements.get(block, {}).get("selected_conversation")
        return value if isinstance(value, str) else None

    def date(self, block: str, field: str) -> date:
        """A picked date; InvalidInput on `field` when none or not a date."""
        value = self._elements.get(block, {}).get("selected_date")
        if not value:
            raise InvalidInput("Pick a date.", field)
        try:
            return date.fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidInput(
                "That date is not valid; pick one from the calendar.", field
            ) from exc

    def instant(self, block: str, field: str) -> datetime | None:
        """A picked date and time (Unix seconds, within 1970–2100); None when left empty."""
        value = self._elements.get(block, {}).get("selected_date_time")
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise InvalidInput("Pick a date and time from the calendar.", field)
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 10):
            raise InvalidInput("Pick a date and time from the calendar.", field)
        stamp = int(text)
        if stamp > 4102444800:  # 2100-01-01
            raise InvalidInput("Pick a date and time from the calendar.", field)
        return datetime.fromtimestamp(stamp, UTC)


def check_in_value(value: object) -> tuple[int, datetime | None]:
    """A check-in button's `<contact id>:<planned instant, epoch seconds>`; an instant that
    isn't one reads as unknown (the rule then refuses what needs it)."""
    contact, _, stamp = (value if isinstance(value, str) else "").partition(":")
    text = stamp.strip()
    at = None
    if text.isascii() and text.isdigit() and 0 < len(text) <= MAX_ID_DIGITS:
        try:
            at = datetime.fromtimestamp(int(text), UTC)
        except (ValueError, OverflowError, OSError):  # beyond the year 9999
            at = None
    return record_id(contact), at
