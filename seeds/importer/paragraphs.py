"""Numbered paragraphs as items: their numbering ladder, body, and the units written with them.

Pure. An item is a numbered paragraph (1. / （一） / 一、 below a part) with the plain paragraphs that follow
it (a PDF's page break cuts one paragraph in two: they are joined without a space). Units come either at the
item's end — （知识产权局、司法部按职责分工负责） or （责任领导：…；牵头单位：…；责任单位：…） — or on lines
after it (牵头单位：… / 责任单位：… / 配合单位：…).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from seeds.importer.blocks import Block, Paragraph
from seeds.importer.deadlines import parse_deadline_text
from seeds.importer.items import UnitCell
from seeds.importer.text import Level, is_truncation_mark, numbered, tidy, without_star
from seeds.importer.units import names_units

_KEYS = (
    "牵头单位|牵头部门|责任单位|责任部门|配合单位|协办单位|参与单位|"
    "责任领导|牵头领导|完成时限|时间节点|完成时间"
)
_KEY_VALUE = re.compile(rf"({_KEYS})\s*[:：]\s*(.*?)\s*(?=[；;，,]?\s*(?:{_KEYS})\s*[:：]|$)", re.S)
_UNIT_LINE = re.compile(rf"^\s*(?:{_KEYS})\s*[:：]")
_RESPONSIBLE = re.compile(r"(?:等)?(?:按职责分工|按职责|分别)?(?:牵头)?负责$")
# （区数据局负责，2025年9月底前）: who, then by when
_RESPONSIBLE_BY = re.compile(
    r"^(.+?)(?:等)?(?:按职责分工|按职责|分别)?(?:牵头)?负责\s*[，,；;]\s*(.+)$", re.S
)
_HEADING_MAX = 60  # a numbered line this short without a full stop is a title over its body


@dataclass
class Item:
    level: Level
    number: str
    head: str  # the numbered line after its number
    where: str
    part: str | None  # the 一、 heading above it, as written
    chapter: str | None  # the （一） heading above it
    body: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # 牵头单位 / 责任单位 / 责任领导 / 完成时限 …
    truncated: bool = False

    @property
    def is_title(self) -> bool:
        return len(self.head) <= _HEADING_MAX and not re.search(r"[。；]$", self.head)

    @property
    def content(self) -> str:
        """The item's words: its body under a title, else its own line and any continuation."""
        if self.is_title and self.body:
            return "".join(self.body)
        return self.head + "".join(self.body)

    @property
    def has_units(self) -> bool:
        return any(key in self.fields for key in ("牵头单位", "牵头部门", "责任单位", "责任部门"))

    def unit_cells(self) -> tuple[UnitCell, ...]:
        lead = self.fields.get("牵头单位") or self.fields.get("牵头部门")
        cells: list[UnitCell] = [UnitCell(lead, "lead")] if lead else []
        listed = self.fields.get("责任单位") or self.fields.get("责任部门")
        if listed:
            cells.append(UnitCell(listed, "co" if lead else "listed"))
        for key in ("配合单位", "协办单位", "参与单位"):
            if self.fields.get(key):
                cells.append(UnitCell(self.fields[key], "co"))
        return tuple(cells)

    def featured_content(self) -> tuple[str, bool]:
        return without_star(self.content)


def read_items(blocks: Sequence[Block]) -> list[Item]:
    """Every numbered paragraph below the document's opening, with its body and units, in order."""
    items: list[Item] = []
    part: str | None = None
    chapter: str | None = None
    current: Item | None = None
    for block in blocks:
        if is_truncation_mark(block):
            if current is not None:
                current.truncated = True
            break
        if not isinstance(block, Paragraph):
            current = None
            continue
        text = tidy(block.text)
        if not text:
            continue
        if re.match(r"^附件\s*\d*\s*[:：]?$", text):
            part = chapter = current = None
            continue
        if _UNIT_LINE.match(text):
            if current is not None:
                current.fields.update(_fields(text))
            continue
        found = numbered(text)
        if found is None:
            if current is not None:
                current.body.append(text)
            continue
        if found.level == "part":
            part, chapter = text, None
        elif found.level == "chapter":
            chapter = text
        head, trailing = split_trailing_units(found.rest)
        current = Item(found.level, found.number, head, block.where, part, chapter)
        current.fields.update(trailing)
        items.append(current)
    return items


def _fields(text: str) -> dict[str, str]:
    return {key: value.strip("。；; ") for key, value in _KEY_VALUE.findall(text) if value.strip("。；; ")}


def split_trailing_units(text: str) -> tuple[str, dict[str, str]]:
    """（…负责） or （责任领导：…；牵头单位：…） closing an item: its units, and the item without them."""
    group = _last_bracket_group(text)
    if group is None:
        return text, {}
    start, inner = group
    fields = _segment_fields(inner) or _fields(inner)
    if not fields and _RESPONSIBLE.search(inner):
        fields = {"责任单位": _RESPONSIBLE.sub("", inner).strip()}
    elif not fields and (by := _RESPONSIBLE_BY.match(inner)):
        fields = {"责任单位": by.group(1).strip(), "完成时限": by.group(2).strip()}
    if not fields:
        return text, {}
    return text[:start].rstrip(), fields


_UNLABELLED_ROLES = (
    (re.compile(r"(?:等)?(?:共同)?牵头(?:负责)?$"), "牵头单位"),
    (re.compile(r"(?:等)?(?:按职责分工|按职责|分别)?负责(?:落实)?$"), "责任单位"),
    (re.compile(r"(?:等)?(?:共同|协同|按职责)?(?:配合|协助|协办|参与)$"), "配合单位"),
)
_LABELLED = re.compile(rf"^({_KEYS})\s*[:：]\s*(.+)$", re.S)
_UNIT_KEYS = ("牵头单位", "牵头部门", "责任单位", "责任部门", "配合单位", "协办单位", "参与单位")


def _segment_fields(inner: str) -> dict[str, str]:
    """A closing bracket read clause by clause, labelled or not, in any order:
    （县数据管理局牵头，县直各有关单位配合，2025年三季度完成）, （责任单位：县司法局，2025年7月底前完成）.
    Empty when any clause is neither a label, a unit list with its role, a deadline nor more units of the
    clause before (the caller then reads the bracket as before)."""
    fields: dict[str, str] = {}
    last: str | None = None
    for clause in _clauses(inner):
        key, value = _clause(clause, last)
        if key is None:
            return {}
        fields[key] = f"{fields[key]}、{value}" if key in fields and key in _UNIT_KEYS else value
        last = key
    return fields if any(key in fields for key in _UNIT_KEYS[:4]) else {}


def _clause(clause: str, last: str | None) -> tuple[str | None, str]:
    labelled = _LABELLED.match(clause)
    if labelled:
        return labelled.group(1), labelled.group(2).strip()
    for ending, key in _UNLABELLED_ROLES:
        if ending.search(clause) and names_units(ending.sub("", clause)):
            return key, ending.sub("", clause).strip()
    if parse_deadline_text(clause, plan_year=None).kind != "none":
        return "完成时限", clause
    if last in _UNIT_KEYS and names_units(clause):  # 配合单位：县财政局，县工信局
        return last, clause
    return None, clause


def _clauses(inner: str) -> list[str]:
    """The bracket's clauses, split at ；，outside nested brackets (各乡镇（街道）stays whole)."""
    clauses, current, depth = [], "", 0
    for char in inner:
        depth += (char in "（(") - (char in "）)")
        if depth == 0 and char in "；;，,":
            clauses.append(current.strip(" 。"))
            current = ""
        else:
            current += char
    clauses.append(current.strip(" 。"))
    return [c for c in clauses if c]


def _last_bracket_group(text: str) -> tuple[int, str] | None:
    """The balanced （…） or (…) that ends the text (a closing 。 or ； allowed after it)."""
    stripped = text.rstrip("。；; ")
    if not stripped.endswith(("）", ")")):
        return None
    depth = 0
    for index in range(len(stripped) - 1, -1, -1):
        char = stripped[index]
        depth += (char in "）)") - (char in "（(")
        if depth == 0:
            return index, stripped[index + 1 : -1]
    return None
