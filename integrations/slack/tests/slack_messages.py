"""Reading what we sent to Slack."""

from typing import Any


def buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(label, value or url) of each button, in order."""
    actions = next(block for block in blocks if block["type"] == "actions")
    return [(button["text"]["text"], button.get("value") or button["url"]) for button in actions["elements"]]


def shown(blocks: list[dict[str, Any]]) -> str:
    """Every text of the message, one per line."""
    texts: list[str] = []
    for block in blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts.extend(field["text"] for field in block.get("fields", []))
        texts.extend(element["text"] for element in block.get("elements", []) if element["type"] == "mrkdwn")
    return "\n".join(texts)
