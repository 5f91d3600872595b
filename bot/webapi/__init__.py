"""Slack's Web API as the listeners and the scheduler both call it: the client with its retries,
the one table of error codes, posting with delivery keys, look-ups, and hand-in delivery."""
