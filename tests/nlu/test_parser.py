"""The parser is pure: text and lexicon in, intent and symbolic slots out."""

from __future__ import annotations

import pytest

from nlu.intents import TaskRef
from nlu.lexicon import Lexicon, compact
from nlu.parser import parse
from nlu.time_words import Window

GULOU_PATENTS = "gulou-strong-county:2"
GULOU_TRADEMARK_APPLICATIONS = "gulou-strong-county:6"
CITY_PILOT_OFFICES = "fuzhou-protection:1"


@pytest.mark.parametrize(
    ("text", "intent", "indicators", "regions"),
    [
        ("鼓楼专利授权量进度", "indicator_progress", (GULOU_PATENTS,), ("鼓楼区",)),
        ("鼓楼区年专利授权量完成情况", "indicator_progress", (GULOU_PATENTS,), ("鼓楼区",)),
        ("鼓樓專利授權量進度", "indicator_progress", (GULOU_PATENTS,), ("鼓楼区",)),
        ("鼓楼专利受权量进度", "indicator_progress", (GULOU_PATENTS,), ("鼓楼区",)),  # one wrong character
        ("先行所的目标是多少", "indicator_target", (CITY_PILOT_OFFICES,), ()),
        ("先行所2023年基线", "indicator_target", (CITY_PILOT_OFFICES,), ()),
        ("先行所谁负责", "responsible", (CITY_PILOT_OFFICES,), ()),
        ("那商标申请呢", None, (GULOU_TRADEMARK_APPLICATIONS,), ()),
    ],
)
def test_indicator_questions(
    lexicon: Lexicon, text: str, intent: str | None, indicators: tuple[str, ...], regions: tuple[str, ...]
) -> None:
    parsed = parse(text, lexicon)
    assert parsed.name == intent
    assert parsed.slots.indicators == indicators
    assert parsed.slots.regions == regions


def test_a_shared_synonym_names_both_plans_indicators(lexicon: Lexicon) -> None:
    parsed = parse("质押进度", lexicon)
    assert parsed.slots.indicators == ("fuzhou-protection:6", "gulou-strong-county:12")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("任务18", 18),
        ("任务18是什么", 18),
        ("第十八项", 18),
        ("任务三十八", 38),
        ("18号任务", 18),
        ("第４２项任务", 42),
        ("序号7的内容", 7),
    ],
)
def test_task_numbers(lexicon: Lexicon, text: str, number: int) -> None:
    parsed = parse(text, lexicon)
    assert parsed.name == "task_detail"
    assert parsed.slots.tasks == (TaskRef(None, number),)


@pytest.mark.parametrize(
    ("text", "plan", "number"),
    [
        ("闽都文化保护样板街区", "fuzhou-protection", 9),
        ("军门社区服务驿站是什么任务", "fuzhou-protection", 41),
        ("审判信息化建设", "fuzhou-protection", 18),
        ("闽都文化保护样板接区", "fuzhou-protection", 9),  # a typo inside the quoted wording
    ],
)
def test_task_by_a_fragment_of_its_wording(lexicon: Lexicon, text: str, plan: str, number: int) -> None:
    parsed = parse(text, lexicon)
    assert parsed.name == "task_detail"
    assert parsed.slots.tasks == (TaskRef(plan, number),)


@pytest.mark.parametrize(
    ("text", "number"), [("检察护企·闽都行是什么", 25), ("1188机制谁负责", 36), ("“电子通道”建得怎么样", 18)]
)
def test_task_by_the_name_it_gives_in_quotes(lexicon: Lexicon, text: str, number: int) -> None:
    assert parse(text, lexicon).slots.tasks == (TaskRef("fuzhou-protection", number),)


def test_who_is_responsible_for_a_task(lexicon: Lexicon) -> None:
    parsed = parse("任务18谁负责", lexicon)
    assert (parsed.name, parsed.slots.tasks) == ("responsible", (TaskRef(None, 18),))


@pytest.mark.parametrize(
    ("text", "unit", "role"),
    [
        ("市检察院有哪些任务", "市检察院", None),
        ("检察院负责什么", "市检察院", None),
        ("市检查院有哪些任务", "市检察院", None),
        ("中院牵头的任务", "市中级人民法院", "lead"),
        ("市监局配合哪些任务", "市市场监管局（知识产权局）", "co"),
        ("市市场监管局(知识产权局)的任务", "市市场监管局（知识产权局）", None),
    ],
)
def test_tasks_of_a_unit(lexicon: Lexicon, text: str, unit: str, role: str | None) -> None:
    parsed = parse(text, lexicon)
    assert parsed.name == "unit_tasks"
    assert parsed.slots.units[0] == unit
    assert parsed.slots.role == role


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("下个月到期的任务", Window("next_month")),
        ("本季度要完成哪些任务", Window("this_quarter")),
        ("2025年8月底前到期的任务", Window("by_date", year=2025, month=8)),
        ("年底前到期的任务", Window("this_year")),
    ],
)
def test_due_windows_stay_symbolic(lexicon: Lexicon, text: str, window: Window) -> None:
    parsed = parse(text, lexicon)
    assert parsed.name == "due_tasks"
    assert parsed.slots.window == window


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("逾期任务", "overdue_tasks"),
        ("中院有哪些超期的任务", "overdue_tasks"),
        ("长期推进的任务", "ongoing_tasks"),
        ("特色重点任务有哪些", "featured_tasks"),
        ("示范区总体情况", "plan_overview"),
        ("鼓楼有哪些指标", "indicator_list"),
        ("帮助", "help"),
        ("你好", "help"),
        ("谢谢", "smalltalk"),
        ("更多", "more"),
        ("今天天气怎么样", "unknown"),
        ("hello how are you", "unknown"),
        ("'; DROP TABLE task;--", "unknown"),
        ("🙂🙂", "unknown"),
        ("谁负责", "responsible"),
    ],
)
def test_intents(lexicon: Lexicon, text: str, intent: str) -> None:
    assert parse(text, lexicon).name == intent


@pytest.mark.parametrize(("text", "choice"), [("1", 1), ("2", 2), (" ２ ", 2), ("第一个", 1), ("选3", 3)])
def test_numbered_replies(lexicon: Lexicon, text: str, choice: int) -> None:
    parsed = parse(text, lexicon)
    assert (parsed.name, parsed.slots.choice) == ("choose", choice)


def test_region_follow_up_names_only_the_region(lexicon: Lexicon) -> None:
    parsed = parse("仓山呢", lexicon)
    assert parsed.name is None
    assert parsed.slots.regions == ("仓山区",)


def test_compact_ignores_width_brackets_and_spaces() -> None:
    assert (
        compact("市市场监管局 （知识产权局）")
        == compact("市市场监管局(知识产权局)")
        == "市市场监管局知识产权局"
    )


def test_the_tokenizer_is_private(lexicon: Lexicon) -> None:
    import jieba

    assert lexicon.tokenizer is not jieba.dt
    assert not jieba.dt.initialized  # the global tokenizer (and its 0.6 s dictionary load) is never touched


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("鼓楼省级知识产权示范优势企业目标多少家", "gulou-strong-county:9"),
        ("国家级知识产权示范优势企业要几家", "gulou-strong-county:8"),
    ],
)
def test_an_indicator_named_with_the_fields_word_added_or_dropped(
    lexicon: Lexicon, text: str, key: str
) -> None:
    """知识产权 goes anywhere in a name or nowhere: the family of 示范优势企业 is told apart by its level."""
    assert parse(text, lexicon).slots.indicators == (key,)


@pytest.mark.parametrize(
    ("text", "outline"),
    [
        ("鼓楼方案四（六）那条工作内容", "四（六）"),
        ("三（四）2说了什么", "三（四）2"),
        ("示范区方案三、（四）第2条", "三（四）2"),
        ("四(三)谁负责", "四（三）"),
    ],
)
def test_a_place_in_the_outline_is_no_task_number(lexicon: Lexicon, text: str, outline: str) -> None:
    """四（三） is the document's outline: not 任务43, and 第2条 under it is not 任务2."""
    intent = parse(text, lexicon)
    assert (intent.name, intent.slots.outline, intent.slots.tasks) == ("document", outline, ())


@pytest.mark.parametrize(
    ("text", "late"),
    [
        ("逾期超过半年的任务", (6, "month")),
        ("超期三个月以上的任务有哪些", (3, "month")),
        ("逾期30天以上的", (30, "day")),
        ("市检察院逾期超过一年的任务", (1, "year")),
    ],
)
def test_how_long_past_the_deadline(lexicon: Lexicon, text: str, late: tuple[int, str]) -> None:
    intent = parse(text, lexicon)
    assert (intent.name, intent.slots.overdue_for) == ("overdue_tasks", late)


def test_how_late_is_a_question_not_a_length(lexicon: Lexicon) -> None:
    assert parse("逾期多少天了", lexicon).slots.overdue_for is None


def test_a_short_name_typed_by_sound_at_its_edge(lexicon: Lexicon) -> None:
    """沧山区 is 仓山区 typed on a pinyin keyboard; 知识产权试点 is still no misspelt 知识产权局."""
    assert parse("沧山区有哪些任务", lexicon).slots.units == ("仓山区人民政府",)
    assert parse("知识产权试点", lexicon).slots.units == ()
