"""LinkedIn profile URLs: parse what students paste, store one normal form."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

from bot.domain.errors import InvalidInput

EXAMPLE = "https://www.linkedin.com/in/ada-lovelace"
_SLUG_LENGTH = range(3, 101)
_SLUG_PUNCTUATION = frozenset("-_.")
_HOSTS = re.compile(r"^(?:[a-z]{2,3}\.|www\.|m\.)?linkedin\.com$")


def looks_like_linkedin(text: str) -> bool:
    """Whether a word is meant as a LinkedIn link (so it is parsed, not taken as a name)."""
    lowered = text.lower().strip("<>")
    return "linkedin.com" in lowered or lowered.startswith(("http://", "https://", "www."))


def normalize_linkedin_url(raw: str) -> str:
    """The canonical `https://www.linkedin.com/in/<slug>` form of a profile URL.

    Accepts the URL with or without scheme, `www.`, a country subdomain, a trailing slash, a
    query or a fragment, and Slack's `<url|label>` link form. Raises InvalidInput otherwise.
    """
    text = raw.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].split("|", 1)[0]
    if not text:
        raise InvalidInput(
            f"A LinkedIn URL is empty. Paste a profile link like {EXAMPLE}", "linkedin"
        )
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in {"http", "https"}:
        raise InvalidInput(_not_a_profile(raw), "linkedin")
    host = (parts.hostname or "").lower()
    if not _HOSTS.match(host):
        raise InvalidInput(_not_a_profile(raw), "linkedin")
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) < 2 or segments[0].lower() != "in":
        raise InvalidInput(_not_a_profile(raw), "linkedin")
    slug = unicodedata.normalize("NFC", unquote(segments[1]).strip().lower())
    if not _is_slug(slug) or len(segments) > 3:
        raise InvalidInput(_not_a_profile(raw), "linkedin")
    return f"https://www.linkedin.com/in/{slug}"


def _is_slug(slug: str) -> bool:
    """Letters (with their accents), digits, `-`, `_` and `.`: nothing that is markup in a
    link, and nothing that decodes to something else (`%`), so the normal form is stable."""
    return len(slug) in _SLUG_LENGTH and all(
        ch.isalnum() or ch in _SLUG_PUNCTUATION or unicodedata.category(ch).startswith("M")
        for ch in slug
    )


def _not_a_profile(raw: str) -> str:
    shown = raw if len(raw) <= 80 else raw[:77] + "…"
    return (
        f"“{shown}” is not a LinkedIn profile URL. "
        f"Use the link to the person's profile, like {EXAMPLE}"
    )
