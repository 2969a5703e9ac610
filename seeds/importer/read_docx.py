""".docx plans: the body's paragraphs and tables in document order, merged cells spread, list numbers shown.

The body is walked element by element (w:p, w:tbl, and the content controls w:sdt that wrap either), because
`doc.paragraphs` and `doc.tables` are two separate lists and lose which table sat under which heading.

List numbers: Word draws "1." / "（一）" from the numbering definitions, not from the text, so a paragraph
with w:numPr would reach a recogniser without its number. The reader counts every list (per numId, per
level, a deeper level restarting when a shallower one advances) and renders the level's lvlText with its
numFmt (decimal, chineseCounting, letters, roman, circled digits); where the definition is missing it writes
"1." for the counter of that level. Bullets get no prefix.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph

from seeds.importer.blocks import Block, Cell, DocumentText, ImportRefused, Paragraph, Table

Element = Any  # lxml elements: python-docx types them, lxml itself ships no stubs
MAX_UNPACKED = 200 * 1024 * 1024  # a 20 MB .docx that inflates past this is a zip bomb, not a plan
MAX_BODY = 8 * 2**20  # word/document.xml: a 100-task plan is well under 1 MB
MAX_ROWS = 3_000  # table rows in the whole document
HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
CONTAINERS = (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:smartTag"))


def read_docx(path: Path, name: str) -> DocumentText:
    """Paragraphs ("第N段", heading_level from the styles) and tables ("第K个表格") of a Word document."""
    _check_archive(path, name)
    document = Document(str(path))
    reader = _BodyReader(document)
    blocks = reader.read(document.element.body)
    if not blocks:
        raise ImportRefused(f"文件为空：「{name}」里没有文字。")
    return DocumentText(name=name, kind="docx", blocks=tuple(blocks))


def _check_archive(path: Path, name: str) -> None:
    """Refused before parsing: what a plan never is (a body of more than 8 MB, more than 3,000 table rows),
    so that a small file that inflates cannot keep the bot's worker busy for minutes."""
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED:
            raise ImportRefused(f"「{name}」解压后过大（超过 200 MB），无法读取。")
        body = next((i for i in archive.infolist() if i.filename == "word/document.xml"), None)
        if body is not None and body.file_size > MAX_BODY:
            raise ImportRefused(f"「{name}」正文过大（超过 {MAX_BODY // 2**20} MB），请拆分后再发送。")
        rows = archive.read(body).count(b"<w:tr") if body is not None else 0
    if rows > MAX_ROWS:
        raise ImportRefused(f"「{name}」的表格共 {rows} 行，超过 {MAX_ROWS} 行的上限，请拆分后再发送。")


class _BodyReader:
    def __init__(self, document: Any) -> None:
        self._document = document
        self._numbering = _Numbering(document)
        self._styles = {
            s.get(qn("w:styleId")): s for s in document.styles.element.iterchildren(qn("w:style"))
        }
        self._paragraphs = 0
        self._tables = 0

    def read(self, container: Element) -> list[Block]:
        blocks: list[Block] = []
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                paragraph = self._paragraph(child)
                if paragraph is not None:
                    blocks.append(paragraph)
            elif child.tag == qn("w:tbl"):
                self._tables += 1
                blocks.append(Table(rows=self._table_rows(child), where=f"第{self._tables}个表格"))
            elif child.tag in CONTAINERS:
                blocks.extend(self.read(child))
        return blocks

    def _paragraph(self, p: Element) -> Paragraph | None:
        text = self._text(p)
        if not text:
            return None
        self._paragraphs += 1
        return Paragraph(text=text, where=f"第{self._paragraphs}段", heading_level=self._heading_level(p))

    def _text(self, p: Element) -> str:
        paragraph = DocxParagraph(p, self._document)
        body = paragraph.text.strip()
        if not body:
            return ""
        label = self._numbering.label_for(p, self._style_chain(p))
        return f"{label}{body}" if label else body

    def _style_chain(self, p: Element) -> list[Element]:
        """The paragraph's style and the styles it is based on, nearest first."""
        chain: list[Element] = []
        style_id = _val(p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}"))
        while style_id in self._styles and len(chain) < 10:  # a basedOn loop stops at ten
            style = self._styles[style_id]
            chain.append(style)
            style_id = _val(style.find(qn("w:basedOn")))
        return chain

    def _heading_level(self, p: Element) -> int | None:
        chain = self._style_chain(p)
        for style in chain:
            name = _val(style.find(qn("w:name"))) or ""
            if match := HEADING_STYLE.match(name.strip()):
                return int(match.group(1))
        for holder in (p, *chain):  # an outline level set directly is a heading too (0 = level 1)
            level = _val(holder.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}"))
            if level is not None and level.isdigit() and int(level) < 9:
                return int(level) + 1
        return None

    def _table_rows(self, tbl: Element) -> tuple[tuple[Cell, ...], ...]:
        grid: list[list[Cell]] = []
        for tr in _children(tbl, qn("w:tr")):
            row: list[Cell] = [
                Cell("") for _ in range(_int(tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}"), 0))
            ]
            for tc in _children(tr, qn("w:tc")):
                row.extend(self._grid_cells(tc, grid, len(row)))
            grid.append(row)
        width = max((len(r) for r in grid), default=0)
        return tuple(tuple(r + [Cell("")] * (width - len(r))) for r in grid)

    def _grid_cells(self, tc: Element, grid: list[list[Cell]], column: int) -> list[Cell]:
        """One w:tc as the grid columns it covers: a horizontal span copied rightwards, a vertical merge's
        continuation copied from the cell above, copies marked spanned."""
        span = _int(tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}"), 1)
        vmerge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
        if vmerge is not None and _val(vmerge) in (None, "continue"):
            above = grid[-1][column] if grid and column < len(grid[-1]) else Cell("")
            first = Cell(above.text, spanned=True)
        else:
            first = Cell(self._cell_text(tc))
        return [first, *(Cell(first.text, spanned=True) for _ in range(max(span, 1) - 1))]

    def _cell_text(self, container: Element) -> str:
        lines: list[str] = []
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                lines.append(self._text(child))
            elif child.tag == qn("w:tbl"):  # a nested table: one line per row, cells side by side
                for row in self._table_rows(child):
                    lines.append(" ".join(c.text.replace("\n", " ") for c in row if c.text and not c.spanned))
            elif child.tag in CONTAINERS:
                lines.append(self._cell_text(child))
        return "\n".join(line for line in lines if line)


def _children(parent: Element, tag: str) -> list[Element]:
    """Direct children with `tag`, looking through content controls that wrap rows or cells."""
    found: list[Element] = []
    for child in parent.iterchildren():
        if child.tag == tag:
            found.append(child)
        elif child.tag in CONTAINERS:
            found.extend(_children(child, tag))
    return found


def _val(element: Element | None) -> str | None:
    if element is None:
        return None
    value = element.get(qn("w:val"))
    return str(value) if value is not None else None


def _int(element: Element | None, default: int) -> int:
    value = _val(element)
    return int(value) if value is not None and value.isdigit() else default


# ---------------------------------------------------------------------------------------------- numbering


@dataclass(frozen=True)
class _Level:
    fmt: str  # numFmt: decimal, chineseCounting, bullet, …
    text: str  # lvlText: "%1." / "（%1）" / "%1.%2"
    start: int


class _Numbering:
    """Word's list counters, replayed in document order."""

    def __init__(self, document: Any) -> None:
        self._levels: dict[str, dict[int, _Level]] = {}
        self._counters: dict[str, list[int | None]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # no numbering part: every numbered paragraph gets the fallback "1."
        abstract = {
            a.get(qn("w:abstractNumId")): _levels_of(a) for a in root.iterchildren(qn("w:abstractNum"))
        }
        for num in root.iterchildren(qn("w:num")):
            levels = dict(abstract.get(_val(num.find(qn("w:abstractNumId"))), {}))
            for override in num.iterchildren(qn("w:lvlOverride")):
                ilvl = _int_attr(override, "w:ilvl")
                start = override.find(qn("w:startOverride"))
                if ilvl in levels and start is not None:
                    level = levels[ilvl]
                    levels[ilvl] = _Level(level.fmt, level.text, _int(start, level.start))
            self._levels[str(num.get(qn("w:numId")))] = levels

    def label_for(self, p: Element, styles: list[Element]) -> str:
        num_pr = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        for style in styles:
            if num_pr is not None:
                break
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is None:
            return ""
        num_id = _val(num_pr.find(qn("w:numId")))
        if num_id is None or num_id == "0":  # numId 0 switches numbering off
            return ""
        return self._advance(num_id, min(_int(num_pr.find(qn("w:ilvl")), 0), 8))

    def _advance(self, num_id: str, ilvl: int) -> str:
        levels = self._levels.get(num_id, {})
        counters = self._counters.setdefault(num_id, [None] * 9)
        current = counters[ilvl]
        counters[ilvl] = (levels[ilvl].start if ilvl in levels else 1) if current is None else current + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        level = levels.get(ilvl, _Level("decimal", f"%{ilvl + 1}.", 1))
        if level.fmt in ("bullet", "none"):
            return ""

        def render(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            value = counters[k] if 0 <= k < 9 else None
            fmt = levels[k].fmt if k in levels else "decimal"
            return _format_number(value if value is not None else 1, fmt)

        return re.sub(r"%(\d)", render, level.text)


def _levels_of(abstract: Element) -> dict[int, _Level]:
    levels: dict[int, _Level] = {}
    for lvl in abstract.iterchildren(qn("w:lvl")):
        ilvl = _int_attr(lvl, "w:ilvl")
        fmt = _val(lvl.find(qn("w:numFmt"))) or "decimal"
        text = _val(lvl.find(qn("w:lvlText")))
        levels[ilvl] = _Level(
            fmt, text if text is not None else f"%{ilvl + 1}.", _int(lvl.find(qn("w:start")), 1)
        )
    return levels


def _int_attr(element: Element, attr: str) -> int:
    value = element.get(qn(attr))
    return int(value) if value is not None and str(value).isdigit() else 0


CHINESE_DIGITS = "〇一二三四五六七八九"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "chineseLegalSimplified"):
        return _chinese(n)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return HEAVENLY_STEMS[n - 1]
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return CIRCLED[n - 1] if 1 <= n <= 20 else str(n)
    if fmt in ("lowerLetter", "upperLetter") and n >= 1:
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman") and 1 <= n < 4000:
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as Word writes list numbers)."""
    if n <= 0 or n >= 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = f"{CHINESE_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += f"{CHINESE_DIGITS[tens] if (tens > 1 or hundreds) else ''}十"
    elif hundreds and ones:
        out += "零"
    if ones:
        out += CHINESE_DIGITS[ones]
    return out


def _roman(n: int) -> str:
    pairs: tuple[tuple[int, str], ...] = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"))
    pairs += ((90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in pairs:
        while n >= value:
            out, n = out + letters, n - value
    return out
