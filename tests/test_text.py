import pytest

from bot.blocks.text import escape, linked_name, name
from bot.domain.errors import InvalidInput
from bot.domain.text import clean_name, clean_note, name_key


def test_names_are_trimmed_and_spaces_collapsed() -> None:
    assert clean_name("  Ada   Lovelace ") == "Ada Lovelace"


@pytest.mark.parametrize("raw", ["José Álvarez", "O'Brien-Smith, Jr.", "محمد علي", "李小龙"])
def test_names_in_any_script_are_accepted(raw: str) -> None:
    assert clean_name(raw) == raw


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "missing"),
        ("   ", "missing"),
        ("A" * 101, "101 characters"),
        ("Ada 🚀 Lovelace", "emoji"),
        ("Ada :rocket:", "emoji"),
        ("Ada\u202eecalevol", "right-to-left"),
        ("Ada\u200bLovelace", "invisible"),
        ("Ada\x07Lovelace", "control characters"),
        ("12345 !!!", "no letters"),
    ],
)
def test_bad_names_get_a_message_that_names_the_problem(raw: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_name(raw)
    assert words in caught.value.message
    assert "Ada Lovelace" in caught.value.message or "100" in caught.value.message


def test_notes_keep_newlines_and_refuse_overflow() -> None:
    assert clean_note("line one\r\nline two ") == "line one\nline two"
    assert clean_note("   ") is None
    with pytest.raises(InvalidInput, match="2001 characters"):
        clean_note("x" * 2001)


def test_names_match_regardless_of_case_and_accents() -> None:
    assert name_key("José  ÁLVAREZ") == name_key("jose alvarez")


def test_mentions_in_user_text_are_shown_as_text() -> None:
    assert escape("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"
    assert "<!here>" not in name("<!here> *bold*")
    assert "*" not in name("*bold*")


def test_linked_names_cannot_break_out_of_the_link() -> None:
    link = linked_name("Ada | <!channel>", "https://www.linkedin.com/in/ada")
    assert link == "<https://www.linkedin.com/in/ada|Ada ¦ &lt;!channel&gt;>"
