"""The OAuth flow's pages: "Add to Slack", installed, not installed. Plain HTML with nothing
fetched from elsewhere (Bolt's default page loads its button image from Slack's CDN)."""

from __future__ import annotations

import html

from slack_bolt import BoltResponse
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_flow import OAuthFlow
from slack_bolt.request import BoltRequest

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;"
    "color:#1d1c1d}a.button{display:inline-block;background:#4a154b;color:#fff;"
    "padding:.7rem 1.2rem;border-radius:6px;text-decoration:none;font-weight:600}"
)
REASONS = {
    "access_denied": "the installation was cancelled in Slack",
    "invalid_browser": "this browser did not start the installation (or its cookie expired)",
    "invalid_state": "the installation link expired",
    "invalid_code": "Slack did not confirm the installation",
    "storage_error": "the installation could not be saved",
}


def page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def install_page(url: str) -> str:
    return page(
        "Install Coffee Chat",
        "<p>Coffee Chat keeps a bootcamp cohort on track with its coffee-chat assignment: "
        "students log outreach and chats with <code>/coffee</code>, and instructors get the "
        "Week 2 checkpoint and deadline digests.</p>"
        f'<p><a class="button" id="add-to-slack" href="{html.escape(url)}">Add to Slack</a></p>',
    )


def installed_page(args: SuccessArgs) -> BoltResponse:
    team = args.installation.team_name or args.installation.team_id or "your workspace"
    body = page(
        "Coffee Chat is installed",
        f"<p>Coffee Chat is now installed in <strong>{html.escape(team)}</strong>.</p>"
        "<p>Next: invite it to your instructors' channel (<code>/invite @Coffee Chat</code>), "
        "then create your cohort with <code>/coffee setup</code>.</p>",
    )
    return BoltResponse(status=200, body=body, headers={"Content-Type": "text/html; charset=utf-8"})


def not_installed_page(args: FailureArgs) -> BoltResponse:
    reason = REASONS.get(args.reason, "something went wrong")
    body = page(
        "Coffee Chat was not installed",
        f"<p>Not installed: {html.escape(reason)}.</p>"
        f'<p><a class="button" href="{html.escape(args.settings.install_path)}">Try again</a></p>',
    )
    return BoltResponse(
        status=args.suggested_status_code,
        body=body,
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


CALLBACKS = CallbackOptions(success=installed_page, failure=not_installed_page)


class InstallFlow(OAuthFlow):
    """Bolt's OAuth flow with our install page."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return install_page(url)
