"""Memory of a process and all its descendants (gunicorn's master and workers), from /proc."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Memory:
    """MiB summed over the processes: RSS counts shared pages once per process, PSS shares
    them out (the tree's real footprint); HWM is the sum of each process's peak RSS."""

    processes: int
    rss: float
    pss: float
    hwm: float


def descendants(pid: int) -> list[int]:
    """`pid` and every process under it."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        parents.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def _kib(path: Path, field: str) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def tree_memory(pid: int) -> Memory:
    """The memory of `pid` and its descendants; processes that ended meanwhile are left out."""
    rss = pss = hwm = count = 0
    for process in descendants(pid):
        base = Path(f"/proc/{process}")
        try:
            rss += _kib(base / "status", "VmRSS")
            hwm += _kib(base / "status", "VmHWM")
            pss += _kib(base / "smaps_rollup", "Pss")
        except OSError:
            continue
        count += 1
    return Memory(count, rss / 1024, pss / 1024, hwm / 1024)


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its descendants."""
    ticks = 0
    for process in descendants(pid):
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")
