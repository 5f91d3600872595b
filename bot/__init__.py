"""Coffee Chat: a Slack bot that keeps a bootcamp cohort accountable for its coffee chats."""
