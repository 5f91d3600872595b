"""Checks on the free text students type: names and notes."""

from __future__ import annotations

import re
import unicodedata

from bot.domain.errors import InvalidInput

NAME_MAX = 100
NOTE_MAX = 2000
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-]+:")
_BIDI_AND_INVISIBLE = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\u061c",
}  # fmt: skip


def clean_name(raw: str | None, what: str = "name", example: str = "Ada Lovelace") -> str:
    """A person's name, trimmed; rejects empty, too long, emoji, control or bidi characters.

    `example` is how to write it where it was typed (a whole command, in a slash command).
    """
    name = " ".join((raw or "").split())
    name = unicodedata.normalize("NFC", name)
    if not name:
        raise InvalidInput(f"The {what} is missing. Write it like: {example}", field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(
            f"The {what} is {len(name)} characters long; keep it to {NAME_MAX} or fewer.",
            field="name",
        )
    bad = _forbidden(name, allow_newlines=False)
    if bad:
        raise InvalidInput(
            f"The {what} contains {bad}. Use letters, spaces and punctuation only, like: {example}",
            field="name",
        )
    if _EMOJI_CODE.search(name) or any(
        unicodedata.category(ch) == "So" or _is_emoji(ch) for ch in name
    ):
        raise InvalidInput(
            f"The {what} contains emoji or symbols. Write the person's name only, like: {example}",
            field="name",
        )
    if not any(ch.isalpha() for ch in name):
        raise InvalidInput(
            f"The {what} has no letters. Write the person's name, like: {example}",
            field="name",
        )
    return name


def clean_note(raw: str | None, what: str = "note", limit: int = NOTE_MAX) -> str | None:
    """Optional free text; None when blank. Rejects control and bidi characters and overflow."""
    if raw is None or not raw.strip():
        return None
    note = unicodedata.normalize("NFC", raw.strip().replace("\r\n", "\n"))
    if len(note) > limit:
        raise InvalidInput(
            f"The {what} is {len(note)} characters long; keep it to {limit} or fewer.",
            field=what,
        )
    bad = _forbidden(note, allow_newlines=True)
    if bad:
        raise InvalidInput(f"The {what} contains {bad}; remove them and try again.", field=what)
    return note


def name_key(name: str) -> str:
    """The form names are matched by: case- and accent-insensitive, single spaces.

    At most NAME_MAX characters, like the column it is stored in: decomposing can make a
    name longer (`ﬃ` is `ffi`, `㍿` is four characters).
    """
    folded = unicodedata.normalize("NFKD", name.casefold())
    decomposed = unicodedata.normalize("NFKD", folded.casefold())  # `𝕬` folds only once it is `A`
    key = " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())
    return key[:NAME_MAX].rstrip()


def _forbidden(text: str, allow_newlines: bool) -> str | None:
    for ch in text:
        if allow_newlines and ch in "\n\t":
            continue
        if ch in _BIDI_AND_INVISIBLE:
            return "invisible or right-to-left control characters"
        if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"}:
            return "control characters"
    return None


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or code == 0xFE0F
