"""Commands for everyone, end to end: INTERACTION_CREATE in, the interaction callback out."""

from __future__ import annotations

import json
import logging

import pytest

from bot.adapters.discord import ClaimwatchBot
from bot.core.models import GuildConfig
from bot.core.reply import COLOUR_FALSE
from bot.errors import StorageError
from tests.adapters.discord.conftest import SpyService
from tests.adapters.discord.fake_discord import (
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    EPHEMERAL,
    FakeDiscord,
)

CLAIM = "the US gave Ukraine 350 billion dollars"
NONSENSE = "my cat prefers the blue blanket on tuesdays"


async def test_factcheck_answers_privately_with_verdict_context_and_sources(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    interaction = await fake.slash("factcheck", member=fake.alice, text=CLAIM)
    answer = await fake.answer_to(interaction)
    assert answer["type"] == CHANNEL_MESSAGE
    data = answer["data"]
    assert data["flags"] & EPHEMERAL
    (embed,) = data["embeds"]
    assert embed["title"] == "Fact check · False" and embed["color"] == COLOUR_FALSE
    assert "Congress approved" in embed["description"]
    assert any(f["name"] == "Sources" and "](https://" in f["value"] for f in embed["fields"])
    assert data["allowed_mentions"] == {"parse": []}
    assert CLAIM not in json.dumps(data)
    assert fake.posted() == []  # nothing in the channel


async def test_factcheck_can_answer_publicly(fake: FakeDiscord, bot: ClaimwatchBot) -> None:
    interaction = await fake.slash("factcheck", member=fake.alice, text=CLAIM, public=True)
    answer = await fake.answer_to(interaction)
    assert answer["type"] == CHANNEL_MESSAGE
    assert not (answer["data"].get("flags") or 0) & EPHEMERAL
    assert answer["data"]["embeds"]


async def test_factcheck_without_a_match_says_so_and_points_to_facts(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    interaction = await fake.slash("factcheck", member=fake.alice, text=NONSENSE)
    data = (await fake.answer_to(interaction))["data"]
    assert data["flags"] & EPHEMERAL and not data.get("embeds")
    content = data["content"]
    assert content.startswith("No match") and "/facts search" in content
    assert f"{len(service.factbase)} claims" in content
    assert "says nothing about whether it is true" in content


async def test_context_menu_checks_the_message(fake: FakeDiscord, bot: ClaimwatchBot) -> None:
    target = await fake.post(CLAIM, channel_id=fake.offtopic)  # any channel, watched or not
    interaction = await fake.context_menu("Check this message", target, member=fake.mallory)
    data = (await fake.answer_to(interaction))["data"]
    assert data["flags"] & EPHEMERAL
    assert data["embeds"][0]["title"] == "Fact check · False"
    assert fake.posted() == []


async def test_context_menu_on_a_message_without_text(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    target = await fake.post("", channel_id=fake.offtopic)
    interaction = await fake.context_menu("Check this message", target)
    data = (await fake.answer_to(interaction))["data"]
    assert data["flags"] & EPHEMERAL and "no text" in data["content"]


async def test_facts_search_lists_entries(fake: FakeDiscord, bot: ClaimwatchBot) -> None:
    interaction = await fake.slash("facts search", member=fake.alice, query="bucha")
    data = (await fake.answer_to(interaction))["data"]
    assert data["flags"] & EPHEMERAL
    assert "`bucha-staged` · False" in data["content"]


async def test_facts_search_falls_back_to_the_matcher_for_sentences(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    interaction = await fake.slash("facts search", member=fake.alice, query=CLAIM)
    data = (await fake.answer_to(interaction))["data"]
    assert "`us-aid-350-billion`" in data["content"]


async def test_facts_search_offers_no_far_fetched_guess(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    query = "my neighbours bought two boats last summer"
    assert service.check(query).entry is not None  # the matcher has a (weak) closest entry
    interaction = await fake.slash("facts search", member=fake.alice, query=query)
    data = (await fake.answer_to(interaction))["data"]
    assert data["content"].startswith("No fact-base entry matches")


async def test_facts_search_autocomplete_offers_entry_ids(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    interaction = await fake.slash(
        "facts search", member=fake.alice, focused="query", query="zelensky"
    )
    answer = await fake.answer_to(interaction)
    assert answer["type"] == AUTOCOMPLETE_RESULT
    choices = [c["value"] for c in answer["data"]["choices"]]
    named = [c for c in choices if "zelensky" in c]  # entries named after him come first
    assert len(named) >= 5 and choices[: len(named)] == named
    assert all(len(c["name"]) <= 100 for c in answer["data"]["choices"]) and len(choices) <= 25


async def test_facts_show_autocomplete_finds_ids_by_word_in_any_language(
    fake: FakeDiscord, bot: ClaimwatchBot
) -> None:
    interaction = await fake.slash("facts show", member=fake.alice, focused="id", id="буча")
    answer = await fake.answer_to(interaction)
    assert answer["type"] == AUTOCOMPLETE_RESULT
    (choice,) = answer["data"]["choices"]
    assert choice == {"name": "bucha-staged · False", "value": "bucha-staged"}


async def test_facts_show_renders_one_entry(fake: FakeDiscord, bot: ClaimwatchBot) -> None:
    interaction = await fake.slash("facts show", member=fake.alice, id="bucha-staged")
    data = (await fake.answer_to(interaction))["data"]
    (embed,) = data["embeds"]
    assert embed["title"] == "False · bucha-staged"
    assert "Yablunska" in embed["description"]


async def test_facts_show_unknown_id(fake: FakeDiscord, bot: ClaimwatchBot) -> None:
    interaction = await fake.slash("facts show", member=fake.alice, id="no-such-entry")
    data = (await fake.answer_to(interaction))["data"]
    assert data["flags"] & EPHEMERAL and "/facts search" in data["content"]


def settings_unreadable(service: SpyService, monkeypatch: pytest.MonkeyPatch) -> None:
    async def database_down(platform: str, server_id: str) -> GuildConfig:
        raise StorageError("database unreachable")

    monkeypatch.setattr(service, "get_config", database_down)


async def test_factcheck_answers_in_english_while_the_database_is_down(
    fake: FakeDiscord,
    bot: ClaimwatchBot,
    service: SpyService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await service.update_config("discord", fake.guild_id, language="uk")
    settings_unreadable(service, monkeypatch)
    with caplog.at_level(logging.WARNING, logger="bot"):
        interaction = await fake.slash("factcheck", member=fake.alice, text=CLAIM)
        data = (await fake.answer_to(interaction))["data"]

    (embed,) = data["embeds"]  # the check needs no database: the verdict, not "went wrong"
    assert embed["title"] == "Fact check · False"
    assert any("answering in English" in r.getMessage() for r in caplog.records)


async def test_facts_show_and_an_empty_message_answer_while_the_database_is_down(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_unreadable(service, monkeypatch)
    shown = await fake.slash("facts show", member=fake.alice, id="bucha-staged")
    assert (await fake.answer_to(shown))["data"]["embeds"][0]["title"] == "False · bucha-staged"

    target = await fake.post("", channel_id=fake.offtopic)
    empty = await fake.context_menu("Check this message", target)
    assert "no text to check" in (await fake.answer_to(empty))["data"]["content"]
