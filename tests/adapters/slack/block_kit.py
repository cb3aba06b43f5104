"""Slack's Block Kit limits, checked the way Slack checks them before it accepts a message.

The local Slack (fake_slack.py) runs every posted message, update, ephemeral answer and modal
through `problems` and answers `invalid_blocks` like Slack does, so every test that posts Block Kit
also proves it fits. The numbers are Slack's (docs.slack.dev/reference/block-kit).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["MESSAGE_MAX_BLOCKS", "MODAL_MAX_BLOCKS", "problems", "view_problems"]

MESSAGE_MAX_BLOCKS = 50
MODAL_MAX_BLOCKS = 100
TEXT_OBJECT_MAX = 3000  # any text object: a section's text, a context element
SECTION_FIELD_MAX = 2000
SECTION_MAX_FIELDS = 10
HEADER_MAX = 150
CONTEXT_MAX_ELEMENTS = 10
ACTIONS_MAX_ELEMENTS = 25
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
ID_MAX = 255  # action_id, block_id, callback_id
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
INPUT_LABEL_MAX = 2000
INPUT_HINT_MAX = 2000
VIEW_TITLE_MAX = 24
PRIVATE_METADATA_MAX = 3000


def _text(where: str, obj: Any, limit: int) -> Iterator[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        yield f"{where}: not a text object"
        return
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        yield f"{where}: empty text"
    elif len(text) > limit:
        yield f"{where}: {len(text)} characters, more than {limit}"


def _id(where: str, value: Any) -> Iterator[str]:
    if value is not None and (not isinstance(value, str) or len(value) > ID_MAX):
        yield f"{where}: id longer than {ID_MAX}"


def _option(where: str, option: dict[str, Any]) -> Iterator[str]:
    yield from _text(f"{where}.text", option.get("text"), OPTION_TEXT_MAX)
    if len(str(option.get("value", ""))) > OPTION_VALUE_MAX:
        yield f"{where}.value: longer than {OPTION_VALUE_MAX}"


def _element(where: str, element: dict[str, Any]) -> Iterator[str]:
    yield from _id(f"{where}.action_id", element.get("action_id"))
    kind = element.get("type")
    if kind == "button":
        yield from _text(f"{where}.text", element.get("text"), BUTTON_TEXT_MAX)
        value = element.get("value")
        if value is not None and len(str(value)) > BUTTON_VALUE_MAX:
            yield f"{where}.value: {len(str(value))} characters, more than {BUTTON_VALUE_MAX}"
    for key in ("options", "initial_options"):
        for n, option in enumerate(element.get(key) or []):
            yield from _option(f"{where}.{key}[{n}]", option)


def _block(where: str, block: dict[str, Any]) -> Iterator[str]:
    yield from _id(f"{where}.block_id", block.get("block_id"))
    kind = block.get("type")
    if kind == "header":
        yield from _text(f"{where}.text", block.get("text"), HEADER_MAX)
    elif kind == "section":
        fields = block.get("fields") or []
        if "text" not in block and not fields:
            yield f"{where}: a section needs text or fields"
        if "text" in block:
            yield from _text(f"{where}.text", block["text"], TEXT_OBJECT_MAX)
        if len(fields) > SECTION_MAX_FIELDS:
            yield f"{where}: {len(fields)} fields, more than {SECTION_MAX_FIELDS}"
        for n, item in enumerate(fields):
            yield from _text(f"{where}.fields[{n}]", item, SECTION_FIELD_MAX)
    elif kind == "context":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= CONTEXT_MAX_ELEMENTS:
            yield f"{where}: {len(elements)} elements"
        for n, item in enumerate(elements):
            yield from _text(f"{where}.elements[{n}]", item, TEXT_OBJECT_MAX)
    elif kind == "actions":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= ACTIONS_MAX_ELEMENTS:
            yield f"{where}: {len(elements)} elements"
        for n, item in enumerate(elements):
            yield from _element(f"{where}.elements[{n}]", item)
    elif kind == "input":
        yield from _text(f"{where}.label", block.get("label"), INPUT_LABEL_MAX)
        if "hint" in block:
            yield from _text(f"{where}.hint", block["hint"], INPUT_HINT_MAX)
        yield from _element(f"{where}.element", block.get("element") or {})
    elif kind != "divider":
        yield f"{where}: unknown block type {kind!r}"


def problems(blocks: Any, *, max_blocks: int = MESSAGE_MAX_BLOCKS) -> list[str]:
    """What Slack would refuse in `blocks` (empty: Slack accepts them)."""
    if not isinstance(blocks, Sequence) or isinstance(blocks, str):
        return ["blocks: not a list"]
    found = [f"{len(blocks)} blocks, more than {max_blocks}"] if len(blocks) > max_blocks else []
    for n, block in enumerate(blocks):
        found.extend(_block(f"blocks[{n}]", block))
    return found


def view_problems(view: dict[str, Any]) -> list[str]:
    """What Slack would refuse in a modal view."""
    found = problems(view.get("blocks"), max_blocks=MODAL_MAX_BLOCKS)
    for key in ("title", "submit", "close"):
        if key in view:
            found.extend(_text(f"view.{key}", view[key], VIEW_TITLE_MAX))
    found.extend(_id("view.callback_id", view.get("callback_id")))
    if len(view.get("private_metadata") or "") > PRIVATE_METADATA_MAX:
        found.append(f"view.private_metadata: longer than {PRIVATE_METADATA_MAX}")
    return found
