"""Folding place names so spelling variants compare equal (accents, case, punctuation)."""

from __future__ import annotations

import re
import unicodedata


def fold(name: str) -> str:
    """'Súdwest-Fryslân' and 'SUDWEST FRYSLAN' fold to the same key."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", ascii_only.lower()).strip()
