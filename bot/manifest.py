"""The Slack app manifest for each way of running, generated from manifest.json (the one source).

manifest.json carries `https://YOUR-HOST` placeholders; `http_manifest` puts a real URL in their
place, `socket_mode_manifest` drops them and turns Socket Mode on.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.settings import SettingsError

SOURCE = Path(__file__).resolve().parent.parent / "manifest.json"
EVENTS_PATH = "/slack/events"
REDIRECT_PATH = "/slack/oauth_redirect"

Manifest = dict[str, Any]


def load_source(path: Path = SOURCE) -> Manifest:
    """manifest.json as a dict; SettingsError when it is missing (an install without the repo)."""
    try:
        loaded: Manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(
            f"manifest.json is not at {path}: run the bot from its source checkout."
        ) from None
    return loaded


def bot_scopes(manifest: Manifest | None = None) -> frozenset[str]:
    """The bot scopes the manifest asks for."""
    source = manifest if manifest is not None else load_source()
    return frozenset(source["oauth_config"]["scopes"]["bot"])


def bot_display_name(manifest: Manifest | None = None) -> str:
    source = manifest if manifest is not None else load_source()
    return str(source["features"]["bot_user"]["display_name"])


def check_public_url(text: str) -> str:
    """The base URL Slack will call, without a trailing slash; ValueError says what is wrong."""
    parts = urlsplit(text.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(
            f"{text!r} is not an https URL: Slack only calls https URLs, "
            "like https://bot.example.com (or use --socket-mode)"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{text!r} has a query or fragment: give the base URL only")
    return f"https://{parts.netloc}{parts.path.rstrip('/')}"


def http_manifest(url: str, command: str = "/coffee", source: Manifest | None = None) -> Manifest:
    """The manifest for serving HTTP at `url`: request URLs and the OAuth redirect URL."""
    base = check_public_url(url)
    manifest = _with_command(source, command)
    events = base + EVENTS_PATH
    for slash in manifest["features"]["slash_commands"]:
        slash["url"] = events
    manifest["settings"]["event_subscriptions"]["request_url"] = events
    manifest["settings"]["interactivity"]["request_url"] = events
    manifest["oauth_config"]["redirect_urls"] = [base + REDIRECT_PATH]
    manifest["settings"]["socket_mode_enabled"] = False
    return manifest


def socket_mode_manifest(command: str = "/coffee", source: Manifest | None = None) -> Manifest:
    """The manifest for Socket Mode: no URLs at all, socket_mode_enabled true."""
    manifest = _with_command(source, command)
    for slash in manifest["features"]["slash_commands"]:
        slash.pop("url", None)
    manifest["settings"]["event_subscriptions"].pop("request_url", None)
    manifest["settings"]["interactivity"].pop("request_url", None)
    manifest["oauth_config"].pop("redirect_urls", None)
    manifest["settings"]["socket_mode_enabled"] = True
    return manifest


def render(manifest: Manifest) -> str:
    """The manifest as JSON to paste into Slack."""
    return json.dumps(manifest, indent=2, ensure_ascii=False)


def _with_command(source: Manifest | None, command: str) -> Manifest:
    manifest = copy.deepcopy(source if source is not None else load_source())
    for slash in manifest["features"]["slash_commands"]:
        slash["command"] = command
    return manifest
