"""Each plan shape recognised from blocks built here; the sample plans imported with their cut-off ends."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from seeds.importer.blocks import Block, Cell, DocumentText, Paragraph, Table
from seeds.importer.draft import NO_ITEMS, Draft
from seeds.importer.reading import read_document
from seeds.importer.seed_yaml import draft_to_seed
from seeds.importer.shapes import recognise
from seeds.importer.units import KnownUnit
from seeds.loader import load_catalog
from seeds.schema import PlanFile

SAMPLES = Path(__file__).resolve().parent / "fixtures" / "sample-plans"  # copies of ../shared/sample-plans


@pytest.fixture(scope="module")
def known() -> list[KnownUnit]:
    return [
        KnownUnit(u.name, u.aliases, u.region, u.kind, u.kind == "collective") for u in load_catalog().units
    ]


def paragraphs(*texts: str) -> list[Block]:
    return [Paragraph(text, f"第{n}行") for n, text in enumerate(texts, start=1)]


def table(*rows: tuple[str | Cell, ...], truncated: bool = False) -> Table:
    cells = tuple(tuple(c if isinstance(c, Cell) else Cell(c) for c in row) for row in rows)
    return Table(cells, "第1个表格", truncated=truncated)


def draft_of(blocks: list[Block], known: list[KnownUnit], region: str | None = "福州市") -> Draft:
    return recognise(DocumentText("test.docx", "docx", tuple(blocks)), region=region, known=known)


def whats(draft: Draft) -> list[str]:
    return [p.what for p in draft.problems]


def test_task_table_with_star_category_column_and_category_row(known: list[KnownUnit]) -> None:
    spread = Cell("特色创新工作", spanned=True)
    draft = draft_of(
        [
            table(
                ("序号", "类别", "任务内容", "责任单位", "完成时限"),
                (
                    "一、基础任务",
                    Cell("一、基础任务", True),
                    Cell("一、基础任务", True),
                    Cell("一、基础任务", True),
                    Cell("一、基础任务", True),
                ),
                ("1", "", "建设知识产权保护平台。★", "市市场监管局(知识产权局)、市财政局", "2026.1"),
                ("2", "特色创新工作", "建设1个数据知识产权试点。", "市委金融办", "长期推进"),
                ("3", spread, "建设1片闽都文化保护样板街区。 ★", "市文旅局", "2025年8月底前"),
            )
        ],
        known,
    )
    first, second, third = draft.tasks
    assert (first.content, first.featured, first.section) == ("建设知识产权保护平台。", True, "一、基础任务")
    assert [(u.name, u.role) for u in first.units] == [
        ("市市场监管局（知识产权局）", "lead"),
        ("市财政局", "co"),
    ]
    assert (first.deadline.kind, first.deadline.date) == ("month", date(2026, 1, 31))
    assert (second.section, second.deadline.kind, second.featured) == ("特色创新工作", "ongoing", False)
    assert (third.section, third.content, third.featured) == (
        "特色创新工作",
        "建设1片闽都文化保护样板街区。",
        True,
    )


def test_lead_and_co_columns_leader_and_time_node(known: list[KnownUnit]) -> None:
    draft = draft_of(
        [
            table(
                ("序号", "重点工作任务", "责任领导", "牵头单位", "配合单位", "时间节点"),
                ("1", "推进知识产权审判信息化建设。", "张三", "市中院", "市检察院、市司法局", "三季度"),
            )
        ],
        known,
        region="福州市",
    )
    (task,) = draft.tasks
    assert task.leader == "张三"
    assert [(u.name, u.role) for u in task.units] == [
        ("市中级人民法院", "lead"), ("市检察院", "co"), ("市司法局", "co"),
    ]  # fmt: skip
    assert task.deadline.date is None  # 三季度 without a year anywhere in the plan: reported
    assert any("时限无法识别：三季度" in w for w in whats(draft))


def test_header_spread_over_a_category_column(known: list[KnownUnit]) -> None:
    """A PDF's text: 任务内容 spread over two columns; the category written in one row of its run."""
    same = Cell("由市政府主要领导担任召集人。★", spanned=True)
    draft = draft_of(
        [
            table(
                ("序号", "任务内容", Cell("任务内容", spanned=True), "责任单位", "完成时限"),
                ("1", "由市政府主要领导担任召集人。★", same, "市政府办公厅", "2024.12"),
                ("2", "", "打造先行所 26 个。★", "市市场监管局", "2025.6"),
                ("3", "特色创新工作", "建设 1 个数据知识产权试点。", "市委金融办", "2026.1"),
                ("4", "", "建设1片闽都文化保护样板街区。", "市文旅局", "2026.1"),
                (
                    "5",
                    "加强非遗数字化保存工作。",
                    Cell("加强非遗数字化保存工作。", spanned=True),
                    "市文旅局",
                    "2026.1",
                ),
            )
        ],
        known,
    )
    assert [t.section for t in draft.tasks] == [None, "特色创新工作", "特色创新工作", "特色创新工作", None]
    assert draft.tasks[1].content == "打造先行所 26 个。"


def test_numbered_paragraphs_ending_in_responsible_units(known: list[KnownUnit]) -> None:
    draft = draft_of(
        paragraphs(
            "一、完善知识产权制度",
            "1.推进修订《专利法实施细则》。（知识产权局、市司法局按职责分工负责）",
            "2.完善商业秘密保护制度。（责任领导：李四；牵头单位：市市场监管局；责任单位：市公安局、市检察院）",
        ),
        known,
    )
    first, second = draft.tasks
    assert first.content == "推进修订《专利法实施细则》。"
    assert [u.name for u in first.units] == ["市市场监管局（知识产权局）", "市司法局"]
    assert first.section == "一、完善知识产权制度"
    assert second.leader == "李四"
    assert [(u.name, u.role) for u in second.units] == [
        ("市市场监管局（知识产权局）", "lead"), ("市公安局", "co"), ("市检察院", "co"),
    ]  # fmt: skip


def test_items_followed_by_unit_lines(known: list[KnownUnit]) -> None:
    draft = draft_of(
        paragraphs(
            "一、经济社会发展的主要预期目标",
            "1.努力实现地区生产总值增长6.2%左右。",
            "牵头单位:区发改局",
            "责任单位:立山经济开发区,全区经济运行各专班",
            "2.规模上工业增加值增长5%左右。",
            "牵头单位：区工信局",
        ),
        known,
        region="立山区",
    )
    first, second = draft.tasks
    assert [(u.name, u.role) for u in first.units] == [
        ("区发改局", "lead"), ("立山经济开发区", "co"), ("全区经济运行各专班", "co"),
    ]  # fmt: skip
    assert [u.name for u in second.units] == ["区工信局"]
    assert {u.name for u in draft.new_units} >= {"区发改局", "区工信局"}
    assert any("「区发改局」不在单位名录中" in w for w in whats(draft))
    assert not draft.indicators  # targets written as tasks with units are tasks


def test_indicator_table_with_comparators_and_explanations(known: list[KnownUnit]) -> None:
    draft = draft_of(
        [
            table(
                ("序号", "指标名称", "单位", "目标值", "责任单位"),
                ("1", "建成知识产权行政 保护先行所", "个", "26", "市市场监管局，各县（市）区 人民政府"),
                ("2", "有效注册商标数量", "", "≥40万件", "市市场监管局"),
                ("3", "城镇登记失业率", "%", "4.1以内", "市人社局"),
                ("4", "专利侵权纠纷办理量", "件/ 年", "140", "市市场监管局"),
                ("5", "地区生产总值增长率", "%", "年终根据全省平均水平综合考核", "市发改委"),
            ),
            *paragraphs(
                "附件2",
                "指标说明",
                "一、建成知识产权行政保护先行所",
                "拟建设 26 个先行所。2023 年末该指标数据为 11 个。",
                "二、有效注册商标数量",
                "考核时以商标局数据为准。2023 年末该指标数据为",
                "37.66 万件。",
            ),
        ],
        known,
    )
    one, two, three, four, five = draft.indicators
    assert (one.name, one.target, one.comparator, one.unit_of_measure) == (
        "建成知识产权行政保护先行所",
        "26",
        ">=",
        "个",
    )
    assert (one.baseline, one.baseline_year) == ("11", 2023)
    assert [u.name for u in one.units] == ["市市场监管局（知识产权局）", "各县（市）区人民政府"]
    assert (two.target, two.unit_of_measure, two.baseline, two.note) == (
        "40", "万件", "37.66", "考核时以商标局数据为准。2023 年末该指标数据为37.66 万件。",
    )  # fmt: skip
    assert (three.comparator, four.unit_of_measure) == ("<=", "件/年")
    assert five.target is None
    assert any("目标为文字表述" in w for w in whats(draft))


def test_targets_in_sentences_and_a_plan_naming_no_units(known: list[KnownUnit]) -> None:
    """The 鼓楼 shape: work sections without units, targets in sentences, the leading office said aloud."""
    draft = draft_of(
        paragraphs(
            "某区知识产权工作方案",
            "二、重点思路",
            "（一）建设公共服务水平“新高地”",
            "加大平台支持力度，推进知识产权“三合",
            "一”审判机制建设。",
            "三、工作目标",
            "（二）具体目标",
            "1. 数量稳步提升。年专利授权量超 3500 件，授权 3 件以上专利企业数量年均超 150 家。",
            "2. 企业称号数量分别达7家、20家、60家，开展宣传活动6次以上，培训不低于1000人次/年。",
            "四、重点工作",
            "（一）优化政策环境",
            "制定知识产权奖励扶持政策。",
            "五、保障措施",
            "（一）加强组织领导",
            "领导小组下设办公室，设在区市场监督管理局（知识产权局），负责日常的组织协调工作。",
            "本方案自印发之日起施行，有效期至 2025 年 6 月 30 日。",
        ),
        known,
        region="鼓楼区",
    )
    assert [(t.number, t.section, t.content) for t in draft.tasks] == [
        ("1", "二、重点思路", "加大平台支持力度，推进知识产权“三合一”审判机制建设。"),
        ("2", "四、重点工作", "制定知识产权奖励扶持政策。"),
    ]
    assert all(t.deadline.date == date(2025, 6, 30) for t in draft.tasks)
    office = "鼓楼区市场监督管理局（知识产权局）"
    assert all([u.name for u in item.units] == [office] for item in (*draft.tasks, *draft.indicators))
    values = [(i.target, i.comparator, i.unit_of_measure) for i in draft.indicators]
    assert values == [
        ("3500", ">", "件"), ("150", ">", "家"), ("7", ">=", "家"), ("20", ">=", "家"), ("60", ">=", "家"),
        ("6", ">=", "次"), ("1000", ">=", "人次/年"),
    ]  # fmt: skip
    said = " ".join(whats(draft))
    assert "方案未载明各项任务的责任单位" in said and "五、保障措施（一）" in said
    assert "有效期至2025年6月30日" in said


def test_plan_header(known: list[KnownUnit]) -> None:
    draft = draft_of(
        [
            *paragraphs(
                "福州市人民政府文件",
                "榕政综〔2024〕130号",
                "福州市人民政府关于印发福州市国家 知识产权保护示范区建设方案的通知",
                "福州市人民政府",
                "2024年7月23日",
                "五、进度安排",
                "（一）2024年3~7月，完善联席会议机制；",
                "（二）2024年8月~2026年1月，推进建设各项工作任务。",
            ),
            table(("序号", "任务内容", "责任单位", "完成时限"), ("1", "建设平台。", "市财政局", "2026.1")),
        ],
        known,
    )
    plan = draft.plan
    assert (plan.name, plan.doc_number, plan.issuer, plan.issued) == (
        "福州市国家知识产权保护示范区建设方案", "榕政综〔2024〕130号", "福州市人民政府", date(2024, 7, 23),
    )  # fmt: skip
    assert [(m.period, m.start, m.end) for m in plan.schedule] == [
        ("2024年3~7月", date(2024, 3, 1), date(2024, 7, 31)),
        ("2024年8月~2026年1月", date(2024, 8, 1), date(2026, 1, 31)),
    ]
    assert plan.valid_until == date(2026, 1, 31)
    assert any("方案未载明有效期" in w for w in whats(draft))
    assert draft.to_json_dict()["plan"]["issued"] == "2024-07-23"


def test_cut_off_table_row_and_paragraph_item_are_reported_not_invented(known: list[KnownUnit]) -> None:
    cut_table = draft_of(
        [
            table(
                ("序号", "任务内容", "责任单位"),
                ("1", "建设平台。", "市财政局"),
                ("2", "加强非遗数字化", ""),
                truncated=True,
            )
        ],
        known,
    )
    assert [t.number for t in cut_table.tasks] == ["1"]
    assert "第2项在文档中被截断，未导入" in whats(cut_table)
    cut_item = draft_of(paragraphs("1.建设平台。", "责任单位：市财政局", "2.加强非遗数字", "[……缺……]"), known)
    assert [t.number for t in cut_item.tasks] == ["1"]
    assert "第2项在文档中被截断，未导入" in whats(cut_item)


def test_document_without_tasks_or_indicators(known: list[KnownUnit]) -> None:
    draft = draft_of(paragraphs("关于召开年度总结会议的通知", "请各单位准时参加。"), known)
    assert not draft.tasks and not draft.indicators
    assert NO_ITEMS in whats(draft)


SAMPLE_ENDS = {
    "huoshan_kfq_key_tasks_2025.txt": "第3项",
    "jingyang_targets_2016.txt": "第28项",
    "lishan_key_tasks_2023.txt": "第7项",
    "national_ip_annual_plan_2021-2022_cnipa_simpl.txt": "第1项",
    "putian_ip_tasklist_2025.txt": "第1项",
    "qiaocheng_gov_report_tasks_2025.txt": "第6项",
}


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/sample-plans is beside the repository")
@pytest.mark.parametrize("name", sorted(SAMPLE_ENDS))
def test_sample_plans_report_their_cut_off_last_item(name: str, known: list[KnownUnit]) -> None:
    draft = recognise(read_document(SAMPLES / name), region=None, known=known)
    assert f"{SAMPLE_ENDS[name]}在文档中被截断，未导入" in whats(draft)
    numbers = {t.number for t in draft.tasks} | {i.number for i in draft.indicators}
    assert SAMPLE_ENDS[name].strip("第项") not in numbers


def test_the_seed_conversion_is_a_valid_plan_file_and_loses_nothing(known: list[KnownUnit]) -> None:
    """Leader, co-units, the deadline's words, kind and rule, and a unit the store did not know all reach
    the seed format, and the result validates as a hand-made plan file does."""
    draft = draft_of(
        [
            Paragraph("2025年重点工作任务分解方案", "第1行"),
            table(
                ("序号", "任务内容", "责任领导", "牵头单位", "配合单位", "完成时限"),
                ("1", "建设平台。★", "张三", "市财政局", "市文旅局", "每季度"),
                ("2", "建设街区。", "", "市文旅局", "", "2025年8月底前"),
                ("3", "整治市场。", "", "市场整治办", "", "长期推进"),
            ),
        ],
        known,
    )
    seed = draft_to_seed(draft, source_doc="test.docx")
    first, second, third = seed["tasks"]
    assert first["units"] == ["市财政局", "市文旅局"] and first["co_units"] == ["市文旅局"]
    assert (first["leader"], first["deadline_kind"], first["deadline_rule"]) == (
        "张三",
        "recurring",
        "quarterly",
    )
    assert (second["deadline"], second["deadline_text"]) == ("2025.8", "2025年8月底前")
    assert [u["name"] for u in seed["units"]] == ["市场整治办"]
    assert any("市场整治办" in note["what"] and "新建" in note["what"] for note in seed["review"])
    seed["plan"]["code"] = "test-plan"
    plan_file = PlanFile.model_validate(seed)
    assert plan_file.tasks[1].deadline == "2025.8" and plan_file.tasks[0].deadline_rule == "quarterly"
    assert third["deadline"] == "长期推进"


def test_a_star_before_the_number_and_who_then_when_in_one_bracket(known: list[KnownUnit]) -> None:
    """★5. marks a featured item as much as a ★ after it; （区司法局负责，2025年6月底前） names the unit and the
    deadline. Found by the second blind set's document: 8 of its 14 items were lost before."""
    draft = draft_of(
        [
            Paragraph("鼓楼区2025年优化营商环境重点任务清单", "第1行"),
            Paragraph("一、提升政务服务效能", "第2行"),
            Paragraph(
                "★1. 深化企业开办改革。（牵头单位：区市场监管局；责任单位：区数据局；完成时限：2025年6月底前）",
                "第3行",
            ),
            Paragraph("2. 全面落实公平竞争审查制度。（区司法局负责，上半年）", "第4行"),
        ],
        known,
        region="鼓楼区",
    )
    first, second = draft.tasks
    assert first.featured and not first.content.startswith("★") and first.deadline.date == date(2025, 6, 30)
    assert first.units[0].name == "鼓楼区市场监督管理局（知识产权局）"  # 区市场监管局 in a 鼓楼区 plan
    assert [u.name for u in second.units] == ["区司法局"] and second.deadline.text == "上半年"
    assert not second.featured and second.deadline.date == date(2025, 6, 30)


def test_the_second_blind_documents_fourteen_items_all_import() -> None:
    fixture = Path(__file__).parent / "fixtures" / "gulou_business_env_2025.txt"
    units = load_catalog().units
    catalog = [KnownUnit(u.name, u.aliases, u.region, u.kind, bool(u.members)) for u in units]
    draft = recognise(read_document(fixture), region="鼓楼区", known=catalog)
    assert [t.number for t in draft.tasks] == [str(n) for n in range(1, 15)]
    assert [t.number for t in draft.tasks if t.featured] == ["1", "5", "8", "13"]
    assert {t.number: t.deadline.kind for t in draft.tasks}["12"] == "start"


def test_short_names_come_with_a_kind_or_a_place_and_bare_only_where_no_plan_holds_them() -> None:
    from seeds.importer.seed_yaml import short_names

    seeds = ["福州市国家知识产权保护示范区建设方案", "福州市鼓楼区国家知识产权强县建设示范县工作方案"]
    brand = short_names("福州市2025年商标品牌建设重点任务分解表", "福州市", seeds)
    assert {"商标品牌方案", "福州商标品牌", "商标品牌建设"} <= set(brand)
    business = short_names("鼓楼区2025年优化营商环境重点任务清单", "鼓楼区", seeds)
    assert {"营商环境清单", "鼓楼营商环境", "营商环境"} <= set(business)
    points = short_names("仓山区2025年知识产权工作要点任务分解表", "仓山区", seeds)
    assert {"知识产权要点", "仓山知识产权要点"} <= set(points)
    assert "知识产权" not in points and "知识产权工作" not in points  # every IP plan's title holds them


def test_a_new_unit_named_relative_to_the_plans_district_is_kept_under_its_full_name(
    known: list[KnownUnit],
) -> None:
    """区人民法院 in a 仓山区 plan is 仓山区人民法院, so another district's 区人民法院 is never taken for it."""
    draft = draft_of(
        [
            Paragraph("仓山区2025年知识产权工作要点", "第1行"),
            table(
                ("序号", "重点任务", "牵头单位", "配合单位", "完成时限"),
                ("1", "开展诉调对接。", "区人民法院", "区司法局", "2025年9月"),
            ),
        ],
        known,
        region="仓山区",
    )
    seed = draft_to_seed(draft, source_doc="test.txt")
    assert seed["tasks"][0]["units"] == ["仓山区人民法院", "仓山区司法局"]
    assert {u["name"] for u in seed["units"]} == {"仓山区人民法院", "仓山区司法局"}
    assert any(n["where"] == "区人民法院" and "仓山区人民法院" in n["what"] for n in seed["review"])


def test_plan_wide_targets_without_units_go_to_the_plans_office_and_say_so(known: list[KnownUnit]) -> None:
    fixture = Path(__file__).parent / "fixtures" / "cangshan_ip_points_2025.docx"
    draft = recognise(read_document(fixture), region=None, known=known)
    seed = draft_to_seed(draft, source_doc="cangshan.txt")
    office = seed["plan"]["supervising_unit"]
    assert [i["units"] for i in seed["indicators"]] == [[office]] * 3
    assert sum("暂由督办单位" in note["what"] for note in seed["review"]) == 3


def test_indicator_table_with_year_named_baseline_and_target_columns(known: list[KnownUnit]) -> None:
    """2024年基数 | 2025年目标, as a 政府工作报告 decomposition writes them (found by blind set 4)."""
    draft = draft_of(
        [
            table(
                ("序号", "指标名称", "单位", "2024年基数", "2025年目标", "责任单位"),
                ("1", "地区生产总值增速", "%", "5.8", "6.5", "区发改局、区统计局"),
                ("2", "城镇新增就业", "人", "7600", "8000", "区人社局"),
            )
        ],
        known,
        region="晋安区",
    )
    assert [(i.name, i.target, i.baseline, i.baseline_year) for i in draft.indicators] == [
        ("地区生产总值增速", "6.5", "5.8", 2024),
        ("城镇新增就业", "8000", "7600", 2024),
    ]


def test_a_table_naming_indicators_without_a_target_column_is_reported_not_skipped(
    known: list[KnownUnit],
) -> None:
    draft = draft_of(
        [table(("序号", "指标名称", "单位", "责任单位"), ("1", "城镇新增就业", "人", "区人社局"))], known
    )
    assert not draft.indicators and not draft.tasks
    assert any("表头：序号｜指标名称｜单位｜责任单位" in what for what in whats(draft)), whats(draft)


def test_each_carries_over_to_the_generic_body_named_after_it() -> None:
    from seeds.importer.units import split_unit_names

    assert split_unit_names("各街道办事处、乡镇人民政府") == ["各街道办事处", "各乡镇人民政府"]
    assert split_unit_names("各乡镇人民政府、街道办事处") == ["各乡镇人民政府", "各街道办事处"]
    # a named body after a 各 name is itself, not 各
    assert split_unit_names("各街道办事处、寿山乡人民政府") == ["各街道办事处", "寿山乡人民政府"]


def test_the_office_units_report_to_is_proposed_as_the_supervising_unit_with_its_words(
    known: list[KnownUnit],
) -> None:
    """Escalations go to the supervising unit: the 督查 office the document names beats the unit that
    leads most tasks, and the review quotes the sentence it came from."""
    blocks = [
        *paragraphs("晋安区2025年重点工作任务分解方案"),
        table(
            ("序号", "重点工作任务", "牵头单位", "完成时限"),
            ("1", "实施重大项目攻坚行动。", "区发改局", "年底前"),
            ("2", "做好专项债券项目申报。", "区发改局", "2025年6月底前"),
        ),
        *paragraphs(
            "三、工作要求", "（二）强化跟踪问效。各牵头单位于每季度最后一个月25日前将进展报送区政府督查室。"
        ),
    ]
    draft = draft_of(blocks, known, region="晋安区")
    assert draft.plan.supervisor == "区政府督查室"
    seed = draft_to_seed(draft, source_doc="test.docx")
    assert seed["plan"]["supervising_unit"] == "晋安区政府督查室"
    [note] = [r["what"] for r in seed["review"] if r["where"] == "plan.supervising_unit"]
    assert "报送区政府督查室" in note
    # without such a sentence the unit leading most items is proposed, and said to be a guess
    plain = draft_to_seed(draft_of(blocks[:2], known, region="晋安区"), source_doc="test.docx")
    assert plain["plan"]["supervising_unit"] == "晋安区发改局"
    assert "文件未载明" in next(r["what"] for r in plain["review"] if r["where"] == "plan.supervising_unit")


def test_closing_brackets_read_clause_by_clause_with_roles_and_deadlines(known: list[KnownUnit]) -> None:
    """Unlabelled roles (X牵头，Y配合), a deadline after a labelled list, units after a 责任单位 label: the
    ways a 专项行动 closes its items (found on blind set 5's document)."""
    draft = draft_of(
        paragraphs(
            "二、重点任务",
            "1.扩大电子证照应用。高频证照免提交事项不少于200项。（县数据管理局牵头，县直各有关单位配合，2025年三季度完成）",
            "2.提升网上办事深度。网上可办率达到98%以上。（责任单位：县行政服务中心管委会、县数据管理局，2025年12月底前完成）",
            "3.提升获得电力便利度。办电时间压减至5个工作日以内。（责任单位：国网闽侯县供电公司，县住建局、县城管局配合，2025年5月起实施）",
            "4.落实挂钩联系企业制度。常态化开展走访服务活动。（各乡镇（街道）负责，县工信局、县工商联配合，长期坚持）",
        ),
        known,
        region="闽侯县",
    )
    got = [
        (
            [(u.name, u.role) for u in t.units],
            t.deadline.kind,
            t.deadline.date and t.deadline.date.isoformat(),
        )
        for t in draft.tasks
    ]
    assert got == [
        ([("县数据管理局", "lead"), ("县直各有关单位", "co")], "quarter", "2025-09-30"),
        ([("县行政服务中心管委会", "lead"), ("县数据管理局", "co")], "month", "2025-12-31"),
        ([("国网闽侯县供电公司", "lead"), ("县住建局", "co"), ("县城管局", "co")], "start", "2025-05-01"),
        ([("各乡镇（街道）", "lead"), ("县工信局", "co"), ("县工商联", "co")], "ongoing", None),
    ]
    assert not any("时限无法识别" in what for what in whats(draft))


def test_an_item_among_unit_tagged_ones_whose_units_cannot_be_read_is_reported(
    known: list[KnownUnit],
) -> None:
    draft = draft_of(
        paragraphs(
            "二、重点任务",
            "1.深化企业开办。（牵头单位：县市场监管局；完成时限：2025年6月底前）",
            "2.推进一件事改革。（由相关部门按季度研究推进）",
            "3.推行包容审慎监管。（责任单位：县司法局，2025年7月底前完成）",
        ),
        known,
        region="闽侯县",
    )
    assert [t.number for t in draft.tasks] == ["1", "3"]
    assert "第2项未识别出责任单位，未导入，请核对后补录" in whats(draft)


def test_the_office_units_report_to_is_found_in_an_unnumbered_paragraph_too(known: list[KnownUnit]) -> None:
    blocks = [
        *paragraphs("福清市2025年重点工作责任分解表"),
        table(
            ("序号", "工作任务", "主要责任单位", "时间节点"),
            ("1", "全年计划实施重点项目300个。", "市发改局", "全年"),
        ),
        *paragraphs("工作要求：各主要责任单位须于每季度最后一个月20日前将工作推进情况报送市委市政府督查室。"),
    ]
    seed = draft_to_seed(draft_of(blocks, known, region="福清市"), source_doc="test.docx")
    assert seed["plan"]["supervising_unit"] == "福清市委市政府督查室"


def test_an_indicator_tables_reporting_frequency_becomes_its_report_rule(known: list[KnownUnit]) -> None:
    draft = draft_of(
        [
            table(
                ("序号", "指标名称", "单位", "目标值", "责任单位", "报送频次"),
                ("1", "专利授权量", "件", "5000", "市市场监管局（知识产权局）", "按月"),
                ("2", "商标注册量", "件", "20000", "市市场监管局（知识产权局）", "每季度"),
                ("3", "地理标志数量", "个", "12", "市市场监管局（知识产权局）", ""),
            )
        ],
        known,
    )
    assert [i.report_rule for i in draft.indicators] == ["monthly", "quarterly", None]
    seed = draft_to_seed(draft, source_doc="test.docx")
    assert [i.get("report_rule") for i in seed["indicators"]] == ["monthly", "quarterly", None]


def test_a_data_request_names_the_period_its_indicator_reports() -> None:
    from bot.conversation import texts

    assert texts.reported_period(None, 4) == "上季度末"
    assert texts.reported_period("monthly", 11) == "上月末"
    assert texts.reported_period("half-yearly", 7) == "上半年末"
    assert texts.reported_period("half-yearly", 1) == texts.reported_period("yearly", 1) == "上年末"


def test_a_signature_joined_into_one_line_still_gives_the_issuer_and_date(known: list[KnownUnit]) -> None:
    """A PDF's text may run the 落款 together: 福州市长乐区人民政府办公室2025年4月18日（此件主动公开）."""
    blocks = [
        *paragraphs(
            "长政办〔2025〕21号",
            "福州市长乐区人民政府办公室2025年4月18日（此件主动公开）",
            "长乐区2025年知识产权保护专项行动方案",
        ),
        table(
            ("序号", "工作任务", "牵头单位", "完成时限"), ("1", "开展农资打假。", "区农业农村局", "5月底前")
        ),
    ]
    plan = draft_of(blocks, known, region="长乐区").plan
    assert (plan.issuer, plan.issued) == ("福州市长乐区人民政府办公室", date(2025, 4, 18))


def test_a_leading_group_office_in_brackets_is_read_up_to_its_bracket(known: list[KnownUnit]) -> None:
    blocks = [
        *paragraphs(
            "长乐区2025年知识产权保护专项行动方案", "主要目标：全区查办知识产权侵权假冒案件不少于60件。"
        ),
        table(
            ("序号", "工作任务", "牵头单位", "完成时限"), ("1", "开展农资打假。", "区农业农村局", "5月底前")
        ),
        *paragraphs(
            "三、保障措施",
            "（一）加强组织领导。区知识产权工作领导小组办公室（设在区市场监管局）负责综合协调和督促检查。",
        ),
    ]
    seed = draft_to_seed(draft_of(blocks, known, region="长乐区"), source_doc="test.pdf")
    assert seed["plan"]["supervising_unit"] == "长乐区市场监管局"
    assert all(i["units"] == ["长乐区市场监管局"] for i in seed["indicators"]), seed["indicators"]
