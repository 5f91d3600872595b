"""manifest.json grants what the code uses (each method's scope, each event listened to), says
what the bot does, and `python -m bot manifest` turns it into one manifest per way of running."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

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
    "users_list": {"users:read"},
    "views_open": set(),
    "views_update": set(),
    "views_push": set(),
    "views_publish": set(),
    "auth_test": set(),
    "apps_connections_open": set(),  # called with the app-level token (connections:write)
    "files_upload_v2": {"files:write"},  # the CSV of `export`
    "files_getUploadURLExternal": {"files:write"},
    "files_completeUploadExternal": {"files:write"},
}


def called_methods() -> set[str]:
    """Every slack_sdk WebClient method named anywhere in bot/."""
    names: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        text = path.read_text()
        names |= set(re.findall(r"\b(?:client|web)\.([a-z]+(?:_[A-Za-z0-9]+)+)\b", text))
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


# The slash command's subcommands in DESIGN.md's interface contract.
CONTRACT_COMMANDS = [
    "outreach NAME [LINKEDIN_URL]",
    "chat NAME",
    "list",
    "status",
    "reflect",
    "submit",
    "report",
    "export",
    "setup",
    "forget",
    "help",
]


def test_the_usage_hint_lists_every_command_within_slacks_limit() -> None:
    (command,) = MANIFEST["features"]["slash_commands"]
    hint = command["usage_hint"]
    assert len(hint) <= 1000
    assert all(name in hint for name in CONTRACT_COMMANDS), hint
    assert "forget me" in hint


def test_the_messages_tab_is_read_only_and_the_description_says_why() -> None:
    home = MANIFEST["features"]["app_home"]
    assert home["messages_tab_enabled"] and home["messages_tab_read_only_enabled"]
    description = MANIFEST["display_information"]["long_description"]
    assert "direct messages" in description and len(description) <= 4000
    assert len(MANIFEST["display_information"]["description"]) <= 140


def test_the_readme_explains_every_scope() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Why each permission", 1)[1].split("\n## ", 1)[0]
    for scope in MANIFEST["oauth_config"]["scopes"]["bot"]:
        assert f"`{scope}`" in section, scope
    assert "double-post" in section


def generated(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "manifest", *args],
        cwd=ROOT / "tests",  # no .env there
        env={"PATH": "", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    manifest: dict[str, Any] = json.loads(done.stdout)
    return manifest


def urls_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [u for value in node.values() for u in urls_in(value)]
    if isinstance(node, list):
        return [u for value in node for u in urls_in(value)]
    return [node] if isinstance(node, str) and node.startswith("http") else []


def test_the_socket_mode_manifest_has_no_urls() -> None:
    manifest = generated("--socket-mode")
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert urls_in(manifest) == []
    assert "redirect_urls" not in manifest["oauth_config"]
    assert manifest["oauth_config"]["scopes"] == MANIFEST["oauth_config"]["scopes"]
    assert manifest["settings"]["event_subscriptions"]["bot_events"]


def test_the_http_manifest_points_every_url_at_the_host() -> None:
    manifest = generated("--url", "https://bot.example.com/")
    assert manifest["settings"]["socket_mode_enabled"] is False
    events = "https://bot.example.com/slack/events"
    (command,) = manifest["features"]["slash_commands"]
    assert command["url"] == events
    assert manifest["settings"]["event_subscriptions"]["request_url"] == events
    assert manifest["settings"]["interactivity"]["request_url"] == events
    assert manifest["oauth_config"]["redirect_urls"] == [
        "https://bot.example.com/slack/oauth_redirect"
    ]
    assert not [u for u in urls_in(manifest) if "YOUR-HOST" in u]


@pytest.mark.parametrize(
    "url", ["http://bot.example.com", "bot.example.com", "https://bot.example.com/?x=1"]
)
def test_the_http_manifest_wants_a_plain_https_url(url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "manifest", "--url", url],
        cwd=ROOT / "tests",
        env={"PATH": "", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert "https" in line or "query" in line
