"""manifest.json grants what the code uses: each method's scope, each event listened to."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "manifest.json").read_text())

# Bot scopes that let a method run, from each method's page on api.slack.com; a method the bot
# calls must appear here, so adding a call means deciding its scope.
SCOPES = {
    "chat_postMessage": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_getPermalink": set(),  # no scope needed
    "conversations_open": {"im:write"},
    "conversations_info": {"channels:read", "groups:read"},
    "conversations_members": {"channels:read", "groups:read"},
    "conversations_history": {"channels:history", "groups:history", "im:history"},
    "conversations_replies": {"channels:history", "groups:history", "im:history"},
    "users_info": {"users:read"},
    "views_open": set(),
    "views_update": set(),
    "views_push": set(),
    "views_publish": set(),
    "auth_test": set(),
}


def called_methods() -> set[str]:
    """Every slack_sdk WebClient method named anywhere in bot/."""
    names: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        names |= set(re.findall(r"\b(?:client|web)\.([a-z]+_[A-Za-z]+)\b", path.read_text()))
    return names


def listened_events() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        names |= set(re.findall(r"(?:app|routes)\.event\(\"([a-z_]+)\"", path.read_text()))
    return names


def test_the_manifest_grants_a_scope_for_every_method_the_bot_calls() -> None:
    granted = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    methods = called_methods()
    assert {"chat_postMessage", "views_open", "conversations_history"} <= methods
    unknown = methods - SCOPES.keys()
    assert not unknown, f"add the scopes of {sorted(unknown)} to this table and the manifest"
    missing = {m: sorted(s - granted) for m, s in SCOPES.items() if m in methods and s - granted}
    assert not missing, missing


def test_the_manifest_subscribes_to_every_event_the_bot_listens_to() -> None:
    events = listened_events()
    assert "app_home_opened" in events
    assert events <= set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])


def test_the_manifest_declares_the_command_and_one_request_url() -> None:
    (command,) = MANIFEST["features"]["slash_commands"]
    assert command["command"] == "/coffee"
    urls = {
        command["url"],
        MANIFEST["settings"]["event_subscriptions"]["request_url"],
        MANIFEST["settings"]["interactivity"]["request_url"],
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert "commands" in MANIFEST["oauth_config"]["scopes"]["bot"]
