"""Recognise a plan in a document's blocks and propose a draft: the one entry point of plan import.

Pure: blocks in, a Draft out. The shapes (tables.py, prose.py) find items as written; here every unit name
is resolved once, every deadline read once, and whatever had to be interpreted is said in a problem that
names its place — a draft never passes a guess off as the document's words.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence

from seeds.importer.blocks import Block, DocumentText, Paragraph, Table
from seeds.importer.draft import NO_ITEMS, Draft, DraftPlan, Problem
from seeds.importer.header import Header, read_header
from seeds.importer.items import Found
from seeds.importer.paragraphs import Item, read_items
from seeds.importer.prose import (
    explanations,
    goal_indicators,
    leading_office,
    supervising_office,
    text_indicators,
    truncated_items,
    unit_tagged_tasks,
    work_section_tasks,
)
from seeds.importer.resolve import Resolver
from seeds.importer.tables import recognise_table
from seeds.importer.text import is_truncation_mark
from seeds.importer.units import KnownUnit, UnitDirectory

_REGION = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,3}省)?(?:[\u4e00-\u9fff]{2,3}市)?(?:[\u4e00-\u9fff]{2,3}[区县])?"
)


def recognise(doc: DocumentText, *, region: str | None, known: Sequence[KnownUnit]) -> Draft:
    """The plan, its tasks and indicators as the document gives them, with every problem found."""
    blocks = _mark_cut_tables(doc.blocks)
    header = read_header(blocks)
    plan_region = region or _guess_region(header.title or "", known)
    items = read_items(blocks)
    found = _find_items(blocks, items)
    resolver = Resolver(UnitDirectory(known, region=plan_region), header)
    office = leading_office(items)
    tasks = resolver.tasks(found.tasks, office)
    indicators = resolver.indicators(found.indicators, explanations(blocks), office)
    follow_up = supervising_office(items, [b for b in blocks if isinstance(b, Paragraph)])
    supervisor = resolver.supervisor(follow_up)
    problems = header.problems + found.problems + resolver.problems
    if indicators and not any(i.units for i in indicators) and office is None:
        problems.append(Problem(found.indicators[0].where, _NO_INDICATOR_UNITS.format(len(indicators))))
    if not tasks and not indicators:
        problems.append(Problem(doc.name, NO_ITEMS))
    said = None
    if follow_up is not None and supervisor is not None:
        said = f"{follow_up.section or follow_up.where}：“{follow_up.sentence}”"
    return Draft(
        plan=dataclasses.replace(_plan(header, plan_region), supervisor=supervisor, supervisor_said=said),
        tasks=tuple(tasks),
        indicators=tuple(indicators),
        new_units=tuple(resolver.new_units.values()),
        problems=tuple(problems),
    )


def _find_items(blocks: Sequence[Block], items: Sequence[Item]) -> Found:
    """Tables first; prose tasks only where no table lists them; sentence targets only without a table, and
    the goal prose (主要目标：…) only where no 目标 section's items give any."""
    found = Found()
    for block in blocks:
        if isinstance(block, Table):
            found.extend(recognise_table(block))
    found.problems.extend(truncated_items(items).problems)
    tagged = unit_tagged_tasks(items)
    if found.tasks and tagged.tasks:
        first = tagged.tasks[0].where
        found.problems.append(Problem(first, _superseded(len(tagged.tasks))))
    elif tagged.tasks:
        found.extend(tagged)
    else:
        found.extend(work_section_tasks(items) if not found.tasks else Found())
    if not found.indicators:
        found.extend(text_indicators(items))
    if not found.indicators:
        found.extend(goal_indicators(blocks, items))
    return found


_NO_INDICATOR_UNITS = "方案未载明各项指标的责任单位，{}项指标暂无责任单位，请补充"


def _superseded(count: int) -> str:
    return f"正文另有{count}条注明责任单位的措施，已按任务清单表格导入，正文措施未重复导入"


def _mark_cut_tables(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """A table the truncation mark follows was cut short even if its reader could not tell."""
    marked: list[Block] = []
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if isinstance(block, Table) and following is not None and is_truncation_mark(following):
            block = dataclasses.replace(block, truncated=True)
        marked.append(block)
    return tuple(marked)


def _guess_region(title: str, known: Sequence[KnownUnit]) -> str | None:
    """The most specific known region in the title (福州市鼓楼区… → 鼓楼区), else its leading place."""
    regions = {unit.region for unit in known}
    named = [(title.find(r), r) for r in regions if r and r in title]
    if named:
        return max(named)[1]
    leading = _REGION.match(title)
    places = re.findall(r"[\u4e00-\u9fff]{2,3}?[省市区县]", leading.group(0)) if leading else []
    return places[-1] if places else None


def _plan(header: Header, region: str | None) -> DraftPlan:
    name = header.title or ""
    return DraftPlan(
        name=name,
        code=plan_code(name, region),
        region=region,
        doc_number=header.doc_number,
        issuer=header.issuer,
        issued=header.issued,
        valid_until=header.valid_until,
        schedule=tuple(header.schedule),
    )


def plan_code(title: str, region: str | None) -> str:
    """A proposed code: the region in pinyin, then the initials of the rest (福州市…方案 → fuzhou-gjzs…)."""
    from pypinyin import Style, lazy_pinyin  # a large dictionary: loaded only when a plan is imported

    place = re.sub(r"[省市区县]$", "", region or "")
    rest = title.replace(region or "", "", 1) if region else title
    head = "".join(lazy_pinyin(place)).lower()
    initials = "".join(lazy_pinyin(rest, style=Style.FIRST_LETTER)).lower()
    code = "-".join(
        part for part in (re.sub(r"[^a-z0-9]", "", head), re.sub(r"[^a-z0-9]", "", initials)) if part
    )
    if len(code) > 48 or not code:  # cut short, two long titles could share it: the title's digest tells
        digest = hashlib.sha1(title.encode("utf-8")).hexdigest()[:8]
        code = f"{code[:39].strip('-')}-{digest}".strip("-")
    return code
