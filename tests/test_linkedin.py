import pytest

from bot.domain.errors import InvalidInput
from bot.domain.linkedin import normalize_linkedin_url

CANONICAL = "https://www.linkedin.com/in/ada-lovelace"


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.linkedin.com/in/ada-lovelace",
        "https://www.linkedin.com/in/ada-lovelace/",
        "http://linkedin.com/in/ada-lovelace",
        "www.linkedin.com/in/ada-lovelace",
        "linkedin.com/in/Ada-Lovelace",
        "https://uk.linkedin.com/in/ada-lovelace?utm_source=share&trk=x",
        "https://www.linkedin.com/in/ada-lovelace#about",
        "<https://www.linkedin.com/in/ada-lovelace>",
        "<https://www.linkedin.com/in/ada-lovelace|linkedin.com/in/ada-lovelace>",
        "  https://m.linkedin.com/in/ada-lovelace/  ",
    ],
)
def test_profile_urls_normalize_to_one_form(raw: str) -> None:
    assert normalize_linkedin_url(raw) == CANONICAL


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.linkedin.com/company/analytical-engines",
        "https://www.linkedin.com/in/",
        "https://example.com/in/ada-lovelace",
        "https://linkedin.com.evil.example/in/ada",
        "ftp://www.linkedin.com/in/ada-lovelace",
        "https://www.linkedin.com/feed/",
        "ada-lovelace",
        "https://www.linkedin.com/in/a<!channel>b",
        "https://www.linkedin.com/in/ada/details/experience/more",
    ],
)
def test_anything_but_a_profile_is_rejected_with_an_example(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_linkedin_url(raw)
    assert "linkedin.com/in/ada-lovelace" in caught.value.message
    assert caught.value.field == "linkedin"
