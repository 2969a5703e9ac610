"""Errors the store raises for callers to turn into user-facing messages (never tracebacks)."""

from __future__ import annotations


class StoreError(Exception):
    """A problem a user can fix (bad URL, unknown name); the message is ready to show."""


class UnknownNameError(StoreError):
    """A unit or plan name that matches nothing; carries the closest known names."""

    def __init__(self, kind: str, name: str, suggestions: tuple[str, ...]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        super().__init__(f"unknown {kind}: {name}")


class CollectiveUnitError(StoreError):
    """A member bound to a collective (各海关, 各县（市）区人民政府) could report nothing."""

    def __init__(self, name: str, members: tuple[str, ...]) -> None:
        self.name = name
        self.members = members
        super().__init__(f"a collective, not a unit: {name}")
