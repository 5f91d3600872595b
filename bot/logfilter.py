"""Personal data stays out of the logs at every level, DEBUG included.

At DEBUG, slack_sdk logs every Web API request and response in full (students' answers in
chat.postMessage and views.open bodies, response_urls, tokens in oauth.v2.access answers),
Bolt logs the bodies it acks with, and both log unhandled payloads. `PersonalDataFilter`
keeps those lines but cuts what they carry: the method's URL and the status stay; bodies,
parameters, headers, payloads, response_urls, tokens and the configured secrets go.
It sits on the handlers `configure_logging` installs, so it sees every library's records.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

LIBRARIES = ("slack_sdk", "slack_bolt", "bot.slack")
REDACTED = "(not logged)"

_REQUEST = re.compile(r"Sending a request - url: (\S+?),? .*", re.DOTALL)
_RESPONSE = re.compile(r"(Received the following response - status: \d+).*", re.DOTALL)
_RESPONDING = re.compile(r'Responding with status: (\d+) body: ".*" \((\d+) millis\)', re.DOTALL)
_UNHANDLED = re.compile(r"Unhandled request \(.*?\)(?=\n|$)")
_DUMPS = re.compile(
    r"\b(body|body_params|query_params|json_body|headers|files|payload|message|data|"
    r"Received bytes|query result)(: |=)"
)
_TOKEN = re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+")
_URL = re.compile(r"https?://[^\s'\",)}]+")
_API_METHOD = re.compile(r"https?://[^/\s]+(?:/[^/\s]+)*/api/[A-Za-z]+(?:\.[A-Za-z]+)+/?")


class PersonalDataFilter(logging.Filter):
    """Rewrites the library records that carry bodies; see the module's docstring."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message, record.name.startswith(LIBRARIES))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

    def clean(self, message: str, library: bool = True) -> str:
        """The message without bodies (from libraries), tokens, secrets or response_urls."""
        if library:
            message = _REQUEST.sub(lambda m: f"Sending a request - url: {_url(m[1])}", message)
            message = _RESPONSE.sub(r"\1", message)
            message = _RESPONDING.sub(r"Responding with status: \1 (\2 millis)", message)
            message = _UNHANDLED.sub(f"Unhandled request {REDACTED}", message)
            found = _DUMPS.search(message)
            if found:
                message = message[: found.end()] + REDACTED
            message = _URL.sub(lambda m: _url(m[0]), message)
        for secret in self.secrets:
            message = message.replace(secret, REDACTED)
        return _TOKEN.sub("(a token)", message)


def _url(url: str) -> str:
    """A Web API method's URL as it is; any other (a response_url) hidden."""
    return url if _API_METHOD.fullmatch(url) else "(a URL)"


def install(handlers: Iterable[logging.Handler], secrets: Iterable[str | None] = ()) -> None:
    """Put one PersonalDataFilter on each handler (once)."""
    shared = PersonalDataFilter(secrets)
    for handler in handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(shared)
