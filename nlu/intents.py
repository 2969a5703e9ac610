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
    "done_tasks",
    "plan_overview",
    "plan_fact",
    "document",
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
    # 区财政局 with no district named: the units of several districts it may mean (the answer asks which)
    unit_choices: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()  # plan codes
    # 晋安这个月到期的任务: the plan of a place asked for a list alone, listed beside its government's share
    place_plans: tuple[str, ...] = ()
    tasks: tuple[TaskRef, ...] = ()  # by number, or the candidates a fragment matched (best first)
    task_fragment: str | None = None
    window: Window | None = None
    role: Role | None = None
    choice: int | None = None
    smalltalk: Literal["thanks", "ack"] | None = None
    # Each indicator mention's candidates, in the order said: two groups are two subjects (先行所和品牌所),
    # one group of several is one ambiguous name (质押融资).
    indicator_groups: tuple[tuple[str, ...], ...] = ()
    aspects: frozenset[str] = frozenset()  # what is asked of the subject: who, when, target, gap, …
    own_unit: bool = False  # 我单位, 我们县: the sender's unit, resolved by the conversation
    featured: bool = False  # only ★ tasks
    undone: bool = False  # only tasks not yet done
    within: bool = False  # 其中, 这些里: narrows the list just given
    # 下个月到期的呢: a question cut short with 呢 keeps what it leaves out (the last list's unit)
    elliptic: bool = False
    listing: bool = False  # 商标的指标: the message itself asks for a list (示范区那个 after it picks one)
    sections: tuple[str, ...] = ()  # "plan:四、重点工作": one of a plan's lists of work items
    # Only a place is named, amid wording the lexicon lacks (鼓楼专利导航围绕哪些领域): the plan's text may
    # answer it better than the place's government's list.
    unnamed_wording: bool = False
    ordinal_only: bool = False  # 第六条: a number said as a place in a list, not as 任务6
    # 仲裁联络点 → ("仲裁", "仲裁联络点"): a word of the plans' text said right before an indicator's name
    # that the name itself may lack; the answer checks, and says the plan has no such indicator if so.
    qualified: tuple[str, str] | None = None
    # 四（六） · 三（四）2: a place in a document's outline, as written in it (the answer quotes that section)
    outline: str | None = None
    measure: str | None = None  # 扣多少分 → 分: what a number in the answer must count
    keyword: str | None = None  # 商标的指标: the indicators were found by a word their names contain
    # 逾期超过半年 → (6, "month"): how long past the deadline a task must be to be listed
    overdue_for: tuple[int, str] | None = None
    overdue_within: bool = False  # 逾期不到两个月: at most overdue_for past the deadline, not more
    counted: str | None = None  # 配几个专职人员 → 专职人员: what a number asked for counts, as said
    baseline_is: str | None = None  # 基数是0的指标: indicators whose baseline is this number
    stage: int | None = None  # 进度安排第二阶段: a milestone of the plan's schedule, by its place

    def subject_free(self) -> bool:
        """True when nothing names an indicator, task, unit, region or plan."""
        return not (
            self.indicators
            or self.tasks
            or self.units
            or self.regions
            or self.plans
            or self.sections
            or self.outline
        )


@dataclass(frozen=True)
class Intent:
    """name None means the words named a subject but no question: a follow-up ("仓山呢", "那商标申请呢")."""

    name: IntentName | None
    slots: Slots = field(default_factory=Slots)
