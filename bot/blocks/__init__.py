"""Pure functions from data to Block Kit dicts; no Slack calls, no database."""
