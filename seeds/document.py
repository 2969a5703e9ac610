"""A plan document's text cut into passages, each with the section it stands in (三（六）2, 附件1 序号7).

Pure: text in, passages out. Chinese official documents number their sections in a fixed ladder — 一、 for
parts, （一） for chapters, 1. for items — with 附件 N starting a new ladder. A passage is one paragraph; its
path is the ladder above it, so an answer can say where in the document a quotation stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PART = re.compile(r"^([一二三四五六七八九十]{1,3})、\s*(.*)$")
_CHAPTER = re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[）)]\s*(.*)$")
_ITEM = re.compile(r"^(\d{1,2})[.．、]\s*(?!\d)(.*)$")
_ATTACHMENT = re.compile(r"^附件\s*(\d{1,2})\s*$")
_ATTACHMENT_LIST = re.compile(r"^附件[:：]\s*(.*)$")  # 附件：1. 任务清单及责任分工 / 2. …指标说明
_TABLE_ROW = re.compile(r"^(\d{1,3})\t(.*)$")
_HEADING_END = re.compile(r"[。；]")
# 责任单位：… under an item belongs to it: a search for the unit must find what the unit is to do.
_UNITS_LINE = re.compile(r"^(?:责任单位|牵头单位|配合单位|责任领导|参与单位)[:：]")
_BOLD = re.compile(r"\*\*")
_TITLE_MAX = 60  # a numbered line this short without a full stop is a title, not a paragraph
MAX_PASSAGE_CHARS = 1200  # a paragraph longer than this is cut at sentence ends


@dataclass(frozen=True)
class Passage:
    path: str  # 三（六）2 · 附件1 序号7 · 五 — empty for the document's opening lines
    heading: str  # the title of the innermost numbered section, or ""
    text: str
    line: int  # 1-based line in the source document


def split_passages(text: str) -> tuple[Passage, ...]:
    """Every non-empty paragraph of the document with its section path."""
    ladder: list[tuple[str, str]] = []  # (number as written, heading) per level
    attachment = ""
    titles: dict[str, str] = {}  # attachment titles from the 附件： list, by the text that opens each
    listing = False
    passages: list[Passage] = []
    title_only = False  # the last passage is a section's title line alone, waiting for its body
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = _BOLD.sub("", raw).strip()
        if not line:
            continue
        found = _ATTACHMENT.match(line)
        if found:
            attachment, ladder = f"附件{found.group(1)}", []
            continue
        if attachment and line in titles and titles[line] != attachment:
            # An attachment whose "附件 N" line the text lost opens with its title alone.
            attachment, ladder = titles[line], []
        listed = _ATTACHMENT_LIST.match(line)
        listing = bool(listed) or (listing and bool(_ITEM.match(line)))
        if listing:
            item = _ITEM.match(listed.group(1) if listed else line)
            if item:
                titles[item.group(2).strip()] = f"附件{item.group(1)}"
        row = _TABLE_ROW.match(raw.strip()) if attachment else None
        if row:
            cells = " ｜ ".join(c.strip() for c in row.group(2).split("\t") if c.strip())
            path = f"{attachment} 序号{row.group(1)}"
            passages.append(Passage(path, "", cells, line_number))
            continue
        level, number, rest = _numbering(line)
        if level is not None:
            ladder = [*ladder[:level], (number, _heading(rest))]
        path = _path(attachment, ladder)
        heading = ladder[-1][1] if ladder else ""
        if _UNITS_LINE.match(line) and passages and passages[-1].path == path and level is None:
            last = passages[-1]
            passages[-1] = Passage(last.path, last.heading, f"{last.text}\n{line}", last.line)
            continue
        start = line_number
        if title_only and level is None and passages[-1].path == path:
            # （三）成立知识产权服务业联盟… on a line of its own is the title of the paragraph below it.
            title = passages.pop()
            line, start = f"{title.text}\n{line}", title.line
        title_only = level is not None and len(line) <= _TITLE_MAX and not _HEADING_END.search(line)
        passages.extend(Passage(path, heading, piece, start) for piece in _pieces(line))
    return tuple(passages)


def _numbering(line: str) -> tuple[int | None, str, str]:
    for level, pattern in enumerate((_PART, _CHAPTER, _ITEM)):
        found = pattern.match(line)
        if found:
            number = found.group(1) if level != 1 else f"（{found.group(1)}）"
            return level, number, found.group(2)
    return None, "", line


def _heading(rest: str) -> str:
    """A section's title: its text up to the first full stop (1. 完善知识产权保护法规政策。将…)."""
    end = _HEADING_END.search(rest)
    return (rest[: end.start()] if end else rest)[:60]


def _path(attachment: str, ladder: list[tuple[str, str]]) -> str:
    numbers = "".join(number for number, _ in ladder)
    return " ".join(part for part in (attachment, numbers) if part)


def _pieces(line: str) -> list[str]:
    if len(line) <= MAX_PASSAGE_CHARS:
        return [line]
    pieces: list[str] = []
    current = ""
    for sentence in re.split(r"(?<=。)", line):
        if current and len(current) + len(sentence) > MAX_PASSAGE_CHARS:
            pieces.append(current)
            current = ""
        current += sentence
    return [*pieces, current] if current else pieces
