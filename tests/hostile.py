"""Hostile input for the fuzz harness and the request guard's tests: strings, ids, payloads.

Every generator takes a `random.Random`, so a run is reproducible from its seed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from tests.slackreq import Reply

BROADCASTS = ("<!channel>", "<!here>", "<!everyone>")
MARKUP = (
    *BROADCASTS,
    "<@U0BOSS>",
    "<@U0STUDENT>",
    "<@W0GRID|boss>",
    "<#C0GENERAL>",
    "<#C0INSTRUCT|instructors>",
    "<!subteam^S0TEAM>",
    "<!subteam^S0TEAM|@team>",
    "<!date^1392734382^{date}|Feb 18>",
    "<https://evil.example/phish|https://www.linkedin.com/in/ada>",
    "<mailto:boss@example.com|boss>",
    "&lt;!channel&gt;",
    "&amp;lt;!here&amp;gt;",
    "*bold*",
    "_it_",
    "~gone~",
    "`code`",
    "```block```",
    "> quote",
    "|",
    "<",
    ">",
    "&",
    "@channel",
    "@here",
)
UNICODE = (
    "İ",
    "ß",
    "ﬃ",
    "㍿",
    "Ω",
    "é",
    "e\u0301",
    "²",
    "٣",
    "１２",
    "한국어",
    "中文",
    "עברית",
    "\u00a0",
    "\u3000",
    "\u2028",
    "\u0085",
)
CONTROL = ("\x00", "\x07", "\x1b[31m", "\r", "\x7f", "\ud800", "\udfff", "\ufffe", "\U0010ffff")
BIDI = ("\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200f", "\ufeff", "\u061c")
SQLISH = (
    "'; DROP TABLE contacts; --",
    '" OR 1=1 --',
    "Robert'); DELETE FROM students;--",
    "%' OR name LIKE '%",
    "\\",
    "NULL",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "%s%s%s%n",
    "../../etc/passwd",
)
EMOJI = ("🚀", ":tada:", "👩🏽‍💻", "🇺🇸", "\ufe0f", "☕", ":+1::skin-tone-3:")
URLS = (
    "https://www.linkedin.com/in/ada-lovelace",
    "linkedin.com/in/ada",
    "https://linkedin.com/in/%253E%253E%253E",
    "https://www.linkedin.com/in/payload-expert",
    "https://www.linkedin.com/company/acme",
    "https://evil.example/in/ada",
    "javascript:alert(1)",
    "<https://www.linkedin.com/in/ada|<!channel>>",
    "https://www.linkedin.com/in/İİİ",
    "https://www.linkedin.com/in/" + "a" * 150,
    "https://[::1/in/ada",
    "http://linkedin.com:99999/in/ada",
    "www.linkedin.com/in/ada?x=<!here>",
)
NAMES = ("Ada Lovelace", "Grace Hopper", "Jean Bartik", "O'Brien", "Zoë Åberg", "李小龙")
FAMILIES: dict[str, tuple[str, ...]] = {
    "markup": MARKUP,
    "unicode": UNICODE,
    "control": CONTROL,
    "bidi": BIDI,
    "sql": SQLISH,
    "emoji": EMOJI,
    "url": URLS,
}
OTHER_USERS = ("U0BOSS", "U0OTHER", "U0TEACH", "W0GRID", "USLACKBOT")
NUMBERS = ("-1", "0", "00", "1e3", "1.5", "²", "٣", "１", " 7", "0x1F", "9" * 40, "9" * 4000, "")


def hostile_text(rnd: random.Random, family: str | None = None, size: int = 6) -> str:
    """A string built from hostile fragments, possibly huge; `family` picks one kind."""
    if rnd.random() < 0.05:
        return rnd.choice(("A", "<!channel> ", "ß", "\u202e")) * rnd.choice((101, 2001, 4000))
    pool = FAMILIES[family] if family else tuple(x for f in FAMILIES.values() for x in f)
    parts = [rnd.choice(pool) if rnd.random() < 0.7 else rnd.choice(NAMES) for _ in range(size)]
    return " ".join(parts) if rnd.random() < 0.6 else "".join(parts)


def hostile_number(rnd: random.Random) -> str:
    """What a tampered numeric value can be: negatives, decimals, '²', JSON, huge, empty."""
    choice = rnd.random()
    if choice < 0.5:
        return rnd.choice(NUMBERS)
    if choice < 0.7:
        return json.dumps(rnd.choice(({"id": 1}, [1, 2], None, True, 1.0)))
    if choice < 0.85:
        return str(rnd.randint(1, 10 ** rnd.randint(1, 30)))
    return hostile_text(rnd, size=2)


def hostile_id(rnd: random.Random, prefix: str = "U") -> str:
    """A well-formed Slack ID that is not the asker's (guessed, another user's, a bot's)."""
    if rnd.random() < 0.5:
        return rnd.choice(OTHER_USERS)
    return prefix + "".join(rnd.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10))


# -- raw requests --------------------------------------------------------------------------------


def sign(secret: str, stamp: str, body: bytes) -> str:
    """Slack's v0 signature over raw bytes (the same as slack_sdk's for UTF-8 bodies)."""
    base = b"v0:" + stamp.encode("latin-1") + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class RawSender:
    """Posts any bytes with any headers to the app; signs them unless told otherwise."""

    base_url: str
    secret: str

    def post(
        self,
        body: bytes | str,
        content_type: str | None = "application/x-www-form-urlencoded",
        stamp: str | None = None,
        signature: str | None = None,
        signed: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        data = body.encode() if isinstance(body, str) else body
        sent: dict[str, str] = dict(headers or {})
        if content_type is not None:
            sent["Content-Type"] = content_type
        if signed:
            stamp = stamp if stamp is not None else str(int(time.time()))
            sent["X-Slack-Request-Timestamp"] = stamp
            sent["X-Slack-Signature"] = signature or sign(self.secret, stamp, data)
        request = urllib.request.Request(
            self.base_url + "/slack/events", data=data, method="POST", headers=sent
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return Reply(response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode("utf-8", "replace"))

    def json(self, payload: Any, **kwargs: Any) -> Reply:
        return self.post(json.dumps(payload), "application/json", **kwargs)

    def payload(self, payload: Any, **kwargs: Any) -> Reply:
        from urllib.parse import urlencode

        return self.post(urlencode({"payload": json.dumps(payload)}), **kwargs)


# -- modal state -----------------------------------------------------------------------------

DATES = ("2026-09-08", "2026-09-09", "2026-09-10", "2030-01-01", "1900-01-01", "2026-08-01")
FORGED_DATES = (
    "2026-02-30",
    "2026-13-01",
    "09/09/2026",
    "yesterday",
    "",
    "2026-9-9",
    "²",
    "9999-12-31",
    "0001-01-01",
)
CHANNELS = ("C0GENERAL", "C0STUDENTS", "C0INSTRUCT", "D0DM", "G0PRIVATE", "C0OTHERTEAM")


@dataclass
class Forged:
    """One element's submitted state, and whether a person could submit it through Slack."""

    state: dict[str, Any]
    reachable: bool
    users: tuple[str, ...] = ()


def forge_element(rnd: random.Random, element: dict[str, Any], extra: list[str]) -> Forged:
    """A submitted state for a modal's input element; `extra` are values worth trying
    (other students' contact or chat ids)."""
    kind = element.get("type", "plain_text_input")
    options = [o["value"] for o in element.get("options", [])]
    if kind == "plain_text_input":
        value: str | None = (
            None if rnd.random() < 0.1 else hostile_text(rnd, size=rnd.randint(1, 8))
        )
        limit = int(element.get("max_length", 3000))
        fits = value is None or (len(value) <= limit and _is_typable(value))
        return Forged({"type": kind, "value": value}, fits)
    if kind == "static_select":
        if options and rnd.random() < 0.6:
            picked = rnd.choice([*options, None])
            selected = {"value": picked, "text": {"type": "plain_text", "text": "x"}}
            return Forged({"type": kind, "selected_option": selected if picked else None}, True)
        forged = rnd.choice([*extra, hostile_number(rnd), hostile_text(rnd, size=2)])
        state = {"type": kind, "selected_option": {"value": forged}}
        return Forged(state, False)
    if kind == "multi_static_select":
        if options and rnd.random() < 0.5:
            picked_many = rnd.sample(options, rnd.randint(0, len(options)))
            forged_many = False
        else:
            pool = [*options, *extra, hostile_number(rnd), hostile_number(rnd)]
            picked_many = [rnd.choice(pool) for _ in range(rnd.choice((1, 2, 2, 3, 50)))]
            forged_many = True
        state = {"type": kind, "selected_options": [{"value": v} for v in picked_many]}
        return Forged(state, not forged_many and len(picked_many) <= 2)
    if kind == "number_input":
        value = hostile_number(rnd) if rnd.random() < 0.7 else str(rnd.randint(-5, 60))
        low, high = int(element.get("min_value", 0)), int(element.get("max_value", 10**9))
        fits = value.isascii() and value.isdigit() and low <= int(value) <= high
        return Forged({"type": kind, "value": value}, fits)
    if kind == "datepicker":
        if rnd.random() < 0.7:
            return Forged({"type": kind, "selected_date": rnd.choice([*DATES, None])}, True)
        return Forged({"type": kind, "selected_date": rnd.choice(FORGED_DATES)}, False)
    if kind == "datetimepicker":
        stamp = rnd.choice((1790000000, 1791000000, 0, -1, 4102444800, 253402300799))
        return Forged({"type": kind, "selected_date_time": stamp}, 0 < stamp < 4102444801)
    if kind == "conversations_select":
        channel = rnd.choice([*CHANNELS, None, hostile_id(rnd, "C")])
        return Forged({"type": kind, "selected_conversation": channel}, True)
    if kind == "multi_users_select":
        users = tuple(hostile_id(rnd) for _ in range(rnd.choice((0, 1, 2, 30))))
        return Forged({"type": kind, "selected_users": list(users)}, True, users)
    return Forged({"type": kind, "value": hostile_text(rnd, size=2)}, False)


def _is_typable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def hostile_metadata(rnd: random.Random, real: str, extra: list[Any]) -> tuple[str, bool]:
    """The private_metadata of a submission: the real one (reachable), or forged."""
    if rnd.random() < 0.5:
        return real, True
    original = json.loads(real) if real else {}
    choice = rnd.random()
    if choice < 0.2:
        return rnd.choice(("", "{", "[]", "null", "1", '"x"', "{" * 500)), False
    forged = dict(original) if isinstance(original, dict) else {}
    keys = [key for key in original if rnd.random() < 0.5] if isinstance(original, dict) else []
    key = rnd.choice([*keys, "channel_id", "cohort_id", "prefill", "contact_id", "student_id"])
    value = rnd.choice(
        [
            *CHANNELS,
            *extra,
            hostile_text(rnd, size=2),
            hostile_number(rnd),
            None,
            {"id": 1},
            ["C0GENERAL"],
            10**30,
            True,
            {"start_date": 5, "timezone": ["UTC"], "checkpoint": "soon", "deadline": 10**30},
        ]
    )
    forged[key] = value
    return json.dumps(forged), False


# -- plausible input carrying markup: it passes validation, so it is stored and shown ------------

FRIENDLY = (*MARKUP, "O'Brien", "Zoë", "İstanbul", "ß", "Ω", "Robert'); DROP TABLE x;--", "ﬃ" * 40)


def markup_name(rnd: random.Random) -> str:
    """A name a validator accepts, with markup in it: `Ada <!channel> Lovelace`."""
    first, _, last = rnd.choice(NAMES).partition(" ")
    return " ".join(part for part in (first, rnd.choice(FRIENDLY), last) if part)


def markup_note(rnd: random.Random) -> str:
    """Free text with markup and newlines that a note or an answer accepts."""
    lines = [f"{rnd.choice(NAMES)} said {rnd.choice(FRIENDLY)}" for _ in range(rnd.randint(1, 3))]
    return "\n".join(lines)


def plausible_element(rnd: random.Random, block_id: str, element: dict[str, Any]) -> dict[str, Any]:
    """What a person could submit in this input: valid, with markup in its free text."""
    kind = element.get("type", "plain_text_input")
    options = [o["value"] for o in element.get("options", [])]
    if kind == "plain_text_input":
        value = _plausible_text(rnd, block_id, element)
        return {"type": kind, "value": value}
    if kind == "static_select":
        initial = (element.get("initial_option") or {}).get("value")
        picked = initial or (rnd.choice(options) if options else None)
        return {"type": kind, "selected_option": {"value": picked} if picked else None}
    if kind == "multi_static_select":
        return {"type": kind, "selected_options": [{"value": v} for v in options[:2]]}
    if kind == "number_input":
        return {"type": kind, "value": element.get("initial_value") or "2"}
    if kind == "datepicker":
        return {"type": kind, "selected_date": element.get("initial_date") or "2026-09-09"}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": element.get("initial_date_time")}
    if kind == "conversations_select":
        channel = element.get("initial_conversation") or "C0INSTRUCT"
        return {"type": kind, "selected_conversation": channel}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(element.get("initial_users") or [])}
    return {"type": kind}


def _plausible_text(rnd: random.Random, block_id: str, element: dict[str, Any]) -> str | None:
    initial = element.get("initial_value")
    if block_id in {"name", "cohort_name"}:
        return markup_name(rnd) if block_id == "name" else f"Mod {rnd.choice(FRIENDLY)}"
    if block_id == "linkedin":
        return rnd.choice([None, "https://www.linkedin.com/in/ada-lovelace", "linkedin.com/in/x-y"])
    if block_id == "timezone":
        return initial or "America/Denver"
    if block_id in {"required_chats", "min_attempts"}:
        return initial or "2"
    if block_id == "referrals":
        return rnd.choice([None, f"{markup_name(rnd)}\n- Grace Hopper linkedin.com/in/g-h"])
    if block_id.startswith("answer_") or block_id in {"note", "takeaways"}:
        return markup_note(rnd)
    return rnd.choice([None, markup_name(rnd)])
