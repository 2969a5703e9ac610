"""Plan documents built for the reader tests: Word files with merged cells and list numbering, PDFs drawn
with reportlab's built-in Chinese font (STSong-Light, a CID font every PDF viewer has, so no font file is
needed), and the files people send by mistake."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
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
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


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
