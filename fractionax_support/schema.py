"""OpenAPI post-processing: paths are documented exactly as DESIGN.md writes them."""

from typing import Any


def strip_trailing_slashes(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    # Routes accept both forms; the contract names the token endpoints with the slash,
    # every other path without.
    result["paths"] = {
        path if path.startswith("/api/auth/") else path.rstrip("/"): item for path, item in result["paths"].items()
    }
    return result
