"""Uploaded files' names: the user's own name for the file, safe to use as a file name here."""

from __future__ import annotations

import re

__all__ = ["upload_name"]

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def upload_name(given: str, default: str) -> str:
    """The upload's own name without folders or control characters (`default` for "." or ".."):
    readers name it in their errors, so the user sees their file, not a temporary path.
    """
    name = _UNSAFE_NAME.sub("_", given.replace("\\", "/").rsplit("/", 1)[-1]).strip()[:200]
    return name if name.strip(".") else default
