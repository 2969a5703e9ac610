"""Where a question is scoped, at the parser: a place that names its own plan, and a district's bureau said
without its district (a small catalog built here: two counties, one with a plan of its own)."""

from __future__ import annotations

import pytest

from nlu.intents import TaskRef
from nlu.lexicon import CatalogNames, Lexicon, PlanName, TaskText, UnitName, local_unit_names
from nlu.parser import parse

COUNTY = "county-plan"
CITY = "city-plan"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    units = (
        UnitName("连江县人民政府", ("连江县政府", "连江县", "连江"), "连江县"),
        UnitName("闽侯县人民政府", ("闽侯县政府", "闽侯县", "闽侯"), "闽侯县"),
        UnitName("连江县财政局", (), "连江县"),
        UnitName("闽侯县财政局", (), "闽侯县"),
        UnitName("连江县人民法院", (), "连江县"),
        UnitName("市财政局", (), "福州市"),
    )
    plans = (
        PlanName(CITY, "福州市海洋经济发展方案", "福州市", True, ("海洋方案",)),
        PlanName(COUNTY, "连江县2025年乡村振兴重点任务分解方案", "连江县", False),
    )
    tasks = (
        TaskText(CITY, 1, "建设海洋经济示范园区。", None),
        TaskText(COUNTY, 1, "推进农村公路提档升级，完成改造里程50公里。", "一、基础设施"),
        TaskText(COUNTY, 2, "实施渔港经济区建设，完成黄岐渔港码头主体工程。", "一、基础设施"),
        TaskText(COUNTY, 3, "开展农房风貌整治提升，整治农房外立面300栋。", "二、人居环境"),
    )
    return Lexicon(CatalogNames((), units, plans, tasks))


@pytest.mark.parametrize(
    "text", ["连江方案第2项", "连江那个分解方案第2项", "连江县重点任务第2条", "连江2025年任务2", "连江任务2"]
)
def test_a_place_with_one_plan_and_a_word_of_a_plans_kind_name_that_plan(lexicon: Lexicon, text: str) -> None:
    slots = parse(text, lexicon).slots
    assert slots.plans == (COUNTY,)
    assert slots.tasks == (TaskRef(None, 2),)
    assert not slots.units  # not the county's government


def test_the_plans_name_goes_on_over_more_words_of_its_kind(lexicon: Lexicon) -> None:
    parsed = parse("海洋方案任务清单有几项", lexicon)
    assert parsed.slots.plans == (CITY,)


def test_a_place_asked_for_a_list_by_deadline_keeps_its_plan_beside_its_government(lexicon: Lexicon) -> None:
    parsed = parse("连江下个月到期的任务", lexicon)
    assert parsed.name == "due_tasks"
    assert parsed.slots.place_plans == (COUNTY,)
    assert parsed.slots.units == ("连江县人民政府",)
    assert not parse("闽侯下个月到期的任务", lexicon).slots.place_plans  # no plan of its own


def test_a_bureau_without_its_county_is_the_one_of_the_county_named(lexicon: Lexicon) -> None:
    assert parse("连江方案里县财政局有什么任务", lexicon).slots.units == ("连江县财政局",)
    assert parse("闽侯的县财政局有哪些任务", lexicon).slots.units == ("闽侯县财政局",)
    assert parse("连江县法院有哪些任务", lexicon).slots.units == ("连江县人民法院",)


def test_a_bureau_several_counties_have_is_a_choice_when_no_county_is_named(lexicon: Lexicon) -> None:
    slots = parse("县财政局有哪些任务", lexicon).slots
    assert set(slots.unit_choices) == {"连江县财政局", "闽侯县财政局"}
    assert not parse("市财政局有哪些任务", lexicon).slots.unit_choices


@pytest.mark.parametrize(
    ("name", "region", "terms"),
    [
        ("晋安区财政局", "晋安区", {"区财政局", "晋安财政局"}),
        ("仓山区人民法院", "仓山区", {"区人民法院", "区法院", "仓山区法院", "仓山法院", "仓山人民法院"}),
        ("晋安区人民政府", "晋安区", set()),  # every district has one: said alone it is the place's
        ("福兴经济开发区管委会", "晋安区", set()),  # not named with its district
    ],
)
def test_a_districts_own_units_are_also_called_as_its_documents_call_them(
    name: str, region: str, terms: set[str]
) -> None:
    assert set(local_unit_names(name, region)) == terms


def test_what_a_named_plan_must_finish_in_a_window_is_its_tasks_due_then(lexicon: Lexicon) -> None:
    parsed = parse("海洋方案三季度要完成什么", lexicon)
    assert parsed.name == "due_tasks" and parsed.slots.plans == (CITY,)


def test_words_of_a_task_inside_a_named_plan_pick_that_plans_task() -> None:
    """长乐专项行动地理标志那项: another plan's task may fit the words better; the named plan's is meant."""
    plans = (
        PlanName(CITY, "福州市知识产权保护示范区建设方案", "福州市", True, ("示范区",)),
        PlanName(COUNTY, "连江县2025年知识产权保护专项行动方案", "连江县", True),
    )
    tasks = (
        TaskText(CITY, 40, "创设地理标志产品保护机制，高标准建设地理标志保护示范区。", None),
        TaskText(COUNTY, 10, "加强地理标志保护，开展地理标志产品专项检查。", None),
    )
    units = (UnitName("连江县人民政府", ("连江",), "连江县"),)
    lexicon = Lexicon(CatalogNames((), units, plans, tasks))
    slots = parse("连江专项行动地理标志保护那项什么时候完成", lexicon).slots
    assert slots.plans == (COUNTY,)
    assert slots.tasks == (TaskRef(COUNTY, 10),)
