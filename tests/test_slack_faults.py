"""Slack answering 429 or 500: our client retries, honouring Retry-After."""

from __future__ import annotations

import time

from tests.conftest import Bot


def test_a_rate_limited_modal_open_is_retried_after_retry_after(bot: Bot) -> None:
    bot.create_cohort()
    bot.slack.fail("views.open", status=429, error="ratelimited", retry_after=1)
    started = time.monotonic()
    body = bot.send.command_body("outreach")
    assert bot.send.form(body).status == 200
    calls = bot.wait_for("views.open", count=2)
    assert len(calls) == 2 and calls[0].params == calls[1].params
    assert time.monotonic() - started >= 1.0


def test_a_server_error_on_publish_is_retried(bot: Bot) -> None:
    bot.slack.fail("views.publish", status=500, error="internal_error", times=1)
    reply = bot.send.event({"type": "app_home_opened", "user": "U0STUDENT", "tab": "home"})
    assert reply.status == 200
    calls = bot.wait_for("views.publish", count=2)
    assert len(calls) == 2
    assert "Coffee Chat" in calls[-1].text()


def test_app_home_shows_progress_for_an_enrolled_student(bot: Bot) -> None:
    bot.create_cohort()
    bot.run("chat Grace Hopper")
    bot.send.event({"type": "app_home_opened", "user": "U0STUDENT", "tab": "home"})
    published = bot.wait_for("views.publish")[0]
    assert published.view()["type"] == "home"
    assert "*Chats:* 1/2" in published.text()


def test_a_long_rate_limit_while_the_student_waits_fails_fast_with_an_apology(bot: Bot) -> None:
    bot.create_cohort()
    bot.slack.fail("views.open", status=429, error="ratelimited", retry_after=30)
    body = bot.send.command_body("outreach")

    assert bot.send.form(body).status == 200

    answer = bot.answer_to(body["response_url"], "the apology")
    assert "try again" in answer.text().lower()
    assert len(bot.slack.of("views.open")) == 1  # not retried: the trigger_id would be stale
