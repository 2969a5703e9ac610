"""The seed files against the documents: counts, verbatim content and spot checks of individual records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from seeds.loader import load_catalog
from store.specs import Catalog, IndicatorSpec, TaskSpec

FZ, GL = "fuzhou-protection", "gulou-strong-county"
COUNTIES = (
    "鼓楼区人民政府", "台江区人民政府", "仓山区人民政府", "晋安区人民政府", "马尾区人民政府", "长乐区人民政府",
    "福清市人民政府", "闽侯县人民政府", "连江县人民政府", "罗源县人民政府", "闽清县人民政府", "永泰县人民政府",
    "平潭县人民政府",
)  # fmt: skip
CITY_SMG = "市市场监管局（知识产权局）"
GULOU_SMG = "鼓楼区市场监督管理局（知识产权局）"
COLLECTIVE = "各县（市）区人民政府"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _task(catalog: Catalog, plan: str, number: int) -> TaskSpec:
    return next(t for t in catalog.tasks if t.plan == plan and t.number == number)


def _indicator(catalog: Catalog, plan: str, code: str) -> IndicatorSpec:
    return next(i for i in catalog.indicators if i.plan == plan and i.code == code)


def _squash(text: str) -> str:
    return "".join(text.split())


def test_counts_match_the_documents(catalog: Catalog) -> None:
    city = [t for t in catalog.tasks if t.plan == FZ]
    assert [t.number for t in city] == list(range(1, 43))
    assert sum(t.featured for t in city) == 20
    assert sum(t.ongoing for t in city) == 12
    assert len([t for t in catalog.tasks if t.plan == GL]) == 11
    assert len([i for i in catalog.indicators if i.plan == FZ]) == 14
    assert len([i for i in catalog.indicators if i.plan == GL]) == 15


def test_city_task_content_is_verbatim(catalog: Catalog, fuzhou_doc: str) -> None:
    annex = _squash(fuzhou_doc[fuzhou_doc.index("任务清单及责任分工\n\n注") :])
    for task in (t for t in catalog.tasks if t.plan == FZ):
        assert _squash(task.content) in annex, task.number
        assert "★" not in task.content


def test_gulou_work_items_are_verbatim(catalog: Catalog, gulou_doc: str) -> None:
    doc = _squash(gulou_doc)
    for task in (t for t in catalog.tasks if t.plan == GL):
        assert _squash(task.content) in doc, task.number
        assert task.title and _squash(task.title) in doc
        assert task.deadline == date(2025, 6, 30)
        assert task.units == (GULOU_SMG,)


@pytest.mark.parametrize(
    ("number", "units", "deadline", "featured"),
    [
        (1, ("市政府办公厅", CITY_SMG), date(2024, 12, 31), True),
        (3, ("闽侯县人民政府", CITY_SMG), date(2025, 8, 31), True),
        (4, (CITY_SMG, COLLECTIVE, "高新区管委会"), date(2024, 12, 31), False),
        (6, (CITY_SMG, COLLECTIVE, "高新区管委会"), date(2025, 6, 30), True),
        (7, (CITY_SMG, "市委金融办", "市发改委", "市数据管理局", "长乐区人民政府"), date(2026, 1, 31), True),
        (13, ("市中级人民法院", "福州仲裁委", CITY_SMG, COLLECTIVE, "高新区管委会"), None, False),
        (18, ("市中级人民法院",), date(2024, 12, 31), False),
        (23, ("市委宣传部（市版权局）",), None, True),
        (26, ("市检察院",), date(2024, 12, 31), True),
        (30, ("市委政法委", "鼓楼区人民政府"), date(2026, 1, 31), True),
        (34, ("市教育局", "市科技局"), None, False),
        (37, ("榕城海关", "马尾海关", "长乐机场海关"), None, False),
        (41, ("鼓楼区人民政府",), date(2025, 8, 31), False),
        (42, ("仓山区人民政府",), date(2025, 8, 31), False),
    ],
)
def test_city_task_spot_checks(
    catalog: Catalog, number: int, units: tuple[str, ...], deadline: date | None, featured: bool
) -> None:
    task = _task(catalog, FZ, number)
    assert task.units == units
    assert task.deadline == deadline
    assert task.ongoing is (deadline is None)
    assert task.featured is featured
    assert task.source.doc == "002_4ee6bccc80053b1f.txt"
    assert f"序号{number}" in task.source.section


@pytest.mark.parametrize(
    ("code", "name", "uom", "target", "baseline", "lead"),
    [
        ("1", "建成知识产权行政保护先行所", "个", "26", "11", CITY_SMG),
        ("2", "培育知识产权行政保护特色品牌所", "个", "5", "0", CITY_SMG),
        ("3", "每万人口高价值发明专利拥有量", "件", "15", "14", CITY_SMG),
        ("4", "有效注册商标数量", "万件", "40", "37.66", CITY_SMG),
        ("5", "作品版权登记量", "万件", "10", None, "市委宣传部（市版权局）"),
        ("6", "知识产权质押融资总金额", "亿元", "135", "110", CITY_SMG),
        ("7", "知识产权信息公共服务网点", "个", "35", "31", CITY_SMG),
        ("8", "知识产权诉讼案件审限内结案率", "%", "100", "95", "市中级人民法院"),
        ("9", "专利侵权纠纷办理量", "件/年", "140", "130", CITY_SMG),
        ("10", "以裁决结案的专利纠纷办理量年增幅", "%", "10", "65", CITY_SMG),
        ("11", "维权援助服务企业数", "家/年", "80", "56", CITY_SMG),
        ("12", "建立知识产权法律公益咨询点", "个", "5", "0", CITY_SMG),
        ("13", "建立公安知识产权企业联络点", "个", "5", "0", "市公安局"),
        ("14", "培养知识产权专业本科人才", "名/年", "100", "0", "福建理工大学"),
    ],
)
def test_city_indicators(
    catalog: Catalog, code: str, name: str, uom: str, target: str, baseline: str | None, lead: str
) -> None:
    indicator = _indicator(catalog, FZ, code)
    assert (indicator.name, indicator.unit_of_measure, indicator.target) == (name, uom, Decimal(target))
    assert indicator.baseline == (Decimal(baseline) if baseline else None)
    assert indicator.baseline_year == (2023 if baseline else None)
    assert indicator.units[0] == lead
    assert indicator.due == date(2026, 1, 31)
    assert indicator.region == "福州市"


def test_city_indicator_details(catalog: Catalog) -> None:
    assert _indicator(catalog, FZ, "6").units == (
        "市市场监管局（知识产权局）",
        "市金融监管局",
        COLLECTIVE,
        "高新区管委会",
    )
    assert _indicator(catalog, FZ, "14").units == ("福建理工大学", "福建江夏学院", "市教育局")
    growth = _indicator(catalog, FZ, "10")
    assert (growth.period_kind, growth.baseline_unit) == ("growth_rate", "件")
    assert _indicator(catalog, FZ, "9").period_kind == "per_year"
    assert _indicator(catalog, FZ, "8").period_kind == "share"


@pytest.mark.parametrize(
    ("code", "comparator", "target", "uom", "period"),
    [
        ("1", ">", "0.2", "%", "share"),
        ("2", ">", "3500", "件", "per_year"),
        ("3", ">", "75", "%", "share"),
        ("4", ">", "150", "家", "yearly_average"),
        ("5", ">", "50", "件", "yearly_average"),
        ("6", ">", "10000", "件", "yearly_average"),
        ("7", ">=", "95", "件", "level"),
        ("8", ">=", "7", "家", "level"),
        ("9", ">=", "20", "家", "level"),
        ("10", ">=", "60", "家", "level"),
        ("11", ">=", "37", "家", "level"),
        ("12", ">=", "1", "亿元", "yearly_average"),
        ("13", ">=", "60", "件", "yearly_average"),
        ("14", ">=", "6", "次", "level"),
        ("15", ">=", "1000", "人次/年", "per_year"),
    ],
)
def test_gulou_targets(
    catalog: Catalog, code: str, comparator: str, target: str, uom: str, period: str
) -> None:
    indicator = _indicator(catalog, GL, code)
    assert (indicator.comparator, indicator.target, indicator.unit_of_measure) == (
        comparator,
        Decimal(target),
        uom,
    )
    assert indicator.period_kind == period
    assert indicator.units == (GULOU_SMG,)
    assert indicator.due == date(2025, 6, 30)
    assert indicator.region == "鼓楼区"
    assert indicator.source.doc == "000_12104225aee16fef.txt"


def test_gulou_targets_quote_the_document(catalog: Catalog, gulou_doc: str) -> None:
    doc = _squash(gulou_doc)
    for indicator in (i for i in catalog.indicators if i.plan == GL):
        assert _squash(indicator.note) in doc, indicator.code


def test_city_notes_quote_annex_2(catalog: Catalog, fuzhou_doc: str) -> None:
    doc = _squash(fuzhou_doc)
    for indicator in (i for i in catalog.indicators if i.plan == FZ):
        assert _squash(indicator.note) in doc, indicator.code


def test_units_and_collectives(catalog: Catalog) -> None:
    by_name = {u.name: u for u in catalog.units}
    assert by_name[COLLECTIVE].members == COUNTIES
    assert by_name["各海关"].members == ("榕城海关", "马尾海关", "长乐机场海关")
    for short in ("中院", "市中院", "福州中院"):
        assert short in by_name["市中级人民法院"].aliases
    assert "市人民检察院" in by_name["市检察院"].aliases
    assert {"市场监管局", "市监局", "知识产权局"} <= set(by_name[CITY_SMG].aliases)
    assert {"宣传部", "版权局"} <= set(by_name["市委宣传部（市版权局）"].aliases)
    assert "仓山" in by_name["仓山区人民政府"].aliases


def test_plans(catalog: Catalog) -> None:
    fz, gl = (next(p for p in catalog.plans if p.code == code) for code in (FZ, GL))
    assert (fz.doc_number, fz.issued_on, fz.supervising_unit) == (
        "榕政综〔2024〕130号",
        date(2024, 7, 23),
        CITY_SMG,
    )
    assert (gl.valid_to, gl.supervising_unit, gl.region) == (date(2025, 6, 30), GULOU_SMG, "鼓楼区")
    assert gl.issuer is None and gl.doc_number is None  # the draft names neither; nothing is guessed
