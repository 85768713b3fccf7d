"""Image keys as the stores accept them: one plain file name, never a path.

Keys come from the application (`<uuid>.<ext>`), but a store checks them anyway,
because a key also reaches it from URLs: refusing separators, `..` and glob
characters here keeps every store inside its own directory or folder.
"""

from __future__ import annotations

import re

from photoshare.domain.errors import InvalidInput

_SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


def checked_key(key: str) -> str:
    """Return the key unchanged, or raise `InvalidInput` if it could escape its directory."""
    if not _SAFE_KEY.fullmatch(key) or ".." in key:
        raise InvalidInput("invalid image key", field="key")
    return key


def split_key(key: str) -> tuple[str, str]:
    """The key's stem and lower-case extension (empty when it has none)."""
    stem, dot, ext = checked_key(key).rpartition(".")
    return (stem, ext.lower()) if dot else (key, "")
