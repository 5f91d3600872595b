"""Scheduled work: `run_due` finds in the database what is due and sends it; the clock calls it."""
