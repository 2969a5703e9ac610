"""Test-only: a .txt plan (the seed documents, the sample plans) read into blocks until the real readers land.

Lines become paragraphs; tables are recognised in the four ways the test documents write them: tab-separated
rows (a PDF's text), one cell per line ending in " |", space-separated rows under a 序号 header, and one cell
per line under a header of column words (merged cells left empty there are copied from the row above, as
the block model spreads them). A table the `[……缺……]` mark follows is flagged truncated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from seeds.importer.blocks import Block, Cell, DocumentText, Paragraph, Table

_METADATA = re.compile(r"^(?:来源|完整度)\s*[:：]")
_MARK = re.compile(r"^\[?…*缺…*\]?$")
_HEADER_WORDS = {
    "序号",
    "项目",
    "分值",
    "目标任务",
    "监考单位",
    "重点工作",
    "责任领导",
    "责任单位",
    "完成时限",
}
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_UNIT_LIKE = re.compile(r"(?:局|委|办|院|府|会|部|中心)$")
_TARGET_WORDS = re.compile(r"^(?:年终|低于|高于|不低于|不高于|≥|≤)")


@dataclass
class _Reader:
    lines: list[tuple[int, str]]  # (1-based line number, text)
    position: int = 0
    blocks: list[Block] = field(default_factory=list)

    def peek(self, offset: int = 0) -> str | None:
        index = self.position + offset
        return self.lines[index][1] if index < len(self.lines) else None


def read_text_document(path: Path) -> DocumentText:
    return text_document(path.name, path.read_text(encoding="utf-8"))


def text_document(name: str, text: str) -> DocumentText:
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if not _METADATA.match(line)]
    reader = _Reader(numbered)
    while reader.position < len(reader.lines):
        line_number, line = reader.lines[reader.position]
        table = _tab_table(reader) or _pipe_table(reader) or _space_table(reader) or _column_table(reader)
        if table is not None:
            reader.blocks.append(table)
            continue
        if line.strip():
            reader.blocks.append(Paragraph(line.strip(), f"第{line_number}行"))
        reader.position += 1
    return DocumentText(name, "txt", tuple(_flag_truncated(reader.blocks)))


def _flag_truncated(blocks: list[Block]) -> list[Block]:
    flagged: list[Block] = []
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if isinstance(block, Table) and isinstance(following, Paragraph) and _MARK.match(following.text):
            block = Table(block.rows, block.where, truncated=True)
        flagged.append(block)
    return flagged


def _table(start_line: int, rows: list[list[Cell]]) -> Table:
    width = max(len(row) for row in rows)
    padded = tuple(tuple(row) + (Cell(""),) * (width - len(row)) for row in rows)
    return Table(padded, f"第{start_line}行起的表格")


def _tab_table(reader: _Reader) -> Table | None:
    """Tab-separated rows; blank lines (page breaks) between rows stay inside the table."""
    if "\t" not in (reader.peek() or ""):
        return None
    start = reader.lines[reader.position][0]
    rows: list[list[Cell]] = []
    while (line := reader.peek()) is not None:
        if "\t" in line:
            rows.append([Cell(cell.strip()) for cell in line.split("\t")])
        elif line.strip() or "\t" not in _next_written(reader):
            break
        reader.position += 1
    return _table(start, rows)


def _next_written(reader: _Reader) -> str:
    offset = 1
    while (line := reader.peek(offset)) is not None and not line.strip():
        offset += 1
    return line or ""


def _pipe_table(reader: _Reader) -> Table | None:
    """One cell per line, each ending in " |"; the header is the cells before the first number."""
    if not (reader.peek() or "").rstrip().endswith("|"):
        return None
    start = reader.lines[reader.position][0]
    cells: list[str] = []
    while (line := reader.peek()) is not None and line.rstrip().endswith("|"):
        cells.append(line.rstrip().removesuffix("|").strip())
        reader.position += 1
    width = next((i for i, c in enumerate(cells) if c.isdigit()), len(cells)) or len(cells)
    return _table(start, [[Cell(c) for c in cells[i : i + width]] for i in range(0, len(cells), width)])


def _space_table(reader: _Reader) -> Table | None:
    """Space-separated rows under a 序号 header; a cell's further lines follow its row."""
    header = (reader.peek() or "").split()
    if len(header) < 3 or header[0] != "序号":
        return None
    start = reader.lines[reader.position][0]
    reader.position += 1
    rows: list[list[str]] = [header]
    pending: list[str] = []
    while (line := reader.peek()) is not None and line.strip() and not _MARK.match(line.strip()):
        if re.match(r"^\d+\s", line) or re.match(r"^[一二三四五六七八九十]+、", line):
            _close_row(rows, pending, len(header))
            rows.append(line.split(" ", len(header) - 1) if line[0].isdigit() else [line.strip()])
            pending = []
        else:
            pending.append(line.strip())
        reader.position += 1
    _close_row(rows, pending, len(header))
    return _table(start, [[Cell(c.strip()) for c in row] for row in rows])


def _close_row(rows: list[list[str]], pending: list[str], width: int) -> None:
    """A short row's last further line is its missing cell; the others continue the cell before it."""
    if not pending or len(rows) < 2:
        return
    row = rows[-1]
    if len(row) < width:
        *more, last = pending
        row[-1] = "\n".join([row[-1], *more])
        row.append(last)
    else:
        row[-1] = "\n".join([row[-1], *pending])


def _column_table(reader: _Reader) -> Table | None:
    """A header of column words one per line, then cells one per line: name, score, target, unit."""
    header: list[str] = []
    while (line := reader.peek(len(header))) is not None and "".join(line.split()) in _HEADER_WORDS:
        header.append("".join(line.split()))
    if len(header) < 3 or "分值" not in header:
        return None
    start = reader.lines[reader.position][0]
    reader.position += len(header)
    rows: list[list[Cell]] = [[Cell(h) for h in header]]
    category = ""
    while (line := reader.peek()) is not None and not _MARK.match(line.strip()):
        after = reader.peek(1) or ""
        if not _NUMBER.match(after):
            category = line.strip()
            reader.position += 1
            continue
        rows.append(_scored_row(reader, category, rows[-1] if len(rows) > 1 else None))
    return _table(start, rows)


def _scored_row(reader: _Reader, category: str, above: list[Cell] | None) -> list[Cell]:
    name, score = reader.peek() or "", reader.peek(1) or ""
    reader.position += 2
    target = _take(reader, lambda t: bool(_NUMBER.match(t) or _TARGET_WORDS.match(t)))
    unit = _take(reader, lambda t: bool(_UNIT_LIKE.search(t)) and len(t) <= 20)
    first = Cell(category, spanned=bool(above) and above[0].text == category)
    return [first, Cell(name), Cell(score), _or_above(target, above, 3), _or_above(unit, above, 4)]


def _take(reader: _Reader, accepts: Callable[[str], bool]) -> str | None:
    line = reader.peek()
    if line is None or _MARK.match(line.strip()) or not accepts(line.strip()):
        return None
    reader.position += 1
    return line.strip()


def _or_above(text: str | None, above: list[Cell] | None, column: int) -> Cell:
    if text is not None:
        return Cell(text)
    if above is not None and above[column].text:
        return Cell(above[column].text, spanned=True)
    return Cell("")
