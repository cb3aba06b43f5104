"""Queued decisions as JSON: written and read back whole, and documents written by an earlier
claimwatch still read."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.factbase import FactBase
from bot.core.matching import Matcher
from bot.core.models import Action, Decision, IncomingMessage, ReplyMode
from bot.errors import StorageError
from bot.storage._codec import decision_from_json, decision_to_json

MESSAGE = IncomingMessage(
    platform="slack",
    server_id="T1",
    channel_id="C1",
    message_id="1.0",
    author_id="U1",
    text="Zelensky is a dictator who cancelled the elections",
)


@pytest.fixture
def decision(factbase: FactBase) -> Decision:
    match = Matcher(factbase).match(MESSAGE.text)
    return Decision(
        action=Action.SUGGEST,
        message=MESSAGE,
        match=match,
        reason="moderators-only mode",
        reply_mode=ReplyMode.MODERATORS_ONLY,
        log_channel="C9",
        extra={"k": "v"},
        language="ru",
    )


def test_a_decision_survives_the_round_trip(decision: Decision) -> None:
    read = decision_from_json(decision_to_json(decision), queue_id="7")

    assert read == replace(decision, queue_id="7")


def test_a_document_from_before_languages_reads_as_english(decision: Decision) -> None:
    document = decision_to_json(decision)
    del document["language"]

    assert decision_from_json(document).language == "en"


def test_an_unreadable_document_is_a_storage_error(decision: Decision) -> None:
    document = decision_to_json(decision)
    del document["match"]

    with pytest.raises(StorageError, match="queue item 7"):
        decision_from_json(document, queue_id="7")
