"""Quantified targets stated in a plan's goal prose (主要目标：… / 工作目标 sections / 到2025年底，…), one per clause."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_shapes import draft_of, paragraphs, table, whats

from seeds.importer.blocks import Paragraph
from seeds.importer.draft import Draft
from seeds.importer.reading import read_document
from seeds.importer.shapes import recognise
from seeds.importer.targets import read_goal
from seeds.importer.units import KnownUnit
from seeds.loader import load_catalog

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "gulou_business_env_2025.txt"
GOAL = (
    "到2025年底，全区营商环境便利度和企业满意度进一步提升，新增市场主体不少于8000户；"
    "政务服务事项“一网通办”率达到98%以上；企业开办时间压缩至1个工作日以内。"
)
TASK = "1. 深化企业开办改革，全程1个工作日内办结。（牵头单位：区市场监管局；完成时限：2025年6月底前）"


@pytest.fixture(scope="module")
def known() -> list[KnownUnit]:
    return [
        KnownUnit(u.name, u.aliases, u.region, u.kind, u.kind == "collective") for u in load_catalog().units
    ]


def values(draft: Draft) -> list[tuple[str, str, str | None, str | None, str | None]]:
    return [(i.number, i.name, i.target, i.comparator, i.unit_of_measure) for i in draft.indicators]


def test_a_main_goal_paragraph_gives_one_indicator_per_clause(known: list[KnownUnit]) -> None:
    draft = draft_of(
        paragraphs("某区2025年优化营商环境重点任务清单", f"主要目标：{GOAL}", "一、提升政务服务效能", TASK),
        known,
        region="鼓楼区",
    )
    assert values(draft) == [
        ("1", "新增市场主体", "8000", ">=", "户"),
        ("2", "政务服务事项“一网通办”率", "98", ">=", "%"),
        ("3", "企业开办时间", "1", "<=", "个工作日"),
    ]
    first = draft.indicators[0]
    assert first.note.startswith("到2025年底，") and first.note.endswith("不少于8000户")
    assert [t.number for t in draft.tasks] == ["1"]  # the task's 1个工作日 is no indicator
    assert all(not i.units for i in draft.indicators)
    assert "方案未载明各项指标的责任单位，3项指标暂无责任单位，请补充" in whats(draft)
    assert not any("未导入为指标" in w for w in whats(draft))  # the clause without a number is no target


def test_a_goal_section_until_the_next_heading_of_its_rank(known: list[KnownUnit]) -> None:
    draft = draft_of(
        paragraphs(
            "某区知识产权工作方案",
            "工作目标",
            "到2025年，知识产权创造、运用水平明显提升。",
            "1. 年专利授权量不少于3500件，有效发明专利拥有量达到1.2万件以上。",
            "2. 专利质押融资额达到5亿元以上；商标注册申请审查周期控制在4个月以内；服务机构达到30以上。",
            "3. 建设知识产权保护工作站10个以上。（牵头单位：区市场监管局；完成时限：2025年底）",
            "一、重点任务",
            "（一）加强知识产权保护",
            "开展专项行动不少于6次。",
        ),
        known,
        region="鼓楼区",
    )
    assert values(draft) == [
        ("1", "年专利授权量", "3500", ">=", "件"),
        ("2", "有效发明专利拥有量", "1.2", ">=", "万件"),
        ("3", "专利质押融资额", "5", ">=", "亿元"),
        ("4", "商标注册申请审查周期", "4", "<=", "个月"),
    ]  # 3.: a task with its unit; 一、重点任务: tasks, not goals
    assert draft.indicators[0].note == "年专利授权量不少于3500件，有效发明专利拥有量达到1.2万件以上"
    problem = next(p for p in draft.problems if "服务机构" in p.what)
    assert (problem.where, problem.what) == (
        "工作目标 第5行",
        "工作目标中“服务机构达到30以上”未写明计量单位，未导入为指标，请核对",
    )


def test_a_goal_section_the_sentence_reader_finds_nothing_in_is_reported(known: list[KnownUnit]) -> None:
    """Numbered 目标 parts are read by the 鼓楼 sentence reader; where it finds no target, each clause with a
    number is reported at its place (一、主要目标（一）具体目标), not dropped silently."""
    draft = draft_of(
        paragraphs(
            "某区2025年工作方案",
            "一、主要目标",
            "（一）具体目标",
            "地区生产总值增长6%左右，城镇新增就业达到5000。",
            "二、重点任务",
            "1. 推进项目建设。",
        ),
        known,
        region="鼓楼区",
    )
    assert not draft.indicators
    assert [(p.where, p.what.split("”")[1]) for p in draft.problems if "未导入为指标" in p.what] == [
        (
            "一、主要目标（一）具体目标 第4行",
            "含数值但未写明比较方式（不少于、达到…以上、以内等），未导入为指标，请核对",
        ),
        ("一、主要目标（一）具体目标 第4行", "未写明计量单位，未导入为指标，请核对"),
    ]


def test_an_unnumbered_heading_and_a_year_end_sentence(known: list[KnownUnit]) -> None:
    draft = draft_of(
        paragraphs(
            "某县2025年工作方案",
            "到2025年底，全县新增规上工业企业不少于20家。",
            "发展目标",
            "力争全年培育专精特新企业超过15家，地区生产总值增长6%左右。",
            "一、重点任务",
            "1. 推进项目建设。",
            "到2025年底，完成项目投资不少于30亿元。",
        ),
        known,
        region="鼓楼区",
    )
    assert values(draft) == [
        ("1", "全县新增规上工业企业", "20", ">=", "家"),
        ("2", "全年培育专精特新企业", "15", ">", "家"),
    ]  # the last sentence is the body of task 1., not a plan goal
    where, what = next((p.where, p.what) for p in draft.problems if "地区生产总值" in p.what)
    assert where == "发展目标 第4行"
    assert (
        what
        == "发展目标中“地区生产总值增长6%左右”含数值但未写明比较方式（不少于、达到…以上、以内等），未导入为指标，请核对"
    )


def test_ambiguous_clauses_are_reported_not_guessed() -> None:
    reading = read_goal(
        "授权3件以上专利企业超150家；单位能耗不低于5%以下；开展培训达到1000；"
        "国家、省、市示范企业分别达7家、20家、60家；示范企业数量分别达3家、5家。"
    )
    assert [(t.name, t.value.number) for t in reading.targets] == [
        ("国家示范企业", "7"), ("省示范企业", "20"), ("市示范企业", "60"),
    ]  # fmt: skip
    assert [(u.clause, u.why) for u in reading.unread] == [
        ("授权3件以上专利企业超150家", "含多个比较数值，未能确定哪一个是目标"),
        ("单位能耗不低于5%以下", "比较用语前后矛盾"),
        ("开展培训达到1000", "未写明计量单位"),
        ("示范企业数量分别达3家、5家", "列出多个目标值，未能逐一对应指标名称"),
    ]
    assert read_goal("到2025年6月底，营商环境持续优化。") == read_goal("")  # a date is no value


def test_the_leading_office_takes_the_goals_with_a_problem(known: list[KnownUnit]) -> None:
    draft = draft_of(
        paragraphs(
            "某区营商环境方案",
            "主要目标：企业开办时间压缩至1个工作日以内。",
            "一、提升政务服务效能",
            TASK,
            "二、工作要求",
            "各牵头单位每季度末将进展情况报送区发改局（区优化营商环境工作领导小组办公室）。",
        ),
        known,
        region="鼓楼区",
    )
    (indicator,) = draft.indicators
    assert [(u.name, u.role) for u in indicator.units] == [("区发改局", "lead")]
    said = " ".join(whats(draft))
    assert "方案未载明各项指标的责任单位；二、工作要求写明" in said and "暂将1项指标交区发改局牵头" in said
    assert "暂无责任单位" not in said


def test_goal_prose_is_not_read_where_a_table_gives_the_indicators(known: list[KnownUnit]) -> None:
    draft = draft_of(
        [
            Paragraph(f"主要目标：{GOAL}", "第1行"),
            table(
                ("序号", "指标名称", "单位", "目标值", "责任单位"),
                ("1", "新增市场主体", "户", "≥9000", "市市场监管局"),
            ),
        ],
        known,
    )
    assert values(draft) == [("1", "新增市场主体", "9000", ">=", "户")]


def test_a_goal_paragraph_the_document_cuts_off_is_reported(known: list[KnownUnit]) -> None:
    draft = draft_of(
        paragraphs("某区方案", "主要目标：新增市场主体不少于8000户；政务服务", "[……缺……]"), known
    )
    assert not draft.indicators
    assert ("主要目标 第2行", "主要目标段落在文档中被截断，其中的目标未导入") in [
        (p.where, p.what) for p in draft.problems
    ]


def test_the_business_environment_plan_states_three_targets() -> None:
    catalog = [KnownUnit(u.name, u.aliases, u.region, u.kind, bool(u.members)) for u in load_catalog().units]
    draft = recognise(read_document(FIXTURE), region="鼓楼区", known=catalog)
    assert [(i.target, i.unit_of_measure, i.comparator) for i in draft.indicators] == [
        ("8000", "户", ">="), ("98", "%", ">="), ("1", "个工作日", "<="),
    ]  # fmt: skip
    assert [i.name for i in draft.indicators] == ["新增市场主体", "政务服务事项“一网通办”率", "企业开办时间"]
    assert all(i.note and i.units for i in draft.indicators)
    assert any(
        p.where.startswith("五、工作要求") and "3项指标交区发改局牵头" in p.what for p in draft.problems
    )
    assert len(draft.tasks) == 14
