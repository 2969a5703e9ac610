"""Task tables and indicator tables: a header row names the columns, every row below is one item.

Pure. Columns are known by their header words (任务内容, 牵头单位, 完成时限, 预期值 …), never by position.
A category column (its cells merged down several rows) gives each row its section; so does a category row
(一、2025年经济社会发展的主要预期目标) standing alone inside the table. A PDF's text loses the merge and
writes the category once, in one row of the run, as an extra cell after 序号: such rows share the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from seeds.importer.blocks import Cell, Table
from seeds.importer.draft import Problem
from seeds.importer.items import Found, RawIndicator, RawTask, UnitCell
from seeds.importer.text import cell_text, numbered, tidy, without_star

Column = Literal[
    "number", "leader", "lead", "co", "units", "deadline", "uom", "baseline", "target", "indicator", "task",
    "category", "score", "frequency", "other",
]  # fmt: skip

# First match wins: 主要责任单位 is a lead column before a 责任单位 one, 目标任务 a target before a task.
_COLUMN_WORDS: tuple[tuple[Column, str], ...] = (
    ("number", r"^序号$|^编号$"),
    ("frequency", r"频次|频率|报送周期|统计周期|监测周期|报送时间"),
    ("leader", r"领导"),
    ("lead", r"牵头单位|牵头部门|主要责任单位|主责单位"),
    ("co", r"配合单位|协同单位|协办单位|参与单位"),
    ("units", r"责任单位|责任科室|责任部门|承办单位|监考单位|考核单位|实施单位"),
    ("deadline", r"完成时限|时间节点|完成时间|时限|完成期限|时间要求"),
    ("uom", r"^(?:计量)?单位$"),
    ("baseline", r"基期值|基数|现状值|基期"),
    ("target", r"目标值|预期值|目标任务|^(?:\d{4}年)?(?:目标|预期)$|预期目标|指标值"),
    ("indicator", r"^指标$|主要指标|指标名称|^项目$"),
    ("task", r"任务|重点工作|落实举措|工作内容|工作措施"),
    ("score", r"分值|权重"),
    ("category", r"^(?:类别|类型|分类|领域|板块)$"),
)
# Of several task-like columns the most specific is the task, the others categories (重点任务 / 落实举措).
_TASK_PRIORITY = ("落实举措", "任务内容", "工作任务", "重点工作任务", "具体任务", "重点工作", "重点任务")


@dataclass(frozen=True)
class Layout:
    header_row: int
    columns: tuple[Column, ...]

    def first(self, kind: Column) -> int | None:
        return self.columns.index(kind) if kind in self.columns else None

    @property
    def is_indicators(self) -> bool:
        return "indicator" in self.columns and "target" in self.columns

    @property
    def is_tasks(self) -> bool:
        return "task" in self.columns


@dataclass(frozen=True)
class Row:
    index: int  # 0-based row in the table
    cells: tuple[Cell, ...]
    extra: tuple[Cell, ...]  # cells beyond the header's width: a category the PDF's text kept in one row


def recognise_table(table: Table) -> Found:
    layout = find_layout(table)
    if layout is None or not (layout.is_tasks or layout.is_indicators):
        return _unread(table, layout)
    rows = _item_rows(table, layout)
    found = Found()
    if table.truncated and rows:
        cut = rows.pop()
        number = _number_of(cut, layout) or str(len(rows) + 1)
        found.problems.append(Problem(_where(table, cut), f"第{number}项在文档中被截断，未导入"))
    sections = _sections(table, layout, rows)
    position = 0
    for row, section in zip(rows, sections, strict=True):
        if _is_category_row(row, layout):
            continue
        position += 1
        number = _number_of(row, layout) or str(position)
        if layout.is_indicators:
            found.indicators.append(_indicator(table, layout, row, number))
        else:
            found.tasks.append(_task(table, layout, row, number, section))
    return found


def _unread(table: Table, layout: Layout | None) -> Found:
    """A table that names indicators or tasks but lacks a column they need is reported, never passed over
    in silence: its items would be missing from the draft with nothing said."""
    found = Found()
    if layout is not None and len(table.rows) > layout.header_row + 1:
        header = "｜".join(cell_text(c) for c in table.rows[layout.header_row] if cell_text(c))
        found.problems.append(
            Problem(table.where, f"表格（表头：{header}）缺少目标值或任务内容列，未能导入，请核对后补录")
        )
    return found


def find_layout(table: Table) -> Layout | None:
    """The first of the top rows whose cells name a task or indicator column and one more known column."""
    for index, row in enumerate(table.rows[:4]):
        columns = _split_spans(row, _classify([_header_key(cell) for cell in row]))
        known = [c for c in columns if c not in ("other", "category")]
        if len(known) >= 2 and ("task" in columns or "indicator" in columns):
            return Layout(index, columns)
    return None


def _header_key(cell: Cell) -> str:
    return "".join(cell_text(cell).split())


def _classify(keys: list[str]) -> tuple[Column, ...]:
    columns: list[Column] = [_column_of(key) for key in keys]
    tasks = [i for i, c in enumerate(columns) if c == "task"]
    if len(tasks) > 1:
        ranked = sorted(
            tasks, key=lambda i: next((p for p, w in enumerate(_TASK_PRIORITY) if w in keys[i]), 99)
        )
        for index in ranked[1:]:
            columns[index] = "category"
    return tuple(columns)


def _split_spans(header: tuple[Cell, ...], columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """A header cell spread over two columns (任务内容 over a category and the task): the right one is the
    column the header names, the left one holds the category in the rows that split it."""
    split = list(columns)
    for index in range(1, len(header)):
        cell = header[index]
        if (
            cell.spanned
            and cell.text == header[index - 1].text
            and split[index - 1] not in ("other", "number")
        ):
            split[index], split[index - 1] = split[index - 1], "category"
    return tuple(split)


def _column_of(key: str) -> Column:
    if not key:
        return "other"
    return next((kind for kind, words in _COLUMN_WORDS if re.search(words, key)), "other")


def _item_rows(table: Table, layout: Layout) -> list[Row]:
    width = _filled_width(table.rows[layout.header_row])
    header = [_header_key(c) for c in table.rows[layout.header_row]]
    rows: list[Row] = []
    for index in range(layout.header_row + 1, len(table.rows)):
        cells = table.rows[index]
        if [_header_key(c) for c in cells] == header or not any(c.text.strip() for c in cells):
            continue  # the header repeated on a new page, or an empty line
        rows.append(_fit(index, cells, width, layout))
    return rows


def _filled_width(cells: tuple[Cell, ...]) -> int:
    return max((i + 1 for i, c in enumerate(cells) if c.text.strip() or c.spanned), default=0)


def _fit(index: int, cells: tuple[Cell, ...], width: int, layout: Layout) -> Row:
    """A row wider than the header has category cells; they sit after 序号 (or first, without one)."""
    extra = _filled_width(cells) - width
    if extra <= 0:
        return Row(index, cells[:width] + (Cell(""),) * (width - len(cells)), ())
    start = 1 if layout.columns[:1] == ("number",) else 0
    return Row(index, cells[:start] + cells[start + extra : width + extra], cells[start : start + extra])


def _number_of(row: Row, layout: Layout) -> str | None:
    """The 序号 cell, else the "1." a table without one writes at the start of the row."""
    column = layout.first("number")
    if column is not None:
        text = cell_text(row.cells[column])
        return text if text.isdigit() else None
    first = next((cell_text(c) for c in row.cells if c.text.strip()), "")
    found = numbered(first)
    return found.number if found is not None and found.level == "item" else None


def _sections(table: Table, layout: Layout, rows: list[Row]) -> list[str | None]:
    """Each item row's section: its category cell, else the category row above it."""
    merged = _fill_runs(
        [_category_of(row, layout) if row.extra else None for row in rows], [False] * len(rows)
    )
    spread = [
        any(c.spanned for c, k in zip(row.cells, layout.columns, strict=False) if k == "category")
        for row in rows
    ]
    down = _fill_runs([_column_category(row, layout) for row in rows], spread)
    current: str | None = None
    sections: list[str | None] = []
    for row, from_extra, from_column in zip(rows, merged, down, strict=True):
        if _is_category_row(row, layout):
            current = _category_text(row.cells)
            sections.append(None)
            continue
        sections.append(from_extra or from_column or current)
    return sections


def _category_of(row: Row, layout: Layout) -> str:
    return "".join("".join(tidy(c.text).split()) for c in row.extra)


def _column_category(row: Row, layout: Layout) -> str | None:
    """The row's category cell: None where the row spans it (the cell to its right a copy of it)."""
    texts: list[str] = []
    for i, column in enumerate(layout.columns):
        if column != "category":
            continue
        right = row.cells[i + 1] if i + 1 < len(row.cells) else None
        if right is not None and right.spanned and right.text == row.cells[i].text:
            continue
        texts.append("".join(tidy(row.cells[i].text).split()))
    return "".join(texts) if texts else None


def _fill_runs(values: list[str | None], spread: list[bool]) -> list[str | None]:
    """Within a run of rows that carry a category, a blank one shares the run's text (the merged cell's
    text stands in one row of it) — unless the reader spread the merge itself: then a blank is blank."""
    filled = list(values)
    start = 0
    while start < len(values):
        if values[start] is None:
            start += 1
            continue
        end = start
        while end < len(values) and values[end] is not None:
            end += 1
        text = None if any(spread[start:end]) else next((v for v in values[start:end] if v), None)
        for i in range(start, end):
            filled[i] = values[i] or text
        start = end
    return filled


def _is_category_row(row: Row, layout: Layout) -> bool:
    """A row with no number whose every written cell says the same thing (one cell spread across)."""
    if _number_of(row, layout) is not None:
        return False
    texts = {tidy(c.text) for c in row.cells + row.extra if c.text.strip()}
    return len(texts) == 1


def _category_text(cells: tuple[Cell, ...]) -> str:
    return next(tidy(c.text) for c in cells if c.text.strip())


def _where(table: Table, row: Row) -> str:
    return f"{table.where}第{row.index + 1}行"


def _units(layout: Layout, row: Row) -> tuple[UnitCell, ...]:
    cells: list[UnitCell] = []
    for kind in ("lead", "units", "co"):
        for i, column in enumerate(layout.columns):
            if column == kind and row.cells[i].text.strip():
                cells.append(UnitCell(row.cells[i].text, "listed" if kind == "units" else kind))
    return tuple(cells)


def _text_at(row: Row, layout: Layout, kind: Column) -> str | None:
    column = layout.first(kind)
    return cell_text(row.cells[column]) if column is not None else None


def _task(table: Table, layout: Layout, row: Row, number: str, section: str | None) -> RawTask:
    content, featured = without_star(_text_at(row, layout, "task") or "")
    return RawTask(
        number=number,
        content=content,
        unit_cells=_units(layout, row),
        leader=_text_at(row, layout, "leader") or None,
        deadline_text=_text_at(row, layout, "deadline"),
        featured=featured,
        section=section,
        where=_where(table, row),
    )


def _indicator(table: Table, layout: Layout, row: Row, number: str) -> RawIndicator:
    uom = _text_at(row, layout, "uom")
    return RawIndicator(
        number=number,
        name=_text_at(row, layout, "indicator") or "",
        value_text=_text_at(row, layout, "target") or "",
        unit_of_measure="".join(uom.split()) or None if uom is not None else None,
        baseline_text=_text_at(row, layout, "baseline") or None,
        unit_cells=_units(layout, row),
        where=_where(table, row),
        baseline_year=_header_year(table, layout, "baseline"),
        report_rule=report_rule(_text_at(row, layout, "frequency") or ""),
    )


_REPORT_RULES = (
    (r"半年", "half-yearly"),
    (r"季", "quarterly"),
    (r"月", "monthly"),
    (r"年", "yearly"),
)


def report_rule(words: str) -> str | None:
    """按月报送 · 每季度 · 半年 · 年度: how often an indicator's figure is reported; None when not said."""
    return next((rule for pattern, rule in _REPORT_RULES if re.search(pattern, words)), None)


def _header_year(table: Table, layout: Layout, kind: Column) -> int | None:
    """The year a header names for its column (2024年基期值 → 2024)."""
    column = layout.first(kind)
    if column is None:
        return None
    found = re.search(r"((?:19|20)\d{2})\s*年", cell_text(table.rows[layout.header_row][column]))
    return int(found.group(1)) if found else None
