"""Stopping cleanly on SIGTERM, which Heroku-style hosts send 30 s before SIGKILL."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def stop_on_sigterm(stop: Callable[[], None]) -> None:
    """Call `stop` on SIGTERM (Heroku-style hosts send it 30 s before SIGKILL)."""

    def handler(_signum: int, _frame: Any) -> None:
        log.info("SIGTERM received, shutting down")
        stop()

    signal.signal(signal.SIGTERM, handler)
