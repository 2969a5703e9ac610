"""The conversation core end to end: messages in, Chinese replies out, context per user, nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Inbound
from store.db import Database
from store.ledger import ledger_version, record_indicator_report
from store.members import add_member

TODAY = date(2025, 8, 10)


class Chat:
    """One user talking to a core, on a fixed day."""

    def __init__(self, core: Core, user: str = "u1", today: date = TODAY) -> None:
        self.core, self.user, self.today, self.count = core, user, today, 0

    def say(self, text: str) -> tuple[str, str | None]:
        self.count += 1
        at = datetime.combine(self.today, time(10), LOCAL_TZ)
        replies = self.core.handle(
            Inbound("test", self.user, self.user, text, at, f"{self.user}-{self.count}")
        )
        assert len(replies) == 1
        return replies[0].text, replies[0].intent


@pytest.fixture
def chat(knowledge: Knowledge) -> Chat:
    return Chat(Core(knowledge, public_read=True))


def test_gulou_patent_progress_without_data(chat: Chat) -> None:
    reply, intent = chat.say("鼓楼专利授权量进度")
    assert intent == "indicator_progress"
    assert "【鼓楼区】年专利授权量" in reply
    assert ">3500 件/年" in reply
    assert "尚无上报数据" in reply
    assert "序时进度" in reply


def test_follow_ups_swap_indicator_then_region(chat: Chat) -> None:
    chat.say("鼓楼专利授权量进度")
    reply, intent = chat.say("那商标申请呢")
    assert intent == "indicator_progress"
    assert "【鼓楼区】商标申请数量" in reply
    reply, intent = chat.say("仓山呢")
    assert intent == "indicator_progress"
    assert "仓山区没有“商标申请数量”" in reply and "鼓楼区" in reply


def test_who_is_responsible_follows_the_last_task(chat: Chat) -> None:
    chat.say("任务7是什么")
    reply, intent = chat.say("谁负责")
    assert intent == "responsible"
    assert reply.startswith("任务7的责任单位：市市场监管局（知识产权局）（牵头）")
    assert "长乐区人民政府（配合）" in reply


def test_ambiguity_gets_a_numbered_choice(chat: Chat) -> None:
    reply, intent = chat.say("质押进度")
    assert intent == "indicator_progress"
    assert reply.startswith("您指的是：\n1 【福州市】知识产权质押融资总金额\n2 【鼓楼区】专利质押贷款额度")
    reply, intent = chat.say("2")
    assert intent == "indicator_progress"
    assert "【鼓楼区】专利质押贷款额度" in reply
    reply, _ = chat.say("福州呢")
    assert "【福州市】知识产权质押融资总金额" in reply
    assert "110 亿元（2023年）" in reply


def test_a_choice_out_of_range_asks_again(chat: Chat) -> None:
    chat.say("质押进度")
    reply, _ = chat.say("5")
    assert reply == "请回复 1 到 2 之间的序号。"
    reply, _ = chat.say("1")
    assert "【福州市】知识产权质押融资总金额" in reply


def test_users_do_not_share_context(knowledge: Knowledge) -> None:
    core = Core(knowledge, public_read=True)
    Chat(core, "a").say("任务7是什么")
    reply, _ = Chat(core, "b").say("谁负责")
    assert "请说明是哪项任务或哪个指标" in reply


def test_unit_tasks_mark_lead_and_co_units(chat: Chat) -> None:
    reply, intent = chat.say("市检察院有哪些任务")
    assert intent == "unit_tasks"
    assert reply.splitlines()[0] == "市检察院承担的任务共 3 项："
    assert "任务25〔牵头〕" in reply and "任务27〔牵头〕" in reply
    reply, _ = chat.say("市监局配合哪些任务")
    assert "配合的任务" in reply and "任务5〔配合〕" in reply and "〔牵头〕" not in reply


def test_collectives_are_expanded_and_long_lists_page(chat: Chat) -> None:
    reply, _ = chat.say("鼓楼区人民政府有哪些任务")
    assert "任务4〔配合〕" in reply  # assigned to 各县（市）区人民政府
    assert "任务30〔配合〕" in reply  # 市委政法委 leads, 鼓楼区人民政府 co-operates
    assert "鼓楼区的《福州市鼓楼区国家知识产权强县建设示范县工作方案》有 11 项重点工作" in reply
    marks = "".join(texts.COLOUR_MARKS.values())  # 🔴 overdue, 🔵 due soon: 督办 colours
    lines = [line.lstrip(marks) for line in reply.splitlines() if line.lstrip(marks).startswith("任务")]
    assert len(lines) == 10
    # Issue 16: what names the unit itself comes first (led before supported), then what it holds as a
    # member of 各县（市）区人民政府.
    assert reply.splitlines()[0] == "鼓楼区人民政府承担的任务共 11 项（直接点名 2 项，作为集体成员 9 项）："
    assert lines[0].startswith("任务41〔牵头〕")
    assert lines[1].startswith("任务30〔配合〕")
    assert "还有 1 项，回复“更多”查看" in reply
    more, intent = chat.say("更多")
    assert intent == "more"
    assert more.lstrip(marks).startswith("任务35〔配合〕")
    assert chat.say("更多")[0] == "没有更多内容了。"


def test_task_detail_shows_units_deadline_and_days(chat: Chat) -> None:
    reply, intent = chat.say("第十八项")
    assert intent == "task_detail"
    assert "任务18（福州市国家知识产权保护示范区建设方案）" in reply
    assert "责任单位：市中级人民法院" in reply
    assert "时限：2024-12-31（已逾期 222 天）" in reply
    assert "状态：未完成" in reply


def test_gulou_items_are_reached_through_the_plan(chat: Chat) -> None:
    reply, _ = chat.say("鼓楼方案第3项")
    # The document numbers its two lists apart (二、重点思路 ×4, 四、重点工作 ×7): the label says which.
    assert reply.startswith(
        "鼓楼第3项·示范县建设重点思路（三）（福州市鼓楼区国家知识产权强县建设示范县工作方案）"
    )
    assert "成立知识产权服务业联盟" in reply


def test_unknown_task_number(chat: Chat) -> None:
    reply, _ = chat.say("任务99")
    assert reply == "《福州市国家知识产权保护示范区建设方案》没有第 99 项任务（共 42 项）。"


def test_due_windows_are_relative_to_today(chat: Chat) -> None:
    reply, intent = chat.say("本月到期的任务")
    assert intent == "due_tasks"
    assert reply.splitlines()[0] == "2025-08-01 至 2025-08-31 到期的任务共 5 项："
    for number in (3, 11, 12, 41, 42):
        assert f"任务{number} " in reply
    reply, _ = chat.say("下个月到期的任务")
    assert reply == "2025-09-01 至 2025-09-30 没有到期的任务。"


def test_overdue_tasks(chat: Chat) -> None:
    reply, intent = chat.say("逾期任务")
    assert intent == "overdue_tasks"
    assert (
        reply.splitlines()[0] == "截至 2025-08-10，逾期未完成的任务共 16 项："
    )  # 1, 4, 18, 26, 6 + 11 Gulou


def test_plan_overview_counts(chat: Chat) -> None:
    reply, intent = chat.say("示范区总体情况")
    assert intent == "plan_overview"
    assert "任务 42 项（★20，长期推进 12）：已完成 0，逾期 5，30 天内到期 5" in reply
    assert "指标 14 项" in reply


def test_progress_uses_the_latest_report(db: Database) -> None:
    member = add_member(
        db, platform="test", user_id="s1", display_name="张三", unit="鼓楼区市场监督管理局（知识产权局）",
        role="staff", at=datetime(2025, 8, 1, 9, tzinfo=LOCAL_TZ),
    )  # fmt: skip
    for value, as_of in (("2900", date(2025, 6, 30)), ("3120", date(2025, 7, 31))):
        record_indicator_report(
            db, plan="gulou-strong-county", code="2", value=Decimal(value), as_of=as_of,
            recorded_at=datetime(2025, 8, 1, 10, tzinfo=LOCAL_TZ), platform="test", member_id=member.id,
            unit=member.unit, message_id=f"m-{value}",
        )  # fmt: skip
    reply, _ = Chat(Core(Knowledge(db), public_read=True)).say("鼓楼专利授权量进度")
    assert "最新数据：3120 件（截至 2025-07-31，张三·鼓楼区市场监督管理局（知识产权局）上报）" in reply
    assert "完成目标的 89.1%" in reply


def test_a_new_report_is_seen_without_restarting(db: Database) -> None:
    chat = Chat(Core(Knowledge(db), public_read=True))
    assert "尚无上报数据" in chat.say("先行所进度")[0]
    record_indicator_report(
        db, plan="fuzhou-protection", code="1", value=Decimal(20), as_of=date(2025, 7, 31),
        recorded_at=datetime(2025, 8, 1, 10, tzinfo=LOCAL_TZ), platform="test", message_id="m1",
    )  # fmt: skip
    assert "最新数据：20 个" in chat.say("先行所进度")[0]


BAD_INPUTS = [
    "",
    "   \t  ",
    "鼓" * 10_000,
    "🙂🙂🙂",
    "\x00\x07\x1b[31m",
    "'; DROP TABLE task;--",
    "SELECT * FROM indicator_report",
    "hello, how are you?",
    "\u202e\u200b",
]


@pytest.mark.parametrize("text", BAD_INPUTS)
def test_bad_input_gets_a_polite_reply_and_writes_nothing(db: Database, text: str) -> None:
    before = ledger_version(db)
    reply, intent = Chat(Core(Knowledge(db), public_read=True)).say(text)
    assert intent == "unknown"
    assert "可以这样问" in reply
    assert ledger_version(db) == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_gets_a_reply(chat: Chat, text: str) -> None:
    reply, intent = chat.say(text)
    assert reply.strip()
    assert intent is not None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.lists(
        st.sampled_from(
            [
                "鼓楼",
                "专利授权量",
                "进度",
                "任务",
                "18",
                "谁负责",
                "下个月",
                "到期",
                "呢",
                "那",
                "1",
                "更多",
                "质押融资",
                "中院",
                "🙂",
                " ",
            ]
        ),
        max_size=8,
    ).map("".join)
)
def test_domain_word_salad_gets_a_reply(chat: Chat, text: str) -> None:
    reply, _ = chat.say(text)
    assert reply.strip()


# A district plan of the kind an office imports (a 县 decomposition with 责任领导 and the county's own bureaus
# named as its documents name them, 县财政局), applied beside the seeds: the place names the plan, its
# bureaus are told apart by the place or plan, and a task's own words find its card.
_COUNTY_PLAN = """
plan:
  code: lianjiang-rural
  title: 连江县2025年乡村振兴重点任务分解方案
  region: 连江县
  status: 印发
  supervising_unit: 连江县财政局
  document: lianjiang.txt
  source: {doc: lianjiang.txt, section: 标题}
units:
  - {name: 连江县财政局, kind: department, region: 连江县, source: {doc: lianjiang.txt, section: 责任单位}}
  - {name: 连江县住建局, kind: department, region: 连江县, source: {doc: lianjiang.txt, section: 责任单位}}
  - {name: 闽侯县财政局, kind: department, region: 闽侯县, source: {doc: lianjiang.txt, section: 责任单位}}
tasks:
  - number: 1
    content: 推进农村公路提档升级，完成改造里程50公里。
    featured: false
    units: [连江县住建局, 连江县财政局]
    co_units: [连江县财政局]
    leader: 郑副县长
    deadline: "2025-06-30"
    deadline_text: 上半年
    section: 一、基础设施
    source: {doc: lianjiang.txt, section: 一 序号1}
  - number: 2
    content: 实施渔港经济区建设，完成黄岐渔港码头主体工程。
    featured: false
    units: [连江县财政局]
    leader: 郑副县长
    deadline: "2025-08-31"
    section: 一、基础设施
    source: {doc: lianjiang.txt, section: 一 序号2}
  - number: 3
    content: 开展农房风貌整治提升，整治农房外立面300栋。
    featured: false
    units: [连江县住建局]
    leader: 吴副县长
    deadline: "2025-11-30"
    section: 二、人居环境
    source: {doc: lianjiang.txt, section: 二 序号3}
  - number: 4
    content: 统筹农村供水保障，完成规模化供水工程2处。
    featured: false
    units: [连江县住建局, 连江县财政局]
    lead_units: 2
    deadline: "2025-12-31"
    deadline_text: 年底前
    section: 二、人居环境
    source: {doc: lianjiang.txt, section: 二 序号4}
"""
_COUNTY_TEXT = """连江县2025年乡村振兴重点任务分解方案
一、基础设施
1\t推进农村公路提档升级，完成改造里程50公里。\t县住建局\t县财政局\t郑副县长\t上半年
2\t实施渔港经济区建设，完成黄岐渔港码头主体工程。\t县财政局\t\t郑副县长\t2025年8月底前
二、人居环境
3\t开展农房风貌整治提升，整治农房外立面300栋。\t县住建局\t\t吴副县长\t2025年11月底前
4\t统筹农村供水保障，完成规模化供水工程2处。\t县住建局、县财政局\t\t\t年底前
"""


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chat]:
    from bot.conversation.names import ensure_name_index
    from seeds.apply import apply_plan_file, apply_seeds
    from seeds.loader import DOCS_FOLDER

    folder = tmp_path_factory.mktemp("county")
    (folder / DOCS_FOLDER).mkdir()
    (folder / DOCS_FOLDER / "lianjiang.txt").write_text(_COUNTY_TEXT, encoding="utf-8")
    (folder / "lianjiang.yaml").write_text(_COUNTY_PLAN, encoding="utf-8")
    db = Database(f"sqlite:///{folder / 'county.sqlite3'}")
    apply_seeds(db)
    apply_plan_file(db, folder / "lianjiang.yaml", actor="test", at=datetime(2025, 3, 1, tzinfo=LOCAL_TZ))
    ensure_name_index(db)
    yield Chat(Core(Knowledge(db), public_read=True))
    db.dispose()


@pytest.mark.parametrize(
    "text", ["连江方案第2项", "连江那个分解方案第二项", "连江县重点任务第2条", "连江2025年任务2"]
)
def test_a_place_and_a_word_of_a_plan_name_the_places_plan(county: Chat, text: str) -> None:
    reply, _ = county.say(text)
    assert "黄岐渔港" in reply and "2025-08-31" in reply


def test_a_place_asked_for_a_window_lists_its_own_plans_tasks(county: Chat) -> None:
    reply, _ = county.say("连江这个月到期的任务")
    assert "黄岐渔港" in reply and "农房风貌" not in reply
    reply, _ = county.say("连江方案里下个季度到期的有哪些")
    assert "农房风貌" in reply and "黄岐渔港" not in reply


def test_a_county_bureau_said_without_its_county_is_the_one_of_the_plans_place(county: Chat) -> None:
    reply, _ = county.say("县财政局在连江方案里配合的是哪些任务")
    assert "农村公路" in reply and "黄岐渔港" not in reply
    reply, _ = county.say("连江的县住建局牵头了哪些")
    assert "农房风貌" in reply and "农村公路" in reply


def test_a_bureau_several_counties_have_is_asked_about_not_guessed(county: Chat) -> None:
    reply, _ = county.say("县财政局有哪些任务")
    assert "连江县财政局" in reply and "闽侯县财政局" in reply and "请回复序号" in reply
    reply, _ = county.say("1")
    assert "黄岐渔港" in reply


def test_a_task_named_by_its_words_answers_its_deadline(county: Chat) -> None:
    reply, _ = county.say("农村公路提档那项的期限过了没")
    assert "2025-06-30" in reply and "逾期" in reply
    reply, _ = county.say("连江农房风貌整治截止到什么时候")
    assert "2025-11-30" in reply


def test_a_leaders_list_narrowed_to_the_overdue(county: Chat) -> None:
    reply, _ = county.say("郑副县长分管的任务里哪些已经逾期了")
    assert "农村公路" in reply and "黄岐渔港" not in reply


def test_several_tasks_asked_who_leads_each_say_what_they_are(county: Chat) -> None:
    reply, _ = county.say("连江方案第1项和第3项分别是谁牵头")
    assert "农村公路" in reply and "农房风貌" in reply


@pytest.mark.parametrize("text", ["连江那个乡村振兴第2项", "连江乡村振兴方案第二项", "连江振兴重点任务第2条"])
def test_a_place_and_words_of_its_plans_title_name_the_plan(county: Chat, text: str) -> None:
    reply, _ = county.say(text)
    assert "黄岐渔港" in reply and "2025-08-31" in reply


def test_a_bureau_said_bare_inside_a_countys_plan_is_that_countys(county: Chat) -> None:
    """财政局 alone, inside 连江's plan: 连江县财政局 (闽侯县 has one too; the plan tells them apart)."""
    reply, _ = county.say("连江乡村振兴方案里财政局有哪些任务")
    assert "黄岐渔港" in reply and "闽侯县财政局" not in reply
    reply, _ = county.say("连江方案里住建局要干哪些")
    assert "农房风貌" in reply and "农村公路" in reply


def test_a_leader_asked_what_they_look_after_gets_their_list(county: Chat) -> None:
    reply, _ = county.say("吴副县长管啥")
    assert "农房风貌" in reply and "黄岐渔港" not in reply


def test_a_clause_naming_only_the_plan_scopes_the_task_asked_after_it(county: Chat) -> None:
    reply, _ = county.say("连江乡村振兴方案最后一项，第3项是啥")
    assert "农房风貌" in reply and "未指明是哪一个方案" not in reply


def test_each_of_several_leading_units_is_said_to_lead(county: Chat) -> None:
    """主要责任单位：县住建局、县财政局 (lead_units: 2): both lead, neither only cooperates."""
    reply, _ = county.say("连江方案里财政局牵头的有哪几项")
    assert "农村供水" in reply and "黄岐渔港" in reply and "农村公路" not in reply


def test_a_list_word_of_another_places_plan_means_the_units_own_plan(county: Chat) -> None:
    """重点工作 is a list of 鼓楼's plan; asked of 连江's bureau, it means 连江's plan."""
    reply, _ = county.say("连江县财政局在重点工作里有哪些任务")
    assert "黄岐渔港" in reply and "鼓楼" not in reply


def test_the_longest_reading_of_a_plans_name_is_taken(county: Chat) -> None:
    reply, _ = county.say("连江乡村振兴重点任务分解方案有哪些逾期了")
    assert "农村公路" in reply and "未载明" not in reply


def test_a_leader_asked_of_a_task_its_plan_names_none_for_is_said_unstated(county: Chat) -> None:
    reply, _ = county.say("连江方案里农村供水那项是哪个领导分管的")
    assert "农村供水" in reply and "未载明该项任务的责任领导" in reply


def test_the_words_ending_a_plans_title_name_it_with_its_place(county: Chat) -> None:
    """连江乡村振兴重点任务分解方案: 连江任务分解 ends its title before 方案, so it names the plan."""
    reply, _ = county.say("连江任务分解逾期的有哪些")
    assert "农村公路" in reply and "示范区" not in reply
