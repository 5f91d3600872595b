"""`python -m bot demo`: a whole cohort against a stand-in for Slack, with no settings at all,
leaving nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_demo_plays_a_cohort_and_leaves_nothing_behind(tmp_path: Path) -> None:
    where = tmp_path / "here"
    where.mkdir()
    bare = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}

    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--dir", str(where)],
        cwd=tmp_path,
        env=bare,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    out = done.stdout
    for seen in (
        "Ivy (instructor) types: /coffee setup",
        "→ DM to @Ada",  # the kickoff
        "WEEK 2 CHECKPOINT — MOD 5",  # the digest, in the instructors' channel
        "→ #instructors (edited)",  # after the instructor's nudge
        "DEADLINE — MOD 5",
        "What to do next:",
    ):
        assert seen in out, seen
    assert out.index("WEEK 2 CHECKPOINT — MOD 5") < out.index("DEADLINE — MOD 5")
    assert "Traceback" not in done.stderr
    assert list(where.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["here"]
