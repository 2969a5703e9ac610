"""Text helpers every shape shares: the numbering ladder, PDF line-break repair, the truncation mark.

Pure. Chinese official documents number sections 一、 / （一） / 1. ; a PDF's text breaks a line wherever the
page did, leaving a space between two characters of one word (审限内 结案率), which is never meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from seeds.importer.blocks import Cell, Paragraph

_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’—…]"
_CJK_GAP = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_CN_NUMERALS = "一二三四五六七八九十"
PART = re.compile(r"^([一二三四五六七八九十]{1,3})\s*、\s*(.*)$", re.S)
CHAPTER = re.compile(r"^[（(]\s*([一二三四五六七八九十]{1,3})\s*[）)]\s*(.*)$", re.S)
ITEM = re.compile(r"^(?:★\s*)?(\d{1,3})\s*[.．、](?!\d)\s*(.*)$", re.S)  # ★3. marks a featured item
_TRUNCATED = re.compile(r"^[\[【（(]?\s*[…\.．]*\s*(?:缺|略|未完|以下缺)\s*[…\.．]*\s*[\]】）)]?$")
_BOLD = re.compile(r"\*\*")

Level = Literal["part", "chapter", "item"]


@dataclass(frozen=True)
class Numbered:
    level: Level
    number: str  # as written: 三 / 一 / 7
    rest: str  # the text after the number


def tidy(text: str) -> str:
    """One line: line breaks and the spaces a page break left between two Chinese characters removed."""
    joined = _LINE_BREAK.sub("\n", _BOLD.sub("", text).strip())
    return _CJK_GAP.sub("", joined).replace("\n", " ").strip()


def cell_text(cell: Cell) -> str:
    return tidy(cell.text)


def numbered(text: str) -> Numbered | None:
    """The numbering a paragraph opens with, if any: 一、 (part), （一） (chapter), 1. (item)."""
    for level, pattern in (("part", PART), ("chapter", CHAPTER), ("item", ITEM)):
        found = pattern.match(text.strip())
        if found:
            rest = found.group(2).strip()
            if text.strip().startswith("★"):  # the mark before the number stays with the item
                rest = f"★{rest}"
            return Numbered(level, found.group(1), rest)  # type: ignore[arg-type]
    return None


def chinese_number(text: str) -> int | None:
    """一 → 1, 十 → 10, 十四 → 14, 二十 → 20 (enough for section and 指标说明 numbers)."""
    if not text or any(ch not in _CN_NUMERALS for ch in text):
        return None
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_NUMERALS.index(tens) + 1 if tens else 1) * 10 + (
            _CN_NUMERALS.index(ones) + 1 if ones else 0
        )
    return _CN_NUMERALS.index(text) + 1 if len(text) == 1 else None


def is_truncation_mark(block: object) -> bool:
    """The `[……缺……]` a partial copy ends with: the document goes on, but not here."""
    return isinstance(block, Paragraph) and bool(_TRUNCATED.match(block.text.strip()))


def without_star(text: str) -> tuple[str, bool]:
    """★ marks a featured task (特色重点任务); the content is the text without it."""
    if "★" not in text:
        return text, False
    return re.sub(r"\s*★\s*", "", text).strip(), True
