"""An Asker's looked-up facts are cached per request, never behind a lock other requests share."""

from __future__ import annotations

import threading

from bot.slack.asker import resolved


class Looked:
    """Stands for an Asker: `enrollment` is slow for the first instance, quick for others."""

    entered = threading.Event()
    release = threading.Event()

    def __init__(self, slow: bool) -> None:
        self.slow = slow

    @resolved
    def enrollment(self) -> str:
        if self.slow:
            Looked.entered.set()
            Looked.release.wait(timeout=30)
        return "slow" if self.slow else "quick"


def test_one_request_looking_up_waits_for_no_other() -> None:
    """With functools.cached_property (Python 3.11) the second look-up waits for the first,
    and a first that waits for SQLite's write lock held by the second deadlocks them."""
    first = threading.Thread(target=lambda: Looked(slow=True).enrollment, daemon=True)
    first.start()
    assert Looked.entered.wait(timeout=30)
    found: list[str] = []
    done = threading.Event()

    def second() -> None:
        found.append(Looked(slow=False).enrollment)
        done.set()

    threading.Thread(target=second, daemon=True).start()
    try:
        assert done.wait(timeout=10), "the second look-up waited for the first"
        assert found == ["quick"]  # while the first is still inside its look-up
    finally:
        Looked.release.set()
        first.join(timeout=30)


def test_the_value_is_kept_and_can_be_replaced() -> None:
    looked = Looked(slow=False)
    assert looked.enrollment == "quick"
    looked.enrollment = "enrolled now"  # as require_student does after enrolling
    assert looked.enrollment == "enrolled now"
