"""Issue 16: questions as officials ask them — two subjects or aspects at once, filters that combine, the
sender's own unit, a unit's indicators, facts about the plan itself, and honest 未载明 with the nearest text."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from desk import completed

from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Inbound
from store.db import Database
from store.ledger import record_indicator_report
from store.members import add_member

TODAY = date(2025, 8, 10)


def _plain(line: str) -> str:
    """A list line without its 督办 colour (🔴 overdue, 🟡 behind, 🔵 due soon)."""
    return line.lstrip("".join(texts.COLOUR_MARKS.values()))


class Chat:
    def __init__(self, core: Core, user: str = "u1") -> None:
        self.core, self.user, self.count = core, user, 0

    def say(self, text: str) -> tuple[str, str | None]:
        self.count += 1
        at = datetime.combine(TODAY, time(10), LOCAL_TZ)
        (reply,) = self.core.handle(
            Inbound("test", self.user, self.user, text, at, f"{self.user}-{self.count}")
        )
        return reply.text, reply.intent


@pytest.fixture
def chat(knowledge: Knowledge) -> Chat:
    return Chat(Core(knowledge, public_read=True))


def _staff(db: Database, unit: str, user: str = "s1") -> Chat:
    add_member(
        db, platform="test", user_id=user, display_name="李四", unit=unit, role="staff",
        at=datetime(2025, 8, 1, 9, tzinfo=LOCAL_TZ),
    )  # fmt: skip
    return Chat(Core(Knowledge(db)), user)


def test_two_indicators_are_both_answered(chat: Chat) -> None:
    reply, intent = chat.say("先行所和特色品牌所的目标分别多少")
    assert intent == "indicator_target"
    assert "≥26 个" in reply and "≥5 个" in reply and "您指的是" not in reply


def test_two_indicators_of_one_region(chat: Chat) -> None:
    reply, _ = chat.say("鼓楼专利授权量跟商标申请量目标分别多少")
    assert "3500" in reply and "10000" in reply


def test_two_units_each_get_their_list(chat: Chat) -> None:
    reply, intent = chat.say("市检察院和市公安局分别有哪些任务")
    assert intent == "unit_tasks"
    assert "市检察院承担的任务共 3 项" in reply and "市公安局承担的任务" in reply and "任务36" in reply


def test_who_and_when_of_a_task_in_one_reply(chat: Chat) -> None:
    reply, intent = chat.say("任务3谁牵头 还剩几天")
    assert intent == "task_detail"
    assert "闽侯县人民政府" in reply and "剩 21 天" in reply


def test_featured_and_overdue_combine(chat: Chat) -> None:
    reply, intent = chat.say("带星号的任务里哪些已经逾期了")
    assert intent == "overdue_tasks"
    assert "★特色重点任务中" in reply
    listed = [line.split(" ")[0] for line in map(_plain, reply.splitlines()) if line.startswith("任务")]
    assert listed and "任务4" not in listed  # 任务4 is overdue but not ★
    assert "任务1" in listed and "任务6" in listed


def test_own_unit_from_the_senders_binding(db: Database) -> None:
    staff = _staff(db, "闽侯县人民政府")
    reply, intent = staff.say("我们单位有哪些任务")
    assert intent == "unit_tasks"
    assert reply.startswith("闽侯县人民政府承担的任务") and "任务3〔牵头〕" in reply


def test_own_unit_undone_and_overdue(db: Database) -> None:
    staff = _staff(db, "市检察院")
    reply, _ = staff.say("我单位还有啥没完成的")
    assert "市检察院承担的未完成任务" in reply and "任务25" in reply
    reply, intent = staff.say("我们有哪些任务逾期了")
    assert intent == "overdue_tasks" and "市检察院" in reply and "任务26" in reply
    assert "任务1 " not in reply  # not the whole city's list


def test_own_unit_without_a_unit_is_asked_to_name_it(knowledge: Knowledge) -> None:
    reply, _ = Chat(Core(knowledge, public_read=True), "stranger").say("我单位有哪些任务")
    assert "没有绑定单位" in reply


def test_a_unit_that_only_shares_an_indicator(chat: Chat) -> None:
    reply, intent = chat.say("市金融监管局负责什么")
    assert intent == "unit_tasks"
    assert "参与负责的指标" in reply and "知识产权质押融资总金额" in reply


def test_plan_facts(chat: Chat) -> None:
    assert "榕政综〔2024〕130号" in chat.say("示范区方案文号多少")[0]
    reply, intent = chat.say("示范区方案哪天印发的 谁发的")
    assert intent == "plan_fact" and "2024-07-23" in reply and "福州市人民政府" in reply
    reply, _ = chat.say("鼓楼方案哪天印发的")
    assert "印发日期：方案未载明" in reply and "自印发之日起施行" in reply
    reply, _ = chat.say("示范区动员部署会哪天开的")
    assert "2024年3~7月" in reply and "未载明具体日期" in reply


def test_not_stated_quotes_what_the_plan_says(chat: Chat) -> None:
    reply, intent = chat.say("福州知识产权法院什么时候挂牌")
    assert intent == "document"
    assert "方案未载明具体时间" in reply and "力争在福州设立知识产权法院" in reply and "三（四）1" in reply


def test_body_text_is_quoted_with_its_section(chat: Chat) -> None:
    reply, intent = chat.say("数据知识产权试点聚焦哪个行业")
    assert intent == "document" and "纺织" in reply and "四（二）" in reply and "原文" in reply


def test_chatter_is_not_answered_from_the_text(chat: Chat) -> None:
    for text in ("福州明天限行尾号", "专利申请费要交多少钱", "今天天气怎么样"):
        reply, intent = chat.say(text)
        assert intent == "unknown", text
        assert "原文" not in reply


def test_a_person_is_never_invented(chat: Chat) -> None:
    reply, _ = chat.say("市检察院分管领导是谁")
    assert "未载明具体人员" in reply


def test_the_gulou_plan_numbers_its_two_lists_apart(chat: Chat) -> None:
    """二、重点思路 ×4 and 四、重点工作 ×7 are two lists: 重点工作第三条 is the seventh item, not the third."""
    reply, intent = chat.say("鼓楼重点工作第三条是啥")
    assert intent == "task_detail" and reply.startswith("鼓楼第7项·重点工作（三）") and "专利导航" in reply
    reply, intent = chat.say("鼓楼重点思路有几条")
    assert intent == "unit_tasks" and "“示范县建设重点思路”共 4 项" in reply and "重点工作（一）" not in reply


def test_an_assignment_the_document_does_not_make_is_said_to_be_one(chat: Chat) -> None:
    reply, _ = chat.say("鼓楼重点工作第三项谁负责")
    assert "鼓楼区市场监督管理局（知识产权局）" in reply and "方案未载明各项工作的责任单位" in reply


def test_a_unit_only_the_body_text_names_is_shown_where(chat: Chat) -> None:
    reply, intent = chat.say("市商务局有什么任务")
    assert intent == "unit_tasks" and "任务清单没有列市商务局" in reply
    assert "三（六）2 强化海外知识产权风险防范和纠纷应对" in reply


def test_who_of_something_only_the_text_names_is_quoted_not_a_unit_list(chat: Chat) -> None:
    reply, _ = chat.say("鼓楼知识产权领导小组办公室设在哪")
    assert "五（一）" in reply and "设在区市场监督管理局" in reply and "承担的任务" not in reply


def test_a_districts_share_of_a_city_indicator_is_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("仓山区要建几个先行所")
    assert "方案未载明仓山区的分项目标" in reply and "≥26 个" in reply


def test_where_of_an_indicator_is_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("法律公益咨询点设在哪些地方")
    assert "方案未载明具体地点" in reply


def test_own_units_indicators_with_progress(db: Database) -> None:
    reply, intent = _staff(db, "市公安局").say("我们单位负责的指标进度咋样")
    assert intent == "indicator_list" and "市公安局参与负责的指标" in reply and "联络点" in reply
    assert "质押融资" not in reply and "尚无上报数据" in reply


def test_done_tasks_are_listed_with_the_day_they_were_done(db: Database) -> None:
    completed(db, "fuzhou-protection", 26, "市检察院", datetime(2024, 12, 25, 16, tzinfo=LOCAL_TZ), "m-26")
    chat = Chat(Core(Knowledge(db), public_read=True))
    reply, intent = chat.say("已经完成的任务有哪些")
    assert intent == "done_tasks" and "任务26" in reply and "已完成（2024-12-25）" in reply
    reply, _ = chat.say("任务26完成了吗")
    assert "已完成（2024-12-25）" in reply


def test_a_choice_answered_by_naming_the_plan(chat: Chat) -> None:
    reply, _ = chat.say("质押进度")
    assert reply.startswith("您指的是")
    reply, intent = chat.say("示范区那个")
    assert (
        intent == "indicator_progress"
        and "知识产权质押融资总金额" in reply
        and "专利质押贷款额度" not in reply
    )


def test_which_of_the_list_is_done_and_a_bare_number_about_a_task(db: Database) -> None:
    completed(db, "fuzhou-protection", 26, "市检察院", datetime(2024, 12, 25, 16, tzinfo=LOCAL_TZ), "m-26")
    chat = Chat(Core(Knowledge(db), public_read=True))
    chat.say("市检察院的任务")
    reply, intent = chat.say("哪个已经完成了")
    assert intent == "done_tasks" and "市检察院" in reply and "任务26" in reply and "任务25" not in reply
    reply, intent = chat.say("25完成了吗")
    assert intent == "task_detail" and reply.startswith("任务25") and "未完成" in reply


def test_a_place_said_of_one_subject_is_not_the_others(chat: Chat) -> None:
    reply, _ = chat.say("质押融资和鼓楼专利质押贷款目标分别多少")
    assert "≥135 亿元" in reply and "≥1 亿元" in reply


def test_done_and_undone_asked_together_list_all_with_status(db: Database) -> None:
    completed(db, "fuzhou-protection", 26, "市检察院", datetime(2024, 12, 25, 16, tzinfo=LOCAL_TZ), "m-26")
    reply, intent = Chat(Core(Knowledge(db), public_read=True)).say("市检察院的任务哪些完成了 哪些没完成")
    assert intent == "unit_tasks" and "任务26" in reply and "任务25" in reply and "已完成" in reply


def test_a_place_amid_unknown_wording_falls_back_to_its_list_when_the_text_has_nothing(chat: Chat) -> None:
    reply, _ = chat.say("仓山区的专门任务到期没有，谁牵头")
    assert "仓山区人民政府" in reply and "任务42〔牵头〕" in reply


def test_clauses_asking_different_kinds_of_thing_are_each_answered(chat: Chat) -> None:
    reply, _ = chat.say("公安局有啥任务，企业联络点建了几个了")
    assert "市公安局承担的任务" in reply and "任务36" in reply and "建立公安知识产权企业联络点" in reply
    reply, _ = chat.say("中院的任务有逾期的吗？结案率现在多少")
    assert "逾期未完成的任务" in reply and "知识产权诉讼案件审限内结案率" in reply


def test_a_second_task_number_after_and(chat: Chat) -> None:
    reply, _ = chat.say("任务41和42分别由谁负责")
    assert "）的责任单位：鼓楼区人民政府" in reply and "）的责任单位：仓山区人民政府" in reply
    assert "任务41（建设军门社区" in reply and "任务42（围绕提升快速处置" in reply  # which task is which


def test_a_word_only_one_task_uses_names_it(chat: Chat) -> None:
    reply, _ = chat.say("驿站谁负责、什么时候完成")
    assert reply.startswith("任务41") and "鼓楼区人民政府" in reply and "2025-08-31" in reply


def test_a_message_ending_in_progress_is_a_question_not_a_report(chat: Chat) -> None:
    reply, intent = chat.say("本科人才和公安联络点两个指标进度")
    assert intent == "indicator_progress" and "单位不符" not in reply and "确认" not in reply
    assert "培养知识产权专业本科人才" in reply and "建立公安知识产权企业联络点" in reply


def test_a_past_year_after_an_indicator_is_that_years_figure(chat: Chat) -> None:
    chat.say("有效注册商标进度")
    reply, intent = chat.say("23年呢")
    assert intent == "indicator_progress" and "2023年末：37.66 万件" in reply
    reply, _ = chat.say("审限内结案率现在多少，23年是多少")
    assert "最新数据" in reply and "2023年末：95%" in reply


def test_an_ordinal_after_one_of_the_gulou_lists_is_counted_in_it(chat: Chat) -> None:
    chat.say("鼓楼重点工作有哪些")
    reply, _ = chat.say("第六条讲啥")
    assert reply.startswith("鼓楼第10项·重点工作（六）")


def test_counts_of_a_plans_indicators_and_tasks(chat: Chat) -> None:
    reply, intent = chat.say("示范区方案一共几个指标几项任务")
    assert intent == "plan_overview" and "任务 42 项" in reply and "指标 14 项" in reply


def test_own_units_task_among_those_the_wording_fits(db: Database) -> None:
    reply, _ = _staff(db, "仓山区人民政府").say("我们那个展会专利纠纷的任务到期了没")
    assert reply.startswith("任务42") and "2025-08-31" in reply


def test_particulars_and_district_splits_are_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("军门社区驿站地址在哪 面积多大")
    assert reply.startswith("任务41") and "方案未载明地址、面积等具体信息" in reply
    reply, _ = chat.say("26个先行所每个区县分几个")
    assert "≥26 个" in reply and "方案未载明各县（市）区的分解数" in reply


def test_which_names_of_an_indicator_are_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("5个特色品牌所是哪5个")
    assert "培育知识产权行政保护特色品牌所" in reply and "方案未载明具体名单" in reply


def test_an_amount_no_one_states_is_said_so(chat: Chat) -> None:
    reply, _ = chat.say("示范区建设经费具体安排多少钱")
    assert "方案未载明具体金额" in reply and "进度安排" not in reply


def test_a_list_the_task_record_lacks_comes_from_the_text(chat: Chat) -> None:
    reply, intent = chat.say("闽都文化街区要保护哪些非遗")
    assert intent == "document" and "闽剧" in reply and "原文" in reply


def test_a_sections_parts_listed_when_asked_which(chat: Chat) -> None:
    reply, _ = chat.say("城市特色创新工程是哪几个")
    assert "四（二） 数据知识产权试点建设" in reply and "四（四） 闽都文化街区建设" in reply


def test_two_names_sharing_a_head(chat: Chat) -> None:
    reply, _ = chat.say("鼓楼国家级和市级知识产权示范优势企业各要几家")
    assert "≥7 家" in reply and "≥60 家" in reply


def test_who_holds_an_indicator_is_the_list_of_units(chat: Chat) -> None:
    reply, intent = chat.say("培养知识产权专业本科人才 指标归哪几家")
    assert intent == "responsible" and "福建理工大学" in reply and "未载明具体名单" not in reply


def test_a_post_named_in_a_tasks_words(chat: Chat) -> None:
    reply, _ = chat.say("市知识产权工作联席会议召集人是谁")
    assert "市政府主要领导" in reply


def test_task_numbers_listed_with_punctuation_stay_two_tasks(chat: Chat) -> None:
    """任务11、12: the separator goes when punctuation is dropped, the two numbers must not run together."""
    for text in ("任务11、12是什么", "任务11，12谁负责", "任务11,12是什么"):
        reply, intent = chat.say(text)
        assert intent in ("task_detail", "responsible"), text
        assert "任务11" in reply and "任务12" in reply and "鼓楼" not in reply, text


def test_who_and_whether_done_both_answered(chat: Chat) -> None:
    reply, _ = chat.say("任务41和42分别谁负责，完成没")
    assert "鼓楼区人民政府" in reply and "仓山区人民政府" in reply
    assert reply.count("状态：") == 2 and reply.count("时限：") == 2


def test_a_deadline_asked_as_shixian_is_answered_with_who(chat: Chat) -> None:
    reply, _ = chat.say("二审独任制那个任务谁负责啥时限")
    assert "市中级人民法院" in reply and "长期推进" in reply


def test_staff_naming_their_own_indicator_get_its_figure_not_its_owner(db: Database) -> None:
    """我们负责的那个结案率指标: 负责 after 我们 says whose indicator it is; the question is its figure."""
    staff = _staff(db, "市中级人民法院")
    reply, intent = staff.say("我们负责的那个结案率指标现在报的是多少")
    assert intent == "indicator_progress"
    assert "审限内结案率" in reply and "目标" in reply


def test_years_counted_from_today_name_their_months(chat: Chat) -> None:
    """去年12月底 · 明年1月底: a month of another year, not the whole year nor nothing."""
    reply, intent = chat.say("去年12月底到期的有哪几项")
    assert intent == "due_tasks"
    assert "2024-12-01 至 2024-12-31" in reply and "任务18" in reply
    reply, _ = chat.say("明年1月底到期的任务有哪些")
    assert "2026-01-01 至 2026-01-31" in reply


def test_a_list_of_tasks_names_who_leads_each(chat: Chat) -> None:
    reply, _ = chat.say("8月底到期的任务")
    line = next(line for line in reply.splitlines() if line.startswith("任务42"))
    assert "仓山区人民政府" in line
    reply, _ = chat.say("市检察院有哪些任务")  # one unit's list says its role instead
    assert "〔牵头〕" in reply


def test_gap_and_baseline_asked_together_are_both_answered(chat: Chat) -> None:
    reply, intent = chat.say("质押融资离目标还差多少，基数多少")
    assert intent == "indicator_progress"
    assert "135" in reply and "基线：110 亿元（2023年）" in reply
    assert reply.count("基线：") == 1


def test_a_kind_of_indicator_the_plan_lacks_is_said_to_be_missing(chat: Chat) -> None:
    """版权联络点: the plan has 公安知识产权企业联络点 only; offered as the nearest, never passed off."""
    reply, _ = chat.say("版权联络点要设几个")
    assert reply.startswith("方案未载明“版权联络点”")
    assert "公安知识产权企业联络点" in reply
    # 仲裁联络点 is no indicator but 任务39's words: that task, and that it sets no number
    reply, _ = chat.say("仲裁联络点要设几个")
    assert reply.startswith("任务39") and "方案未载明具体数量" in reply
    reply, _ = chat.say("企业联络点要设几个")  # the indicator's own words: answered plainly
    assert "未载明" not in reply and "≥5 个" in reply


def test_how_late_after_a_task_is_asked_of_that_task(chat: Chat) -> None:
    chat.say("任务42是什么")
    reply, intent = chat.say("逾期多少天了")  # TODAY is 2025-08-10: not yet due
    assert intent == "task_detail"
    assert "任务42" in reply and "2025-08-31" in reply and "共" not in reply


def test_a_place_in_the_outline_is_answered_from_that_section(chat: Chat) -> None:
    reply, _ = chat.say("鼓楼方案四（六）那条工作内容")  # the 鼓楼 plan's work item of that place
    assert reply.startswith("鼓楼第10项·重点工作（六）") and "宣传培训" in reply
    reply, _ = chat.say("三（四）2说了什么")  # only the 福州 plan has it: quoted with its units
    assert "三（四）2原文" in reply and "一县一策" in reply and "责任单位：" in reply
    reply, _ = chat.say("三（四）讲什么")  # a title over items: its items listed
    assert "· 三（四）3 强化司法体制机制改革" in reply
    reply, _ = chat.say("鼓楼方案三（九）")
    assert "没有“三（九）”这一部分" in reply


def test_the_work_item_of_an_outline_place_is_the_subject_of_what_follows(chat: Chat) -> None:
    chat.say("鼓楼方案四（六）")
    reply, _ = chat.say("谁负责")
    assert "鼓楼第10项" in reply and "鼓楼区市场监督管理局" in reply


def test_what_the_indicator_note_says_beyond_the_name_is_quoted(chat: Chat) -> None:
    reply, _ = chat.say("先行所要覆盖几个县市区")
    assert "指标说明（摘）：" in reply and "13 个县（市）区" in reply
    reply, _ = chat.say("先行所目标")  # nothing asked beyond the name: no excerpt
    assert "指标说明（摘）" not in reply


def test_a_number_of_a_measure_the_text_lacks_is_not_stated(chat: Chat) -> None:
    """一票否决扣多少分: the passage ranks districts (前五名) but gives no points."""
    reply, _ = chat.say("一票否决的地区具体扣多少分")
    assert reply.startswith("方案未载明具体数量") and "前五名" in reply


def test_a_list_of_places_later_in_the_passage_is_quoted_whole(chat: Chat) -> None:
    reply, _ = chat.say("一县一策是哪几个区县")
    assert "未载明" not in reply
    assert all(place in reply for place in ("连江县", "鼓楼区", "仓山区"))


def test_the_nth_of_a_list_just_shown_is_its_nth_task(chat: Chat) -> None:
    reply, _ = chat.say("逾期的任务")
    second = _plain(reply.split("\n")[2]).split(" ")[0]  # the heading, then one line per task
    reply, _ = chat.say("第二个谁负责")
    assert reply.startswith(f"{second}的责任单位")
    reply, _ = chat.say("第二个")  # said alone, after the same list
    assert second in reply.split("\n")[0]
    reply, _ = chat.say("2")  # a bare number is still a task number
    assert reply.startswith("任务2")


def test_which_of_a_units_list_are_done(chat: Chat) -> None:
    chat.say("市检察院有哪些任务")
    reply, intent = chat.say("其中哪些完成了")
    assert intent == "done_tasks" and "市检察院" in reply
    _, intent = chat.say("已经办结的任务有哪些")
    assert intent == "done_tasks"


def test_a_validity_the_document_does_not_state_says_how_it_was_inferred(chat: Chat) -> None:
    reply, _ = chat.say("示范区方案有效期到哪天")
    assert "2026-02-28" in reply and "方案未载明有效期" in reply and "进度安排" in reply
    reply, _ = chat.say("鼓楼方案有效期到什么时候")  # stated in the document: no note
    assert "2025-06-30" in reply and "未载明" not in reply


def test_who_issued_and_what_a_task_does_not_count(chat: Chat) -> None:
    reply, _ = chat.say("示范区方案是哪个单位印发的")
    assert "印发机关：福州市人民政府" in reply
    reply, _ = chat.say("台胞台企服务指导站要建几个")  # the task builds them; how many is not stated
    assert "任务28" in reply and "方案未载明具体数量" in reply
    reply, _ = chat.say("示范区建设经费一共多少钱")
    assert "方案未载明具体金额" in reply


def test_a_word_indicator_names_share_names_them_all(chat: Chat) -> None:
    """商标 is in 有效注册商标数量 (福州) and 商标申请数量 (鼓楼): both answered, not a choice."""
    reply, intent = chat.say("商标的指标完成得怎么样")
    assert intent == "indicator_progress"
    assert "有效注册商标数量" in reply and "商标申请数量" in reply and "请回复序号" not in reply
    reply, _ = chat.say("鼓楼那个")
    assert reply.startswith("【鼓楼区】商标申请数量")

    reply, _ = chat.say("鼓楼质押贷款跟保险这两个指标各是多少")
    assert "专利质押贷款额度" in reply and "专利保险投保专利数量" in reply


def test_a_phrase_of_the_text_beats_a_near_miss_indicator(chat: Chat) -> None:
    """展会专利侵权纠纷 is no indicator (专利侵权纠纷办理量 is a near miss) but the text's own words."""
    reply, _ = chat.say("展会专利侵权纠纷快速联动哪个区为主")
    assert "仓山区" in reply and "相近的指标" not in reply


def test_a_units_indicators_say_where_they_stand(db: Database) -> None:
    """我们局有啥任务和指标: the unit's indicators with the latest figure, not only their targets."""
    staff = _staff(db, "市公安局")
    record_indicator_report(
        db, plan="fuzhou-protection", code="13", value=Decimal(3), as_of=date(2025, 6, 30),
        recorded_at=datetime(2025, 7, 1, 9, tzinfo=LOCAL_TZ), platform="test", unit="市公安局",
        message_id="t-1",
    )  # fmt: skip
    reply, _ = staff.say("我们局有啥任务和指标")
    assert "任务36" in reply
    assert "建立公安知识产权企业联络点：≥5 个；最新 3 个（截至 2025-06-30），完成目标的 60.0%" in reply


def test_how_many_and_which_lead_lists_all_with_the_role_marked(chat: Chat) -> None:
    reply, intent = chat.say("市教育局的任务有几个，牵头的是哪个")
    assert intent == "unit_tasks"
    assert reply.startswith("市教育局共 2 项任务，其中牵头 1 项")
    assert "任务34〔牵头〕" in reply and "任务29〔配合〕" in reply


def test_overdue_longer_than_a_span_leaves_the_recently_late_out(chat: Chat) -> None:
    reply, intent = chat.say("逾期超过半年的任务")  # TODAY 2025-08-10: due before 2025-02-10
    assert intent == "overdue_tasks" and "逾期超过 6 个月未完成的任务" in reply
    listed = [_plain(line).split(" ")[0] for line in reply.splitlines()[1:]]
    assert "任务1" in listed and "任务6" not in listed  # 任务6 fell due 2025-06-30


def test_two_tasks_named_by_their_wording_either_side_of_and(chat: Chat) -> None:
    reply, intent = chat.say("闽侯的快速维权平台和鼓楼的驿站完成情况")
    assert intent == "task_detail"
    assert reply.startswith("任务3") and "\n\n任务41" in reply
    _, intent = chat.say("仓山区的专门任务到期没有")  # 专门 is no task's word here: the place's list
    assert intent == "unit_tasks"


def test_the_sentence_asked_about_beyond_the_cut_is_quoted(chat: Chat) -> None:
    reply, _ = chat.say("鼓楼打算在哪个园区设知创福建工作站")
    assert "原文相关：“" in reply and "金牛山互联网产业园" in reply
    reply, _ = chat.say("任务3是什么")  # short wording, nothing cut: no extra line
    assert "原文相关" not in reply


def test_a_stage_of_the_schedule_by_its_place(chat: Chat) -> None:
    reply, intent = chat.say("示范区进度安排第二阶段是啥时间段")
    assert intent == "plan_fact" and "2024年8月~2026年1月" in reply and "2026年2月" not in reply
    reply, _ = chat.say("示范区第五阶段干什么")
    assert "只有 3 个阶段" in reply
    reply, _ = chat.say("示范区建设期到啥时候")
    assert "2024年8月~2026年1月" in reply


def test_a_count_of_something_the_indicator_does_not_count_is_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("每个先行所要配几个专职人员")
    assert reply.startswith("方案未载明专职人员的数量") and "建成知识产权行政保护先行所" in reply
    reply, _ = chat.say("先行所要建几个")
    assert "未载明" not in reply and "≥26 个" in reply


def test_those_two_tasks_of_a_unit_are_a_count_not_a_number(chat: Chat) -> None:
    reply, intent = chat.say("海关那两项任务截止时间分别是")
    assert intent == "unit_tasks"
    assert "任务37" in reply and "长期推进" in reply and "任务38" in reply and "2026-01-31" in reply


def test_everyday_names_of_units_and_of_the_senders_unit(db: Database, chat: Chat) -> None:
    reply, intent = chat.say("数据局的任务有哪些")  # 市数据管理局, called 市数据局: people drop the 市
    assert intent == "unit_tasks" and "市数据管理局" in reply and "任务7" in reply
    staff = _staff(db, "榕城海关", "customs")
    reply, intent = staff.say("我关涉及哪些任务")  # customs staff say 我关
    assert intent == "unit_tasks" and "任务37" in reply


def test_where_the_data_comes_from_is_answered_with_the_figure(chat: Chat) -> None:
    reply, _ = chat.say("质押融资数据以什么为准")
    assert "指标说明：" in reply and "每季度国家知识产权局通报的数据为准" in reply
    reply, _ = chat.say("鼓楼强县方案管到哪天为止")
    assert "2025-06-30" in reply


def test_indicators_by_their_baseline(chat: Chat) -> None:
    reply, intent = chat.say("哪些指标2023年基数是0")
    assert intent == "indicator_list" and "基线为 0 的指标 4 项" in reply
    assert "企业联络点" in reply and "本科人才" in reply and "先行所" not in reply
    reply, _ = chat.say("基数是5的指标")
    assert reply.startswith("没有基线为 5 的指标")
    reply, _ = chat.say("鼓楼方案重点工作一共几条")  # 一共 is no ordinal: the list, counted
    assert "共 7 项" in reply


def test_a_place_or_a_sum_the_record_does_not_give_is_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("闽都文化保护样板街区选的是哪片街区")
    assert "任务9" in reply and "方案未载明具体地点" in reply
    reply, _ = chat.say("军门社区驿站建在哪")  # the task names 军门社区
    assert "任务41" in reply and "未载明" not in reply
    reply, _ = chat.say("每个先行所给多少建设补助")
    assert "方案未载明具体金额" in reply


def test_a_unit_only_the_body_text_names_whatever_role_is_asked(chat: Chat) -> None:
    reply, _ = chat.say("商务局在示范区方案里要配合干啥")
    assert "三（三）2" in reply and "三（六）2" in reply


def test_this_indicator_and_the_texts_own_words_follow_the_conversation(chat: Chat) -> None:
    chat.say("先行所进度")
    reply, _ = chat.say("这个指标怎么统计的")  # 这个指标: the one just asked about, with its note
    assert "说明：该指标为福州市首创" in reply
    reply, _ = chat.say("仲裁联络点那项任务现在啥状态")  # the text's words among many others: 任务39
    assert reply.startswith("任务39")


def test_a_unit_only_the_text_names_called_by_part_of_its_name(chat: Chat) -> None:
    reply, intent = chat.say("元洪那边的管委会要负责啥")  # 福州新区元洪功能区管委会, in 三（六）2's 责任单位
    assert intent == "document" and "三（六）2" in reply
    _, intent = chat.say("福州明天限行尾号")
    assert intent == "unknown"


def test_indicators_listed_by_a_word_and_a_units_with_where_they_stand(chat: Chat) -> None:
    reply, intent = chat.say("跟商标有关的指标")
    assert intent == "indicator_list" and "与“商标”有关的指标 1 项" in reply
    assert "有效注册商标数量" in reply and "商标申请数量" in reply and "先行所" not in reply
    reply, _ = chat.say("23年底还是零的指标有哪些")
    assert "基线为 0 的指标 4 项" in reply
    reply, _ = chat.say("市中院的指标")
    assert "尚无上报数据" in reply
    reply, _ = chat.say("维权援助服务企业数具体统计哪些服务")  # the 指标说明 is the list asked for
    assert "维权援助培训" in reply and "未载明" not in reply


def test_a_word_with_a_place_lists_that_places_indicators_only(chat: Chat) -> None:
    reply, _ = chat.say("鼓楼跟商标有关的指标")
    assert "商标申请数量" in reply and "有效注册商标数量" not in reply
    reply, _ = chat.say("鼓楼质押贷款跟保险这两个指标各是多少")  # after a list: a list of the two asked
    assert reply.startswith("【鼓楼区】《福州市鼓楼区国家知识产权强县建设示范县工作方案》中问到的指标 2 项")
    assert "专利质押贷款额度" in reply and "专利保险投保专利数量" in reply


def test_who_how_often_and_how_much_the_plans_do_not_say(chat: Chat) -> None:
    reply, _ = chat.say("市中院分管知识产权的领导是谁")
    assert "未载明具体人员姓名" in reply
    reply, _ = chat.say("市知识产权工作联席会议多久开一次")
    assert "任务1" in reply and "方案未载明具体频次" in reply
    reply, _ = chat.say("知识产权海外维权互助基金规模多大")
    assert reply.startswith("方案未载明具体金额") and "海外维权互助基金" in reply


def test_an_ordinal_after_a_plans_item_is_that_plans(chat: Chat) -> None:
    chat.say("鼓楼方案第3项")
    reply, _ = chat.say("第9项呢")
    assert reply.startswith("鼓楼第9项")
    chat.say("任务5")
    reply, _ = chat.say("第6项呢")
    assert reply.startswith("任务6")


def test_a_units_indicators_with_nothing_reported_say_where_they_started(chat: Chat) -> None:
    reply, _ = chat.say("市中院的指标")
    assert "尚无上报数据，基线 95%（2023年）" in reply


def test_an_ordinal_after_an_item_of_a_list_is_that_lists(chat: Chat) -> None:
    chat.say("鼓楼方案重点工作（三）讲啥")
    reply, _ = chat.say("那第五条呢")  # the fifth of 重点工作, not the plan's fifth item
    assert reply.startswith("鼓楼第9项·重点工作（五）")


def test_one_of_the_indicators_a_word_named_is_picked_by_its_place(chat: Chat) -> None:
    chat.say("商标的指标目标是多少")
    reply, _ = chat.say("示范区那个")  # picks one of the two just answered, as from a choice
    assert reply.startswith("【福州市】有效注册商标数量")


def test_what_a_plan_rests_on_is_quoted_from_its_opening(chat: Chat) -> None:
    reply, intent = chat.say("鼓楼方案依据哪个文件")
    assert intent == "document" and "国知发运函字〔2022〕131号" in reply and "开头原文" in reply


def test_that_task_named_by_one_rare_word_and_its_deadline(chat: Chat) -> None:
    reply, intent = chat.say("仓山展会那个任务几号到期")  # 那个任务: one task, 展会 only 任务42 uses
    assert intent == "task_detail" and reply.startswith("任务42") and "2025-08-31" in reply


def test_a_plan_named_after_a_list_a_word_picked_narrows_it(chat: Chat) -> None:
    chat.say("跟商标有关的指标")
    reply, intent = chat.say(
        "示范区那个"
    )  # the one left is the one asked about: its figures, not a list of one
    assert intent == "indicator_progress" and reply.startswith("【福州市】有效注册商标数量")
    assert "商标申请数量" not in reply
    reply, _ = chat.say("示范区跟商标有关的指标")  # a list asked for stays a list
    assert "与“商标”有关的指标 1 项" in reply


def test_what_the_senders_unit_must_do_in_a_plan(db: Database) -> None:
    staff = _staff(db, "福建理工大学")
    reply, intent = staff.say("我们学校在示范区方案里要完成啥")
    assert intent == "unit_tasks" and reply.startswith("福建理工大学") and "本科人才" in reply


def test_which_are_ongoing_and_which_have_a_deadline(chat: Chat) -> None:
    reply, intent = chat.say("海关的任务哪些是长期推进，哪些有期限")
    assert intent == "unit_tasks"
    assert "任务37" in reply and "长期推进" in reply and "任务38" in reply and "2026-01-31" in reply


def test_an_overdue_span_longer_than_the_calendar_lists_nothing(chat: Chat) -> None:
    reply, intent = chat.say("逾期超过9999年的任务")
    assert intent == "overdue_tasks" and reply.endswith("没有逾期超过 9999 年未完成的任务。")


def test_criteria_and_consequences_the_plans_do_not_give_are_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("验收标准是什么")
    assert "2026年2月" in reply and "方案未载明具体的验收或考核标准" in reply
    reply, _ = chat.say("验收不合格怎么处理")
    assert "方案未载明未完成或不合格时如何处理" in reply
    reply, _ = chat.say("任务10没完成有什么后果")
    assert "市科技局" in reply and "方案未载明未完成或不合格时如何处理" in reply
    reply, _ = chat.say("鼓楼方案没达标怎么办")
    assert reply == "方案未载明未完成或不合格时如何处理。"


def test_a_passage_that_states_the_consequence_is_quoted_without_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("一票否决是什么后果")
    assert "一票否决" in reply and "不纳入相应指标当年度前五名" in reply
    assert "未载明未完成" not in reply


def test_a_list_across_plans_goes_plan_by_plan_each_by_deadline(knowledge: Knowledge) -> None:
    """The district plan's eleven items, all due on its last day, come after the city plan's overdue tasks
    rather than before the ones due later: the first page holds every city task past its deadline."""
    core = Core(knowledge, public_read=True)
    at = datetime(2025, 11, 20, 10, tzinfo=LOCAL_TZ)
    (reply,) = core.handle(Inbound("test", "u9", "u9", "逾期任务有哪些", at, "late-1"))
    first_page = reply.text.splitlines()[1:11]
    labels = [_plain(line).split(" ", 1)[0] for line in first_page]
    assert {"任务3", "任务11", "任务12", "任务41", "任务42"} <= set(labels)  # due 2025-08-31
    assert all(label.startswith("任务") for label in labels)  # the city's ten first
    (more,) = core.handle(Inbound("test", "u9", "u9", "更多", at, "late-2"))
    assert _plain(more.text).startswith("鼓楼第1项") and "鼓楼第10项" in more.text


def test_a_post_or_a_headcount_of_a_unit_is_not_stated_before_its_list(chat: Chat) -> None:
    reply, _ = chat.say("市中院知识产权庭庭长是谁")
    assert reply.startswith("方案只写到责任单位和职务，未载明具体人员姓名、人数或联系方式。")
    assert "市中级人民法院" in reply
    reply, _ = chat.say("市检察院知识产权检察办公室有几个人")
    assert "未载明具体人员姓名、人数" in reply


def test_where_beside_a_district_is_asked_of_the_text_not_its_list(chat: Chat) -> None:
    reply, intent = chat.say("鼓楼知识产权法庭在哪个街道")
    assert intent == "document" and reply.startswith("方案未载明具体地点")
    assert "承担的任务" not in reply
    reply, _ = chat.say("鼓楼知识产权工作领导小组办公室设在哪")  # 设在区市场监督管理局 says where
    assert "设在区市场监督管理局" in reply and "未载明" not in reply


def test_an_abbreviation_finds_the_task_that_writes_it_out(chat: Chat) -> None:
    reply, _ = chat.say("连江地标示范区在哪")  # 地标 = 地理标志: 任务40, not 任务41's 流动地标馆
    assert reply.startswith("任务40") and "连江县人民政府" in reply
    reply, _ = chat.say("地标那个任务谁负责")  # both use it: the asker chooses
    assert "任务40" in reply and "任务41" in reply and "请回复序号" in reply


def test_a_sentence_two_items_share_answers_instead_of_a_choice(chat: Chat) -> None:
    reply, intent = chat.say("鼓楼平台工作站设在哪")
    assert intent == "document" and "金牛山互联网产业园" in reply and "请回复序号" not in reply
    reply, _ = chat.say("鼓楼在金牛山互联网产业园要设啥")
    assert "平台工作站" in reply and "请回复序号" not in reply


def test_the_passage_holding_a_rare_name_comes_before_a_row_sharing_common_words(chat: Chat) -> None:
    reply, _ = chat.say("昆仑专项行动谁负责")  # 昆仑 is in 三（二）3 only; 任务25 is another 专项行动
    assert "三（二）3" in reply and "昆仑" in reply


def test_a_units_part_of_an_indicator_it_shares_is_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("福建理工大学每年要培养多少本科生")  # named first, yet no share of its own
    assert reply.startswith("方案未载明福建理工大学单独的分解数")
    reply, _ = chat.say("福建江夏学院每年要培养多少本科生")
    assert reply.startswith("方案未载明福建江夏学院单独的分解数")
    assert "福建理工大学、福建江夏学院、市教育局" in reply and "≥100 名/年" in reply


def test_who_accepts_and_handling_time_limits_are_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("示范区由哪个部门来验收")
    assert "2026年2月" in reply and "方案未载明由哪个单位负责验收或评审" in reply
    reply, _ = chat.say("任务42要求几个工作日内办结")
    assert reply.startswith("任务42") and "方案未载明办理或处置的时限" in reply


def test_how_an_indicator_is_assessed_is_its_note(chat: Chat) -> None:
    reply, _ = chat.say("有效注册商标数量怎么考核")
    assert "说明：" in reply and "商标局" in reply


def test_two_lists_joined_by_and_are_both_answered(chat: Chat) -> None:
    reply, _ = chat.say("逾期的任务和本月底到期的任务")  # TODAY is 2025-08-10
    assert "逾期未完成的任务共" in reply and "2025-08-01 至 2025-08-31 到期的任务共" in reply


def test_the_documents_recipients_attachments_and_start_are_plan_facts(chat: Chat) -> None:
    reply, intent = chat.say("示范区方案发给哪些单位的")
    assert intent == "plan_fact" and "主送：各县（市）区人民政府、高新区管委会，市直各有关单位" in reply
    reply, _ = chat.say("示范区方案有几个附件")
    assert "附件 2 个：附件1 任务清单及责任分工；附件2 国家知识产权保护示范区建设指标说明" in reply
    reply, _ = chat.say("鼓楼方案有附件吗")
    assert "附件：方案没有附件" in reply
    reply, _ = chat.say("鼓楼方案啥时候开始施行")
    assert "本方案自印发之日起施行" in reply and "2025-06-30" in reply


def test_what_was_asked_of_another_kind_of_subject_does_not_carry(chat: Chat) -> None:
    chat.say("验收不合格怎么处理")
    # an indicator, asked afresh (found as a newcomer)
    reply, _ = chat.say("福建江夏学院每年要培养多少本科生")
    assert "≥100 名/年" in reply and "如何处理" not in reply


def test_a_follow_up_of_undone_narrows_the_units_list(db: Database) -> None:
    completed(db, "fuzhou-protection", 26, "市检察院", datetime(2025, 3, 1, 9, tzinfo=LOCAL_TZ), "done-26")
    staff = _staff(db, "市检察院")
    assert "任务26" in staff.say("我单位有哪些任务")[0]
    reply, intent = staff.say("还有哪些没完成的")
    assert intent == "unit_tasks" and "未完成任务" in reply
    assert "任务25" in reply and "任务27" in reply and "任务26" not in reply


def test_a_list_cut_short_with_ne_keeps_the_last_lists_unit(db: Database) -> None:
    staff = _staff(db, "市市场监管局（知识产权局）")
    staff.say("我们局逾期的任务")
    reply, intent = staff.say("这个月到期的呢")
    assert intent == "due_tasks" and "任务11" in reply
    assert "任务42" not in reply and "任务41" not in reply  # 仓山's and 鼓楼's own tasks, not the bureau's


def test_not_yet_finished_said_as_mei_ban_wan_filters_a_window(chat: Chat) -> None:
    reply, intent = chat.say("9月底前到期还没办完的")
    assert intent == "due_tasks" and "未完成任务中" in reply


def test_now_after_a_baseline_is_the_latest_figure(chat: Chat) -> None:
    chat.say("有效注册商标2023年是多少")
    reply, intent = chat.say("现在呢")
    assert intent == "indicator_progress" and "最新数据" in reply and "有效注册商标数量" in reply


def test_by_which_figures_is_asked_as_the_note(chat: Chat) -> None:
    reply, _ = chat.say("质押融资按哪个数据考核")
    assert "说明" in reply and "国家知识产权局" in reply
    assert "市统计局" in chat.say("高价值发明专利拥有量人口数按啥算")[0]


def test_an_indicators_progress_names_who_is_responsible(chat: Chat) -> None:
    reply, _ = chat.say("知识产权本科人才每年要培养多少")
    assert "福建理工大学" in reply and "福建江夏学院" in reply


def test_a_partner_is_asked_of_the_text_not_the_tasks_units(chat: Chat) -> None:
    reply, _ = chat.say("技术调查合作是和哪家单位")
    assert "北京中心福建分中心" in reply


def test_a_unit_beside_wording_of_its_own_is_asked_of_the_text(chat: Chat) -> None:
    reply, _ = chat.say("高新区集聚发展试验区要重点打造什么平台")
    assert "福州大学国家知识产权信息服务中心" in reply and "承担的任务" not in reply


def test_a_passage_quoting_far_more_than_a_tasks_keyword_answers(chat: Chat) -> None:
    reply, _ = chat.say("闽都文化街区要设什么流动指导服务点")
    assert "福州茉莉花茶" in reply


def test_what_no_plan_says_about_a_named_place_is_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("福州常住人口有多少")
    assert "未载明“福州常住人口”" in reply
    assert chat.say("今天天气怎么样")[0].startswith("抱歉")  # nothing of the plans named: not understood


def test_an_approval_of_the_plan_is_not_its_own_number(chat: Chat) -> None:
    reply, _ = chat.say("国家知识产权局批复示范区方案的文号是啥")
    assert "未载明批复文件" in reply and "批复同意" in reply


def test_a_budget_the_plan_does_not_give_is_not_stated(chat: Chat) -> None:
    reply, _ = chat.say("数据知识产权试点有多少预算")
    assert "未载明具体金额" in reply


def test_counting_a_plans_tasks_is_its_overview(chat: Chat) -> None:
    reply, intent = chat.say("任务清单总共多少项")
    assert intent == "plan_overview" and "任务 42 项" in reply


def test_a_unit_with_no_task_in_the_role_asked_gets_what_it_holds(db: Database) -> None:
    reply, _ = _staff(db, "市台办").say("我们办有牵头的任务吗")
    assert "市台办没有牵头的任务" in reply and "任务28〔配合〕" in reply


def test_a_quoted_name_beside_another_tasks_words_is_that_task(chat: Chat) -> None:
    reply, _ = chat.say("闽都文化街区那个任务谁牵头，啥时候到期")
    assert reply.startswith("任务9") and "市文旅局" in reply and "2026-01-31" in reply


def test_two_tasks_by_their_words_each_asked_whether_done(chat: Chat) -> None:
    reply, intent = chat.say("驿站和展会那个分别完成了没")
    assert intent == "task_detail" and "任务41" in reply and "任务42" in reply


def test_a_list_line_shows_a_task_to_its_distinguishing_end(chat: Chat) -> None:
    assert "调处人才库" in chat.say("今年8月底到期的任务")[0]


def test_overdue_by_less_than_a_span(chat: Chat) -> None:
    reply, intent = chat.say("逾期不到两个月的")
    assert intent == "overdue_tasks" and "逾期不超过 2 个月" in reply
    assert "任务6 " in reply and "任务1 " not in reply  # due 2025-06-30, 41 days; 任务1 is 2024's


def test_the_same_plan_fact_of_the_other_plan(chat: Chat) -> None:
    chat.say("示范区方案文号是多少")
    reply, intent = chat.say("那鼓楼方案呢")
    assert intent == "plan_fact" and "文号：方案未载明" in reply


def test_this_one_after_a_list_of_one_is_that_task(chat: Chat) -> None:
    chat.say("连江县牵头的任务")
    reply, intent = chat.say("这个还有多久到期")
    assert intent == "task_detail" and reply.startswith("任务40")


def test_a_heading_named_is_its_section(chat: Chat) -> None:
    reply, _ = chat.say("鼓楼总体目标的时间节点")
    assert "（一）总体目标" in reply and "到2025年6月" in reply


def test_sums_bodies_and_penalties_the_plans_do_not_give(chat: Chat) -> None:
    assert "未载明具体金额" in chat.say("每个先行所给多少建设经费")[0]
    assert "未载明具体是哪些企业或机构" in chat.say("数据知识产权试点具体选了哪家企业")[0]
    reply, _ = chat.say("任务完不成会扣多少分")
    assert reply.startswith("方案未载明未完成或不合格时如何处理")


def test_a_word_of_the_text_is_no_misspelt_name(chat: Chat) -> None:
    reply, _ = chat.say("专利保护与促进若干规定要怎么弄")
    assert "人大修法" in reply and "专利保险" not in reply


def test_the_passage_holding_more_of_the_question_beats_the_tasks_row(chat: Chat) -> None:
    assert "闽都创新实验室" in chat.say("揭榜挂帅依托什么载体")[0]


def test_bare_numbers_as_tasks(chat: Chat) -> None:
    chat.say("任务26完成了吗")
    reply, intent = chat.say("27呢")
    assert intent == "task_detail" and reply.startswith("任务27")
    reply, _ = chat.say("16和19这两项啥时候到期、谁负责")
    assert "任务16" in reply and "任务19" in reply and "市中级人民法院" in reply


def test_built_yet_and_a_guess_to_confirm_are_questions(db: Database) -> None:
    staff = _staff(db, "鼓楼区人民政府")
    reply, intent = staff.say("驿站建好了没")
    assert intent == "task_detail" and reply.startswith("任务41")
    reply, intent = staff.say("我们那个驿站的任务算完成了吧")
    assert intent == "task_detail" and "状态" in reply  # asked, not reported


def test_who_of_a_task_says_by_when_too(chat: Chat) -> None:
    reply, _ = chat.say("闽都文化保护样板街区那个谁牵头")
    assert "市文旅局" in reply and "时限：2026-01-31" in reply


def test_an_item_without_units_is_named_by_its_title(chat: Chat) -> None:
    assert "协同保护" in chat.say("鼓楼重点工作第七条由哪个部门负责")[0]


def test_undone_over_this_year_takes_in_the_missed_deadlines(chat: Chat) -> None:
    reply, _ = chat.say("今年到期但还没完成的任务")
    assert "2025-01-01 至 2025-12-31" in reply and "任务6 " in reply  # due 2025-06-30, missed


def test_a_title_asked_lists_its_sections(chat: Chat) -> None:
    reply, _ = chat.say("鼓楼方案保障措施有哪几条")
    assert "加强组织领导" in reply and "加大经费投入" in reply and "强化督查考核" in reply
    reply, _ = chat.say("示范区进度安排是怎么分阶段的")
    assert "动员部署会" in reply and "验收评审" in reply


def test_what_a_plan_rests_on_asked_as_gen_ju_sha(chat: Chat) -> None:
    assert "国知发运函字〔2022〕131号" in chat.say("鼓楼方案根据啥文件制定的")[0]


def test_a_short_word_of_the_text_is_quoted(chat: Chat) -> None:
    reply, _ = chat.say("方案里说的随手拍是干嘛用的")
    assert "随手拍" in reply and "违法监督" in reply


def test_more_than_an_indicators_name_is_asked_of_the_text(chat: Chat) -> None:
    assert "公职律师" in chat.say("专利侵权纠纷行政裁决人才库由哪些人组成")[0]
    assert "海丝中央法务区福州片区" in chat.say("海外维权援助公共服务平台依托哪里建设")[0]


def test_the_passage_holding_both_heads_asked_ranks_first(chat: Chat) -> None:
    assert "海上风电国际产业园" in chat.say("海洋经济示范园区在哪些基地开展专利导航")[0]
