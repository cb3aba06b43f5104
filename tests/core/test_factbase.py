"""The curated fact base and its validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.factbase import MIN_PHRASINGS, load_bundled, load_factbase
from bot.core.matching.index import terms_of
from bot.core.matching.lexicon import DEBUNK_CUES, DEBUNK_PHRASES
from bot.errors import FactBaseError

REQUIRED_IDS = [
    "zelensky-dictator",
    "zelensky-term-expired",
    "zelensky-refuses-to-resign",
    "zelensky-approval-4-percent",
    "ukraine-started-the-war",
    "us-aid-350-billion",
    "ukraine-must-repay-aid",
    "minerals-deal-handover",
    "drone-attack-all-intercepted",
    "europe-pays-nothing",
    "us-biolabs",
    "bucha-staged",
    "ukraine-nazi-regime",
    "mariupol-theatre-staged",
    "kramatorsk-ukrainian-missile",
    "mh17-ukraine",
    "crimea-referendum-legit",
    "nato-no-expansion-promise",
    "zelensky-fled-kyiv",
    "zelensky-cocaine",
    "zelensky-yachts",
    "zelenska-bugatti",
    "weapons-black-market",
    "ghost-of-kyiv",
    "snake-island-all-killed",
    "russia-only-military-targets",
    "kakhovka-dam-ukraine",
    "children-evacuated-not-deported",
    "donbas-genocide",
]

GOOD_ENTRY = """
id: sample-claim
claim: A sample claim that people repeat in chat.
verdict: false
context: What is actually known about the sample, in neutral words.
sources:
  - {publisher: Example Publisher, title: First, url: "https://example.org/a", date: 2024-01-01}
  - {publisher: Example Agency, title: Second, url: "https://example.org/b", date: 2024-02-01}
phrasings:
  en: [one way, another way, third way, fourth way, fifth way]
  uk: [перший спосіб, другий спосіб]
  ru: [первый способ, второй способ]
tags: [sample]
as_of: 2025-01-01
"""


def test_bundled_base_has_every_required_entry_with_sources_and_phrasings() -> None:
    base = load_bundled()
    assert set(REQUIRED_IDS) <= {entry.id for entry in base}
    for entry in base:
        assert len(entry.sources) >= 2, entry.id
        assert all(s.url.startswith(("https://", "http://")) and s.date for s in entry.sources), (
            entry.id
        )
        for lang, minimum in MIN_PHRASINGS.items():
            assert len(entry.phrasings[lang]) >= minimum, (entry.id, lang)
        assert len(entry.context) <= 700, entry.id
        assert entry.claim.casefold() not in entry.context.casefold(), entry.id


def test_bundled_phrasings_use_no_words_that_debunk() -> None:
    """The stance rules take a word a claim's own phrasings use for the claim's: a phrasing that
    says "hoax" or "propaganda" would hide every debunk of that entry that says so."""
    allowed = {"lied"}  # the NATO claim is that the West lied
    for entry in load_bundled():
        for _lang, text in entry.all_phrasings():
            terms = terms_of(text)
            cues = {tok for tok in terms.tokens if tok in DEBUNK_CUES} - allowed
            cues.update(p for p in DEBUNK_PHRASES if p in terms.raw)
            assert not cues, (entry.id, text, cues)


def test_bundled_base_carries_myths_from_both_sides() -> None:
    ids = {entry.id for entry in load_bundled()}
    assert {"ghost-of-kyiv", "snake-island-all-killed", "drone-attack-all-intercepted"} <= ids


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "entry.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_entry_loads(tmp_path: Path) -> None:
    base = load_factbase([_write(tmp_path, GOOD_ENTRY)])
    entry = base.get("sample-claim")
    assert entry is not None and entry.verdict == "false" and entry.languages == ("en", "uk", "ru")


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        (GOOD_ENTRY.replace("verdict: false", "verdict: wrong"), "verdict"),
        (GOOD_ENTRY.replace('url: "https://example.org/a"', 'url: "not a url"'), "sources.0.url"),
        (GOOD_ENTRY.replace("  uk: [перший спосіб, другий спосіб]\n", ""), "phrasings"),
        (GOOD_ENTRY.replace("id: sample-claim", "id: Not A Slug"), "id"),
        (GOOD_ENTRY.replace("as_of: 2025-01-01\n", ""), "as_of"),
        (GOOD_ENTRY + "colour: red\n", "colour"),
    ],
)
def test_bad_entries_name_file_entry_and_field(tmp_path: Path, broken: str, field: str) -> None:
    path = _write(tmp_path, broken)
    with pytest.raises(FactBaseError) as caught:
        load_factbase([path])
    assert caught.value.file == str(path)
    assert caught.value.field == field
    assert str(path) in str(caught.value)


def test_invalid_yaml_and_missing_paths_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(FactBaseError, match="not valid YAML"):
        load_factbase([_write(tmp_path, "id: [unclosed")])
    with pytest.raises(FactBaseError, match="no such file"):
        load_factbase([tmp_path / "missing.yaml"])


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD_ENTRY, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD_ENTRY, encoding="utf-8")
    with pytest.raises(FactBaseError, match="duplicate id"):
        load_factbase([tmp_path])
