"""Referrals as students type them: one person per line, a LinkedIn URL optional and last."""

from __future__ import annotations

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.referrals import REFERRALS_FIELD, REFERRALS_MAX, parse_referrals


def test_names_bullets_separators_and_slack_links_are_understood() -> None:
    text = (
        "- Grace Hopper https://linkedin.com/in/Grace-Hopper/\n"
        "\n"
        "• Alan Turing — <https://www.linkedin.com/in/alan-turing?trk=x|linkedin>\n"
        "Katherine Johnson\n"
    )

    people = parse_referrals(text)

    assert [(p.name, p.linkedin_url, p.source) for p in people] == [
        ("Grace Hopper", "https://www.linkedin.com/in/grace-hopper", "referral"),
        ("Alan Turing", "https://www.linkedin.com/in/alan-turing", "referral"),
        ("Katherine Johnson", None, "referral"),
    ]


def test_nothing_typed_is_no_referrals() -> None:
    assert parse_referrals(None) == [] == parse_referrals(" \n \n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Grace\n\nhttps://www.linkedin.com/in/x Alan", "line 3"),
        ("Grace Hopper https://www.linkedin.com/company/navy", "linkedin.com/in/"),
        ("☕ ☕", "emoji"),
        ("https://www.linkedin.com/in/grace-hopper", "name is missing"),
        ("\n".join(f"Person {chr(65 + i)}" for i in range(REFERRALS_MAX + 1)), "at most 20"),
    ],
)
def test_a_bad_line_is_named_with_what_to_write(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_referrals(text)

    assert caught.value.field == REFERRALS_FIELD
    assert expected in caught.value.message
