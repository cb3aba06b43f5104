"""ClaimReview import/export: every published shape, verdict mapping, stable ids, round trip."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.core.claimreview import (
    claimreview_from_entries,
    entries_from_claimreview,
    verdict_from_rating,
)
from bot.core.factbase import load_bundled, load_factbase
from bot.core.models import FactEntry, Source, Verdict
from bot.errors import FactBaseError

DATA = Path(__file__).resolve().parent.parent / "data" / "claimreview"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def review(**fields: Any) -> dict[str, Any]:
    """A minimal valid ClaimReview, with `fields` replacing or adding properties."""
    base: dict[str, Any] = {
        "@type": "ClaimReview",
        "url": "https://checker.example.com/some-review",
        "claimReviewed": "Ukraine is run by neo-Nazis.",
        "author": {"@type": "Organization", "name": "Check Desk"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
    }
    base.update(fields)
    return base


def only(data: Any) -> FactEntry:
    entries = entries_from_claimreview(data, origin="test.json")
    assert len(entries) == 1
    return entries[0]


# --- shapes ------------------------------------------------------------------------------------


def test_single_claimreview_becomes_a_full_entry() -> None:
    origin = str(DATA / "single.json")
    [entry] = entries_from_claimreview(load("single.json"), origin=origin)

    assert entry.id == "stopfake-4021"
    assert entry.claim == "Тіла в Бучі — інсценування, яке Україна влаштувала для камер."
    assert entry.verdict is Verdict.FALSE
    assert entry.phrasings == {"uk": (entry.claim,)}
    assert entry.context.startswith("Супутникові знімки, зроблені в березні 2022 року")
    assert entry.sources == (
        Source(
            "StopFake",
            "Fake: the killings in Bucha were staged",
            "https://factcheck.example.org/2022/04/bucha-staged",
            dt.date(2022, 4, 5),
        ),
    )
    assert entry.as_of == dt.date(2022, 4, 5)
    assert entry.tags == ("imported",)
    assert entry.origin == origin


def test_list_of_claimreviews_keeps_feed_order() -> None:
    entries = entries_from_claimreview(load("list.json"), origin="list.json")

    assert [e.claim for e in entries] == [
        "The US runs secret bioweapon labs in Ukraine.",
        "NATO promised Russia in writing never to expand east.",
    ]
    assert [e.verdict for e in entries] == [Verdict.FALSE, Verdict.MISSING_CONTEXT]
    # No reviewBody: the description is the context; with neither, a sentence naming the rating.
    assert entries[1].context.startswith("No treaty or signed document")
    assert entries[0].context == "Check Desk rated this claim False."
    assert entries[0].sources[0].title == "Fact check"
    assert entries[0].phrasings == {"en": (entries[0].claim,)}


def test_jsonld_graph_skips_objects_that_are_not_reviews() -> None:
    [entry] = entries_from_claimreview(load("graph.jsonld"), origin="graph.jsonld")

    assert entry.id == "verify-azov-flag-photo"
    assert entry.verdict is Verdict.FALSE  # "Pants on Fire!"
    assert (
        entry.sources[0].title == "Photo of soldiers with a swastika flag is from 2014 and altered"
    )
    assert entry.sources[0].publisher == "Verify Lab"


def test_data_commons_feed_reads_every_item() -> None:
    entries = entries_from_claimreview(load("datafeed.json"), origin="datafeed.json")

    assert [e.claim for e in entries] == [
        "Ukrainian grain under the Black Sea deal only went to rich EU countries.",
        "Kherson residents voted freely to join Russia.",
    ]
    assert entries[0].verdict is Verdict.MISLEADING  # "Mostly False"
    assert entries[1].verdict is Verdict.FALSE  # no text: ratingValue 1 on a 1..7 scale
    assert entries[1].context == "Feed Checkers rated this claim false."


def test_fact_check_tools_search_response_gives_one_entry_per_review() -> None:
    entries = entries_from_claimreview(load("claims_search.json"), origin="search.json")

    assert [(e.claim, e.verdict) for e in entries] == [
        ("Zelensky bought two yachts with Western aid money.", Verdict.FALSE),
        ("Zelensky bought two yachts with Western aid money.", Verdict.FALSE),
        ("Russia only strikes military targets in Ukraine.", Verdict.MISLEADING),
    ]
    politifact, voxcheck, factual = entries
    assert politifact.sources == (
        Source(
            "PolitiFact",
            "No, Zelenskyy did not buy yachts with US aid",
            "https://search.example.com/politifact/zelensky-yachts",
            dt.date(2022, 11, 23),
        ),
    )
    assert politifact.as_of == dt.date(2022, 11, 23)
    assert politifact.context == "PolitiFact rated this claim False."
    assert voxcheck.phrasings == {"uk": (voxcheck.claim,)}
    assert voxcheck.context == "VoxCheck rated this claim Неправда."
    # No publisher name: the site stands in; no title: a generic one.
    assert factual.sources[0].publisher == "factual.example.fr"
    assert factual.sources[0].title == "Fact check"
    assert factual.as_of is None
    assert factual.phrasings == {"fr": (factual.claim,)}
    assert politifact.id.startswith("politifact-")
    assert voxcheck.id.startswith("voxcheck-")
    assert factual.id.startswith("factual-example-fr-")


def test_every_fixture_loads_through_the_fact_base_loader() -> None:
    base = load_factbase([DATA])

    assert len(base) == 1 + 2 + 1 + 2 + 3
    assert base.get("verify-azov-flag-photo") is not None
    assert all(entry.tags == ("imported",) for entry in base)


def test_schema_type_spelled_as_iri_or_list_is_recognised() -> None:
    entries = entries_from_claimreview(
        [
            review(**{"@type": "http://schema.org/ClaimReview"}, url="https://a.example/1"),
            review(**{"@type": ["ClaimReview", "Review"]}, url="https://a.example/2"),
            review(**{"@type": "schema:ClaimReview"}, url="https://a.example/3"),
        ],
        origin="t.json",
    )
    assert len(entries) == 3


def test_long_review_body_is_trimmed_at_a_word_boundary() -> None:
    body = " ".join(f"word{n}" for n in range(400))  # about 2,700 characters
    entry = only(review(reviewBody=body))

    assert len(entry.context) <= 600
    assert entry.context.endswith("…")
    kept = entry.context.removesuffix("…")
    assert body.startswith(kept + " ")  # ends exactly where a word ended


def test_language_falls_back_to_english_when_not_a_two_letter_code() -> None:
    assert only(review(inLanguage="Ukrainian")).phrasings == {
        "en": ("Ukraine is run by neo-Nazis.",)
    }
    assert only(review(inLanguage={"@type": "Language", "alternateName": "ru"})).languages == (
        "ru",
    )


def test_author_list_and_missing_author() -> None:
    named = only(review(author=[{"name": "AFP Fact Check"}, {"name": "Someone else"}]))
    assert named.sources[0].publisher == "AFP Fact Check"
    anonymous = only(review(author=None, url="https://www.checker.example.com/x"))
    assert anonymous.sources[0].publisher == "checker.example.com"


# --- verdicts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "verdict"),
    [
        ("False", Verdict.FALSE),
        ("Pants on Fire!", Verdict.FALSE),
        ("FAKE", Verdict.FALSE),
        ("Incorrect", Verdict.FALSE),
        ("Неправда", Verdict.FALSE),
        ("Фейк", Verdict.FALSE),
        ("Falso", Verdict.FALSE),
        ("Faux", Verdict.FALSE),
        ("Falsch", Verdict.FALSE),
        ("False. The video was filmed in Syria in 2013.", Verdict.FALSE),
        ("Mostly False", Verdict.MISLEADING),
        ("Misleading", Verdict.MISLEADING),
        ("Distorted", Verdict.MISLEADING),
        ("Exaggerated", Verdict.MISLEADING),
        ("Half-True", Verdict.MISLEADING),
        ("half true", Verdict.MISLEADING),
        ("Маніпуляція", Verdict.MISLEADING),
        ("Engañoso", Verdict.MISLEADING),
        ("Missing context", Verdict.MISSING_CONTEXT),
        ("Needs Context", Verdict.MISSING_CONTEXT),
        ("Lacks context.", Verdict.MISSING_CONTEXT),
        ("Unproven", Verdict.UNPROVEN),
        ("Unverified", Verdict.UNPROVEN),
        ("No evidence", Verdict.UNPROVEN),
        ("Unsubstantiated", Verdict.UNPROVEN),
        ("True", Verdict.TRUE),
        ("Mostly True", Verdict.TRUE),
        ("Correct", Verdict.TRUE),
        ("Accurate", Verdict.TRUE),
        ("Правда", Verdict.TRUE),
        ("Something nobody rates", Verdict.UNPROVEN),
    ],
)
def test_rating_text_maps_to_verdict(rating: str, verdict: Verdict) -> None:
    assert verdict_from_rating(rating) is verdict
    assert only(review(reviewRating={"alternateName": rating})).verdict is verdict


@pytest.mark.parametrize(
    ("rating", "verdict"),
    [
        ({"ratingValue": 1}, Verdict.FALSE),  # default scale 1..5
        ({"ratingValue": 3}, Verdict.MISLEADING),
        ({"ratingValue": 5}, Verdict.TRUE),
        ({"ratingValue": "9", "worstRating": "0", "bestRating": "10"}, Verdict.TRUE),
        ({"ratingValue": 2, "worstRating": 0, "bestRating": 10}, Verdict.FALSE),
        ({"ratingValue": 6, "worstRating": 1, "bestRating": 5}, Verdict.UNPROVEN),  # off scale
        ({"ratingValue": "n/a"}, Verdict.UNPROVEN),
        ({}, Verdict.UNPROVEN),
    ],
)
def test_unknown_text_falls_back_to_the_numeric_rating(
    rating: dict[str, Any], verdict: Verdict
) -> None:
    with_text = {"alternateName": "See our article", **rating}
    assert only(review(reviewRating=with_text)).verdict is verdict


def test_known_text_wins_over_a_contradicting_number() -> None:
    rating = {"alternateName": "True", "ratingValue": 1, "worstRating": 1, "bestRating": 5}
    assert only(review(reviewRating=rating)).verdict is Verdict.TRUE


# --- ids ---------------------------------------------------------------------------------------


def test_generated_ids_are_stable_slugs_independent_of_position() -> None:
    data = load("list.json")
    first = [e.id for e in entries_from_claimreview(data, origin="a.json")]
    again = [e.id for e in entries_from_claimreview(copy.deepcopy(data), origin="b.json")]
    reversed_ids = [e.id for e in entries_from_claimreview(data[::-1], origin="c.json")]

    assert first == again
    assert reversed_ids == first[::-1]
    assert all(SLUG.match(entry_id) and entry_id.startswith("check-desk-") for entry_id in first)
    assert first[0] != first[1]


def test_identifier_is_slugified() -> None:
    assert (
        only(review(identifier="  Fact Check: Ünïcode / ID_42 ")).id == "fact-check-unicode-id-42"
    )
    assert only(review(identifier=1234)).id == "1234"
    assert only(review(identifier={"@type": "PropertyValue", "value": "AFP-1"})).id == "afp-1"


def test_identifier_without_latin_letters_falls_back_to_a_generated_id() -> None:
    entry = only(review(identifier="фейк"))
    assert SLUG.match(entry.id)
    assert entry.id.startswith("check-desk-")


def test_same_review_listed_twice_is_kept_once() -> None:
    entries = entries_from_claimreview([review(), review()], origin="t.json")
    assert len(entries) == 1


def test_different_claims_on_one_id_get_numbered_suffixes() -> None:
    # One article debunking several claims: same publisher, same url, so the same base id.
    entries = entries_from_claimreview(
        [
            review(claimReviewed="Claim one about the war."),
            review(claimReviewed="Claim two about the war."),
            review(claimReviewed="Claim three about the war."),
            review(claimReviewed="Claim two about the war."),  # a repeat: dropped
        ],
        origin="t.json",
    )
    ids = [e.id for e in entries]
    assert len(ids) == 3
    assert ids[1] == f"{ids[0]}-2"
    assert ids[2] == f"{ids[0]}-3"
    alone = entries_from_claimreview(
        [review(claimReviewed="Claim one about the war.")], origin="t.json"
    )
    assert alone[0].id == ids[0]  # the first claim keeps the plain id


# --- export and round trip ---------------------------------------------------------------------


def curated(verdict: Verdict) -> FactEntry:
    return FactEntry(
        id=f"sample-{verdict.value}",
        claim=f"A sample claim rated {verdict.value}.",
        verdict=verdict,
        context="What is known about the sample claim, in a few sentences.",
        sources=(
            Source("Reuters", "Fact check: sample", f"https://r.example/{verdict.value}", None),
            Source("AP", "Second source", "https://ap.example/x", dt.date(2023, 1, 1)),
        ),
        phrasings={"en": ("sample claim",)},
        as_of=dt.date(2024, 5, 1),
    )


def test_export_writes_schema_org_claimreview() -> None:
    [exported] = claimreview_from_entries([curated(Verdict.MISSING_CONTEXT)])

    assert exported["@type"] == "ClaimReview"
    assert exported["identifier"] == "sample-missing-context"
    assert exported["claimReviewed"] == "A sample claim rated missing-context."
    assert exported["reviewRating"]["alternateName"] == "Missing context"
    assert exported["url"] == "https://r.example/missing-context"
    assert exported["author"]["name"] == "Reuters"
    assert exported["datePublished"] == "2024-05-01"
    assert exported["reviewBody"] == "What is known about the sample claim, in a few sentences."


@pytest.mark.parametrize("verdict", list(Verdict))
def test_export_then_import_round_trips_id_verdict_and_claim(verdict: Verdict) -> None:
    original = curated(verdict)
    text = json.dumps(claimreview_from_entries([original]))
    [back] = entries_from_claimreview(json.loads(text), origin="export.json")

    assert (back.id, back.verdict, back.claim) == (original.id, original.verdict, original.claim)
    assert back.as_of == original.as_of
    assert back.context == original.context


def test_bundled_fact_base_round_trips() -> None:
    bundled = list(load_bundled())
    back = entries_from_claimreview(claimreview_from_entries(bundled), origin="export.json")

    assert [(e.id, e.verdict, e.claim) for e in back] == [
        (e.id, e.verdict, e.claim) for e in bundled
    ]


def test_export_of_an_entry_without_sources_names_it() -> None:
    entry = FactEntry(
        "no-source", "Some claim here.", Verdict.FALSE, "ctx", (), {}, origin="x.yaml"
    )
    with pytest.raises(FactBaseError) as caught:
        claimreview_from_entries([entry])
    assert (caught.value.file, caught.value.entry, caught.value.field) == (
        "x.yaml",
        "no-source",
        "sources",
    )


# --- errors ------------------------------------------------------------------------------------


def error_of(data: Any) -> FactBaseError:
    with pytest.raises(FactBaseError) as caught:
        entries_from_claimreview(data, origin="feeds/bad.json")
    assert caught.value.file == "feeds/bad.json"
    return caught.value


def test_missing_claim_names_file_entry_and_field() -> None:
    bad = review(identifier="afp-77")
    del bad["claimReviewed"]
    error = error_of([review(), bad])

    assert (error.entry, error.field) == ("afp-77", "claimReviewed")
    assert str(error).startswith("file feeds/bad.json, entry afp-77, field claimReviewed:")


def test_missing_url_names_the_position_when_there_is_no_identifier() -> None:
    bad = review()
    del bad["url"]
    error = error_of({"@graph": [{"@type": "WebPage"}, bad]})
    assert (error.entry, error.field) == ("@graph[1]", "url")


def test_url_that_is_not_http_is_an_error() -> None:
    assert error_of(review(url="javascript:alert(1)")).field == "url"


def test_search_claim_without_text_names_the_claim() -> None:
    data = load("claims_search.json")
    del data["claims"][1]["text"]
    error = error_of(data)
    assert (error.entry, error.field) == ("claims[1]", "text")


def test_search_review_without_url_names_the_review() -> None:
    data = load("claims_search.json")
    del data["claims"][0]["claimReview"][1]["url"]
    error = error_of(data)
    assert (error.entry, error.field) == ("claims[0].claimReview[1]", "url")


def test_datafeed_error_names_the_element() -> None:
    data = load("datafeed.json")
    data["dataFeedElement"][1]["item"][0]["datePublished"] = "30/09/2022"
    error = error_of(data)
    assert (error.entry, error.field) == ("dataFeedElement[1].item[0]", "datePublished")
    assert "30/09/2022" in error.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("just a string", "expected a JSON object"),
        ({"@type": "WebPage", "name": "not a review"}, "not a ClaimReview"),
        ({"@graph": [{"@type": "Organization"}]}, "holds no ClaimReview"),
        ([], "holds no ClaimReview"),
        ({"claims": []}, "holds no ClaimReview"),
        ({"@type": "DataFeed", "dataFeedElement": "oops"}, "must be a list"),
        ([review(), 42], "expected a JSON object"),
        (review(reviewRating="False"), "must be a Rating object"),
    ],
)
def test_unusable_documents_are_rejected_with_a_reason(data: Any, reason: str) -> None:
    assert reason in error_of(data).reason


def test_loader_reports_the_file_of_a_bad_review(tmp_path: Path) -> None:
    bad = review()
    del bad["claimReviewed"]
    path = tmp_path / "feed.jsonld"
    path.write_text(json.dumps([bad]), encoding="utf-8")

    with pytest.raises(FactBaseError) as caught:
        load_factbase([path])
    assert caught.value.file == str(path)
    assert caught.value.entry == "[0]"
