"""The one reply path: a reply that Slack refuses is retried, or reaches the person another way;
a form whose trigger expired says so. Nothing is lost silently."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import Bot


def test_a_response_url_that_fails_once_is_retried(bot: Bot) -> None:
    bot.create_cohort()
    bot.slack.fail("response_url", status=500)

    assert bot.send.command("status").status == 200

    posts = bot.wait_for("response_url", count=2)  # the refused post, then the retry
    assert len(posts) == 2 and "Your coffee chats — Mod 5" in posts[1].text()


def test_a_rate_limited_response_url_waits_and_gets_through(bot: Bot) -> None:
    bot.create_cohort()
    bot.slack.fail("response_url", status=429, retry_after=1)

    answer = bot.run("status")

    assert "Your coffee chats — Mod 5" in answer.text()


def test_a_response_url_that_keeps_failing_falls_back_to_an_ephemeral_message(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.create_cohort()
    bot.slack.fail("response_url", status=500, times=10)
    caplog.set_level(logging.WARNING)

    assert bot.send.command("status", channel="C0GENERAL").status == 200

    [ephemeral] = bot.wait_for("chat.postEphemeral")
    assert ephemeral.params["channel"] == "C0GENERAL"
    assert ephemeral.params["user"] == "U0STUDENT"
    assert "Your coffee chats — Mod 5" in ephemeral.text()
    assert any("response_url post refused" in r.getMessage() for r in caplog.records)


def test_a_form_whose_trigger_expired_tells_the_student_to_try_again(bot: Bot) -> None:
    bot.create_cohort()
    bot.slack.fail("views.open", error="expired_trigger_id")

    answer = bot.run("outreach")

    assert "Slack took too long to open the form" in answer.text()
