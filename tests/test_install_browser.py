"""The install page in a real browser: headless Chromium opens /slack/install, follows "Add to
Slack" to the (fake) Slack authorize page, allows, comes back to /slack/oauth_redirect with
the state cookie, and the new workspace is served with its own token.

Driven with selenium and Debian's chromedriver: WebDriver is the standard way to drive a
browser from a test, selenium is its reference Python client (no CDP plumbing of our own),
and with the driver's path given it downloads nothing. `.ci/run` installs `chromium` and
`chromium-driver`; without them this test is skipped locally and fails in CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import Bot
from tests.fakeslack import manifest_scopes
from tests.oauth_flow import CLIENT_ID, latest_token
from tests.test_oauth import open_setup

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} and {CHROMEDRIVER} are missing: .ci/run installs them")
    pytest.skip(
        f"no {CHROMIUM} or {CHROMEDRIVER}: apt-get install chromium chromium-driver",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[webdriver.Chrome]:
    monkeypatch.setenv("SE_AVOID_STATS", "true")  # selenium asks nothing of the network
    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_installing_from_the_browser_serves_the_new_workspace(
    oauth_bot: Bot, browser: webdriver.Chrome
) -> None:
    fake = oauth_bot.slack
    fake.authorize_team = "T0BROWSER"
    fake.redirect_uri = oauth_bot.base_url + "/slack/oauth_redirect"

    browser.get(oauth_bot.base_url + "/slack/install")
    assert browser.title == "Install Coffee Chat"
    browser.find_element(By.ID, "add-to-slack").click()

    authorize = urlsplit(browser.current_url)
    assert f"{authorize.scheme}://{authorize.netloc}/" == fake.url + "/"
    assert authorize.path == "/oauth/v2/authorize"
    query = parse_qs(authorize.query)
    assert query["client_id"] == [CLIENT_ID]
    assert set(query["scope"][0].split(",")) == set(manifest_scopes())
    assert "T0BROWSER" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.ID, "allow").click()

    back = urlsplit(browser.current_url)
    assert back.path == "/slack/oauth_redirect"
    assert browser.title == "Coffee Chat is installed"
    assert "Team T0BROWSER" in browser.find_element(By.TAG_NAME, "body").text
    token = latest_token(fake, "T0BROWSER")
    assert open_setup(oauth_bot, "T0BROWSER") == token
