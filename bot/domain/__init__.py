"""The assignment's rules, free of Slack: every rule takes `now` as an argument."""
