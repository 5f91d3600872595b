"""The layers point one way: rules know nothing of Slack, the scheduler nothing of the Bolt app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"


def imported_modules(package: str) -> dict[str, set[str]]:
    """Every module of a package of bot/, with the modules it imports (absolute names)."""
    found: dict[str, set[str]] = {}
    for path in sorted((BOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(BOT.parent))] = names
    return found


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{module} imports {name}"
        for module, names in imported_modules(package).items()
        for name in sorted(names)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        (
            "domain",
            ("bot.slack", "bot.schedule", "bot.blocks", "bot.webapi", "slack_sdk", "slack_bolt"),
        ),
        ("schedule", ("bot.slack", "slack_bolt")),
        ("blocks", ("bot.slack", "bot.schedule", "slack_sdk", "slack_bolt")),
        ("webapi", ("bot.slack", "bot.schedule", "slack_bolt")),
    ],
)
def test_layers_point_one_way(package: str, forbidden: tuple[str, ...]) -> None:
    assert offenders(package, forbidden) == []
