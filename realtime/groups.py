"""Channel-layer group names, from one place."""

ADMIN = "admin"
