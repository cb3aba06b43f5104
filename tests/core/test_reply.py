"""The reply every adapter renders: names the verdict, never the claim; cites sources; pings
nobody; stays short."""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import replace

import pytest

from bot.core._labels import LABELS
from bot.core.factbase import load_bundled
from bot.core.models import LANGUAGES, FactEntry, Match, Source, Tier, Verdict
from bot.core.reply import (
    COLOUR_FALSE,
    COLOUR_TRUE,
    MAX_REPLY_SOURCES,
    MAX_TEXT_CHARS,
    VERDICT_COLOURS,
    Labels,
    reply_for,
)
from bot.core.service import FEEDBACK_VOTES

ENTRY = FactEntry(
    id="us-biolabs",
    claim="The United States runs secret biological weapons labs in Ukraine.",
    verdict=Verdict.FALSE,
    context="The UN said it was not aware of any biological weapons programme in Ukraine.",
    sources=tuple(
        Source(f"Publisher {n}", f"Title {n}", f"https://example.org/{n}", dt.date(2022, 3, n))
        for n in range(1, 6)
    ),
    phrasings={"en": ("secret biolabs in Ukraine",)},
    tags=("biolabs",),
    as_of=dt.date(2025, 3, 1),
)


def alert(entry: FactEntry = ENTRY, score: float = 91.6, tier: Tier = Tier.ALERT) -> Match:
    return Match(entry=entry, tier=tier, score=score)


def test_the_reply_names_the_verdict_and_cites_at_most_three_sources() -> None:
    content = reply_for(alert())

    assert content.title == "Fact check · False"
    assert content.verdict is Verdict.FALSE
    assert content.verdict_label == "False"
    assert content.context == ENTRY.context
    assert content.sources == ENTRY.sources[:MAX_REPLY_SOURCES]
    assert content.confidence == 92
    assert content.claim_id == "us-biolabs"
    assert content.as_of == dt.date(2025, 3, 1)
    assert content.colour == COLOUR_FALSE


def test_the_plain_text_reply_lists_sources_and_confidence() -> None:
    text = reply_for(alert()).as_text()

    assert text.startswith("Fact check · False")
    assert ENTRY.context in text
    assert "Publisher 1 — Title 1 <https://example.org/1>" in text
    assert "Publisher 4" not in text
    assert "Confidence 92%" in text
    assert "2025-03-01" in text


@pytest.mark.parametrize("entry", list(load_bundled()), ids=lambda e: e.id)
def test_no_reply_repeats_the_claim(entry: FactEntry) -> None:
    content = reply_for(alert(entry))

    assert entry.claim not in content.title
    assert content.title.startswith("Fact check · ")
    assert entry.claim not in content.as_text()
    assert len(content.as_text()) <= MAX_TEXT_CHARS


def test_an_approved_suggestion_gets_the_same_reply() -> None:
    assert reply_for(alert(tier=Tier.SUGGEST, score=70.2)).confidence == 70


def test_a_match_without_an_entry_has_no_reply() -> None:
    with pytest.raises(ValueError, match="no fact-base entry"):
        reply_for(Match(entry=None, tier=Tier.NONE, score=0.0))


def test_the_plain_text_reply_stays_short_however_long_the_entry() -> None:
    huge = replace(
        ENTRY,
        context="The UN found no evidence of such a programme. " * 40,
        sources=tuple(
            Source(
                "A very long publisher name " * 3, "A headline " * 30, f"https://e.org/{'x' * 150}"
            )
            for _ in range(3)
        ),
    )

    text = reply_for(alert(huge)).as_text()

    assert len(text) <= MAX_TEXT_CHARS
    assert text.startswith("Fact check · False")
    assert "https://e.org/" in text  # still sourced
    assert "Confidence 92%" in text
    assert "…" in text  # cut visibly, not silently


def test_the_reply_pings_nobody_even_from_imported_text() -> None:
    entry = replace(
        ENTRY,
        context="@everyone look: <@123456> and <!here> were told this was fake by @here.",
        sources=(Source("@everyone news", "<@42> said so", "https://example.org/a"),),
    )

    text = reply_for(alert(entry)).as_text()

    for mention in ("@everyone", "@here", "<@123456>", "<!here>", "<@42>"):
        assert mention not in text


def test_each_verdict_has_its_own_colour() -> None:
    assert set(VERDICT_COLOURS) == set(Verdict)
    assert len(set(VERDICT_COLOURS.values())) == len(Verdict)

    def rgb(colour: int) -> tuple[int, int, int]:
        return colour >> 16, (colour >> 8) & 0xFF, colour & 0xFF

    red, green, blue = rgb(COLOUR_FALSE)
    assert red > green and red > blue
    red, green, blue = rgb(COLOUR_TRUE)
    assert green > red and green > blue


# --- the server's language -----------------------------------------------------------------------


def test_a_ukrainian_server_gets_its_labels_and_the_curated_text_as_written() -> None:
    text = reply_for(alert(), language="uk").as_text()

    assert text.startswith("Перевірка фактів · Неправда")
    assert "Джерела:" in text
    assert "Впевненість 92% · станом на 2025-03-01" in text
    # The fact base is curated in English; its text is never machine-translated.
    assert ENTRY.context in text
    assert "Publisher 1 — Title 1 <https://example.org/1>" in text
    for english in ("Fact check", "False", "Sources", "Confidence", "as of"):
        assert english not in text


def test_a_russian_server_gets_russian_labels() -> None:
    content = reply_for(alert(replace(ENTRY, verdict=Verdict.MISLEADING)), language="ru")

    assert content.title == "Проверка фактов · Вводит в заблуждение"
    assert content.verdict_label == "Вводит в заблуждение"
    assert content.footer() == "Уверенность 92% · по состоянию на 2025-03-01"


def test_a_language_without_a_translation_gets_english() -> None:
    content = reply_for(alert(), language="de")

    assert content.language == "en"
    assert content.title == "Fact check · False"
    assert reply_for(alert()).as_text() == content.as_text()


def test_every_reply_language_has_every_label() -> None:
    assert set(LABELS) == set(LANGUAGES)
    english = LABELS["en"]
    for language, labels in LABELS.items():
        assert set(labels.verdicts) == set(Verdict), language
        assert set(labels.feedback_buttons) == set(FEEDBACK_VOTES), language
        for name in Labels.__slots__:
            value = getattr(labels, name)
            assert value, (language, name)
            if language != "en" and isinstance(value, str):
                # The same placeholders as the English text, so no `format` call breaks.
                assert _fields(value) == _fields(getattr(english, name)), (language, name)
        # Buttons fit Discord's 80 and Slack's 75 characters.
        for label in (*labels.feedback_buttons.values(), labels.reply_button, labels.share):
            assert len(label) <= 75, (language, label)


def test_translated_replies_of_the_whole_fact_base_stay_short() -> None:
    for entry in load_bundled():
        for language in LANGUAGES:
            content = reply_for(alert(entry), language=language)
            assert entry.claim not in content.as_text()
            assert len(content.as_text()) <= MAX_TEXT_CHARS


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
