"""Name comparison shared by unit and plan lookups: width, case and spaces never decide a match."""

from __future__ import annotations

import difflib
import unicodedata


def name_key(text: str) -> str:
    """Normalised form of a name: NFKC (full-width brackets become ASCII), lower case, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def closest(query: str, candidates: dict[str, str], limit: int = 5) -> tuple[str, ...]:
    """Canonical names whose key or alias key is close to the query (substring hits first, then fuzzy)."""
    key = name_key(query)
    found: list[str] = []
    for candidate_key, canonical in candidates.items():
        if key and (key in candidate_key or candidate_key in key) and canonical not in found:
            found.append(canonical)
    for candidate_key in difflib.get_close_matches(key, list(candidates), n=limit * 2, cutoff=0.5):
        if candidates[candidate_key] not in found:
            found.append(candidates[candidate_key])
    return tuple(found[:limit])
