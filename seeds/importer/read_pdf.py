""".pdf plans with a text layer: per page, the ruled tables and the lines outside them, top to bottom.

Tables come from pdfplumber's ruling-line finder. A merged cell comes back as one cell box plus holes (None)
where it spans; each hole is filled from the box that covers its centre, marked spanned, as the .docx reader
does. pdfplumber puts tables drawn edge to edge, and rows whose column borders shift, on one grid with the
union of their rulings; such a grid is cut into runs of rows whose rulings agree, each on a grid of its own.
Tables and runs with nothing between them — on one page, or the last of a page and the first of the next —
are one table unless the later one opens with a header of its own, since a task list split by a page break
or redrawn with other column widths is still one list: a run with other rulings is laid out on the table's
columns cell by cell, and rows repeating one already read (a header repeated on a new page) are dropped.

A cell's text keeps a line break where the writer made one and joins lines the layout wrapped (市人社 | 局):
a line is wrapped when the next line's first character (or Latin word) would not have fitted after it.

Text outside the tables becomes paragraphs: lines that run to the right margin and are followed by a line
that does not start a new item are one paragraph wrapped by the layout, joined. The page furniture is
dropped: a page-number line ("- 3 -", "第 3 页", "3/12") at a page's top or bottom, and a first or last line
that repeats on most pages (digits ignored).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfplumber.page import Page
from pdfplumber.table import Table as PlumberTable
from pdfplumber.utils.exceptions import PdfminerException
from pdfplumber.utils.text import chars_to_textmap

from seeds.importer.blocks import Block, Cell, DocumentText, ImportRefused, Paragraph, Table
from seeds.importer.tables import find_layout

MAX_PAGES = 100  # a plan with its attachments runs to tens of pages; each page costs ~0.3 s to read
PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~]\s*\d+\s*[-—–－~]|第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?|\d+\s*[/／]\s*\d+|\d{1,4})$"
)
NEW_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+\s*[.．、]|附件|附表|注[:：]"
    r"|责任单位|牵头单位|配合单位|完成时限|第[一二三四五六七八九十\d]+[章节条])"
)
RULING_SLACK = 1.5  # points: two rulings this close are one
SNAP = 3.0  # points: pdfplumber moves rulings this close together onto one line
WRAP_SLACK = 2.0  # points: a line this close to filling its cell was wrapped by the layout
SCANNED = "该 PDF 没有文字层（可能是扫描件），无法识别，请发送 .docx 原文"


@dataclass(frozen=True)
class _Line:
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    number: int  # 1-based line on its page, for "第P页第L行"


Run = tuple[int, int]  # one cell as drawn: the grid columns [start, end) it covers in its row


@dataclass(frozen=True)
class _PageTable:
    """Rows that share one set of column rulings: a table, or the part of one whose columns shift."""

    top: float
    rows: tuple[tuple[Cell, ...], ...]
    runs: tuple[tuple[Run, ...], ...]  # per row, its cells as drawn, left to right
    edges: tuple[float, ...]  # the column rulings, left to right, the right edge last
    where: str


@dataclass(frozen=True)
class _Page:
    number: int
    lines: list[_Line]
    tables: list[_PageTable]
    right: float  # the text's right margin on this page


def read_pdf(path: Path, name: str) -> DocumentText:
    """Paragraphs ("第P页第L行") and tables ("第P页的表格") of a PDF that has a text layer."""
    try:
        pages = _read_pages(path, name)
    except PdfminerException as exc:
        if _is_encryption_error(exc):
            raise ImportRefused(
                f"「{name}」是加密的 PDF（设置了密码），无法读取。请取消密码后再发送。"
            ) from exc
        raise
    if not any(page.lines or page.tables for page in pages):
        raise ImportRefused(f"「{name}」：{SCANNED}。")
    blocks = _assemble(_strip_furniture(pages))
    return DocumentText(name=name, kind="pdf", blocks=tuple(blocks))


def _is_encryption_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(5):  # the pdfminer error travels in args, __cause__ or __context__
        if seen is None:
            return False
        parts = [type(seen).__name__, *(type(a).__name__ for a in seen.args), str(seen)]
        if any(w in p for p in parts for w in ("Password", "Encrypt", "password", "encrypt")):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _read_pages(path: Path, name: str) -> list[_Page]:
    with pdfplumber.open(path) as pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise ImportRefused(
                f"「{name}」有 {len(pdf.pages)} 页，超过 {MAX_PAGES} 页的上限，请拆分后再发送。"
            )
        return [_read_page(page, number) for number, page in enumerate(pdf.pages, 1)]


def _read_page(page: Page, number: int) -> _Page:
    found = page.find_tables()
    boxes = [t.bbox for t in found]
    tables = []
    for k, table in enumerate(found, 1):
        where = f"第{number}页的表格" if k == 1 else f"第{number}页第{k}个表格"
        for part in _table_parts(table, page.chars, where):
            if any(c.text for r in part.rows for c in r):
                tables.append(part)

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    raw = (
        page.filter(outside).extract_text_lines(return_chars=False)
        if boxes
        else page.extract_text_lines(return_chars=False)
    )
    lines = [
        _Line(str(d["text"]).strip(), float(d["top"]), float(d["bottom"]), float(d["x0"]), float(d["x1"]), n)
        for n, d in enumerate(sorted(raw, key=lambda d: (round(d["top"]), d["x0"])), 1)
        if str(d["text"]).strip()
    ]
    return _Page(number=number, lines=lines, tables=tables, right=_right_margin(lines))


def _right_margin(lines: list[_Line]) -> float:
    """Where full lines end: the middle of the line ends near the rightmost one. Not the rightmost itself: a
    layout lets a closing 。 or ， hang past the margin, and ends a line a character or two short of it where
    the next would have begun with punctuation."""
    if not lines:
        return 0.0
    furthest = max(line.x1 for line in lines)
    height = statistics.median(line.bottom - line.top for line in lines)
    return statistics.median(line.x1 for line in lines if line.x1 >= furthest - 3 * height)


# ---------------------------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class _Drawn:
    """One cell of a row as the page draws it: a box of the grid, or a gap with no box."""

    x0: float
    x1: float
    text: str
    box: tuple[float, float, float, float] | None
    own: bool  # the box starts in this row (else it is a merged cell reaching down from a row above)


def _table_parts(table: PlumberTable, chars: list[dict[str, Any]], where: str) -> list[_PageTable]:
    """The table's rows, cut where the column rulings change.

    pdfplumber lays one grid over every ruling line it finds, so two tables drawn edge to edge, or rows whose
    column borders sit elsewhere, come back as one grid with the union of their columns: a three-column cell
    then spans several grid columns that mean nothing to its neighbours above. Each run of rows whose rulings
    agree gets a grid of its own (a header whose cell spans two columns agrees with the rows it spans)."""
    grid = [list(row.cells) for row in table.rows]
    width = max((len(r) for r in grid), default=0)
    right, bottom = float(table.bbox[2]), float(table.bbox[3])
    starts = _starts([[row[c] if c < len(row) else None for row in grid] for c in range(width)], 0, right)
    xs = _middles(starts, right)
    ys = _middles(_starts(grid, 1, bottom), bottom)
    boxes = [b for row in grid for b in row if b is not None]
    texts = _cell_texts(boxes, [c for c in chars if _inside(c, table.bbox)])
    drawn: list[list[_Drawn]] = []
    for r, row in enumerate(grid):
        cells: list[_Drawn] = []
        for c in range(width):
            own = row[c] if c < len(row) else None
            box = own or next((b for b in boxes if b[0] <= xs[c] <= b[2] and b[1] <= ys[r] <= b[3]), None)
            if box is not None and cells and cells[-1].box == box:
                continue  # the same cell spanning this grid column too
            if box is None:
                end = starts[c + 1] if c + 1 < width else right
                cells.append(_Drawn(starts[c], end, "", None, own=True))
            else:
                owned = any(b == box for b in row if b is not None)
                cells.append(_Drawn(float(box[0]), float(box[2]), texts[box], box, own=owned))
        drawn.append(cells)
    parts: list[_PageTable] = []
    band: list[int] = []
    rulings: list[float] = []
    for r, cells in enumerate(drawn):
        lines = [d.x0 for d in cells]
        if band and not (_among(lines, rulings) or _among(rulings, lines)):
            parts.append(_band(table, drawn, band, rulings, where))
            band, rulings = [], []
        band.append(r)
        rulings = sorted({*rulings, *(x for x in lines if not _among([x], rulings))})
    if band:
        parts.append(_band(table, drawn, band, rulings, where))
    return parts


def _among(xs: list[float], rulings: list[float]) -> bool:
    return all(any(abs(x - y) <= RULING_SLACK for y in rulings) for x in xs)


def _band(
    table: PlumberTable, drawn: list[list[_Drawn]], band: list[int], rulings: list[float], where: str
) -> _PageTable:
    """Rows of one set of rulings on a grid of their own; a cell spanning columns, or reaching down from a
    row above, fills each column it covers (marked spanned but for its first column in its own row)."""
    right = max(d.x1 for r in band for d in drawn[r])
    edges = (*rulings, right)
    centres = _middles(list(rulings), right)
    rows: list[tuple[Cell, ...]] = []
    runs: list[tuple[Run, ...]] = []
    for r in band:
        cells: list[Cell] = []
        row_runs: list[Run] = []
        last: int | None = None
        for j, x in enumerate(centres):
            k = next((k for k, d in enumerate(drawn[r]) if d.x0 <= x <= d.x1), None)
            if k is not None and k == last:
                cells.append(Cell(drawn[r][k].text, spanned=True))
                row_runs[-1] = (row_runs[-1][0], j + 1)
                continue
            cell = drawn[r][k] if k is not None else None
            cells.append(Cell(cell.text, spanned=not cell.own) if cell is not None else Cell(""))
            row_runs.append((j, j + 1))
            last = k
        rows.append(tuple(cells))
        runs.append(tuple(row_runs))
    return _PageTable(float(table.rows[band[0]].bbox[1]), tuple(rows), tuple(runs), edges, where)


def _starts(groups: list[list[Any]], axis: int, far_edge: float) -> list[float]:
    """Where each grid column (axis 0) or row (axis 1) starts: its cells start at the grid line, so the start
    is the least x0/top of the cells that begin there; a line hidden under merged cells is interpolated."""
    starts: list[float | None] = [
        min((float(b[axis]) for b in group if b is not None), default=None) for group in groups
    ]
    known = [(k, s) for k, s in enumerate(starts) if s is not None]
    filled: list[float] = []
    for k, start in enumerate(starts):
        if start is None:
            before = [s for i, s in known if i < k]
            after = [s for i, s in known if i > k]
            lo = before[-1] if before else far_edge
            hi = after[0] if after else far_edge
            start = (lo + hi) / 2
        filled.append(start)
    return filled


def _middles(starts: list[float], far_edge: float) -> list[float]:
    ends = [*starts[1:], far_edge]
    return [(a + b) / 2 for a, b in zip(starts, ends, strict=True)]


def _inside(char: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return bool(box[0] <= x < box[2] and box[1] <= y < box[3])


# ---------------------------------------------------------------------------------------------- cell text


def _cell_texts(
    boxes: list[tuple[float, float, float, float]], chars: list[dict[str, Any]]
) -> dict[tuple[float, float, float, float], str]:
    """Each cell's lines, a line the layout wrapped joined to the next.

    A line is wrapped when the first word of the next line would not have fitted after it, inside the cell's
    right padding. The padding is taken as the cell's own left gap, but no wider than the table's usual one
    (a centred line's gap is no padding) and allowing for pdfplumber snapping nearby rulings together. A
    line that stops short is a break the writer made (two units on two lines) and stays a line break."""
    lines = {box: _lines([c for c in chars if _inside(c, box)]) for box in boxes}
    gaps = {box: min(line["x0"] - box[0] for line in found) for box, found in lines.items() if found}
    usual = statistics.median(gaps.values()) if gaps else 0.0
    return {
        box: _join_wraps(found, box[2] - max(min(gaps.get(box, 0.0), usual + SNAP), 0.0))
        for box, found in lines.items()
    }


def _lines(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not chars:
        return []
    found = chars_to_textmap(chars).extract_text_lines(strip=True, return_chars=True)
    return [line for line in found if str(line["text"]).strip()]


def _join_wraps(lines: list[dict[str, Any]], right: float) -> str:
    """`right`: where the cell's text may reach."""
    text = ""
    previous: dict[str, Any] | None = None
    for line in lines:
        part = str(line["text"]).strip()
        if previous is None:
            text = part
        elif previous["x1"] + _first_word_width(line) > right - WRAP_SLACK:
            text += " " + part if _latin(text[-1:]) and _latin(part[:1]) else part
        else:
            text += "\n" + part
        previous = line
    return text


def _first_word_width(line: dict[str, Any]) -> float:
    """A CJK line breaks between any two characters; a Latin one between words."""
    chars = [c for c in line["chars"] if isinstance(c, dict) and str(c.get("text", "")).strip()]
    if not chars:
        return 0.0
    end = chars[0]
    if _latin(str(end["text"])):
        for char in chars[1:]:
            if not _latin(str(char["text"])) or char["x0"] - end["x1"] > 0.5:
                break
            end = char
    return float(end["x1"] - chars[0]["x0"])


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


# ---------------------------------------------------------------------------------------------- furniture


def _normalise(text: str) -> str:
    return re.sub(r"\d+", "#", text.replace(" ", ""))


def _strip_furniture(pages: list[_Page]) -> list[_Page]:
    tops = Counter(_normalise(p.lines[0].text) for p in pages if p.lines)
    bottoms = Counter(_normalise(p.lines[-1].text) for p in pages if p.lines)
    needed = max(2, (len(pages) + 1) // 2)
    out: list[_Page] = []
    for page in pages:
        lines = list(page.lines)
        for _ in range(2):  # a header and a page number can both sit above the text
            if lines and _furniture(lines[0].text, tops, needed, len(pages)):
                lines.pop(0)
            if lines and _furniture(lines[-1].text, bottoms, needed, len(pages)):
                lines.pop()
        out.append(_Page(page.number, lines, page.tables, page.right))
    return out


def _furniture(text: str, seen: Counter[str], needed: int, pages: int) -> bool:
    compact = text.replace(" ", "")
    if PAGE_NUMBER.match(compact):
        return True
    return pages >= 2 and seen[_normalise(text)] >= needed and len(compact) <= 40


# ---------------------------------------------------------------------------------------------- assembly


def _assemble(pages: list[_Page]) -> list[Block]:
    blocks: list[Block | _Growing] = []
    for page in pages:
        items: list[tuple[float, _Line | _PageTable]] = [(line.top, line) for line in page.lines]
        items += [(table.top, table) for table in page.tables]
        items.sort(key=lambda item: item[0])
        previous: _Line | None = None
        for k, (_, item) in enumerate(items):
            if isinstance(item, _PageTable):
                last = blocks[-1] if blocks else None
                adjacent = k == 0 or isinstance(items[k - 1][1], _PageTable)
                if not (isinstance(last, _Growing) and adjacent and last.take(item)):
                    blocks.append(_Growing(item))
                previous = None
            elif (
                previous is not None
                and _wraps(previous, item, page.right)
                and isinstance(blocks[-1], Paragraph)
            ):
                last_paragraph = blocks[-1]
                blocks[-1] = Paragraph(text=last_paragraph.text + item.text, where=last_paragraph.where)
                previous = item
            else:
                blocks.append(Paragraph(text=item.text, where=f"第{page.number}页第{item.number}行"))
                previous = item
    return [b.table() if isinstance(b, _Growing) else b for b in blocks]


def _wraps(previous: _Line, line: _Line, right: float) -> bool:
    """`line` continues `previous`: the previous line reached the margin, the gap is an ordinary line gap,
    and `line` does not begin a new numbered item or heading."""
    height = max(previous.bottom - previous.top, 1.0)
    reached_margin = previous.x1 >= right - 1.5 * height
    close = 0 <= line.top - previous.bottom <= 1.2 * height
    return reached_margin and close and not NEW_ITEM.match(line.text)


class _Growing:
    """A table being read: its first part, then every part that continues it.

    A part continues the table when nothing stands between them (it opens the next page, or is drawn right
    under it) and it brings no header of its own other than the table's. Rows that repeat a row already
    read (the header, or a row Word or a PDF writer repeats at the top of a page) are dropped. A part whose
    column rulings differ is laid out on the table's columns cell by cell: a row of as many cells as a row
    already read takes that row's layout; a row with more cells than any carries a category after its first
    cell (as tables.py reads a PDF row wider than its header); any other by where its cells sit."""

    def __init__(self, first: _PageTable) -> None:
        self.where = first.where
        self.edges = first.edges
        self.rows: list[tuple[Cell, ...]] = list(first.rows)
        self.runs: list[tuple[Run, ...]] = list(first.runs)

    def take(self, part: _PageTable) -> bool:
        own = _header(list(part.rows), list(part.runs), part.where)
        if own is not None and own != _header(self.rows, self.runs, self.where):
            return False
        same = len(part.edges) == len(self.edges) and all(
            abs(a - b) <= RULING_SLACK for a, b in zip(part.edges, self.edges, strict=True)
        )
        seen = {_texts(row, runs) for row, runs in zip(self.rows, self.runs, strict=True)}
        leading = True
        for row, runs in zip(part.rows, part.runs, strict=True):
            if not same:
                row, runs = self._lay_out(row, runs, part.edges)
            if leading and _texts(row, runs) in seen and any(c.text for c in row):
                continue
            leading = False
            self.rows.append(row)
            self.runs.append(runs)
        return True

    def table(self) -> Table:
        width = max((len(r) for r in self.rows), default=0)
        rows = tuple(r + (Cell(""),) * (width - len(r)) for r in self.rows)
        return Table(rows=rows, where=self.where)

    def _lay_out(
        self, row: tuple[Cell, ...], runs: tuple[Run, ...], edges: tuple[float, ...]
    ) -> tuple[tuple[Cell, ...], tuple[Run, ...]]:
        cells = [row[start] for start, _ in runs]
        templates = {len(r): r for r in self.runs}  # the last row read with that many cells
        if len(cells) in templates:
            return _spread(cells, templates[len(cells)])
        if max(templates) < len(cells):
            template = templates[max(templates)]
            extra = len(cells) - len(template)
            first, rest = template[0], template[1:]
            shifted = tuple((a + extra, b + extra) for a, b in rest)
            head, head_runs = _spread(cells[:1], (first,))
            tail, tail_runs = _spread(cells[1 + extra :], shifted)
            middle = tuple(cells[1 : 1 + extra])
            middle_runs = tuple((first[1] + i, first[1] + i + 1) for i in range(extra))
            return head + middle + tail, head_runs + middle_runs + tail_runs
        return self._by_position(cells, runs, edges)

    def _by_position(
        self, cells: list[Cell], runs: tuple[Run, ...], edges: tuple[float, ...]
    ) -> tuple[tuple[Cell, ...], tuple[Run, ...]]:
        """Each of the table's columns takes the cell drawn over its centre, the part's width stretched to
        the table's."""
        left, right = edges[0], edges[-1]
        scale = (self.edges[-1] - self.edges[0]) / max(right - left, 1.0)
        spans = [
            (self.edges[0] + (edges[a] - left) * scale, self.edges[0] + (edges[b] - left) * scale)
            for a, b in runs
        ]
        out: list[Cell] = []
        out_runs: list[Run] = []
        last: int | None = None
        for j, x in enumerate(_middles(list(self.edges[:-1]), self.edges[-1])):
            k = min(range(len(spans)), key=lambda i: _distance(spans[i], x))
            if k == last:
                out.append(Cell(cells[k].text, spanned=True))
                out_runs[-1] = (out_runs[-1][0], j + 1)
            else:
                out.append(cells[k])
                out_runs.append((j, j + 1))
            last = k
        return tuple(out), tuple(out_runs)


def _distance(span: tuple[float, float], x: float) -> float:
    return 0.0 if span[0] <= x <= span[1] else min(abs(x - span[0]), abs(x - span[1]))


def _spread(cells: list[Cell], runs: tuple[Run, ...]) -> tuple[tuple[Cell, ...], tuple[Run, ...]]:
    out: list[Cell] = []
    for cell, (start, end) in zip(cells, runs, strict=True):
        out.append(cell)
        out.extend(Cell(cell.text, spanned=True) for _ in range(start + 1, end))
    return tuple(out), runs


def _texts(row: tuple[Cell, ...], runs: tuple[Run, ...]) -> tuple[str, ...]:
    return tuple(row[start].text for start, _ in runs)


def _header(rows: list[tuple[Cell, ...]], runs: list[tuple[Run, ...]], where: str) -> tuple[str, ...] | None:
    """The header a table opens with, as its cells say it, if it has one."""
    layout = find_layout(Table(rows=tuple(rows[:4]), where=where))
    return None if layout is None else _texts(rows[layout.header_row], runs[layout.header_row])
