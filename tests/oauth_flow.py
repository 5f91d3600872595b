"""Installing the app in a workspace as a browser does: GET /slack/install, follow "Add to
Slack" to the fake Slack's consent page, Allow, and back to /slack/oauth_redirect."""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from bot.settings import Settings
from tests.fakeslack import FakeSlack

CLIENT_ID = "111.222"
CLIENT_SECRET = "fake-client-secret"


def with_oauth(settings: Settings, bot_token: str = "") -> Settings:
    """The settings with SLACK_CLIENT_ID/SECRET (the fake's), and SLACK_BOT_TOKEN or none."""
    return settings.model_copy(
        update={
            "slack_client_id": CLIENT_ID,
            "slack_client_secret": CLIENT_SECRET,
            "slack_bot_token": bot_token,
        }
    )


@dataclass
class Page:
    status: int
    body: str
    headers: dict[str, str]  # names in lower case


def get(url: str, cookie: str | None = None) -> Page:
    """GET without following redirects; a 4xx/5xx is returned, not raised."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return Page(response.status, response.read().decode(), headers)
    except urllib.error.HTTPError as error:
        headers = {k.lower(): v for k, v in error.headers.items()}
        return Page(error.code, error.read().decode(), headers)


def link(page: Page, element_id: str) -> str:
    found = re.search(rf'id="{element_id}" href="([^"]+)"', page.body)
    assert found, f"no #{element_id} in {page.body[:300]}"
    return html.unescape(found[1])


def install(base_url: str, fake: FakeSlack, team: str) -> str:
    """Install the app in `team` through the OAuth flow; the bot token Slack issued."""
    fake.authorize_team = team
    fake.redirect_uri = base_url + "/slack/oauth_redirect"
    start = get(base_url + "/slack/install")
    assert start.status == 200, start
    cookie = start.headers["set-cookie"].split(";", 1)[0]
    consent = get(link(start, "add-to-slack"))
    assert consent.status == 200, consent
    done = get(link(consent, "allow"), cookie=cookie)
    assert done.status == 200 and "is installed" in done.body, done
    return latest_token(fake, team)


def latest_token(fake: FakeSlack, team: str) -> str:
    tokens = [t for t, owner in fake.tokens.items() if owner == team]
    assert tokens, f"no token issued for {team}"
    return tokens[-1]
