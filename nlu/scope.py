"""Where a question is scoped: a place that names its own plan (晋安方案), and units several districts share a
name for (区财政局), told apart by the place or plan the question names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.lexicon import Entry, Lexicon
from nlu.vocabulary import PLAN_KIND_WORDS

Found = tuple[Entry, int, int]  # an entity entry with its span in the compact text

# 晋安方案 · 晋安2025年重点工作 · 晋安那个分解方案 · 晋安区工作报告任务: between the place and the word that
# says "its plan", only the place's suffix, a pointing word or the plan's year.
_PLAN_AFTER_PLACE = re.compile(
    r"(?:区|县|市)?(?:那个|这个|那份|这份|20\d\d年度?|今年)*"
    rf"(?P<word>(?:{'|'.join(sorted(PLAN_KIND_WORDS, key=len, reverse=True))})+)"
)
# 晋安政府工作报告分解方案 · 商标品牌方案任务: a plan's name followed by more words of a plan's kind
_KIND_AFTER_PLAN = re.compile(rf"(?:{'|'.join(sorted(PLAN_KIND_WORDS, key=len, reverse=True))})+")


@dataclass(frozen=True)
class PlanByPlace:
    """A place's plan named by the place: the plan, the span now naming it, and entries it replaces."""

    plan: str
    start: int
    end: int


def plans_by_place(text: str, entries: list[Found], lexicon: Lexicon) -> list[PlanByPlace]:
    """晋安方案 · 晋安重点工作: a place whose region has exactly one plan, followed by a word of a plan's
    kind, names that plan (another region's list called 重点工作 loses to it); a plan's name followed by
    more such words (晋安政府工作报告分解方案) is still that plan's name."""
    found: list[PlanByPlace] = []
    for entry, start, end in entries:
        plans = lexicon.region_plans.get(entry.key, ()) if entry.kind == "region" else ()
        if len(plans) == 1:
            after = _PLAN_AFTER_PLACE.match(text, end)
            if after is not None and not _own_list(entries, plans[0], end, after.end()):
                found.append(PlanByPlace(plans[0], start, _before_a_number(text, after.end())))
        more = _KIND_AFTER_PLAN.match(text, end) if entry.kind == "plan" else None
        if more is not None and not _own_list(entries, entry.key, end, more.end()):
            found.append(PlanByPlace(entry.key, start, _before_a_number(text, more.end())))
    return found


_NUMBERED_ITEM = "任务"


def _before_a_number(text: str, end: int) -> int:
    """连江2025年任务2: 任务 before a number is the task's, not the plan's name (任务2 is task 2)."""
    numbered = text.endswith(_NUMBERED_ITEM, 0, end) and end < len(text) and text[end] in _DIGITS
    return end - len(_NUMBERED_ITEM) if numbered else end


_DIGITS = "0123456789零〇一二两三四五六七八九十"


def place_plan(entries: list[Found], lexicon: Lexicon) -> str | None:
    """晋安这个月到期的任务: a list of tasks by deadline or status asked of a place alone, whose region has
    exactly one plan: that plan holds the place's tasks as much as its government's share of the others do."""
    regions = [(e, a, b) for e, a, b in entries if e.kind == "region"]
    if len(regions) != 1:
        return None
    entry, start, end = regions[0]
    plans = lexicon.region_plans.get(entry.key, ())
    scoped = any(e.kind in ("plan", "section", "task", "indicator") for e, _, _ in entries)
    government = any(e.kind == "unit" and (a, b) == (start, end) for e, a, b in entries)
    others = any(e.kind == "unit" and (a, b) != (start, end) for e, a, b in entries)
    return plans[0] if len(plans) == 1 and government and not scoped and not others else None


def _own_list(entries: list[Found], plan: str, start: int, end: int) -> bool:
    """鼓楼重点工作: the word is one of the place's own plan's lists, which already names that list."""
    return any(
        e.kind == "section" and e.key.split(":", 1)[0] == plan and a < end and start < b
        for e, a, b in entries
    )


def apply_plans_by_place(entries: list[Found], found: list[PlanByPlace]) -> list[Found]:
    """The entries with each place (and its government, and other plans' lists) inside a span replaced by
    the plan that span names."""
    kept = list(entries)
    for named in found:
        kept = [
            (e, a, b)
            for e, a, b in kept
            if not (named.start <= a and b <= named.end and e.kind in ("region", "unit", "section", "plan"))
        ]
        kept.append((Entry("plan", named.plan), named.start, named.end))
    return sorted(kept, key=lambda item: (item[1], item[2]))


def scope_regions(entries: list[Found], lexicon: Lexicon) -> set[str]:
    """The regions a question is confined to: places it names, and the regions of plans and lists it names."""
    regions = {e.key for e, _, _ in entries if e.kind == "region"}
    for entry, _, _ in entries:
        if entry.kind in ("plan", "section"):
            region = lexicon.plan_regions.get(entry.key.split(":", 1)[0])
            if region:
                regions.add(region)
    return regions


def units_in_scope(entries: list[Found], lexicon: Lexicon) -> tuple[list[Found], tuple[str, ...]]:
    """区财政局 names every district's bureau of that name: the one of the district the question names (or
    whose plan it names); with none named and several fitting, all of them, as a choice to offer."""
    spans: dict[tuple[int, int], list[str]] = {}
    for entry, a, b in entries:
        if entry.kind == "unit":
            spans.setdefault((a, b), []).append(entry.key)
    shared = {span: units for span, units in spans.items() if len(set(units)) > 1}
    if not shared:
        return entries, ()
    regions = scope_regions(entries, lexicon)
    dropped: set[tuple[str, int, int]] = set()
    choices: tuple[str, ...] = ()
    for (a, b), units in shared.items():
        local = [u for u in units if any(_of_region(u, r) for r in regions)]
        if local:
            dropped |= {(u, a, b) for u in units if u not in local}
        elif not choices:
            choices = tuple(dict.fromkeys(units))
    kept = [(e, a, b) for e, a, b in entries if (e.key, a, b) not in dropped or e.kind != "unit"]
    return kept, choices


def _of_region(unit: str, region: str) -> bool:
    """A district's own unit is named with the district first (晋安区财政局), as the lexicon derived its
    shorter names from."""
    return unit.startswith(region) or (len(region) > 2 and unit.startswith(region[:-1]))
