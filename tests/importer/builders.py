"""Plan documents built for the reader tests: Word files with merged cells and list numbering, PDFs drawn
with reportlab's built-in Chinese font (STSong-Light, a CID font every PDF viewer has, so no font file is
needed), and the files people send by mistake."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from pdfminer.cmapdb import CMapDB
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import SimpleDocTemplate, TableStyle
from reportlab.platypus import Table as PdfTable

FONT = "STSong-Light"
# STSong-Light's character map (UniGB-UCS2-H) has no entry for a few characters the plans use, · (U+00B7,
# as in 4·26) among them: written in it they are drawn as nothing and leave no text. A word processor falls
# back to another font for them, and so do these PDFs: a built-in font whose map has the character.
FALLBACK_FONT = "HeiseiMin-W3"
_FONT_MAPS = {FONT: "UniGB-UCS2-H", FALLBACK_FONT: "UniJIS-UCS2-H"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# The docx task table: 类别 merged down rows 1-3, 责任单位 in the header spanning 牵头 and 配合 columns.
DOCX_TASKS = (
    ("稳增长", "1", "推进重点项目建设", "区发改委", "区财政局", "2025年6月底"),
    ("稳增长", "2", "扩大有效投资", "区财政局", "区统计局", "2025年12月底"),
    ("稳增长", "3", "盘活存量土地400亩", "区自然资源局", "", "全年"),
    ("惠民生", "4", "新增城镇就业5800人", "区人社局", "各街道", "2025年12月底"),
)


def build_task_docx(path: Path) -> Path:
    """一、heading, a Chinese-numbered list, a List Number list, the task table, a nested table, a closing line."""
    document = Document()
    document.add_heading("一、总体要求", level=1)
    document.add_paragraph("为推进重点工作落实，制定本方案。")
    chinese = _add_numbering(document, fmt="chineseCounting", text="（%1）")
    for text in ("加强组织领导", "强化督查考核"):
        _numbered(document.add_paragraph(text), chinese)
    document.add_paragraph("推进项目建设", style="List Number")
    document.add_paragraph("扩大有效投资", style="List Number")
    document.add_heading("二、重点任务", level=2)
    _task_table(document)
    document.add_paragraph("三、保障措施")
    document.save(str(path))
    return path


def _task_table(document: Any) -> None:
    table = document.add_table(rows=1 + len(DOCX_TASKS) + 1, cols=6)
    header = table.rows[0].cells
    for cell, text in zip(header, ("类别", "序号", "任务内容", "责任单位", "", "完成时限"), strict=True):
        cell.text = text
    header[3].merge(header[4]).text = "责任单位"  # gridSpan 2
    for r, row in enumerate(DOCX_TASKS, 1):
        for c, text in enumerate(row):
            table.cell(r, c).text = text if c else ""
    table.cell(1, 0).merge(table.cell(3, 0)).text = "稳增长"  # vMerge over rows 1-3
    table.cell(4, 0).text = "惠民生"
    last = len(DOCX_TASKS) + 1
    for c, text in enumerate(("保障", "5", "", "区委办", "", "全年")):
        table.cell(last, c).text = text
    task = table.cell(last, 2)
    task.text = "完善制度"
    nested = task.add_table(rows=2, cols=2)
    for r, pair in enumerate((("子项", "要求"), ("台账", "每月更新"))):
        for c, text in enumerate(pair):
            nested.cell(r, c).text = text


def _add_numbering(document: Any, fmt: str, text: str) -> str:
    """A list definition of our own (the default template has only decimal ones); returns its numId."""
    numbering = document.part.numbering_part.element
    abstract_id, num_id = "90", "91"
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl></w:abstractNum>'
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)  # the schema wants every abstractNum before the nums
    else:
        numbering.append(abstract)
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'
        )
    )
    return num_id


def _numbered(paragraph: Any, num_id: str) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


# ---------------------------------------------------------------------------------------------- PDFs

# The PDF task table: 类别 merged over rows 1-2, 责任单位 spanning the last two columns in the header.
PDF_HEADER = ("类别", "序号", "任务内容", "责任单位", None, "完成时限")
PDF_ROWS = (
    ("稳增长", "1", "推进重点项目建设", "区发改委", "区财政局", "6月底"),
    (None, "2", "扩大有效投资", "区财政局", "区统计局", "全年"),
    ("惠民生", "3", "新增城镇就业", "区人社局", "各街道", "12月底"),
)
PDF_COLUMNS = (60, 120, 160, 330, 410, 480, 540)
RUNNING_HEAD = "某某区人民政府办公室文件"
# Wide enough to reach the right margin (x 540), so the line after it is the same paragraph wrapped.
PDF_INTRO = ("为贯彻落实区委区政府决策部署，推动年度重点工作任务落地见效，现将", "有关事项通知如下。")


def _font() -> None:
    for name in (FONT, FALLBACK_FONT):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def build_task_pdf(path: Path) -> Path:
    """Two pages: a running head and a page number on each; page 1 an intro, a heading, the task table and a
    paragraph after it; page 2 one more heading and paragraph."""
    _font()
    pdf = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]
    _page_furniture(pdf, 1)
    pdf.drawString(60, height - 100, "一、工作目标")
    pdf.drawString(60, height - 122, PDF_INTRO[0])
    pdf.drawString(60, height - 140, PDF_INTRO[1])
    bottom = _pdf_table(pdf, top=height - 170)
    pdf.drawString(60, bottom - 30, "各单位要按时报送进展情况。")
    pdf.showPage()
    _page_furniture(pdf, 2)
    pdf.drawString(60, height - 100, "二、保障措施")
    pdf.drawString(60, height - 122, "加强组织领导。")
    pdf.save()
    return path


def _page_furniture(pdf: canvas.Canvas, number: int) -> None:
    width, height = A4
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(width / 2, height - 50, RUNNING_HEAD)
    pdf.drawCentredString(width / 2, 40, f"- {number} -")
    pdf.setFont(FONT, 12)


def _pdf_table(pdf: canvas.Canvas, top: float) -> float:
    """Ruled grid with the merges drawn as missing rules; returns the table's bottom y."""
    rows = (PDF_HEADER, *PDF_ROWS)
    xs, height = PDF_COLUMNS, 24
    ys = [top - i * height for i in range(len(rows) + 1)]
    pdf.line(xs[0], ys[0], xs[-1], ys[0])
    for i in range(1, len(ys)):
        merged_below = i < len(rows) and rows[i][0] is None  # no rule above a continued category
        pdf.line(xs[1] if merged_below else xs[0], ys[i], xs[-1], ys[i])
    for j, x in enumerate(xs):
        header_span = j == 4  # no rule between the two 责任单位 columns in the header row
        pdf.line(x, ys[1] if header_span else ys[0], x, ys[-1])
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            if text:
                pdf.drawString(xs[j] + 3, ys[i] - 17, text)
    return ys[-1]


def build_two_page_table_pdf(path: Path) -> Path:
    """One task table broken by a page break, its header repeated on page 2, "第 N 页" at the foot."""
    _font()
    pdf = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]
    xs = (60, 120, 330, 460, 540)
    header = ("序号", "任务内容", "责任单位", "完成时限")
    for page, numbers in enumerate(((1, 2), (3, 4)), 1):
        pdf.setFont(FONT, 12)
        if page == 1:
            pdf.drawString(60, height - 80, "附件1 任务清单")
        rows = [header, *((str(n), f"第{n}项任务", f"责任单位{n}", "全年") for n in numbers)]
        top = height - 120
        ys = [top - i * 24 for i in range(len(rows) + 1)]
        for y in ys:
            pdf.line(xs[0], y, xs[-1], y)
        for x in xs:
            pdf.line(x, ys[0], x, ys[-1])
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                pdf.drawString(xs[j] + 3, ys[i] - 17, text)
        pdf.setFont(FONT, 10)
        pdf.drawCentredString(A4[0] / 2, 40, f"第 {page} 页")
        pdf.showPage()
    pdf.save()
    return path


# The layout engine's way, as a word processor prints: paragraphs that wrap, ruled tables whose cells wrap
# their text (CJK: between any two characters) and whose first row repeats on every page the table reaches.
PDF_TEXT_STYLE = ParagraphStyle("plan", fontName=FONT, fontSize=8, leading=10, wordWrap="CJK")


def build_flowing_pdf(
    path: Path,
    story: list[str | list[list[str]]],
    *,
    widths: dict[int, list[float]] | None = None,
    page_height: float = A4[1],
) -> Path:
    """Paragraphs (a str) and tables (rows of cells) laid out by reportlab's platypus on A4-wide pages.

    Each table is a ruled grid, its first row repeated at the top of each page it runs on to; a "\\n" in a
    cell is a line break the writer made. Column widths are the table's `widths[i]` (i counting tables), else
    shared out by the longest text of each column over 480 points, as a word processor's autofit does."""
    _font()
    flow: list[Any] = []
    number = 0
    for item in story:
        if isinstance(item, str):
            flow.append(PdfParagraph(_markup(item), PDF_TEXT_STYLE))
            continue
        given = (widths or {}).get(number)
        number += 1
        width = max(len(row) for row in item)
        rows = [row + [""] * (width - len(row)) for row in item]
        data = [[PdfParagraph(_markup(c), PDF_TEXT_STYLE) for c in row] for row in rows]
        table = PdfTable(data, colWidths=given or _autofit(rows), repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        flow.append(table)
    SimpleDocTemplate(str(path), pagesize=(A4[0], page_height)).build(flow)
    return path


def _markup(text: str) -> str:
    """A paragraph's text as platypus markup: escaped, a line break as <br/>, and a character the main
    font cannot write in the fallback font."""
    out = []
    for char in text:
        if char == "\n":
            out.append("<br/>")
        elif not char.isspace() and not _font_has(FONT, char) and _font_has(FALLBACK_FONT, char):
            out.append(f'<font name="{FALLBACK_FONT}">{escape(char)}</font>')
        else:
            out.append(escape(char))
    return "".join(out)


def _font_has(font: str, char: str) -> bool:
    return bool(list(CMapDB.get_cmap(_FONT_MAPS[font]).decode(char.encode("utf-16-be"))))


def _autofit(rows: list[list[str]]) -> list[float]:
    longest = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    weights = [max(2, min(n, 60)) for n in longest]
    return [max(28.0, 480 * w / sum(weights)) for w in weights]


def text_story(text: str) -> list[str | list[list[str]]]:
    """A .txt plan as a flowing document: each line a paragraph, each run of tab lines one table (as it was
    copied out of one: a blank line ends the run, so a table the text breaks with blank lines is drawn as
    tables edge to edge, each with its own column widths)."""
    story: list[str | list[list[str]]] = []
    for line in text.splitlines():
        if "\t" in line:
            if story and isinstance(story[-1], list):
                story[-1].append(line.split("\t"))
            else:
                story.append([line.split("\t")])
        elif line.strip():
            story.append(line)
        else:
            story.append("")  # ends a run of tab lines; drawn as nothing
    return [item for item in story if item != ""]


def build_text_docx(path: Path, text: str, category: str = "重点工作") -> Path:
    """A .txt plan as Word holds it: each line a paragraph; each tab table (runs of tab lines with only blank
    lines between, as the .txt reader joins them) one Word table with a 类别 column in front whose cell is
    merged down every row below the header. A row with fewer cells than the widest spreads its second cell
    over the missing ones (gridSpan), as Word shows a content cell merged across a category column."""
    document = Document()
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if "\t" not in lines[index]:
            if lines[index].strip():
                document.add_paragraph(lines[index])
            index += 1
            continue
        rows: list[list[str]] = []
        while index < len(lines) and ("\t" in lines[index] or not lines[index].strip()):
            if lines[index].strip():
                rows.append(lines[index].split("\t"))
            index += 1
        _word_table(document, rows, category)
    document.save(str(path))
    return path


def _word_table(document: Any, rows: list[list[str]], category: str) -> None:
    width = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=width + 1)
    for r, row in enumerate(rows):
        table.cell(r, 0).text = "类别" if r == 0 else ""
        missing = width - len(row)
        if missing and len(row) >= 2:
            table.cell(r, 2).merge(table.cell(r, 2 + missing))
        for c, value in enumerate(row):
            table.cell(r, c + 1 + (missing if c >= 2 else 0)).text = value
    if len(rows) > 1:
        table.cell(1, 0).merge(table.cell(len(rows) - 1, 0)).text = category


def build_encrypted_pdf(path: Path) -> Path:
    _font()
    pdf = canvas.Canvas(str(path), encrypt="pw")
    pdf.setFont(FONT, 12)
    pdf.drawString(72, 700, "一、工作目标")
    pdf.save()
    return path


def build_scanned_pdf(path: Path) -> Path:
    """A page as a scanner makes it: a picture and a frame, no text layer."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    picture = Image.new("L", (40, 40), color=200)
    pdf.drawImage(ImageReader(picture), 72, 400, width=300, height=300)
    pdf.rect(60, 380, 330, 340)
    pdf.save()
    return path


# ---------------------------------------------------------------------------------------------- not plans


def build_ole2_doc(path: Path) -> Path:
    """The first bytes of a Word 97-2003 file: the OLE2 compound-file magic, then padding."""
    path.write_bytes(OLE2_MAGIC + b"\x00" * 504)
    return path


def build_encrypted_docx(path: Path) -> Path:
    """What Word writes for a password-protected .docx: OLE2 holding an "EncryptedPackage" stream."""
    directory = "EncryptedPackage".encode("utf-16-le") + "EncryptionInfo".encode("utf-16-le")
    path.write_bytes(OLE2_MAGIC + b"\x00" * 504 + directory + b"\x00" * 256)
    return path


def build_png(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color=(255, 0, 0)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def build_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "不是 Word 文件")
    return path


def build_broken_docx(path: Path) -> Path:
    """A real zip with Word's part names whose document.xml is cut off mid-tag."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>")
    return path
