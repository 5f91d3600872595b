"""The Slack layer: app factory, listeners, and Block Kit builders."""
