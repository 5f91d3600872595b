"""`python -m bot demo`: see it work without a Slack workspace (see bot.demo.story)."""
