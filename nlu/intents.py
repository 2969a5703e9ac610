"""What the parser returns: an intent name and the slots it found, still symbolic (no dates, no ids)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from nlu.time_words import Window

IntentName = Literal[
    "indicator_progress",
    "indicator_target",
    "indicator_list",
    "unit_tasks",
    "task_detail",
    "responsible",
    "due_tasks",
    "overdue_tasks",
    "ongoing_tasks",
    "featured_tasks",
    "plan_overview",
    "help",
    "smalltalk",
    "more",
    "choose",
    "unknown",
]
INTENT_NAMES: tuple[IntentName, ...] = IntentName.__args__  # type: ignore[attr-defined]

Role = Literal["lead", "co"]


@dataclass(frozen=True)
class TaskRef:
    """A task named by number (plan None = whichever plan numbers its tasks) or by a fragment of its text."""

    plan: str | None
    number: int


@dataclass(frozen=True)
class Slots:
    """Everything the parser recognised; empty tuples and None mean "not said"."""

    indicators: tuple[str, ...] = ()  # indicator keys "plan:code" the words may denote
    regions: tuple[str, ...] = ()  # canonical region names (鼓楼区, 福州市)
    hint_regions: tuple[str, ...] = ()  # regions of the conversation so far: a tie-breaker, never a filter
    units: tuple[str, ...] = ()  # canonical unit names
    plans: tuple[str, ...] = ()  # plan codes
    tasks: tuple[TaskRef, ...] = ()  # by number, or the candidates a fragment matched (best first)
    task_fragment: str | None = None
    window: Window | None = None
    role: Role | None = None
    choice: int | None = None
    smalltalk: Literal["thanks", "ack"] | None = None

    def subject_free(self) -> bool:
        """True when nothing names an indicator, task, unit, region or plan."""
        return not (self.indicators or self.tasks or self.units or self.regions or self.plans)


@dataclass(frozen=True)
class Intent:
    """name None means the words named a subject but no question: a follow-up ("仓山呢", "那商标申请呢")."""

    name: IntentName | None
    slots: Slots = field(default_factory=Slots)
