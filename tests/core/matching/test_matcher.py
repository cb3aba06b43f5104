"""The matcher as moderators meet it: sure on claims, silent on chatter, debunks and look-alikes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.claimreview import entries_from_claimreview
from bot.core.factbase import FactBase, load_bundled
from bot.core.matching import Matcher, Thresholds
from bot.core.matching.matcher import CONFIDENCE_WEIGHTS, Features, confidence
from bot.core.models import Stance, Tier


@pytest.fixture(scope="module")
def bundled() -> FactBase:
    return load_bundled()


@pytest.fixture(scope="module")
def matcher(bundled: FactBase) -> Matcher:
    return Matcher(bundled)


@pytest.mark.parametrize(
    ("text", "claim_id"),
    [
        ("Zelensky is a dictator, he cancelled the elections", "zelensky-dictator"),
        ("Зеленский диктатор, который отменил выборы", "zelensky-dictator"),
        ("bucha was staged, the bodies were actors", "bucha-staged"),
        ("the US gave Ukraine $350bn!!", "us-aid-350-billion"),
        ("Ukraine shot down MH17, not Russia", "mh17-ukraine"),
        ("the americans run secret biolabs in ukraine making bioweapons", "us-biolabs"),
    ],
)
def test_plain_claims_alert_with_the_right_entry(
    matcher: Matcher, text: str, claim_id: str
) -> None:
    result = matcher.match(text)
    assert result.tier is Tier.ALERT
    assert result.claim_id == claim_id
    assert result.terms, "a match explains itself with the shared terms"
    assert result.phrasing


@pytest.mark.parametrize(
    "text",
    [
        "Zelensky is NOT a dictator, elections are banned under martial law",
        "Зеленский не диктатор",
        "No, Ukraine didn't start the war, Russia invaded on 24 February 2022",
        "the $350bn figure is made up, Congress appropriated about 175",
        'RT again with the "Ukraine is run by Nazis" line lol',
    ],
)
def test_debunks_never_alert(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert result.tier is not Tier.ALERT
    assert result.stance in (Stance.DEBUNKS, Stance.REPORTS)


@pytest.mark.parametrize(
    "text",
    [
        "my boss is a total dictator",
        "who started the war in the group chat? it was kevin again",
        "I had pizza for dinner, the weather is great",
        "this movie was staged so badly lol",
        "Russia started the war when it invaded in February 2022",
        "",
    ],
)
def test_lookalikes_and_chatter_never_alert(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).tier is not Tier.ALERT


def test_a_question_about_a_claim_may_get_context(matcher: Matcher) -> None:
    result = matcher.match("is it true that Ukraine shot down MH17?")
    assert result.stance is Stance.QUESTIONS
    assert result.entry is not None and result.entry.id == "mh17-ukraine"


def test_every_entry_matches_its_own_phrasings(bundled: FactBase, matcher: Matcher) -> None:
    phrasings = [(entry.id, text) for entry in bundled for _lang, text in entry.all_phrasings()]
    alerts = 0
    for entry_id, text in phrasings:
        result = matcher.match(text)
        assert result.entry is not None and result.entry.id == entry_id, text
        assert result.tier is not Tier.NONE, text
        alerts += result.tier is Tier.ALERT
    # Phrasings that never name their subject ("he'll never resign") go to moderators instead.
    assert alerts >= 0.9 * len(phrasings)


def test_stricter_thresholds_only_remove_alerts(matcher: Matcher) -> None:
    text = "Zelensky is a dictator, he cancelled the elections"
    assert matcher.match(text).tier is Tier.ALERT
    assert matcher.match(text, thresholds=Thresholds(alert=101, suggest=50)).tier is Tier.SUGGEST


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_scores_stay_in_range_on_any_text(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert 0.0 <= result.score <= 100.0
    assert result.tier in (Tier.ALERT, Tier.SUGGEST, Tier.NONE)
    assert (result.claim_id is None) == (result.tier is Tier.NONE)


def test_a_one_sentence_imported_claim_still_matches_a_paraphrase() -> None:
    review = {
        "@type": "ClaimReview",
        "identifier": "fc-1",
        "url": "https://factcheck.example/fc-1",
        "claimReviewed": "Drinking hot water every 15 minutes kills the coronavirus.",
        "author": {"@type": "Organization", "name": "Example Fact Check"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
    }
    matcher = Matcher(FactBase(tuple(entries_from_claimreview([review], origin="feed")), "feed"))
    spread = matcher.match("my aunt swears drinking hot water every 15 minutes kills coronavirus")
    assert spread.tier is Tier.ALERT and spread.claim_id == "fc-1"
    assert matcher.match("hot water bottles are the best thing in winter").tier is Tier.NONE


@pytest.mark.parametrize(
    ("text", "claim_id"),
    [
        # a negation that states the claim's own universal
        (
            "all 267 shaheds were shot down, not a single one got through",
            "drone-attack-all-intercepted",
        ),
        # a negated verb that is no denial of the claim
        ("don't forget zelensky fled kyiv on the first day of the invasion", "zelensky-fled-kyiv"),
        # no one named, but three of the claim's words
        ("illegitimate president, his term ended in may 2024", "zelensky-term-expired"),
        # a negation that denies a word of falsity affirms
        ("the us biolabs in ukraine are not a myth", "us-biolabs"),
        ("the crimea referendum was not rigged, people chose russia", "crimea-referendum-legit"),
    ],
)
def test_claims_worded_like_denials_still_alert(matcher: Matcher, text: str, claim_id: str) -> None:
    result = matcher.match(text)
    assert result.stance is Stance.ASSERTS
    assert result.tier is Tier.ALERT and result.claim_id == claim_id


def test_a_standalone_no_then_a_negation_is_a_rebuttal(matcher: Matcher) -> None:
    result = matcher.match("Ні, не «всі 267 збиті», половину просто загубили РЕБом")
    assert result.stance is Stance.DEBUNKS
    assert result.tier is Tier.NONE


def test_false_flag_is_the_claim_not_a_debunk(matcher: Matcher) -> None:
    assert matcher.match("bucha was a false flag, the bodies were actors").stance is Stance.ASSERTS


@pytest.mark.parametrize(
    "text",
    [
        "my phone contract term ended in May so I'm basically an illegitimate customer now",
        "playing Tropico, my dictator just cancelled the elections again",
    ],
)
def test_the_writers_own_things_need_the_claims_subject(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).tier is not Tier.ALERT


def test_more_evidence_never_lowers_confidence() -> None:
    """Every weight of the fitted model is positive: a fit that punished shared evidence would
    be one to refit, not to ship."""
    assert all(weight > 0 for weight in CONFIDENCE_WEIGHTS)
    weak = Features(coverage=0.4, similarity=0.5, message_share=0.3, entry_weight=0.2)
    for name in Features._fields:
        assert confidence(weak._replace(**{name: 0.9})) > confidence(weak)


def test_a_claim_finds_its_entry_among_many_sharing_its_figure() -> None:
    """In a large imported feed, hundreds of claims can share a figure while their other words
    are too common to pick candidates by; the claim that shares more finds its own entry."""

    def review(number: int, claim: str) -> dict[str, object]:
        return {
            "@type": "ClaimReview",
            "identifier": f"fc-{number}",
            "url": f"https://factcheck.example/fc-{number}",
            "claimReviewed": claim,
            "author": {"@type": "Organization", "name": "Example Fact Check"},
            "reviewRating": {"@type": "Rating", "alternateName": "False"},
        }

    target = review(0, "Minister Kokopol sent 381 secret documents abroad")
    # 600 claims share the ministry's wording (too common to retrieve by), 300 of them the figure.
    crowd = [
        review(n, f"The ministry sent {381 if n % 2 else 382} secret documents abroad")
        for n in range(1, 601)
    ]
    base = FactBase(tuple(entries_from_claimreview([target, *crowd], origin="feed")), "feed")
    result = Matcher(base).match("minister kokopol sent 381 secret documents abroad!!")
    assert result.claim_id == "fc-0"


def test_an_entry_is_judged_by_its_most_convincing_phrasing(matcher: Matcher) -> None:
    """ "bucha was staged" reads closer to the message but shares one word with it; a longer
    phrasing of the same entry shares three."""
    result = matcher.match("the whole bucha story was set up for the cameras")
    assert result.tier is Tier.ALERT and result.claim_id == "bucha-staged"
    assert result.phrasing is not None and "set up for the western cameras" in result.phrasing
    assert len(result.terms) >= 3


def test_one_shared_word_makes_no_candidate(matcher: Matcher) -> None:
    """ "Forget" carries much of a short phrasing ("ukraine declared war on russia, everyone
    forgets that"), but one shared word never makes the claim: chat like this stops at
    retrieval."""
    text = "so the deadline for the tax form is next week, don't forget"
    assert matcher.phrasing_evidence(text) == []
    assert matcher.match(text).entry is None


def test_a_vote_of_our_own_is_not_the_crimean_referendum(matcher: Matcher) -> None:
    """The claim's words without its subject, about the writer's own things ("our building"),
    go to the moderators; "yes" names no one. With Crimea named it is the claim."""
    assert (
        matcher.match("the referendum in our building was totally legit, yes won 97%").tier
        is Tier.SUGGEST
    )
    result = matcher.match("yes, the referendum in crimea was totally legit")
    assert result.tier is Tier.ALERT and result.claim_id == "crimea-referendum-legit"


def test_the_writers_own_things_are_not_the_claim_whichever_phrasing_matched(
    matcher: Matcher,
) -> None:
    """The closest phrasing leaves Zelensky out ("the guy's term expired"), but the claim is still
    about him: "our" club's president is someone else."""
    text = "our chess club president's term expired in march and he is still in charge lol"
    assert matcher.match(text).tier is Tier.SUGGEST
    result = matcher.match(
        "the guy's term expired in may 2024 and he still calls himself president"
    )
    assert result.tier is Tier.ALERT and result.claim_id == "zelensky-term-expired"


def test_the_words_people_put_a_claim_in_count_though_its_context_repeats_them(
    matcher: Matcher,
) -> None:
    """ "Bugatti" and "Zelenska" are in the entry's correction as much as in its phrasings: a
    message saying little else still speaks of the claim."""
    text = "zelenska's bugatti, bought with our money"
    rows = matcher.phrasing_evidence(text)
    shares = [features.message_share for entry, features in rows if entry.id == "zelenska-bugatti"]
    assert shares and min(shares) > 0.5
    result = matcher.match(text)
    assert result.tier is Tier.ALERT and result.claim_id == "zelenska-bugatti"


def test_the_party_a_phrasing_itself_names_first_is_no_swap(matcher: Matcher) -> None:
    """The claim's subject is Russia, but its phrasings speak of "Ukrainian children" first:
    naming them is the claim, not blaming another party."""
    result = matcher.match("the ukrainian orphans were rescued from the shelling, not kidnapped")
    assert result.tier is Tier.ALERT and result.claim_id == "children-evacuated-not-deported"
    # A real swap still goes to the moderators.
    assert matcher.match("Russia started the war when it invaded in 2022").tier is not Tier.ALERT


def test_a_falsity_word_the_claim_itself_uses_is_denied_like_any_other(matcher: Matcher) -> None:
    result = matcher.match("bucha was not staged")
    assert result.stance is Stance.DEBUNKS and result.tier is Tier.NONE


def test_everyday_words_alone_do_not_make_a_claim_without_its_subject(matcher: Matcher) -> None:
    """Every word of a phrasing but its party ("in Russia") is everyday talk: a moderator
    decides. Naming the party makes it the claim."""
    assert (
        matcher.match("the kids went to summer camps for their own safety, that's all").tier
        is Tier.SUGGEST
    )
    result = matcher.match("kids were taken to summer camps in russia for their own safety")
    assert result.tier is Tier.ALERT and result.claim_id == "children-evacuated-not-deported"
