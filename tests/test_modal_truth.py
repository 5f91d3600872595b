"""A modal submission tells the truth in time: within Slack's 3 s, and never other than what
was stored — with the database slow, or gone."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bot import db
from bot.blocks.ids import Block
from bot.models import Contact
from bot.slack.errors import DATABASE_DOWN
from tests.conftest import Bot, running_bot, settings_for
from tests.fakeslack import FakeSlack
from tests.slackreq import date_value, select_value, text_value
from tests.tcpproxy import TcpProxy

LOCK_SECONDS = 4.0


def open_outreach_form(bot: Bot) -> dict[str, object]:
    assert bot.send.command("outreach").status == 200
    [opened] = bot.wait_for("views.open")
    return opened.view()


def ada() -> dict[str, object]:
    return {
        Block.NAME: text_value("Ada Lovelace"),
        Block.LINKEDIN: text_value("https://www.linkedin.com/in/ada-lovelace"),
        Block.CHANNEL: select_value("linkedin"),
        Block.DATE: date_value("2026-09-09"),
    }


def contacts(bot: Bot) -> int:
    with bot.session() as session:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)


@contextmanager
def database_locked(url: str) -> Iterator[None]:
    """Another connection holds the lock on the contact table for LOCK_SECONDS."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    connection = engine.connect()
    if url.startswith("sqlite"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.execute(text("BEGIN"))
        connection.execute(text("LOCK TABLE contact IN EXCLUSIVE MODE"))

    def release() -> None:
        time.sleep(LOCK_SECONDS)
        connection.exec_driver_sql("COMMIT")
        connection.close()
        engine.dispose()

    releaser = threading.Thread(target=release)
    releaser.start()
    try:
        yield
    finally:
        releaser.join()


def test_a_slow_database_gets_still_saving_at_once_then_the_stored_outcome(bot: Bot) -> None:
    bot.create_cohort()
    view = open_outreach_form(bot)

    with database_locked(bot.settings.database_url):
        started = time.monotonic()
        reply = bot.send.view_submission(view, ada())
        answered_after = time.monotonic() - started

        assert reply.status == 200
        assert answered_after < 3.0, "Slack shows an error after 3 s"
        answer = reply.json()
        assert answer["response_action"] == "update"
        assert "Still saving" in str(answer["view"])

    [updated] = bot.wait_for("views.update", timeout=LOCK_SECONDS + 10)
    assert updated.params["view_id"] == "V0VIEW"
    assert "Logged your outreach to" in updated.text()
    assert contacts(bot) == 1


def test_a_quick_save_is_answered_in_the_ack_with_no_update_afterwards(bot: Bot) -> None:
    bot.create_cohort()
    view = open_outreach_form(bot)

    answer = bot.send.view_submission(view, ada()).json()

    assert answer["response_action"] == "update"
    assert "Logged your outreach to" in str(answer["view"])
    time.sleep(3.0)  # past the 2.5 s watch: it was stopped, nothing more is sent
    assert bot.slack.of("views.update") == []


@contextmanager
def breakable_bot(database_url: str, fake_slack: FakeSlack, tmp_path: Path) -> Iterator[Breakable]:
    """The real app on a database that can be taken away (a SQLite file moved off; a TCP
    proxy in front of PostgreSQL cut), and brought back."""
    if database_url.startswith("sqlite"):
        folder, backup = tmp_path / "data", tmp_path / "backup"
        folder.mkdir()
        url = f"sqlite:///{folder / 'coffee.db'}"
        db.upgrade(url)
        with running_bot(settings_for(url, fake_slack), fake_slack) as bot:

            def cut() -> None:
                bot.sessions.kw["bind"].dispose()
                shutil.move(folder, backup)

            yield Breakable(bot, cut, lambda: shutil.move(backup, folder))
        return
    parsed = make_url(database_url)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    proxied = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        with running_bot(settings_for(proxied, fake_slack), fake_slack) as bot:
            yield Breakable(bot, proxy.cut, proxy.restore)
    finally:
        proxy.close()


@dataclass
class Breakable:
    bot: Bot
    cut: Callable[[], object]
    restore: Callable[[], object]


def test_the_database_gone_during_a_modal_gets_a_field_error_not_a_failure(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    with breakable_bot(database_url, fake_slack, tmp_path) as breakable:
        bot = breakable.bot
        bot.create_cohort()
        view = open_outreach_form(bot)
        breakable.cut()

        reply = bot.send.view_submission(view, ada())

        assert reply.status == 200
        answer = reply.json()
        assert answer["response_action"] == "errors", answer
        assert list(answer["errors"].values()) == [DATABASE_DOWN]
        breakable.restore()
        assert contacts(bot) == 0
