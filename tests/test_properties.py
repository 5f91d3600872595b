"""Properties of the pure functions between what students type and what the bot shows.

Hypothesis runs derandomized (the same examples every run) so CI is reproducible; set
COFFEE_PROPERTY_EXAMPLES=20000 for a longer random search. The strategies lean on the fragments
a hostile user would type (tests/hostile.py).
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.blocks.help import help_blocks
from bot.blocks.text import escape, linked_name, name, quote
from bot.domain.errors import InvalidInput
from bot.domain.linkedin import looks_like_linkedin, normalize_linkedin_url
from bot.domain.logbook import PersonInput
from bot.domain.referrals import REFERRALS_MAX, parse_referrals
from bot.domain.text import NAME_MAX, NOTE_MAX, clean_name, clean_note, name_key
from bot.models import ContactSource
from bot.slack.parsing import person_from_arguments, split_command
from tests.hostile import BIDI, CONTROL, EMOJI, MARKUP, NAMES, SQLISH, UNICODE, URLS

EXPLORE = os.environ.get("COFFEE_PROPERTY_EXAMPLES")  # e.g. 20000: a longer, random search
PROPERTIES = settings(
    derandomize=not EXPLORE,
    max_examples=int(EXPLORE or 400),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

FRAGMENTS = (*MARKUP, *UNICODE, *CONTROL, *BIDI, *SQLISH, *EMOJI, *URLS, *NAMES)
any_char = st.characters(exclude_categories=())  # surrogates too: JSON can carry them
hostile = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(any_char, max_size=4), st.just(" ")),
    max_size=12,
).map("".join)
text_or_hostile = st.one_of(st.text(any_char), hostile)
slugs = st.from_regex(r"[a-z0-9][a-z0-9\-]{2,40}", fullmatch=True)
word = st.text(st.characters(categories=("L", "M", "N", "P")), min_size=1, max_size=12).filter(
    lambda w: not looks_like_linkedin(w)
)
plain_names = st.lists(word, min_size=1, max_size=4).map(" ".join)

MENTION = re.compile(r"<[!@#]")
LINK = re.compile(r"<[^>]*>")
PROFILE = re.compile(r"https://www\.linkedin\.com/in/(?P<slug>[^/?#\s]+)")


def no_markup(text: str) -> bool:
    """No mention, channel link, broadcast, user group or link can form in `text`."""
    return "<" not in text and ">" not in text


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# -- the command splitter (bot/slack/parsing.py) -----------------------------------------------


@PROPERTIES
@given(st.one_of(st.none(), text_or_hostile))
def test_split_command_never_fails_and_gives_one_lower_case_word(text: str | None) -> None:
    parsed = split_command(text)
    assert parsed.subcommand == parsed.subcommand.lower()
    assert not any(ch.isspace() for ch in parsed.subcommand)
    assert parsed.arguments == parsed.arguments.strip()
    if not (text or "").strip():
        assert (parsed.subcommand, parsed.arguments) == ("", "")
    else:
        assert parsed.subcommand


@PROPERTIES
@given(st.sampled_from(["outreach", "CHAT", "List", "setup"]), hostile, st.sampled_from(" \t\n"))
def test_split_command_keeps_the_arguments_as_typed(sub: str, args: str, space: str) -> None:
    parsed = split_command(f"{space}{sub}{space}{args}{space}")
    assert parsed.subcommand == sub.lower()
    assert parsed.arguments == args.strip()


@PROPERTIES
@given(text_or_hostile)
def test_person_from_arguments_takes_a_url_only_from_the_end(arguments: str) -> None:
    try:
        person = person_from_arguments(arguments, "/coffee outreach")
    except InvalidInput as error:
        assert "Put the LinkedIn URL last" in error.message
        return
    assert not any(looks_like_linkedin(w) for w in person.name.split())
    if person.linkedin_url is not None:
        assert arguments.split()[-1] == person.linkedin_url
    assert person.name == " ".join(w for w in arguments.split() if not looks_like_linkedin(w))


@PROPERTIES
@given(plain_names, st.one_of(st.none(), slugs.map(lambda s: f"linkedin.com/in/{s}")))
def test_person_from_arguments_round_trips_a_name_and_a_url(who: str, url: str | None) -> None:
    person = person_from_arguments(f"{who} {url or ''}", "/coffee chat")
    assert person == PersonInput(name=who, linkedin_url=url)


# -- the LinkedIn normaliser (bot/domain/linkedin.py) -------------------------------------------


def normalized_or_none(raw: str) -> str | None:
    try:
        return normalize_linkedin_url(raw)
    except InvalidInput:
        return None


@PROPERTIES
@given(text_or_hostile)
@example("https://www.linkedin.com/in/%253E%253E%253E")
@example("https://www.linkedin.com/in/İİİ")
@example("https://[::1/in/ada")
@example("linkedin.com/in/abc%7Cdef")
def test_the_normal_form_is_a_safe_profile_url_and_normalizing_it_again_keeps_it(
    raw: str,
) -> None:
    url = normalized_or_none(raw)
    if url is None:
        return
    match = PROFILE.fullmatch(url)
    assert match, url
    slug = match["slug"]
    assert 3 <= len(slug) <= 100
    assert all(ch.isalnum() or ch in "-_." or unicodedata.category(ch)[0] == "M" for ch in slug)
    assert slug == slug.lower() and unicodedata.is_normalized("NFC", slug)
    assert not any(ch in slug for ch in "<>|&%*`~ ") and no_markup(url)
    assert normalize_linkedin_url(url) == url


@PROPERTIES
@given(
    slugs,
    st.sampled_from(["https://", "http://", "HTTPS://", ""]),
    st.sampled_from(["www.", "", "m.", "uk.", "WWW."]),
    st.sampled_from(["", "/", "?trk=x", "/?a=1#f", "#top", "/details/"]),
    st.booleans(),
    st.booleans(),
)
def test_every_way_of_pasting_a_profile_gives_the_same_normal_form(
    slug: str, scheme: str, host: str, tail: str, bracket: bool, upper: bool
) -> None:
    raw = f"{scheme}{host}linkedin.com/in/{slug.upper() if upper else slug}{tail}"
    if bracket:
        raw = f"<{raw}|Ada>"
    assert normalize_linkedin_url(f"  {raw} ") == f"https://www.linkedin.com/in/{slug}"


@PROPERTIES
@given(text_or_hostile)
def test_the_normaliser_refuses_what_is_not_a_linkedin_profile(raw: str) -> None:
    url = normalized_or_none(raw)
    if url is None:
        return
    assert "linkedin.com" in raw.lower()


# -- names and notes (bot/domain/text.py) -------------------------------------------------------


@PROPERTIES
@given(st.one_of(st.none(), text_or_hostile))
@example("ﬃ" * 40)
@example("㍿" * 30)
@example("𝕬da")
def test_a_clean_name_is_short_printable_and_clean_again(raw: str | None) -> None:
    try:
        cleaned = clean_name(raw)
    except InvalidInput:
        return
    assert 0 < len(cleaned) <= NAME_MAX
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert unicodedata.is_normalized("NFC", cleaned)
    assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in cleaned)
    assert not any(ch in BIDI for ch in cleaned)
    assert any(ch.isalpha() for ch in cleaned)
    assert clean_name(cleaned) == cleaned
    key = name_key(cleaned)
    assert len(key) <= NAME_MAX  # it is stored in a 100-character column
    assert name_key(key) == key


@PROPERTIES
@given(st.one_of(st.none(), text_or_hostile), st.sampled_from([100, NOTE_MAX]))
def test_a_clean_note_is_within_its_limit_printable_and_clean_again(
    raw: str | None, limit: int
) -> None:
    try:
        note = clean_note(raw, "note", limit)
    except InvalidInput:
        return
    if note is None:
        assert raw is None or not raw.strip()
        return
    assert 0 < len(note) <= limit and note == note.strip()
    assert unicodedata.is_normalized("NFC", note) and "\r" not in note
    for ch in note:
        assert ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    assert clean_note(note, "note", limit) == note


# -- mrkdwn escaping (bot/blocks/text.py) -------------------------------------------------------


@PROPERTIES
@given(text_or_hostile)
def test_escaped_text_can_form_no_markup_and_loses_nothing(text: str) -> None:
    escaped = escape(text)
    assert no_markup(escaped)
    assert unescape(escaped) == text


@PROPERTIES
@given(text_or_hostile)
def test_a_name_can_form_no_markup_and_no_formatting(text: str) -> None:
    shown = name(text)
    assert no_markup(shown)
    assert not any(mark in shown for mark in "*_~`")


@PROPERTIES
@given(text_or_hostile)
def test_a_quote_is_quoted_lines_that_form_no_markup(text: str) -> None:
    quoted = quote(text)
    for line in quoted.split("\n") if quoted else []:
        assert line.startswith("> ") and no_markup(line[2:])


@PROPERTIES
@given(text_or_hostile, st.one_of(st.none(), text_or_hostile, st.sampled_from(URLS)))
def test_a_linked_name_is_one_link_to_the_normalised_profile_and_nothing_else(
    person: str, raw_url: str | None
) -> None:
    url = normalized_or_none(raw_url) if raw_url else None
    shown = linked_name(person, url)
    if url is None:
        assert shown == name(person) and no_markup(shown)
        return
    links = LINK.findall(shown)
    assert links == [shown], shown
    target, label = shown[1:-1].split("|", 1)
    assert target == url and not MENTION.match(shown)
    assert no_markup(label) and "|" not in label


@PROPERTIES
@given(text_or_hostile)
@example("<!channel>")
def test_the_help_for_an_unknown_subcommand_shows_it_escaped_once(typed: str) -> None:
    subcommand = split_command(typed).subcommand
    problem = f"I don't know `{escape(subcommand[:30])}`."  # as listeners/usage.py writes it
    blocks = help_blocks("/coffee", problem)
    texts = [b["text"]["text"] for b in blocks if b.get("text")]
    texts += [e["text"] for b in blocks for e in b.get("elements", [])]
    assert texts and all(no_markup(text) for text in texts)
    assert texts[0] == f":warning: {problem}"  # not escaped twice


# -- referrals (bot/domain/referrals.py) --------------------------------------------------------


@PROPERTIES
@given(
    st.one_of(
        st.none(),
        text_or_hostile,
        st.lists(st.one_of(hostile, st.sampled_from(NAMES)), max_size=25).map("\n".join),
    )
)
def test_referrals_are_checked_people_or_one_clear_refusal(text: str | None) -> None:
    try:
        people = parse_referrals(text)
    except InvalidInput as error:
        assert error.field == "referrals" and error.message
        return
    assert len(people) <= REFERRALS_MAX
    for person in people:
        assert clean_name(person.name) == person.name
        assert person.source == ContactSource.REFERRAL.value
        if person.linkedin_url is not None:
            assert normalize_linkedin_url(person.linkedin_url) == person.linkedin_url


@PROPERTIES
@given(
    st.lists(
        st.tuples(
            st.sampled_from(NAMES),
            st.one_of(st.none(), slugs),
            st.sampled_from(["", "- ", "• ", "* ", "  "]),
        ),
        max_size=REFERRALS_MAX,
    )
)
def test_referrals_typed_one_per_line_come_back_as_typed(rows: list[Any]) -> None:
    lines = [
        f"{bullet}{who}" + (f" https://www.linkedin.com/in/{slug}" if slug else "")
        for who, slug, bullet in rows
    ]
    people = parse_referrals("\n".join(lines))
    assert [(p.name, p.linkedin_url) for p in people] == [
        (who, f"https://www.linkedin.com/in/{slug}" if slug else None) for who, slug, _ in rows
    ]
