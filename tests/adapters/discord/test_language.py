"""A server's `language` end to end: replies, buttons, the moderators' log and command answers
in Ukrainian or Russian through the real client, the fact base's own text as curated."""

from __future__ import annotations

import copy

from bot.adapters.discord import PLATFORM, ClaimwatchBot
from bot.core.models import ReplyMode
from tests.adapters.discord.conftest import SpyService
from tests.adapters.discord.fake_discord import (
    EPHEMERAL,
    JSON,
    UPDATE_MESSAGE,
    FakeDiscord,
    embed_text,
)
from tests.adapters.discord.test_buttons import entry_button

CLAIM = "the US gave Ukraine 350 billion dollars"
NONSENSE = "my cat prefers the blue blanket on tuesdays"
CONTEXT_WORDS = "Congress approved"  # from the entry's English context
ENGLISH_LABELS = ("Fact check", "Sources", "Match confidence", "Fact-base entry", "checked as of")


def labels(message: JSON) -> list[str]:
    return [item["label"] for row in message["components"] for item in row["components"]]


async def speak(service: SpyService, fake: FakeDiscord, language: str) -> None:
    await service.update_config(PLATFORM, fake.guild_id, language=language)


async def test_a_ukrainian_server_gets_a_ukrainian_reply_with_the_context_as_curated(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await speak(service, fake, "uk")
    message = await fake.post(CLAIM)
    await fake.wait_posted(1)
    (reply,) = fake.bot_messages(message["id"])

    (thread_call,) = fake.calls_to("POST", rf"/messages/{message['id']}/threads$")
    assert thread_call.json["name"] == "Перевірка фактів · Неправда"
    (embed,) = reply["embeds"]
    assert embed["title"] == "Перевірка фактів · Неправда"
    names = [field["name"] for field in embed["fields"]]
    assert names == ["Джерела", "Впевненість збігу", "Запис бази фактів"]
    assert embed["footer"]["text"].startswith("claimwatch · перевірено станом на 20")
    assert CONTEXT_WORDS in embed["description"]  # not machine-translated
    text = embed_text(embed)
    assert not any(english in text for english in ENGLISH_LABELS)
    assert labels(reply) == ["Корисно", "Некорисно", "Не те твердження"]

    interaction = await fake.click(reply, "cw:fb:helpful", member=fake.mallory)
    answer = await fake.answer_to(interaction)
    assert answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"].startswith("Дякуємо, ваш відгук враховано")


async def test_a_russian_servers_moderators_log_and_its_buttons(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await speak(service, fake, "ru")
    await service.update_config(PLATFORM, fake.guild_id, reply_mode=ReplyMode.MODERATORS_ONLY)
    message = await fake.post(CLAIM)
    await fake.wait_posted(1)
    (entry,) = fake.bot_messages(fake.modlog)
    entry = copy.deepcopy(entry)

    (embed,) = entry["embeds"]
    assert embed["title"] == "Возможное известное утверждение · нужен модератор"
    assert embed["description"].startswith(f"Сообщение от <@{fake.alice.id}> в <#")
    assert "**Ответить** — опубликовать проверку фактов под ним" in embed["description"]
    names = [field["name"] for field in embed["fields"]]
    assert names[:3] == ["Возможная запись", "Уверенность в совпадении", "Почему здесь"]
    assert "· Неправда" in embed["fields"][0]["value"]
    assert embed["footer"]["text"].startswith("Элемент очереди ")
    assert labels(entry) == ["Ответить", "Отклонить"]

    refused = await fake.click(entry, entry_button(entry, "reply"), member=fake.mallory)
    refusal = (await fake.answer_to(refused))["data"]
    assert refusal["flags"] & EPHEMERAL
    assert refusal["content"].startswith("Извините, это могут только модераторы сервера")

    interaction = await fake.click(entry, entry_button(entry, "reply"), member=fake.mia)
    answer = await fake.answer_to(interaction)
    assert answer["type"] == UPDATE_MESSAGE
    outcome = answer["data"]["embeds"][0]["fields"][-1]
    assert outcome["name"] == "Результат"
    assert outcome["value"].startswith(f"Одобрено (<@{fake.mia.id}>): [ответ опубликован](")
    (reply,) = fake.bot_messages(message["id"])
    assert reply["embeds"][0]["title"] == "Проверка фактов · Неправда"
    assert labels(reply) == ["Полезно", "Бесполезно", "Не то утверждение"]


async def test_a_dismissal_and_a_stale_click_in_ukrainian(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await speak(service, fake, "uk")
    await service.update_config(PLATFORM, fake.guild_id, reply_mode=ReplyMode.MODERATORS_ONLY)
    await fake.post(CLAIM)
    await fake.wait_posted(1)
    (entry,) = copy.deepcopy(fake.bot_messages(fake.modlog))

    interaction = await fake.click(entry, entry_button(entry, "dismiss"), member=fake.ann)
    outcome = (await fake.answer_to(interaction))["data"]["embeds"][0]["fields"][-1]
    assert outcome == {
        "name": "Результат",
        "value": f"Відхилено (<@{fake.ann.id}>).",
        "inline": False,
    }
    again = await fake.click(entry, entry_button(entry, "reply"), member=fake.mia)
    late = (await fake.answer_to(again))["data"]["content"]
    assert late.startswith("Інший модератор уже розглянув це")


async def test_factcheck_answers_in_the_servers_language(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await speak(service, fake, "uk")
    interaction = await fake.slash("factcheck", member=fake.alice, text=CLAIM)
    data = (await fake.answer_to(interaction))["data"]
    assert data["flags"] & EPHEMERAL
    assert data["content"] == "Це збігається з твердженням із бази фактів claimwatch."
    assert data["embeds"][0]["title"] == "Перевірка фактів · Неправда"

    interaction = await fake.slash("factcheck", member=fake.alice, text=NONSENSE)
    data = (await fake.answer_to(interaction))["data"]
    assert not data.get("embeds")
    assert data["content"].startswith(
        f"Збігів немає: жодне з {len(service.factbase)} тверджень бази фактів claimwatch"
    )
    assert "`/facts search`" in data["content"]


async def test_facts_show_labels_the_entry_in_the_servers_language(
    fake: FakeDiscord, bot: ClaimwatchBot, service: SpyService
) -> None:
    await speak(service, fake, "ru")
    interaction = await fake.slash("facts show", member=fake.alice, id="us-aid-350-billion")
    (embed,) = (await fake.answer_to(interaction))["data"]["embeds"]
    assert embed["title"].startswith("Неправда · us-aid-350-billion")
    names = [field["name"] for field in embed["fields"]]
    assert names == ["Источники", "Теги", "Проверено по состоянию на"]
    assert CONTEXT_WORDS in embed["description"]
