"""The seed documents as a word processor would send them: the same tables in a .docx with merged cells and in
a PDF give what the text gives (the issue's done-when, its second half).

The PDF is laid out by reportlab's platypus as the .txt is written (`builders.build_flowing_pdf`): each line a
paragraph, each run of tab lines a ruled table whose cells wrap their text and whose first row repeats on each
page it runs on to. So the PDF holds what a real one holds and a text file does not: tables drawn edge to edge
with different column widths (the task list is broken by blank lines in the text), tables over page breaks,
unit names and dates wrapped inside cells (市人社 | 局, 2025. | 6), ★ in the STSong-Light font, prose lines
ended short of the margin or past it (a hanging 。). The .docx
(`builders.build_text_docx`) holds each table once, a 类别 column in front merged down all its rows and the
content cell spread over the category column in rows without one.

Compared: every task's number, units in order with their roles, deadline, ★ (featured) and content up to
whitespace; every indicator's number, name up to whitespace, target, comparator, baseline and its year, unit
of measure and units; and the plan's header. ★ needs no exception: STSong-Light maps U+2605 and pdfplumber reads it back. One
character of the seed documents, · (U+00B7, 4·26), is not in that font's map and would silently vanish; the
builder writes it in the fallback font HeiseiMin-W3, as a word processor would, so the PDF carries it.

Each class of defect the first run found has a small PDF of its own below: tables on one grid of shifted
rulings or over page breaks (class 1), names wrapped inside a cell (class 2), ★ (class 3, no defect).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from builders import build_flowing_pdf, build_text_docx, text_story

from seeds.importer.blocks import DocumentText, Table
from seeds.importer.draft import Draft, DraftIndicator, DraftTask
from seeds.importer.reading import read_document
from seeds.importer.shapes import recognise
from seeds.importer.units import KnownUnit, split_unit_names
from seeds.loader import load_catalog

SEED_DOCS = Path(__file__).resolve().parents[2] / "seeds" / "data" / "docs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The two seed documents, and two plans of other shapes: tab tables with a ★ column (福州 brand tasks), and
# numbered prose items whose lines a PDF wraps with 。 hanging past the margin (鼓楼 business environment).
DOCUMENTS = (
    SEED_DOCS / "000_12104225aee16fef.txt",
    SEED_DOCS / "002_4ee6bccc80053b1f.txt",
    FIXTURES / "fuzhou_brand_tasks_2025.txt",
    FIXTURES / "gulou_business_env_2025.txt",
)


@pytest.fixture(scope="module")
def known() -> list[KnownUnit]:
    return [
        KnownUnit(u.name, u.aliases, u.region, u.kind, u.kind == "collective") for u in load_catalog().units
    ]


def draft(path: Path, known: list[KnownUnit]) -> Draft:
    return recognise(read_document(path), region=None, known=known)


def task_fields(task: DraftTask) -> tuple[Any, ...]:
    units = tuple((u.name, u.role) for u in task.units)
    return (task.number, units, task.deadline, task.featured, "".join(task.content.split()))


def indicator_fields(indicator: DraftIndicator) -> tuple[Any, ...]:
    units = tuple((u.name, u.role) for u in indicator.units)
    return (
        indicator.number,
        "".join(indicator.name.split()),
        indicator.target,
        indicator.comparator,
        indicator.baseline,
        indicator.baseline_year,
        indicator.unit_of_measure,
        units,
    )


def assert_same_items(got: Draft, expected: Draft) -> None:
    assert [task_fields(t) for t in got.tasks] == [task_fields(t) for t in expected.tasks]
    assert [indicator_fields(i) for i in got.indicators] == [indicator_fields(i) for i in expected.indicators]
    assert got.plan == expected.plan


@pytest.mark.parametrize("source", DOCUMENTS, ids=lambda path: path.stem)
def test_the_document_as_a_pdf_gives_what_its_text_gives(
    source: Path, tmp_path: Path, known: list[KnownUnit]
) -> None:
    pdf = build_flowing_pdf(tmp_path / "plan.pdf", text_story(source.read_text(encoding="utf-8")))
    expected, got = draft(source, known), draft(pdf, known)
    assert expected.tasks and expected.indicators
    assert_same_items(got, expected)
    # The sections too: a category written in one row of a run of rows reaches every row of the run.
    assert [t.section for t in got.tasks] == [t.section for t in expected.tasks]


def test_the_task_list_pdf_is_broken_over_pages_and_columns(tmp_path: Path, known: list[KnownUnit]) -> None:
    """The fixture exercises what it claims: the 002 task list runs over pages, its parts drawn edge to edge
    with different column widths, and its cells wrap unit names and dates."""
    source = SEED_DOCS / "002_4ee6bccc80053b1f.txt"
    pdf = build_flowing_pdf(tmp_path / "plan.pdf", text_story(source.read_text(encoding="utf-8")))
    with pdfplumber.open(pdf) as document:
        found = [t for page in document.pages for t in page.find_tables()]
        cells = [c or "" for t in found for row in t.extract() for c in row]
        assert any(page.find_tables() for page in document.pages[1:]) and len(document.pages) > 2
    assert len({len(t.rows[0].cells) for t in found}) > 2  # grids of 4 and 5 columns, and their unions
    assert any("市人社\n局" in c for c in cells) and any(c.startswith("2025.\n") for c in cells)
    assert any("护企·闽都" in c for c in cells) and sum("★" in c for c in cells) == 20
    featured = [t.number for t in draft(pdf, known).tasks if t.featured]
    assert featured == [t.number for t in draft(source, known).tasks if t.featured] and len(featured) == 20


@pytest.mark.parametrize("source", DOCUMENTS, ids=lambda path: path.stem)
def test_the_document_as_a_docx_with_merged_cells_gives_what_its_text_gives(
    source: Path, tmp_path: Path, known: list[KnownUnit]
) -> None:
    docx = build_text_docx(tmp_path / "plan.docx", source.read_text(encoding="utf-8"))
    expected, got = draft(source, known), draft(docx, known)
    assert_same_items(got, expected)


# ---------------------------------------------------------------------------------------------- class 1
# pdfplumber lays one grid over every ruling it finds: tables drawn edge to edge, or rows whose column borders
# sit elsewhere, come back as one grid with the union of their columns. A part of a table with no header of
# its own was read as a table of its own (or, after a page break, kept apart for its other width) and
# recognised as nothing: every row in it lost.

HEADER = ["序号", "任务内容", "责任单位", "完成时限"]


def only_table(doc: DocumentText) -> Table:
    (table,) = [b for b in doc.blocks if isinstance(b, Table)]
    return table


def logical(table: Table) -> list[list[str]]:
    """Each row's cells as written: a copy spread from the cell to its left dropped, trailing blanks too."""
    rows = []
    for row in table.rows:
        cells = [c.text for k, c in enumerate(row) if not (k and c.spanned and c.text == row[k - 1].text)]
        while cells and not cells[-1]:
            cells.pop()
        rows.append(cells)
    return rows


def test_parts_drawn_edge_to_edge_with_other_column_widths_are_one_table(
    tmp_path: Path, known: list[KnownUnit]
) -> None:
    story: list[str | list[list[str]]] = [
        "附件1 任务清单",
        [HEADER, ["1", "推进重点项目建设", "区发改委", "2025年6月底"]],
        [["2", "扩大有效投资", "区财政局", "全年"], ["3", "盘活存量土地", "区自然资源局", "12月底"]],
        [["4", "惠民生", "新增城镇就业", "区人社局", "全年"]],  # a category cell after the number
    ]
    widths = {0: [40.0, 200, 160, 80], 1: [40.0, 100, 140, 200], 2: [40.0, 60, 140, 160, 80]}
    pdf = build_flowing_pdf(tmp_path / "plan.pdf", story, widths=widths)
    with pdfplumber.open(pdf) as document:
        (grid,) = document.pages[0].find_tables()
        assert len(grid.rows[0].cells) > 5  # one grid: the union of three sets of rulings
    table = only_table(read_document(pdf))
    assert logical(table) == [
        HEADER,
        ["1", "推进重点项目建设", "区发改委", "2025年6月底"],
        ["2", "扩大有效投资", "区财政局", "全年"],
        ["3", "盘活存量土地", "区自然资源局", "12月底"],
        ["4", "惠民生", "新增城镇就业", "区人社局", "全年"],
    ]
    tasks = draft(pdf, known).tasks
    assert [(t.number, t.content, [u.name for u in t.units], t.deadline.text) for t in tasks] == [
        ("1", "推进重点项目建设", ["区发改委"], "2025年6月底"),
        ("2", "扩大有效投资", ["区财政局"], "全年"),
        ("3", "盘活存量土地", ["区自然资源局"], "12月底"),
        ("4", "新增城镇就业", ["区人社局"], "全年"),
    ]
    assert tasks[3].section == "惠民生"


def test_a_section_row_drawn_as_a_one_cell_table_between_parts_heads_the_rows_below(
    tmp_path: Path, known: list[KnownUnit]
) -> None:
    story: list[str | list[list[str]]] = [
        [HEADER, ["1", "推进重点项目建设", "区发改委", "全年"]],
        [["二、惠民生"]],
        [["2", "新增城镇就业", "区人社局", "6月底"]],
    ]
    widths = {0: [40.0, 200, 160, 80], 1: [480.0], 2: [40.0, 120, 240, 80]}
    pdf = build_flowing_pdf(tmp_path / "plan.pdf", story, widths=widths)
    assert logical(only_table(read_document(pdf)))[2] == ["二、惠民生"]  # spread over the whole width
    tasks = draft(pdf, known).tasks
    assert [(t.number, t.units[0].name, t.deadline.text, t.section) for t in tasks] == [
        ("1", "区发改委", "全年", None),
        ("2", "区人社局", "6月底", "二、惠民生"),
    ]


def test_a_table_over_page_breaks_in_parts_of_other_widths_loses_and_repeats_no_row(tmp_path: Path) -> None:
    """The second part starts a page with its own rulings, and its first row is repeated on the next page
    (a writer repeating the part's first row as if it were a header): every row once, in order."""
    first = [HEADER] + [[str(n), f"第{n}项任务", "区发改委", "全年"] for n in range(1, 9)]
    second = [[str(n), f"第{n}项任务", "区财政局", "12月底"] for n in range(9, 17)]
    pdf = build_flowing_pdf(
        tmp_path / "plan.pdf",
        ["附件1 任务清单", first, second],
        widths={0: [40.0, 200, 160, 80], 1: [40.0, 120, 240, 80]},
        page_height=260,
    )
    with pdfplumber.open(pdf) as document:
        firsts = [t.extract()[0][0] for page in document.pages for t in page.find_tables()]
    assert firsts.count("序号") >= 2 and firsts.count("9") == 2  # header and the part's first row repeated
    table = only_table(read_document(pdf))
    assert [row[0] for row in logical(table)] == ["序号", *(str(n) for n in range(1, 17))]
    assert logical(table)[16] == ["16", "第16项任务", "区财政局", "12月底"]


def test_a_table_right_under_another_with_its_own_header_stays_apart(tmp_path: Path) -> None:
    indicators = [
        ["序号", "主要指标", "单位", "预期值", "责任单位"],
        ["1", "有效发明专利", "件", "15", "区市场监管局"],
    ]
    tasks = [HEADER, ["1", "推进重点项目建设", "区发改委", "全年"]]
    doc = read_document(build_flowing_pdf(tmp_path / "plan.pdf", ["附件", indicators, tasks]))
    assert [logical(b) for b in doc.blocks if isinstance(b, Table)] == [indicators, tasks]


# ---------------------------------------------------------------------------------------------- class 2
# A line break inside a PDF cell is where the layout ran out of room, or where the writer broke the line: the
# reader tells them apart by whether the next line's first character would have fitted. A wrap was kept as a
# line break and 市人社 | 局 read as two units.


def test_a_name_wrapped_in_a_cell_is_one_name_and_a_break_written_stays(
    tmp_path: Path, known: list[KnownUnit]
) -> None:
    rows = [
        HEADER,
        ["1", "建设知识产权保护平台", "区市场监管局、区人社局、区财政局", "2025年12月底"],
        ["2", "推进项目建设", "区财政局\n区税务局", "全年"],
    ]
    pdf = build_flowing_pdf(tmp_path / "plan.pdf", [rows], widths={0: [40.0, 200, 96, 40]})
    with pdfplumber.open(pdf) as document:
        raw = document.pages[0].find_tables()[0].extract()
    assert raw[1][2] == "区市场监管局、区人社\n局、区财政局" and "\n" in (raw[1][3] or "")  # wrapped
    assert raw[2][2] == "区财政局\n区税务局"
    table = only_table(read_document(pdf))
    assert logical(table)[1:] == [
        ["1", "建设知识产权保护平台", "区市场监管局、区人社局、区财政局", "2025年12月底"],
        ["2", "推进项目建设", "区财政局\n区税务局", "全年"],
    ]
    tasks = draft(pdf, known).tasks
    assert [u.name for u in tasks[0].units][1:] == ["区人社局", "区财政局"]
    assert [u.name for u in tasks[1].units] == ["区财政局", "区税务局"]


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        (
            "市市场监管局(知识产权局)、市人社\n局、市财政局",
            ["市市场监管局（知识产权局）", "市人社局", "市财政局"],
        ),
        ("市财政局，高新区管委\n会", ["市财政局", "高新区管委会"]),
        ("市科\n协", ["市科协"]),
        ("鼓楼区\n人民政府", ["鼓楼区人民政府"]),
        ("市人社 局", ["市人社局"]),
        ("区财政局\n区税务局", ["区财政局", "区税务局"]),
        ("市文旅局\n市委宣传部（市版权局）", ["市文旅局", "市委宣传部（市版权局）"]),
    ],
)
def test_a_line_break_inside_a_name_does_not_split_it_in_any_reader(cell: str, names: list[str]) -> None:
    """A .txt copied out of a PDF keeps the PDF's wraps: the splitter splits at a break only between a whole
    name and another, never before a name's last character or its generic tail (人民政府, 管委会)."""
    assert split_unit_names(cell) == names


# ---------------------------------------------------------------------------------------------- class 3
# ★ was never lost: STSong-Light maps U+2605 and pdfplumber reads it back, also when it wraps on to a line of
# its own. The featured tasks the first run missed were read from the wrong column (class 1).


def test_a_star_wrapped_on_to_its_own_line_still_marks_the_task(
    tmp_path: Path, known: list[KnownUnit]
) -> None:
    rows = [HEADER, ["1", "建设知识产权保护平台。 ★", "区财政局", "全年"]]
    pdf = build_flowing_pdf(tmp_path / "plan.pdf", [rows], widths={0: [40.0, 104, 160, 80]})
    with pdfplumber.open(pdf) as document:
        assert document.pages[0].find_tables()[0].extract()[1][1] == "建设知识产权保护平台。\n★"
    (task,) = draft(pdf, known).tasks
    assert task.featured and task.content == "建设知识产权保护平台。"
