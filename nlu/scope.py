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
_POINTER = r"(?:区|县|市)?(?P<pointer>那个|这个|那份|这份|20\d\d年度?|今年)*"
_PLAN_AFTER_PLACE = re.compile(
    _POINTER + rf"(?P<word>(?:{'|'.join(sorted(PLAN_KIND_WORDS, key=len, reverse=True))})+)"
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
            kinds = after.end() if after is not None else None
            if kinds is not None and _own_list(entries, plans[0], end, kinds):
                kinds = None
            worded = None
            if not _inside_a_name(entries, start, end):
                worded = _title_words_after(text, end, lexicon.plan_titles.get(plans[0], ""))
            # the longer reading: 福清重点工作责任分解表 is all the plan's name, not 福清重点工作 and more
            named = max((e for e in (kinds, worded) if e is not None), default=None)
            if named is not None:
                found.append(PlanByPlace(plans[0], start, _before_a_number(text, named)))
        more = _KIND_AFTER_PLAN.match(text, end) if entry.kind == "plan" else None
        if more is not None and not _own_list(entries, entry.key, end, more.end()):
            found.append(PlanByPlace(entry.key, start, _before_a_number(text, more.end())))
    return found


_POINTING = re.compile(_POINTER)
# Title words with no word of a plan's kind after them name the plan when pointed at (闽侯那个攻坚行动) or
# long (闽侯营商环境攻坚): 鼓楼知识产权 (工作领导小组) is a body of the place, not its plan.
_TITLE_RUN, _POINTED_RUN = 6, 4


def _title_words_after(text: str, end: int, title: str) -> int | None:
    """闽侯那个攻坚行动 · 闽侯营商环境方案: after the place, words of its plan's own title (the longest run
    the title holds), then perhaps a word of a plan's kind; where that naming ends, or None."""
    start = _POINTING.match(text, end)
    at = start.end() if start else end
    run = 0
    while at + run < len(text) and text[at : at + run + 1] in title:
        run += 1
    if run < 2:
        return None
    kind = _KIND_AFTER_PLAN.match(text, at + run)
    if kind is not None:
        return kind.end()
    pointed = start is not None and start.group("pointer") is not None
    # 长乐专项行动: the words that end the title's subject (before its 方案) name the plan as well
    ending = _ends_the_subject(text[at : at + run], title)
    return at + run if run >= (_POINTED_RUN if pointed or ending else _TITLE_RUN) else None


def _ends_the_subject(words: str, title: str) -> bool:
    """Whether the words stand at the end of the title, before nothing but words of a plan's kind."""
    at = title.find(words)
    while at >= 0:
        rest = title[at + len(words) :]
        if not rest or _KIND_AFTER_PLAN.fullmatch(rest):
            return True
        at = title.find(words, at + 1)
    return False


def _inside_a_name(entries: list[Found], start: int, end: int) -> bool:
    """晋安区政府: the place begins a unit's name that runs past it; that unit is meant, not the plan."""
    return any(e.kind == "unit" and a == start and b > end for e, a, b in entries)


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


# What a unit's name ends with: a bureau said bare inside a district's plan (发改局, 住建局) ends so
_UNIT_END = re.compile(r"(?:局|委|办|院|中心|所|队|站|室|公司|管委会)$")
_BARE_UNIT = (2, 8)  # characters of such a name


def bare_units_in_scope(text: str, entries: list[Found], lexicon: Lexicon) -> list[Found]:
    """闽侯营商环境攻坚里发改局有哪些任务: inside one district's plan (or with the district named), a bureau
    said bare is that district's (闽侯县发改局), when the district has one of that name — also where the
    city's bureau goes by the same bare word (财政局 · 市财政局), which is then dropped. The entries, so
    amended; unchanged when the question is scoped to no single region."""
    regions = scope_regions(entries, lexicon)
    if len(regions) != 1:
        return entries
    [region] = regions
    prefixes = dict.fromkeys((region, region[:-1] if len(region) > 2 else region))
    # words another region's unit was read from (财政局 · 市财政局) may be this region's bureau said bare,
    # whole: not a part of them (福清市场监管局 holds 市场监管局, but names 福清's)
    foreign = {(a, b) for e, a, b in entries if e.kind == "unit" and not _of_region(e.key, region)}
    taken = [(a, b) for _, a, b in entries if (a, b) not in foreign]
    found: list[Found] = []
    start = 0
    while start < len(text):
        hit = _bare_unit_at(text, start, prefixes, taken, foreign, lexicon)
        if hit is None:
            start += 1
            continue
        found.append(hit)
        start = hit[2]
    if not found:
        return entries
    spans = {(a, b) for _, a, b in found}
    kept = [(e, a, b) for e, a, b in entries if not (e.kind == "unit" and (a, b) in spans)]
    return sorted([*kept, *found], key=lambda item: (item[1], item[2]))


def _bare_unit_at(
    text: str,
    start: int,
    prefixes: dict[str, None],
    taken: list[tuple[int, int]],
    foreign: set[tuple[int, int]],
    lexicon: Lexicon,
) -> Found | None:
    low, high = _BARE_UNIT
    for end in range(min(len(text), start + high), start + low - 1, -1):
        word = text[start:end]
        inside = any(a < end and start < b and (a, b) != (start, end) for a, b in foreign)
        if not _UNIT_END.search(word) or inside or any(a < end and start < b for a, b in taken):
            continue
        for prefix in prefixes:
            units = [e for e in lexicon.entries(prefix + word) if e.kind == "unit"]
            if len(units) == 1:
                return units[0], start, end
    return None


def sections_of_the_units_plan(entries: list[Found], lexicon: Lexicon) -> list[Found]:
    """福清市场监管局在重点工作里配合啥: the units asked about all belong to one place with a plan of its own;
    a list word another place's plan uses (鼓楼's 重点工作) then means that place's plan, not the other."""
    sections = [(e, a, b) for e, a, b in entries if e.kind == "section"]
    units = [e.key for e, _, _ in entries if e.kind == "unit"]
    if not sections or not units or any(e.kind in ("plan", "region") for e, _, _ in entries):
        return entries
    homes = {r for r in lexicon.region_plans if all(_of_region(u, r) for u in units)}
    plans = [p for r in homes for p in lexicon.region_plans[r]]
    if len(plans) != 1:
        return entries
    foreign = [(e, a, b) for e, a, b in sections if e.key.split(":", 1)[0] != plans[0]]
    if len(foreign) != len(sections):
        return entries  # the place's own plan has such a list: it is meant
    kept = [item for item in entries if item not in foreign]
    spans = {(a, b) for _, a, b in foreign}
    return sorted([*kept, *((Entry("plan", plans[0]), a, b) for a, b in spans)], key=lambda i: (i[1], i[2]))


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
