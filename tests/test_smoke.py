from tests.conftest import Bot


def test_outreach_command_logs_and_confirms(bot: Bot) -> None:
    bot.create_cohort()
    answer = bot.run("outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace")
    assert "Logged your outreach to" in answer.text(), answer
