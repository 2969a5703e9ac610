"""Shapes written as prose: unit-tagged items, a plan's work sections, targets in sentences, 指标说明.

Pure. Which prose counts as a task depends on the document: a task table is the plan's own decomposition,
so the body's unit-tagged measures are not imported twice; a plan with neither (鼓楼's 重点工作) has its work
items in the sections that say so (重点工作 / 重点思路 / 重点任务), never in 保障措施 or 指导思想.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from seeds.importer.blocks import Block, Paragraph
from seeds.importer.draft import Problem
from seeds.importer.items import Found, RawIndicator, RawTask
from seeds.importer.paragraphs import Item
from seeds.importer.targets import read_targets
from seeds.importer.text import PART, chinese_number, is_truncation_mark, numbered, tidy

_WORK_PART = re.compile(r"重点|任务|举措|主要措施|工作措施|思路")
_NOT_WORK_PART = re.compile(r"保障|目标|指导思想|原则|总体要求|进度|组织|附件")
_TARGET_PART = re.compile(r"目标")
_EXPLANATION_HEADING = re.compile(r"指标(?:说明|解释)$")
_OFFICE = re.compile(r"办公室[^。]*?设在([^，,。；;]+)")


@dataclass(frozen=True)
class Explanation:
    number: int
    name: str
    note: str
    where: str


@dataclass(frozen=True)
class LeadingOffice:
    unit: str  # as written: 区市场监督管理局（知识产权局）
    section: str  # 五、保障措施（一）加强组织领导
    sentence: str
    where: str


def truncated_items(items: Sequence[Item]) -> Found:
    """The item a partial copy stops inside is reported, not imported."""
    found = Found()
    for item in items:
        if item.truncated:
            found.problems.append(Problem(item.where, f"第{item.number}项在文档中被截断，未导入"))
    return found


def unit_tagged_tasks(items: Sequence[Item]) -> Found:
    """Items that name their units (at their end or on the lines after them)."""
    found = Found()
    for item in items:
        if item.has_units and not item.truncated:
            content, featured = item.featured_content()
            found.tasks.append(
                RawTask(
                    number=item.number,
                    content=content,
                    unit_cells=item.unit_cells(),
                    leader=item.fields.get("责任领导") or item.fields.get("牵头领导"),
                    deadline_text=item.fields.get("完成时限")
                    or item.fields.get("时间节点")
                    or item.fields.get("完成时间"),
                    featured=featured,
                    section=item.part,
                    where=item.where,
                )
            )
    return found


def work_section_tasks(items: Sequence[Item]) -> Found:
    """A plan that names no units: the items of its 重点工作 / 重点思路 sections, numbered in order."""
    found = Found()
    work = [i for i in items if _in_work_part(i) and i.level != "part" and not i.truncated and _has_words(i)]
    for position, item in enumerate(work, start=1):
        content, featured = item.featured_content()
        found.tasks.append(RawTask(str(position), content, (), None, None, featured, item.part, item.where))
    return found


def _in_work_part(item: Item) -> bool:
    part = item.part or ""
    return bool(_WORK_PART.search(part)) and not _NOT_WORK_PART.search(part)


def _has_words(item: Item) -> bool:
    return bool(item.body) or not item.is_title


def text_indicators(items: Sequence[Item]) -> Found:
    """Quantified targets in the sentences of a 目标 section's items that are not tasks themselves."""
    found = Found()
    for item in items:
        if item.has_units or item.truncated or not _TARGET_PART.search(item.part or ""):
            continue
        for target in read_targets(item.head + "".join(item.body)):
            value = target.value
            found.indicators.append(
                RawIndicator(
                    number=str(len(found.indicators) + 1),
                    name=target.name,
                    value_text=f"{value.number}{value.unit_of_measure or ''}",
                    unit_of_measure=value.unit_of_measure,
                    baseline_text=None,
                    unit_cells=(),
                    where=f"{item.part or ''}{item.chapter or ''} {item.where}".strip(),
                    comparator_hint=value.comparator,
                    note=target.sentence,
                )
            )
    return found


def explanations(blocks: Sequence[Block]) -> list[Explanation]:
    """The 指标说明 attachment: 一、<indicator> then its paragraphs, one entry per indicator."""
    entries: list[Explanation] = []
    inside = False
    for block in blocks:
        if is_truncation_mark(block):
            break
        if not isinstance(block, Paragraph) or not block.text.strip():
            continue
        text = tidy(block.text)
        if _EXPLANATION_HEADING.search(text) and numbered(text) is None and len(text) <= 40:
            inside, entries = True, []
            continue
        part = PART.match(text) if inside else None
        number = chinese_number(part.group(1)) if part else None
        if part and number is not None:
            entries.append(Explanation(number, part.group(2).strip(), "", block.where))
        elif inside and entries:
            last = entries[-1]
            entries[-1] = Explanation(last.number, last.name, last.note + text, last.where)
    return entries


def names_agree(first: str, second: str) -> bool:
    return difflib.SequenceMatcher(None, first, second).ratio() >= 0.6


def leading_office(items: Sequence[Item]) -> LeadingOffice | None:
    """ "领导小组下设办公室，设在区市场监督管理局（知识产权局）": the office that runs the plan day to day."""
    for item in items:
        for text in (item.head, *item.body):
            found = _OFFICE.search(text)
            if found:
                sentence = text[: text.find("。", found.end()) + 1 or None]
                sentence = sentence[sentence.rfind("。", 0, found.start()) + 1 :]
                section = f"{item.part or ''}{_chapter_number(item.chapter)}"
                return LeadingOffice(found.group(1).strip(), section, sentence, item.where)
    return None


def _chapter_number(chapter: str | None) -> str:
    found = re.match(r"^([（(][一二三四五六七八九十]+[）)])", chapter or "")
    return found.group(1) if found else ""
