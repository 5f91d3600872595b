"""The database going away, restarts, and bursts: the user is told, nothing is lost."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot import db
from bot.models import Chat, Contact, Outreach
from bot.settings import Settings
from tests.conftest import Bot, running_bot
from tests.fakeslack import FakeSlack
from tests.tcpproxy import TcpProxy


def healthz(bot: Bot) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(bot.base_url + "/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def assert_down_then_recovers(bot: Bot, take_down: object, bring_back: object) -> None:
    assert healthz(bot) == (200, {"status": "ok", "database": True})
    take_down()  # type: ignore[operator]
    answer = bot.run("outreach Ada Lovelace")
    assert "try again in a minute" in answer.text()
    assert healthz(bot)[0] == 503
    bring_back()  # type: ignore[operator]
    assert healthz(bot)[0] == 200
    assert "Logged your outreach" in bot.run("outreach Ada Lovelace").text()


def test_sqlite_unreachable_tells_the_user_and_the_process_stays_up(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'coffee.db'}"
    db.upgrade(url)
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-t",  # type: ignore[call-arg]
        slack_signing_secret="test-signing-secret",
        slack_api_url=fake_slack.api_url,
        database_url=url,
    )
    backup = tmp_path / "backup"
    with running_bot(settings, fake_slack) as bot:
        bot.sessions.kw["bind"].dispose()

        def take_down() -> None:
            bot.sessions.kw["bind"].dispose()
            shutil.move(folder, backup)

        assert_down_then_recovers(bot, take_down, lambda: shutil.move(backup, folder))


def test_postgres_unreachable_tells_the_user_and_the_process_stays_up(
    fake_slack: FakeSlack, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the SQLite case is the test above")
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-t",  # type: ignore[call-arg]
        slack_signing_secret="test-signing-secret",
        slack_api_url=fake_slack.api_url,
        database_url=proxied,
    )
    try:
        with running_bot(settings, fake_slack) as bot:
            assert_down_then_recovers(bot, proxy.cut, proxy.restore)
    finally:
        proxy.close()


def test_a_restart_loses_nothing(settings: Settings, fake_slack: FakeSlack) -> None:
    with running_bot(settings, fake_slack) as bot:
        bot.run("outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace")
        bot.run("chat Grace Hopper")
    with running_bot(settings, fake_slack) as bot:
        text = bot.run("list").text()
        assert "2 people tried · 1 chat" in text
        assert "Ada Lovelace" in text and "Grace Hopper" in text


def test_a_burst_of_commands_is_acknowledged_and_nothing_is_doubled(bot: Bot) -> None:
    bot.create_cohort(student_ids=[])
    bodies = [
        bot.send.command_body(f"outreach Person {chr(65 + n % 26)}{n} ", user=f"U0S{n % 8}")
        for n in range(40)
    ]
    bodies += [
        bot.send.command_body(
            "outreach Same Person https://linkedin.com/in/same-person", user="U0S0"
        )
        for _ in range(10)
    ]
    bodies += [bot.send.command_body("outreach No Url Person", user="U0S1") for _ in range(10)]
    chats = [bot.send.command_body("chat Same Person", user="U0S0") for _ in range(5)]
    with ThreadPoolExecutor(25) as pool:
        replies = list(pool.map(bot.send.form, bodies))
        assert all(bot.answer_to(body["response_url"]) for body in bodies)
        replies += list(pool.map(bot.send.form, chats))
    bodies += chats
    assert [r.status for r in replies] == [200] * len(bodies)
    for body in bodies:
        assert "Logged" in bot.answer_to(body["response_url"]).text() or "Updated" in (
            bot.answer_to(body["response_url"]).text()
        )
    with bot.session() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 42
        assert session.scalar(select(func.count()).select_from(Outreach)) == 42
        assert session.scalar(select(func.count()).select_from(Chat)) == 1
