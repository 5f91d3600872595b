"""Every `python -m bot …` command the README and docs/ show is one the CLI has, with the
options shown: its `--help` exits 0 and lists each of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SUBCOMMAND = re.compile(r"[a-z][a-z-]*")
OPTION = re.compile(r"--[a-z][a-z-]*")


def shown_commands() -> dict[tuple[str, ...], set[str]]:
    """Each command path shown (`("cohort", "purge")`), with the options shown with it."""
    found: dict[tuple[str, ...], set[str]] = {}
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"python -m bot\b([^`]*)", text):
            words = match.group(1).split()
            path: list[str] = []
            for word in words:
                if not SUBCOMMAND.fullmatch(word):
                    break
                path.append(word)
            options = {o for word in words for o in OPTION.findall(word) if "--" in word[:3]}
            found.setdefault(tuple(path), set()).update(options)
    return found


COMMANDS = shown_commands()


def test_the_pages_show_the_commands_an_operator_needs() -> None:
    for needed in [(), ("demo",), ("doctor",), ("manifest",), ("jobs", "run-due")]:
        assert needed in COMMANDS, needed
    assert {("cohort", "archive"), ("cohort", "purge"), ("cohort", "create")} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: " ".join(p) or "(bare)")
def test_each_command_shown_parses_with_its_options(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([*path, "--help"])
    assert done.value.code == 0
    usage = capsys.readouterr().out
    missing = sorted(o for o in COMMANDS[path] if o not in usage)
    assert missing == [], f"python -m bot {' '.join(path)}: {missing} not in its --help"
