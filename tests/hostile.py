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
