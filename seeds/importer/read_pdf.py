""".pdf plans with a text layer: per page, the ruled tables and the lines outside them, top to bottom.

Tables come from pdfplumber's ruling-line finder. A merged cell comes back as one cell box plus holes (None)
where it spans; each hole is filled from the box that covers its centre, marked spanned, as the .docx reader
does. A table that runs on to the next page with nothing between is one table (a repeated header row
dropped), since a task list split by a page break is still one list.

Text outside the tables becomes paragraphs: lines that run to the right margin and are followed by a line
that does not start a new item are one paragraph wrapped by the layout, joined. The page furniture is
dropped: a page-number line ("- 3 -", "第 3 页", "3/12") at a page's top or bottom, and a first or last line
that repeats on most pages (digits ignored).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfplumber.page import Page
from pdfplumber.table import Table as PlumberTable
from pdfplumber.utils.exceptions import PdfminerException

from seeds.importer.blocks import Block, Cell, DocumentText, ImportRefused, Paragraph, Table

MAX_PAGES = 500
PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~]\s*\d+\s*[-—–－~]|第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?|\d+\s*[/／]\s*\d+|\d{1,4})$"
)
NEW_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+\s*[.．、]|附件|附表|注[:：]"
    r"|责任单位|牵头单位|配合单位|完成时限|第[一二三四五六七八九十\d]+[章节条])"
)
SCANNED = "该 PDF 没有文字层（可能是扫描件），无法识别，请发送 .docx 原文"


@dataclass(frozen=True)
class _Line:
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    number: int  # 1-based line on its page, for "第P页第L行"


@dataclass(frozen=True)
class _PageTable:
    top: float
    rows: tuple[tuple[Cell, ...], ...]
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
        rows = _table_rows(table)
        if any(c.text for r in rows for c in r):
            where = f"第{number}页的表格" if k == 1 else f"第{number}页第{k}个表格"
            tables.append(_PageTable(top=float(table.bbox[1]), rows=rows, where=where))

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
    right = max((line.x1 for line in lines), default=0.0)
    return _Page(number=number, lines=lines, tables=tables, right=right)


# ---------------------------------------------------------------------------------------------- tables


def _table_rows(table: PlumberTable) -> tuple[tuple[Cell, ...], ...]:
    texts = table.extract()
    boxes = [row.cells for row in table.rows]
    width = max((len(r) for r in boxes), default=0)
    owners = [
        (box, _cell_text(texts[r][c])) for r, row in enumerate(boxes) for c, box in enumerate(row) if box
    ]
    xs = _centres(
        [[row[c] if c < len(row) else None for row in boxes] for c in range(width)], 0, table.bbox[2]
    )
    ys = _centres(boxes, 1, table.bbox[3])
    out: list[tuple[Cell, ...]] = []
    for r, row in enumerate(boxes):
        cells: list[Cell] = []
        for c in range(width):
            if c < len(row) and row[c] is not None:
                cells.append(Cell(_cell_text(texts[r][c])))
                continue
            owner = next((t for b, t in owners if b[0] <= xs[c] <= b[2] and b[1] <= ys[r] <= b[3]), None)
            cells.append(Cell(owner, spanned=True) if owner is not None else Cell(""))
        out.append(tuple(cells))
    return tuple(out)


def _centres(groups: list[list[Any]], axis: int, far_edge: float) -> list[float]:
    """Centre of each grid column (axis 0) or row (axis 1): its cells start at the grid line, so the start is
    the least x0/top of the cells that begin there; a line hidden under merged cells is interpolated."""
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
    ends = [*filled[1:], far_edge]
    return [(a + b) / 2 for a, b in zip(filled, ends, strict=True)]


def _cell_text(text: str | None) -> str:
    if not text:
        return ""
    return "\n".join(part.strip() for part in text.splitlines() if part.strip())


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
    blocks: list[Block] = []
    for page in pages:
        items: list[tuple[float, _Line | _PageTable]] = [(line.top, line) for line in page.lines]
        items += [(table.top, table) for table in page.tables]
        items.sort(key=lambda item: item[0])
        previous: _Line | None = None
        for k, (_, item) in enumerate(items):
            if isinstance(item, _PageTable):
                _add_table(blocks, item, first_on_page=k == 0)
                previous = None
            elif (
                previous is not None
                and _wraps(previous, item, page.right)
                and isinstance(blocks[-1], Paragraph)
            ):
                last = blocks[-1]
                blocks[-1] = Paragraph(text=last.text + item.text, where=last.where)
                previous = item
            else:
                blocks.append(Paragraph(text=item.text, where=f"第{page.number}页第{item.number}行"))
                previous = item
    return blocks


def _wraps(previous: _Line, line: _Line, right: float) -> bool:
    """`line` continues `previous`: the previous line reached the margin, the gap is an ordinary line gap,
    and `line` does not begin a new numbered item or heading."""
    height = max(previous.bottom - previous.top, 1.0)
    reached_margin = previous.x1 >= right - 1.5 * height
    close = 0 <= line.top - previous.bottom <= 1.2 * height
    return reached_margin and close and not NEW_ITEM.match(line.text)


def _add_table(blocks: list[Block], table: _PageTable, first_on_page: bool) -> None:
    """A table that opens a page, straight after a table of the same width that closed the page before,
    continues it."""
    last = blocks[-1] if blocks else None
    same_width = (
        isinstance(last, Table) and last.rows and table.rows and len(last.rows[0]) == len(table.rows[0])
    )
    if first_on_page and isinstance(last, Table) and same_width:
        rows = table.rows
        if [c.text for c in rows[0]] == [c.text for c in last.rows[0]]:
            rows = rows[1:]  # the header repeated on the new page
        blocks[-1] = Table(rows=last.rows + rows, where=last.where, truncated=last.truncated)
        return
    blocks.append(Table(rows=table.rows, where=table.where))
