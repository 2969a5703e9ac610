"""Plain-text plans: lines become paragraphs; the four ways a table survives a copy into text become tables.

A table pasted or exported into text arrives in one of these shapes (all seen in real plans):
  - tab-separated rows, one row a line (a cell wrapped onto the next line has no leading number);
  - space-separated rows under a space-separated header, a cell's second unit on a line of its own;
  - pipe cells, one cell a line ending in " |";
  - bare cells, one cell a line, under a header written one cell a line.
Each shape is recognised only from a header of known column names; rows are split only where the split is
certain (a serial number, a score, a pipe). Where it is not, the lines stay paragraphs: a recogniser can still
read a paragraph, but a wrongly split row would hand it a task under the wrong unit.

A section heading inside a table (一、… between rows) becomes a full-width row, its copies marked spanned,
exactly as a merged row comes out of the .docx and .pdf readers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from seeds.importer.blocks import Block, Cell, DocumentText, ImportRefused, Paragraph, Table

SECTION = re.compile(r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[）)])")
MISSING = re.compile(r"^\[\s*…*\s*缺\s*…*\s*\]$")  # the corpus's "[……缺……]": the text stops here
NOTE = re.compile(r"^(?:注|备注|说明|附件|附表)\s*[:：0-9１-９]")
SERIAL = re.compile(r"^\d{1,3}$")
NUMBERED_ITEM = re.compile(r"^\d{1,3}\s*[.．、]")
SCORE = re.compile(r"^\d{1,3}(?:\.\d+)?$")
UNIT_LIKE = re.compile(r"(?:局|委|办|室|会|中心|政府|院|集团|部|站|所|队|行|处|厅|科|公司|单位)$")
RESPONSIBLE = re.compile(r"单位|科室|部门|领导|责任|牵头")
HEADER_WORDS = (
    "序号", "编号", "项目", "任务", "工作", "举措", "措施", "内容", "单位", "科室", "部门", "领导", "责任",
    "牵头", "配合", "协同", "时限", "时间", "节点", "进度", "指标", "分值", "分数", "权重", "目标", "备注",
    "类别", "类型", "预期", "名称", "基期", "基数", "现状", "计量", "基准", "频次", "频率", "周期",
)  # fmt: skip
HEADER_PUNCT = re.compile(r"[。，,；;：:！？!?、]")
TEXT_CONTROLS = {"\t", "\n", "\r", "\x0b", "\x0c", "\x1a"}


def decode_text(data: bytes) -> str | None:
    """The text of `data` if it is text in UTF-16 (with BOM), UTF-8 (BOM or not) or GB18030/GBK; else None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode"
        encodings: tuple[str, ...] = ("utf-16",)
    elif data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    elif b"\x00" in data:
        return None
    else:
        encodings = ("utf-8", "gb18030")  # strict: GB18030 would otherwise "decode" any binary file
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text if _looks_like_text(text) else None
    return None


def _looks_like_text(text: str) -> bool:
    return not any(unicodedata.category(ch) == "Cc" and ch not in TEXT_CONTROLS for ch in text)


def read_txt(data: bytes, name: str) -> DocumentText:
    """Paragraphs (one per non-blank line, "第N行") and the tables written as text, in document order."""
    text = decode_text(data)
    if text is None:
        raise ImportRefused(
            f"无法识别「{name}」的文字编码（支持 UTF-8、GB18030/GBK），请另存为 UTF-8 后再发送。"
        )
    if not text.replace("\ufeff", "").strip():
        raise ImportRefused(f"文件为空：「{name}」里只有空白。")
    lines = re.split(r"\r\n|\r|\n", text)
    return DocumentText(name=name, kind="txt", blocks=tuple(parse_lines(lines)))


def parse_lines(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        found = _table_at(lines, i)
        if found is not None:
            table, i = found
            blocks.append(table)
            continue
        blocks.append(Paragraph(text=line, where=f"第{i + 1}行"))
        i += 1
    return blocks


def _table_at(lines: list[str], i: int) -> tuple[Table, int] | None:
    for shape in (_tab_table, _pipe_table, _space_table, _column_table):
        found = shape(lines, i)
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------------------------------------- drafts


@dataclass
class _Draft:
    """A table being read: rows of text, some of them section rows that span the whole width."""

    header: list[str]
    start: int  # 0-based index of the header's first line
    rows: list[list[str]] = field(default_factory=list)
    sections: set[int] = field(default_factory=set)
    truncated: bool = False

    @property
    def width(self) -> int:
        return len(self.header)

    def add_row(self, cells: list[str]) -> None:
        self.rows.append(cells)

    def add_section(self, text: str) -> None:
        self.sections.add(len(self.rows))
        self.rows.append([text])

    def last_data_row(self) -> list[str] | None:
        for k in range(len(self.rows) - 1, -1, -1):
            if k not in self.sections:
                return self.rows[k]
        return None

    def has_body(self) -> bool:
        return bool(self.rows) or self.truncated

    def table(self) -> Table:
        data = [r for k, r in enumerate(self.rows) if k not in self.sections]
        width = max([self.width, *(len(r) for r in data)])
        rows = [_fit(self.header, self.width, width)]
        for k, row in enumerate(self.rows):
            if k in self.sections:
                rows.append((Cell(row[0]), *(Cell(row[0], spanned=True) for _ in range(width - 1))))
            else:
                rows.append(_fit(row, self.width, width))
        return Table(rows=tuple(rows), where=f"第{self.start + 1}行起的表格", truncated=self.truncated)


def _fit(cells: list[str], header_width: int, width: int) -> tuple[Cell, ...]:
    """A row as wide as the table. Where some rows carry an extra column (a category split out of the content
    column, as in the Fuzhou task list), a row written at the header's width spreads its second cell, the
    content, over the extra columns, as Word would show a content cell merged across them."""
    if len(cells) == header_width and width > header_width >= 2:
        extra = width - header_width
        return (
            Cell(cells[0]),
            Cell(cells[1]),
            *(Cell(cells[1], spanned=True) for _ in range(extra)),
            *(Cell(c) for c in cells[2:]),
        )
    return tuple(Cell(c) for c in [*cells, *([""] * (width - len(cells)))])


def _is_header_cell(text: str) -> bool:
    compact = text.replace(" ", "").replace("\u3000", "")
    if not 0 < len(compact) <= 12 or HEADER_PUNCT.search(compact):
        return False
    return any(word in compact for word in HEADER_WORDS)


def _header_ok(cells: list[str]) -> bool:
    """At least three column names, one of them naming who is responsible: prose never looks like that."""
    return (
        len(cells) >= 3
        and all(_is_header_cell(c) for c in cells)
        and any(RESPONSIBLE.search(c) for c in cells)
    )


def _is_serial_header(text: str) -> bool:
    return text.replace(" ", "") in ("序号", "编号", "序", "No", "NO", "No.")


def _next_nonblank(lines: list[str], j: int) -> int | None:
    while j < len(lines):
        if lines[j].strip():
            return j
        j += 1
    return None


def _join(a: str, b: str) -> str:
    return f"{a}\n{b}" if a else b


def _append_to_last(row: list[str], text: str) -> None:
    """A wrapped line continues the last cell that has text (a trailing empty cell was never written)."""
    for k in range(len(row) - 1, -1, -1):
        if row[k]:
            row[k] = _join(row[k], text)
            return
    row[-1] = _join(row[-1], text)


def _ends_table(line: str) -> bool:
    return bool(NOTE.match(line) or SECTION.match(line) or MISSING.match(line))


# ---------------------------------------------------------------------------------------------- tabs


def _split_tabs(raw: str) -> list[str]:
    return [c.strip() for c in raw.split("\t")] if "\t" in raw else []


def _tab_table(lines: list[str], i: int) -> tuple[Table, int] | None:
    header = _split_tabs(lines[i])
    if not _header_ok(header):
        return None
    draft = _Draft(header, i)
    serial = _is_serial_header(header[0])

    def is_row(k: int) -> bool:
        cells = _split_tabs(lines[k])
        return bool(cells) and (not serial or bool(SERIAL.match(cells[0])))

    j, after_blank = i + 1, False
    while j < len(lines):
        line = lines[j].strip()
        if not line:
            after_blank, j = True, j + 1  # page breaks leave blank lines between rows
            continue
        if MISSING.match(line):
            draft.truncated = True
            break
        if not _tab_line(draft, lines, j, is_row, after_blank):
            break
        after_blank, j = False, j + 1
    last = draft.last_data_row()
    if last is None:
        return None
    if j >= len(lines) and len(last) < draft.width:
        draft.truncated = True
    return draft.table(), j


def _tab_line(
    draft: _Draft, lines: list[str], j: int, is_row: Callable[[int], bool], after_blank: bool
) -> bool:
    """Take line j into the table; False when it is not the table's."""
    line, cells = lines[j].strip(), _split_tabs(lines[j])
    last = draft.last_data_row()
    if cells and is_row(j):
        draft.add_row(_trim(cells, draft.width))
        return True
    if cells:  # tabbed, but no serial: the rest of a row whose cell wrapped
        return last is not None and not after_blank and _continue_cells(last, cells, draft.width)
    nxt = _next_nonblank(lines, j + 1)
    if SECTION.match(line) and nxt is not None and is_row(nxt):
        draft.add_section(line)
        return True
    if last is not None and not after_blank and not _ends_table(line):
        _append_to_last(last, line)
        return True
    return False


def _trim(cells: list[str], width: int) -> list[str]:
    while len(cells) > width and not cells[-1]:
        cells.pop()  # trailing tabs
    return cells


def _continue_cells(row: list[str], cont: list[str], width: int) -> bool:
    """A tabbed line without a serial: its first piece finishes the row's last cell, the rest follow it; if
    the row is already full, the pieces finish its last cells, right-aligned."""
    n, k = len(row), len(cont)
    if n + k - 1 <= width:
        row[-1] = _join(row[-1], cont[0])
        row.extend(cont[1:])
        return True
    if k <= n:
        for m, piece in enumerate(cont):
            if piece:
                row[n - k + m] = _join(row[n - k + m], piece)
        return True
    return False


# ---------------------------------------------------------------------------------------------- spaces


def _space_table(lines: list[str], i: int) -> tuple[Table, int] | None:
    header = lines[i].split()
    if not _header_ok(header) or not _is_serial_header(header[0]):
        return None
    draft = _Draft(header, i)

    def is_row(k: int) -> bool:
        tokens = lines[k].split()
        return bool(tokens) and bool(SERIAL.match(tokens[0])) and 2 <= len(tokens) <= draft.width

    pending: list[str] = []  # lines after a row without a serial: its cells broken onto lines of their own
    j = i + 1
    while j < len(lines):
        line = lines[j].strip()
        nxt = _next_nonblank(lines, j + 1)
        if not line:
            if nxt is not None and is_row(nxt):
                j += 1
                continue
            break
        if MISSING.match(line):
            draft.truncated = True
            break
        if is_row(j):
            _flush(draft, pending)
            draft.add_row(line.split())
        elif SECTION.match(line) and nxt is not None and is_row(nxt):
            _flush(draft, pending)
            draft.add_section(line)
        elif SERIAL.match(line.split()[0]):
            break  # a numbered row with more pieces than columns: no certain split, it stays a paragraph
        elif draft.last_data_row() is not None and not _ends_table(line) and len(pending) < draft.width:
            pending.append(line)
        else:
            break
        j += 1
    _flush(draft, pending)
    last = draft.last_data_row()
    if last is None:
        return None
    if j >= len(lines) and len(last) < draft.width:
        draft.truncated = True
    return draft.table(), j


def _flush(draft: _Draft, pending: list[str]) -> None:
    """Place a row's own-line pieces. The last ones fill its missing cells from the right; any before them are
    a second line of the cell they follow (谯城: 区财政局 / 区税务局 are both the lead unit)."""
    row = draft.last_data_row()
    if row is None or not pending:
        pending.clear()
        return
    missing = draft.width - len(row)
    if missing <= 0:
        for piece in pending:
            row[-1] = _join(row[-1], piece)
    elif len(pending) >= missing:
        cut = len(pending) - missing
        for piece in pending[:cut]:
            row[-1] = _join(row[-1], piece)
        row.extend(pending[cut:])
    else:
        row.extend(pending)
    pending.clear()


# ---------------------------------------------------------------------------------------------- pipes


@dataclass(frozen=True)
class _PipeCell:
    text: str
    next: int  # index of the line after the cell
    complete: bool  # ended in "|"; False when the text stopped first


def _read_pipe_cell(lines: list[str], j: int) -> _PipeCell | None:
    parts: list[str] = []
    k = j
    while k < len(lines) and len(parts) <= 8:
        line = lines[k].strip()
        if not line or MISSING.match(line):
            break
        if line.endswith("|"):
            parts.append(line[:-1].strip())
            return _PipeCell("\n".join(parts), k + 1, True)
        parts.append(line)
        k += 1
    if parts and (k >= len(lines) or MISSING.match(lines[k].strip())):
        return _PipeCell("\n".join(parts), k, False)  # the document stops mid-cell
    return None


def _pipe_table(lines: list[str], i: int) -> tuple[Table, int] | None:
    header: list[str] = []
    j = i
    while (cell := _read_pipe_cell(lines, j)) is not None:
        if not cell.complete or "\n" in cell.text or not _is_header_cell(cell.text):
            break
        header.append(cell.text)
        j = cell.next
    if not _header_ok(header):
        return None
    draft = _Draft(header, i)
    j = _pipe_rows(draft, lines, j)
    return (draft.table(), j) if draft.has_body() else None


def _pipe_rows(draft: _Draft, lines: list[str], j: int) -> int:
    serial = _is_serial_header(draft.header[0])
    current: list[str] = []
    row_start = j
    while j < len(lines):
        if MISSING.match(lines[j].strip()):
            draft.truncated = True
            break
        cell = _read_pipe_cell(lines, j)
        if cell is None or (not current and serial and not SERIAL.match(cell.text)):
            break
        if not current:
            row_start = j
        current.append(cell.text)
        j = cell.next
        if not cell.complete:
            draft.truncated = True
            break
        if len(current) == draft.width:
            draft.add_row(current)
            current = []
    if current and (draft.truncated or j >= len(lines)):
        draft.add_row(current)
        draft.truncated = True
    elif current:
        j = row_start  # a half row before ordinary text: not certain enough, leave it to the paragraphs
    return j


# ---------------------------------------------------------------------------------------- one cell a line


def _column_table(lines: list[str], i: int) -> tuple[Table, int] | None:
    header: list[str] = []
    j, after = i, i
    while j < len(lines):
        line = lines[j].strip()
        if line:
            if len(line.split()) > 2 or not _is_header_cell(line):
                break
            header.append(line)
            after = j + 1
        j += 1
    if not _header_ok(header):
        return None
    draft = _Draft(header, i)
    score = [k for k, h in enumerate(header) if re.search("分值|分数|权重", h)]
    j = _score_rows(draft, lines, after) if score == [1] else _item_rows(draft, lines, after)
    return (draft.table(), j) if draft.has_body() else None


def _item_rows(draft: _Draft, lines: list[str], j: int) -> int:
    """Rows that start at a serial (序号 column) or a numbered item (1.…), the following lines its cells."""
    serial = _is_serial_header(draft.header[0])

    def is_start(k: int) -> bool:
        line = lines[k].strip()
        return bool(SERIAL.match(line)) if serial else bool(NUMBERED_ITEM.match(line))

    current: list[str] | None = None
    row_start = j
    stopped_at_end = True
    while j < len(lines):
        line = lines[j].strip()
        nxt = _next_nonblank(lines, j + 1)
        if not line:
            j += 1
            continue
        if MISSING.match(line):
            draft.truncated = True
            break
        if is_start(j):
            if current is not None:
                draft.add_row(current)
            current, row_start = [line], j
        elif SECTION.match(line) and nxt is not None and is_start(nxt):
            if current is not None:
                draft.add_row(current)
            current = None
            draft.add_section(line)
        elif current is not None and len(current) < draft.width:
            current.append(line)
        else:
            stopped_at_end = False
            break
        j += 1
    if current is not None:
        complete = len(current) == draft.width
        if complete or draft.truncated or stopped_at_end:
            draft.add_row(current)
            draft.truncated = draft.truncated or not complete
        else:
            j = row_start
    return j


def _score_rows(draft: _Draft, lines: list[str], j: int) -> int:
    """An indicator table (项目 / 分值 / 目标任务 / 责任单位): every row has a name and then a score, but the
    cells after the score are written only where the document did not merge them with the row above. A
    score is a number whose line before is not a number; a unit is told from a target by its ending (局, 委…).
    Lines left over (宏观调控, a category merged down the first column) become section rows."""
    body: list[str] = []
    while j < len(lines) and lines[j].strip():
        line = lines[j].strip()
        if MISSING.match(line):
            draft.truncated = True
            break
        body.append(line)
        j += 1
    scores = [k for k in range(1, len(body)) if SCORE.match(body[k]) and not SCORE.match(body[k - 1])]
    if len(scores) < 2:
        return j
    for text in body[: scores[0] - 1]:
        draft.add_section(text)
    for n, k in enumerate(scores):
        end = scores[n + 1] - 1 if n + 1 < len(scores) else len(body)
        row, leftovers = _score_row(draft.header, body[k - 1], body[k], body[k + 1 : end])
        draft.add_row(row)
        for text in leftovers:
            draft.add_section(text)
    last = draft.last_data_row()
    if j >= len(lines) and last is not None and "" in last:
        draft.truncated = True  # the file ends inside the table's last row
    return j


def _score_row(header: list[str], name: str, score: str, tail: list[str]) -> tuple[list[str], list[str]]:
    row = [name, score, *([""] * (len(header) - 2))]
    units = [c for c in range(2, len(header)) if RESPONSIBLE.search(header[c])]
    others = [c for c in range(2, len(header)) if c not in units]
    leftovers: list[str] = []
    last = 1  # cells come in column order: nothing goes left of a cell already placed
    for text in tail:
        unit_like = len(text) <= 40 and bool(UNIT_LIKE.search(text))
        free = [c for c in (units if unit_like else others) if c > last]
        if free:
            row[free[0]], last = text, free[0]
        else:
            leftovers.append(text)
    return row, leftovers
