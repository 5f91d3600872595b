"""`python -m bot web` as a subprocess: its output line by line, its workers, its exit."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path


class WebProcess:
    """The web process (gunicorn's master); its output is collected on a thread."""

    def __init__(self, cwd: Path, environment: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "web"],
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def wait_for_lines(self, text: str, count: int = 1, timeout: float = 20) -> bool:
        """Whether `count` output lines containing `text` appeared within `timeout` s."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while sum(text in line for line in self.lines) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def workers(self) -> list[int]:
        """The pids of the master's child processes (gunicorn's workers)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found

    def wait_for_workers(self, count: int, timeout: float = 20) -> list[int]:
        deadline = time.monotonic() + timeout
        while len(found := self.workers()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return found

    def kill(self) -> None:
        """SIGKILL the master if it is still running (clean-up after a failed test)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
