"""Help Scout webhook signatures: X-HelpScout-Signature is the Base64 HMAC-SHA1 of the
raw request body, keyed with the webhook's secret. Always hash the bytes received: a
re-encoded body (key order, escaped slashes) would not match."""

import base64
import hashlib
import hmac


def sign(body: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def is_valid(body: bytes, signature: str, secret: str) -> bool:
    """False without a secret or a signature: an unconfigured endpoint accepts nothing."""
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(body, secret).encode(), signature.strip().encode())
