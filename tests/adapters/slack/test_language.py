"""A workspace's `language` end to end through slack-bolt: the reply, its buttons, the feedback
answer, the moderators' channel and /factcheck in Ukrainian or Russian; the fact base's own
text as curated."""

from __future__ import annotations

import json
from typing import Any

from tests.adapters.slack.conftest import Harness
from tests.adapters.slack.fake_slack import TEAM_ID, Call
from tests.adapters.slack.slack_payloads import (
    ALICE,
    GENERAL,
    MODS,
    block_action,
    event_body,
    message_event,
    message_shortcut,
)
from tests.adapters.slack.test_commands import command, share_action
from tests.adapters.slack.test_monitoring import buttons, click, queued_message, say

CLAIM = "Zelensky is a dictator who cancelled the elections"
CONTEXT_WORDS = "martial law"  # from the entry's English context
ENGLISH_LABELS = ("Fact check", "Misleading", "Sources", "Confidence", "as of", "Helpful")


def button_texts(call: Call) -> dict[str, str]:
    """action_id -> label of every button in a posted message."""
    return {
        element["action_id"]: element["text"]["text"]
        for block in call.params["blocks"]
        for element in block.get("elements", [])
        if element.get("type") == "button"
    }


def shown(call: Call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


async def speak(slack: Harness, language: str) -> None:
    await slack.service.update_config("slack", TEAM_ID, language=language)


async def test_a_ukrainian_workspace_gets_a_ukrainian_reply_and_thanks(slack: Harness) -> None:
    await speak(slack, "uk")
    event = message_event(CLAIM)
    await say(slack, event)

    (reply,) = slack.fake.posts(GENERAL)
    blocks: list[dict[str, Any]] = reply.params["blocks"]
    assert blocks[0]["text"]["text"].endswith("Перевірка фактів · Вводить в оману")
    assert reply.params["text"].startswith("Перевірка фактів · Вводить в оману: ")
    text = shown(reply)
    assert "*Джерела*" in text
    assert f"Впевненість {round(slack.service.check(CLAIM).score)}% · станом на 20" in text
    assert CONTEXT_WORDS in text  # not machine-translated
    assert not any(english in text for english in ENGLISH_LABELS)
    assert button_texts(reply) == {
        "claimwatch_feedback_helpful": "Корисно",
        "claimwatch_feedback_not_helpful": "Некорисно",
        "claimwatch_feedback_wrong_claim": "Не те твердження",
    }

    (log_line,) = slack.fake.posts(MODS)
    assert "у <#C0GENERAL>: `zelensky-dictator` (вводить в оману), впевненість" in shown(log_line)

    (ts,) = [ts for channel, ts in slack.fake.messages if channel == GENERAL]
    message = {"type": "message", "ts": ts, "blocks": blocks}
    payload = block_action(
        "claimwatch_feedback_helpful",
        "helpful",
        message=message,
        channel=GENERAL,
        response_url=slack.fake.response_url("vote"),
        user=ALICE,
    )
    assert (await slack.send.interaction(payload)).status == 200
    await slack.settle()
    (thanks,) = [c for c in slack.fake.calls_to("response_url") if c.params["hook"] == "vote"]
    assert thanks.params["text"].startswith("Дякуємо, ваш відгук враховано")


async def test_a_russian_workspaces_moderators_see_russian_labels(
    slack: Harness, borderline: str
) -> None:
    await speak(slack, "ru")
    await slack.send.event(event_body(message_event(borderline)))
    await slack.settle()

    (queued,) = slack.fake.posts(MODS)
    blocks = queued.params["blocks"]
    assert blocks[0]["text"]["text"] == "Возможное известное утверждение · нужен модератор"
    assert queued.params["text"] == "Возможное известное утверждение · нужен модератор"
    assert "в <#C0GENERAL> может повторять утверждение из базы фактов." in shown(queued)
    fields = [field["text"].split("\n")[0] for field in blocks[2]["fields"]]
    assert fields == ["*Утверждение*", "*Вердикт*", "*Уверенность в совпадении*", "*Почему здесь*"]
    assert "Элемент очереди " in shown(queued)
    assert button_texts(queued) == {
        "claimwatch_approve": "Ответить",
        "claimwatch_dismiss": "Отклонить",
    }


async def test_factcheck_and_sharing_answer_in_the_workspaces_language(slack: Harness) -> None:
    await speak(slack, "uk")

    nothing = await command(slack, "/factcheck", "what a lovely day")
    assert nothing.params["text"] == "У базі фактів немає нічого, що відповідає цьому тексту."
    assert "У базі фактів немає нічого" in shown(nothing)

    answer = await command(slack, "/factcheck", CLAIM)
    assert "Перевірка фактів · Вводить в оману" in shown(answer)
    assert button_texts(answer) == {"claimwatch_share": "Поділитися в каналі"}
    assert CONTEXT_WORDS in shown(answer)

    payload = share_action(slack, answer)
    assert (await slack.send.interaction(payload)).status == 200
    await slack.settle()
    (shared,) = slack.fake.posts(GENERAL)
    assert shared.params["blocks"][0]["text"]["text"].endswith("Перевірка фактів · Вводить в оману")


async def test_a_moderators_decision_is_noted_in_the_workspaces_language(
    slack: Harness, borderline: str
) -> None:
    await speak(slack, "uk")
    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]

    await click(slack, "claimwatch_approve", queue_id)
    await click(slack, "claimwatch_dismiss", queue_id)

    approved, late = slack.fake.calls_to("chat.update")
    assert approved.params["text"] == "Схвалено (u0mod): відповідь опубліковано."
    assert approved.params["blocks"][-1]["elements"][0]["text"] == approved.params["text"]
    assert late.params["text"].startswith("Інший модератор уже розглянув це")
    (reply,) = slack.fake.posts(GENERAL)
    assert "Перевірка фактів · " in reply.params["blocks"][0]["text"]["text"]


async def test_a_reply_the_app_may_not_post_is_explained_in_the_workspaces_language(
    slack: Harness, borderline: str
) -> None:
    await speak(slack, "ru")
    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]
    slack.fake.channels[GENERAL] = False

    await click(slack, "claimwatch_approve", queue_id)

    (answer,) = slack.fake.calls_to("response_url")
    assert answer.params["text"] == (
        f"claimwatch не может публиковать в <#{GENERAL}> (not_in_channel): ничего не "
        "опубликовано. Пригласите его туда командой `/invite @claimwatch` и снова нажмите "
        "«Ответить»."
    )
    assert slack.fake.calls_to("chat.update") == []


async def test_usage_empty_messages_sharing_advice_and_refusals_in_the_workspaces_language(
    slack: Harness, borderline: str
) -> None:
    await speak(slack, "uk")

    usage = await command(slack, "/factcheck", "   ")
    assert usage.params["text"].startswith("Використання: `/factcheck <текст твердження>`")

    empty = message_event("", channel=GENERAL)
    url = slack.fake.response_url("empty")
    await slack.send.interaction(message_shortcut(empty, response_url=url))
    await slack.settle()
    (nothing,) = [c for c in slack.fake.calls_to("response_url") if c.params["hook"] == "empty"]
    assert nothing.params["text"] == "У цьому повідомленні немає тексту для перевірки."

    answer = await command(slack, "/factcheck", CLAIM)
    slack.fake.fail("chat.postMessage", "not_in_channel")
    share = share_action(slack, answer, blocks=[])
    await slack.send.interaction(share)
    await slack.settle()
    (advice,) = [c for c in slack.fake.calls_to("response_url") if c.params["hook"] == "share"]
    assert advice.params["text"].startswith("Я не можу публікувати в цьому каналі")

    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]
    refusal = block_action(
        "claimwatch_approve",
        queue_id,
        message=queued_message(slack),
        channel=MODS,
        response_url=slack.fake.response_url("refused"),
        user=ALICE,
    )
    await slack.send.interaction(refusal)
    await slack.settle()
    (refused,) = [c for c in slack.fake.calls_to("response_url") if c.params["hook"] == "refused"]
    assert refused.params["text"].startswith("Це можуть лише адміністратори робочого простору")
    assert slack.fake.calls_to("chat.update") == []  # still queued
