"""The readers of `duban plans import FILE`: .txt/.docx/.pdf into paragraphs and tables, and every file that is
not a readable plan refused in Chinese, never a traceback."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from builders import (
    PDF_INTRO,
    RUNNING_HEAD,
    build_broken_docx,
    build_encrypted_docx,
    build_encrypted_pdf,
    build_ole2_doc,
    build_png,
    build_scanned_pdf,
    build_task_docx,
    build_task_pdf,
    build_two_page_table_pdf,
    build_zip,
)

from seeds.importer.blocks import Cell, DocumentText, ImportRefused, Paragraph, Table
from seeds.importer.reading import read_document

ROOT = Path(__file__).resolve().parents[2]
SEED_DOCS = ROOT / "seeds" / "data" / "docs"  # verbatim copies of ../shared/seed-docs
SAMPLE_PLANS = ROOT / "tests" / "importer" / "fixtures" / "sample-plans"  # copies of ../shared/sample-plans


def texts(row: tuple[Cell, ...]) -> list[str]:
    return [c.text for c in row]


def spanned(row: tuple[Cell, ...]) -> list[bool]:
    return [c.spanned for c in row]


def tables(doc: DocumentText) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def paragraphs(doc: DocumentText) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def sample(name: str) -> Path:
    path = SAMPLE_PLANS / name
    if not path.exists():
        pytest.skip(f"sample plans not beside the checkout: {SAMPLE_PLANS}")
    return path


# ---------------------------------------------------------------------------------------------- docx


def test_docx_keeps_document_order_headings_and_list_numbers(tmp_path: Path) -> None:
    doc = read_document(build_task_docx(tmp_path / "plan.docx"))
    assert doc.kind == "docx" and doc.name == "plan.docx"
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph"] * 7 + ["Table", "Paragraph"]
    first, *_ = doc.blocks
    assert first == Paragraph("一、总体要求", "第1段", heading_level=1)
    assert paragraphs(doc)[2:7] == [
        "（一）加强组织领导",
        "（二）强化督查考核",
        "1.推进项目建设",
        "2.扩大有效投资",
        "二、重点任务",
    ]
    assert doc.blocks[6] == Paragraph("二、重点任务", "第7段", heading_level=2)
    assert doc.blocks[-1] == Paragraph("三、保障措施", "第8段")


def test_docx_spreads_vertical_and_horizontal_merges(tmp_path: Path) -> None:
    (table,) = tables(read_document(build_task_docx(tmp_path / "plan.docx")))
    assert table.where == "第1个表格" and not table.truncated
    assert texts(table.rows[0]) == ["类别", "序号", "任务内容", "责任单位", "责任单位", "完成时限"]
    assert spanned(table.rows[0]) == [False, False, False, False, True, False]
    assert [r[0].text for r in table.rows[1:5]] == ["稳增长", "稳增长", "稳增长", "惠民生"]
    assert [r[0].spanned for r in table.rows[1:5]] == [False, True, True, False]
    assert texts(table.rows[2]) == ["稳增长", "2", "扩大有效投资", "区财政局", "区统计局", "2025年12月底"]
    assert texts(table.rows[3])[4] == ""  # an empty cell stays empty, not spanned
    assert table.rows[5][2].text == "完善制度\n子项 要求\n台账 每月更新"  # the nested table flattened


# ---------------------------------------------------------------------------------------------- pdf


def test_pdf_reads_paragraphs_around_a_table_and_drops_page_furniture(tmp_path: Path) -> None:
    doc = read_document(build_task_pdf(tmp_path / "plan.pdf"))
    assert doc.kind == "pdf"
    assert [type(b).__name__ for b in doc.blocks] == [
        "Paragraph",
        "Paragraph",
        "Table",
        "Paragraph",
        "Paragraph",
        "Paragraph",
    ]
    assert doc.blocks[0] == Paragraph("一、工作目标", "第1页第2行")
    assert doc.blocks[1] == Paragraph(PDF_INTRO[0] + PDF_INTRO[1], "第1页第3行")  # wrapped line joined
    assert paragraphs(doc)[2:] == ["各单位要按时报送进展情况。", "二、保障措施", "加强组织领导。"]
    assert not any(RUNNING_HEAD in p or p.startswith("-") for p in paragraphs(doc))


def test_pdf_table_merged_cells_are_spread(tmp_path: Path) -> None:
    (table,) = tables(read_document(build_task_pdf(tmp_path / "plan.pdf")))
    assert table.where == "第1页的表格"
    assert texts(table.rows[0]) == ["类别", "序号", "任务内容", "责任单位", "责任单位", "完成时限"]
    assert spanned(table.rows[0]) == [False, False, False, False, True, False]
    assert texts(table.rows[1]) == ["稳增长", "1", "推进重点项目建设", "区发改委", "区财政局", "6月底"]
    assert texts(table.rows[2]) == ["稳增长", "2", "扩大有效投资", "区财政局", "区统计局", "全年"]
    assert spanned(table.rows[2])[0] and not any(spanned(table.rows[2])[1:])
    assert texts(table.rows[3])[:3] == ["惠民生", "3", "新增城镇就业"]


def test_pdf_table_broken_by_a_page_break_is_one_table(tmp_path: Path) -> None:
    doc = read_document(build_two_page_table_pdf(tmp_path / "tasks.pdf"))
    assert paragraphs(doc) == ["附件1 任务清单"]  # "第 1 页" / "第 2 页" dropped
    (table,) = tables(doc)
    assert table.where == "第1页的表格"
    assert [r[0].text for r in table.rows] == ["序号", "1", "2", "3", "4"]  # header not repeated
    assert texts(table.rows[4]) == ["4", "第4项任务", "责任单位4", "全年"]


# ---------------------------------------------------------------------------------------------- the corpus


def test_seed_doc_with_two_tab_tables() -> None:
    doc = read_document(SEED_DOCS / "002_4ee6bccc80053b1f.txt")
    targets, tasks = tables(doc)
    assert targets.where == "第33行起的表格" and not targets.truncated
    assert len(targets.rows) == 15 and texts(targets.rows[0]) == [
        "序号",
        "主要指标",
        "单位",
        "预期值",
        "责任单位",
    ]
    assert texts(targets.rows[14])[:4] == ["14", "培养知识产权专业 本科人才", "名/ 年", "100"]
    # Rows 6-9 carry a category column; the other rows' content spreads over it, as a merged cell would.
    assert tasks.where == "第206行起的表格" and not tasks.truncated and len(tasks.rows) == 43
    assert texts(tasks.rows[0]) == ["序号", "任务内容", "任务内容", "责任单位", "完成时限"]
    assert spanned(tasks.rows[0]) == [False, False, True, False, False]
    assert texts(tasks.rows[7])[:3] == ["7", "福州市知识产权保护特色创新工作", "建设 1 个数据知识产权试点。★"]
    assert texts(tasks.rows[1])[4] == "2024.12" and tasks.rows[1][2].spanned
    assert texts(tasks.rows[42])[0] == "42" and texts(tasks.rows[42])[3:] == ["仓山区人民政府", "2025.8"]
    assert (
        paragraphs(doc)[paragraphs(doc).index("注：指标说明详见附件 2。") - 1]
        == "国家知识产权保护示范区建设预期指标"
    )
    assert "国家知识产权保护示范区建设指标说明" in paragraphs(doc)


def test_seed_doc_without_tables_keeps_headings_in_order() -> None:
    doc = read_document(SEED_DOCS / "000_12104225aee16fef.txt")
    assert tables(doc) == []
    lines = paragraphs(doc)
    assert lines.index("一、指导思想") < lines.index("（一）总体目标") < lines.index("四、重点工作")
    assert any(p.startswith("1. 知识产权专项经费投入不断提高") for p in lines)
    assert doc.blocks[0] == Paragraph("福州市鼓楼区国家知识产权强县建设示范 县工作方案", "第3行")


def test_pipe_table_huoshan() -> None:
    (table,) = tables(read_document(sample("huoshan_kfq_key_tasks_2025.txt")))
    assert table.truncated and table.where == "第5行起的表格" and len(table.rows) == 4
    assert texts(table.rows[0]) == ["序号", "重点工作", "责任领导", "责任单位", "完成时限"]
    assert texts(table.rows[1])[0] == "1" and texts(table.rows[1])[2:] == [
        "叶林",
        "招商工作部、安商工作部",
        "全年",
    ]
    assert texts(table.rows[3])[2:] == ["张云峰", "规划建设局", "全年"]


def test_space_table_qiaocheng() -> None:
    doc = read_document(sample("qiaocheng_gov_report_tasks_2025.txt"))
    (table,) = tables(doc)
    assert table.truncated and len(table.rows) == 8
    assert texts(table.rows[0]) == ["序号", "重点工作任务", "主要责任单位", "协同配合单位"]
    assert texts(table.rows[1]) == ["一、2025年经济社会发展的主要预期目标"] * 4
    assert spanned(table.rows[1]) == [False, True, True, True]
    assert texts(table.rows[3])[:3] == ["2", "一般公共预算收入增长5%左右。", "区财政局\n区税务局"]
    assert texts(table.rows[3])[3].startswith("区政府有关部门")
    assert texts(table.rows[7])[2:] == [
        "区人社局\n区农业农村局",
        "区发改委,各乡镇人民政府、街道办事处,谯城经开",
    ]
    assert paragraphs(doc)[-1] == "[……缺……]"


def test_one_cell_a_line_tables_putian_and_jingyang() -> None:
    (putian,) = tables(read_document(sample("putian_ip_tasklist_2025.txt")))
    assert putian.truncated and len(putian.rows) == 3
    assert texts(putian.rows[0]) == ["重点任务", "落实举措", "责任科室(单位)"]
    assert texts(putian.rows[1]) == ["一、着力抓好国家战略部署的落实"] * 3
    assert texts(putian.rows[2]) == ["1.高质量完成《规划》目标任", "", ""]

    (jingyang,) = tables(read_document(sample("jingyang_targets_2016.txt")))
    assert jingyang.truncated and len(jingyang.rows) == 29
    assert texts(jingyang.rows[0]) == ["项 目", "分值", "目标任务", "监考单位"]
    categories = [r[0].text for r in jingyang.rows if r[1].spanned]
    assert categories == ["宏观调控", "宏观调控", "公共服务"]
    by_name = {r[0].text: texts(r) for r in jingyang.rows if not r[1].spanned}
    assert by_name["全社会固定资产投资额"] == ["全社会固定资产投资额", "3", "186", "区发改委区统计局"]
    assert by_name["社会消费品零售总额增长率"] == ["社会消费品零售总额增长率", "3", "", ""]
    assert by_name["城镇登记失业率"] == ["城镇登记失业率", "1", "低于 4.1", ""]
    assert texts(jingyang.rows[-1]) == ["民生支出占公共财政支出的比重及变化率", "2", "年终根据全省平", ""]


@pytest.mark.parametrize(
    "name", ["lishan_key_tasks_2023.txt", "national_ip_annual_plan_2021-2022_cnipa_simpl.txt"]
)
def test_numbered_plans_without_tables_stay_paragraphs(name: str) -> None:
    doc = read_document(sample(name))
    assert tables(doc) == [] and doc.kind == "txt"
    assert paragraphs(doc)[-1] == "[……缺……]"
    assert doc.blocks[0].where == "第1行"


def test_lishan_lines_keep_their_line_numbers() -> None:
    doc = read_document(sample("lishan_key_tasks_2023.txt"))
    found = {b.text: b.where for b in doc.blocks if isinstance(b, Paragraph)}
    assert found["1.努力实现地区生产总值增长6.2%左右。"] == "第28行"
    assert found["一、经济社会发展的主要预期目标"] == "第26行"


# ---------------------------------------------------------------------------------------------- txt shapes


def test_txt_encodings(tmp_path: Path) -> None:
    text = "一、总体要求\n序号\t任务内容\t责任单位\t完成时限\n1\t推进项目建设\t区发改委\t2025年6月底\n"
    for name, data in (
        ("utf8.txt", text.encode("utf-8")),
        ("bom.txt", b"\xef\xbb\xbf" + text.encode("utf-8")),
        ("gbk.txt", text.encode("gbk")),
        ("gb18030.txt", text.encode("gb18030")),
        ("utf16.txt", text.encode("utf-16")),
    ):
        doc = read_document(write(tmp_path, name, data))
        assert doc.blocks[0] == Paragraph("一、总体要求", "第1行"), name
        (table,) = tables(doc)
        assert texts(table.rows[1]) == ["1", "推进项目建设", "区发改委", "2025年6月底"], name


def test_txt_in_no_known_encoding_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match=r"文字编码.*GB18030"):
        read_document(write(tmp_path, "plan.txt", "任务".encode("gbk") + b"\x81\x20\xff\xfe\x80"))


def test_tab_rows_continued_on_lines_without_a_number(tmp_path: Path) -> None:
    text = (
        "序号\t任务内容\t责任单位\t完成时限\n"
        "1\t推进重点项目\n"
        "建设\t区发改委\t2025年6月底\n"
        "2\t扩大有效投资\t区财政局\t全年\n"
        "区统计局\n"
        "\n"
        "二、保障措施\n"
    )
    doc = read_document(write(tmp_path, "plan.txt", text.encode()))
    (table,) = tables(doc)
    assert texts(table.rows[1]) == ["1", "推进重点项目\n建设", "区发改委", "2025年6月底"]
    assert texts(table.rows[2]) == ["2", "扩大有效投资", "区财政局", "全年\n区统计局"]
    assert paragraphs(doc) == ["二、保障措施"]


def test_tab_table_cut_off_mid_row_is_truncated(tmp_path: Path) -> None:
    text = "序号\t任务内容\t责任单位\t完成时限\n1\t推进项目\t区发改委\t全年\n2\t扩大投资\n"
    (table,) = tables(read_document(write(tmp_path, "plan.txt", text.encode())))
    assert table.truncated and texts(table.rows[2]) == ["2", "扩大投资", "", ""]


def test_space_row_that_cannot_be_split_stays_a_paragraph(tmp_path: Path) -> None:
    text = "序号 重点工作任务 主要责任单位 协同配合单位\n1 稳增长 区发改委 区统计局\n2 扩大 有效 投资 区财政局 区统计局\n"
    doc = read_document(write(tmp_path, "plan.txt", text.encode()))
    (table,) = tables(doc)
    assert len(table.rows) == 2 and not table.truncated
    assert paragraphs(doc) == ["2 扩大 有效 投资 区财政局 区统计局"]


def test_pipe_cell_broken_over_lines(tmp_path: Path) -> None:
    text = "序号 |\n重点工作 |\n责任单位 |\n1 |\n盘活存量土地\n400亩 |\n改革办 |\n"
    (table,) = tables(read_document(write(tmp_path, "plan.txt", text.encode())))
    assert texts(table.rows[1]) == ["1", "盘活存量土地\n400亩", "改革办"] and not table.truncated


def test_prose_with_header_words_is_not_a_table(tmp_path: Path) -> None:
    text = "牵头单位:区发改局\n责任单位:立山经济开发区\n完成时限:全年\n"
    doc = read_document(write(tmp_path, "plan.txt", text.encode()))
    assert tables(doc) == [] and len(paragraphs(doc)) == 3


# ---------------------------------------------------------------------------------------------- refusals


def test_empty_and_whitespace_files_are_refused(tmp_path: Path) -> None:
    for name, data in (
        ("a.txt", b""),
        ("b.txt", b" \n\t\r\n  "),
        ("c.docx", b""),
        ("d.txt", "\u3000\n".encode()),
    ):
        with pytest.raises(ImportRefused, match="文件为空") as refused:
            read_document(write(tmp_path, name, data))
        assert name in str(refused.value)


def test_a_file_over_20_mb_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written or read
    with pytest.raises(ImportRefused, match="20 MB") as refused:
        read_document(path)
    assert "huge.pdf" in str(refused.value)


@pytest.mark.parametrize(
    ("build", "name", "expected"),
    [
        (build_png, "scan.png", "是图片.*\\.docx、\\.pdf、\\.txt"),
        (build_zip, "plan.zip", "是压缩包.*\\.docx、\\.pdf、\\.txt"),
        (build_ole2_doc, "plan.doc", "暂不支持 \\.doc 格式，请另存为 \\.docx 后再发送"),
        (build_encrypted_docx, "plan.docx", "设置了打开密码"),
        (build_encrypted_pdf, "plan.pdf", "加密的 PDF"),
        (build_scanned_pdf, "scan.pdf", "该 PDF 没有文字层（可能是扫描件），无法识别，请发送 \\.docx 原文"),
        (build_broken_docx, "plan.docx", "已损坏"),
    ],
)
def test_files_that_are_not_readable_plans_are_refused(
    build: object, name: str, expected: str, tmp_path: Path
) -> None:
    assert callable(build)
    path = build(tmp_path / name)
    with pytest.raises(ImportRefused, match=expected) as refused:
        read_document(path)
    assert name in str(refused.value)


def test_random_bytes_named_docx_are_refused(tmp_path: Path) -> None:
    data = random.Random(7).randbytes(4096)
    with pytest.raises(ImportRefused, match=r"不是有效的 \.docx 文件.*\.docx、\.pdf、\.txt"):
        read_document(write(tmp_path, "plan.docx", data))


def test_corrupt_zip_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="已损坏"):
        read_document(write(tmp_path, "plan.docx", b"PK\x03\x04" + b"\x00" * 200))


def test_an_executable_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="可执行程序"):
        read_document(write(tmp_path, "plan.exe", b"MZ" + os.urandom(500)))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="找不到"):
        read_document(tmp_path / "nowhere.docx")


def test_hostile_cuts_of_real_files_never_raise_anything_else(tmp_path: Path) -> None:
    """Every prefix-cut and byte-flipped copy of a real .docx and .pdf is read or refused, never a traceback."""
    rng = random.Random(11)
    originals = [build_task_docx(tmp_path / "o.docx"), build_task_pdf(tmp_path / "o.pdf")]
    for original in originals:
        data = original.read_bytes()
        for k in range(12):
            cut = data[: rng.randrange(8, len(data))] if k % 2 else _flip(data, rng)
            path = write(tmp_path, f"{k}{original.suffix}", cut)
            try:
                doc = read_document(path)
            except ImportRefused as refused:
                assert str(refused)
            else:
                assert isinstance(doc, DocumentText)


def _flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(20):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)
