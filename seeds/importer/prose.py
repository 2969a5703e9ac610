"""Shapes written as prose: unit-tagged items, a plan's work sections, targets in sentences, 指标说明.

Pure. Which prose counts as a task depends on the document: a task table is the plan's own decomposition,
so the body's unit-tagged measures are not imported twice; a plan with neither (鼓楼's 重点工作) has its work
items in the sections that say so (重点工作 / 重点思路 / 重点任务), never in 保障措施 or 指导思想.
A plan's quantified targets may be prose too: a 主要目标 / 工作目标 section, a "主要目标：…" paragraph or a
sentence opening "到2025年底，", each clause one target (新增市场主体不少于8000户); a clause with a number
that cannot be read as one is reported where it stands, never guessed.
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
from seeds.importer.targets import Target, fold, read_goal, read_targets
from seeds.importer.text import PART, Level, chinese_number, is_truncation_mark, numbered, tidy

_WORK_PART = re.compile(r"重点|任务|举措|主要措施|工作措施|思路")
_NOT_WORK_PART = re.compile(r"保障|目标|指导思想|原则|总体要求|进度|组织|附件")
_TARGET_PART = re.compile(r"目标")
_EXPLANATION_HEADING = re.compile(r"指标(?:说明|解释)$")
# 设在区市场监督管理局（知识产权局）, and （设在区市场监管局）负责…: a bracket of the name is kept, one
# closing around the sentence ends it
_OFFICE = re.compile(r"办公室[^。]*?设在((?:[^，,。；;（）()]|[（(][^（）()]*[）)])+)")
# 报送区发改局（区优化营商环境工作领导小组办公室）: the unit that serves as the leading group's office
_OFFICE_IN_BRACKETS = re.compile(
    r"(?:报送|抄送|送交|交由|报)\s*([\u4e00-\u9fff]{2,20}?)\s*[（(][^（()）]*领导小组办公室[）)]"
)
_GOAL_WORDS = r"(?:主要|工作|发展|总体|具体|年度)(?:目标|指标)|目标任务|预期指标"
_GOAL_HEADING = re.compile(rf"^(?:{_GOAL_WORDS})\s*[:：]?$")
_GOAL_LABEL = re.compile(rf"^({_GOAL_WORDS})\s*[:：]\s*(\S.*)$")
_BY_YEAR_END = re.compile(r"^(?:到|至)\d{4}年(?:底|末)[，,]")
_CLOSES: dict[Level | None, tuple[Level, ...]] = {
    "part": ("part",),
    "chapter": ("part", "chapter"),
    None: ("part", "chapter"),
}


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


_NO_UNITS_READ = "第{}项未识别出责任单位，未导入，请核对后补录"


def unit_tagged_tasks(items: Sequence[Item]) -> Found:
    """Items that name their units (at their end or on the lines after them). A numbered item among them,
    in the same list, whose units could not be read is reported, never dropped in silence."""
    found = Found()
    lists = {(item.level, item.part) for item in items if item.has_units}
    for item in items:
        if not item.has_units and not item.truncated and (item.level, item.part) in lists:
            found.problems.append(Problem(item.where, _NO_UNITS_READ.format(item.number)))
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
        where = f"{item.part or ''}{item.chapter or ''} {item.where}".strip()
        for target in read_targets(item.head + "".join(item.body)):
            found.indicators.append(_sentence_indicator(len(found.indicators) + 1, target, where))
    return found


def _sentence_indicator(number: int, target: Target, where: str) -> RawIndicator:
    value = target.value
    return RawIndicator(
        number=str(number),
        name=target.name,
        value_text=f"{value.number}{value.unit_of_measure or ''}",
        unit_of_measure=value.unit_of_measure,
        baseline_text=None,
        unit_cells=(),
        where=where,
        comparator_hint=value.comparator,
        note=target.sentence,
    )


@dataclass(frozen=True)
class _GoalText:
    context: str  # 主要目标 / 三、工作目标 / "" for a 到2025年底 sentence
    text: str
    where: str
    cut: bool  # the document stops right after it


def goal_indicators(blocks: Sequence[Block], items: Sequence[Item]) -> Found:
    """Targets stated in a plan's goal prose, one per clause, numbered in order; clauses with a number that
    is not one readable target are reported at their place."""
    found = Found()
    for goal in _goal_texts(blocks, items):
        where = f"{goal.context} {goal.where}".strip()
        if goal.cut:
            found.problems.append(
                Problem(where, f"{goal.context or '目标'}段落在文档中被截断，其中的目标未导入")
            )
            continue
        reading = read_goal(goal.text)
        for target in reading.targets:
            found.indicators.append(_sentence_indicator(len(found.indicators) + 1, target, where))
        for unread in reading.unread:
            found.problems.append(
                Problem(
                    where,
                    f"{goal.context or '目标'}中“{unread.clause}”{unread.why}，未导入为指标，请核对",
                )
            )
    return found


def _goal_texts(blocks: Sequence[Block], items: Sequence[Item]) -> list[_GoalText]:
    """The paragraphs that state goals: under a goal heading (until the next heading of its rank or above,
    leaving out items that name units — tasks), after a 主要目标： label, or opening 到2025年底，."""
    by_where = {item.where: item for item in items}
    texts: list[_GoalText] = []
    sections: list[tuple[str, Level | None]] = []  # 一、工作目标 then （二）具体目标 inside it
    current: Item | None = None  # the numbered paragraph the text belongs to
    for index, block in enumerate(blocks):
        if is_truncation_mark(block):
            break
        if not isinstance(block, Paragraph) or not tidy(block.text):
            continue
        text = tidy(block.text)
        cut = index + 1 < len(blocks) and is_truncation_mark(blocks[index + 1])
        mark = numbered(text)
        if mark is not None:
            current = by_where.get(block.where)
            while sections and mark.level in _CLOSES[sections[-1][1]]:
                sections.pop()
        words = mark.rest if mark else text
        label = _GOAL_LABEL.match(words)
        if _GOAL_HEADING.match(words):
            outer = sections[-1][0] if sections else ""
            sections.append((outer + text.rstrip("：:"), mark.level if mark else None))
        elif label:
            texts.append(_GoalText(label.group(1), label.group(2), block.where, cut))
        elif sections:
            if current is None or not (current.has_units or current.truncated):
                texts.append(_GoalText(sections[-1][0], words, block.where, cut))
        elif mark is None and _BY_YEAR_END.match(fold(text)) and _outside_tasks(current):
            texts.append(_GoalText("", text, block.where, cut))
    return texts


def _outside_tasks(current: Item | None) -> bool:
    """A 到2025年底 sentence in the preamble or under a heading, not in a numbered task's body."""
    return current is None or (current.level != "item" and not current.has_units)


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


# 报送区政府督查室 · 区政府督查室将定期…跟踪督办: the office that follows the plan up, named as such
_FOLLOW_UP_OFFICE = re.compile(
    r"(?:报送|报|送|交由|由)\s*([\u4e00-\u9fff]{1,12}?(?:督查室|督办室|督查办|督办办|督查处|督查科|督考办|效能办))"
)


def supervising_office(items: Sequence[Item], paragraphs: Sequence[Paragraph] = ()) -> LeadingOffice | None:
    """Who follows the plan up: its leading group's office, or failing that the 督查 office the units report
    to, in a numbered item or in any paragraph (工作要求：…报送市委市政府督查室). None when the document names
    neither (the draft then proposes the unit leading most items)."""
    found = leading_office(items)
    if found is not None:
        return found
    places = [
        (text, f"{i.part or ''}{_chapter_number(i.chapter)}", i.where)
        for i in items
        for text in (i.head, *i.body)
    ]
    places += [(p.text, "", p.where) for p in paragraphs]
    for text, section, where in places:
        match = _FOLLOW_UP_OFFICE.search(text)
        if match:
            sentence = text[: text.find("。", match.end()) + 1 or None]
            sentence = sentence[sentence.rfind("。", 0, match.start()) + 1 :]
            return LeadingOffice(match.group(1).strip(), section, sentence, where)
    return None


def leading_office(items: Sequence[Item]) -> LeadingOffice | None:
    """ "领导小组下设办公室，设在区市场监督管理局（知识产权局）": the office that runs the plan day to day;
    failing that, "报送区发改局（区优化营商环境工作领导小组办公室）": the unit that serves as that office."""
    for pattern in (_OFFICE, _OFFICE_IN_BRACKETS):
        for item in items:
            for text in (item.head, *item.body):
                found = pattern.search(text)
                if found:
                    sentence = text[: text.find("。", found.end()) + 1 or None]
                    sentence = sentence[sentence.rfind("。", 0, found.start()) + 1 :]
                    section = f"{item.part or ''}{_chapter_number(item.chapter)}"
                    return LeadingOffice(found.group(1).strip(), section, sentence, item.where)
    return None


def _chapter_number(chapter: str | None) -> str:
    found = re.match(r"^([（(][一二三四五六七八九十]+[）)])", chapter or "")
    return found.group(1) if found else ""
