"""A row's id in a path (`/api/admin/<collection>/{id}`) for the collections beside the
tickets: any text reaches the view (so a bad id is the API's JSON 404, never Django's HTML
page), and only digits within a bigint are looked up (never a database error)."""

from rest_framework.exceptions import NotFound

# The routers' lookup for these view sets: everything up to the next slash.
ANY_ID = "[^/]+"
MAX_ID = 2**63 - 1


def row_id(text: str, noun: str) -> int:
    """The id `text` names, or the 404 "No <noun> with this id."."""
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise NotFound(not_found_text(noun))
    return int(text)


def not_found_text(noun: str) -> str:
    return f"No {noun} with this id."
