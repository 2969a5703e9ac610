"""parse(text, lexicon) -> Intent: pure, no clock and no database; time words stay symbolic."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from nlu.intents import Intent, IntentName, Role, Slots, TaskRef
from nlu.lexicon import ENTITY_KINDS, Entry, IndexedTask, Lexicon, bigrams, compact, expanded
from nlu.normalize import normalize
from nlu.numerals import parse_number
from nlu.scope import (
    apply_plans_by_place,
    bare_units_in_scope,
    place_plan,
    plans_by_place,
    sections_of_the_units_plan,
    units_in_scope,
)
from nlu.sounds import same_sound, sounds_alike
from nlu.time_words import find_window
from nlu.vocabulary import DOMAIN_WORDS, PLAN_FACT_CUES, Cue

MAX_PARSED_CHARS = 500  # a question is short; the rest of a pasted document cannot change what is asked
_CN_DIGITS = "零〇一二两三四五六七八九十百"
_NUMBER = rf"(\d{{1,3}}|[{_CN_DIGITS}]{{1,5}})"
_NOT_A_NUMBER_AFTER = "共些下起样直般切定览并家批线"  # 任务一共, 第一批: 一 is part of a word, not a number
_TASK_NUMBER = re.compile(
    rf"(?:任务|第|序号|编号|事项)(?:第)?{_NUMBER}(?![{_NOT_A_NUMBER_AFTER}0-9])(?:项|号|条|个)?(?:任务|工作)?"
    # 那两项任务 · 这三项工作 count tasks already talked of: no number (the lookbehind)
    rf"|(?<![0-9这那些]){_NUMBER}(?:号|项)(?:任务|工作)"
    # 26完成了吗: a bare number opening a question about a task
    rf"|^{_NUMBER}(?:号|项)?(?=完成|办结|做完|谁负责|由谁|什么时候|啥时候|到期|进展|是什么|是啥)"
    # 27呢 · 那12呢 after a task: the next task asked the same
    rf"|^那?{_NUMBER}(?:号|项)?(?=呢$)"
    # 16和19这两项: numbers said to be items
    rf"|^{_NUMBER}(?=(?:和|跟|与|、){_NUMBER}(?:号|项)?(?:这|那)?[两二三几]项)"
)
_CHOICE = re.compile(rf"(?:选择?)?{_NUMBER}|第{_NUMBER}个")  # "第十八项" is a task; "第2个" answers a choice
_CJK_ONLY = re.compile(r"[\u4e00-\u9fd5]+")
_EDGE_TYPO_MIN_LENGTH = 4
_FRAGMENT_STRONG_SCORE = 0.9
_FRAGMENT_MIN_CHARS = 4
_NAME_TOLERANCE = 2  # "1188机制": a quoted name with a word or so around it
_HELP_TOLERANCE = 3  # "这个机器人怎么用啊": a plain request for help survives a few stray characters
_FRAGMENT_MIN_SCORE = 0.6
_FRAGMENT_CLEAR_LEAD = 0.15  # the best task must beat the next by this much to be taken alone
_MAX_CANDIDATES = 5
# What a question may ask of its subject; kept in the slots so that an answer can cover every aspect asked.
_ASPECTS: frozenset[str] = frozenset(
    {"who", "when", "target", "baseline", "progress", "what", "gap", "remaining", "explain", "roster",
     "count", "featured", "person", "amount", "where", "breakdown", "particulars", "frequency",
     "criteria", "consequence", "duration", "partner", "named_body", *PLAN_FACT_CUES}
)  # fmt: skip
# What only a passage of the text could say (a place, a sum, a rule); a region or unit named beside it is
# where to look, not a request for its list.
_ASKED_OF_THE_TEXT: frozenset[Cue] = frozenset(
    {
        "where",
        "particulars",
        "frequency",
        "amount",
        "criteria",
        "consequence",
        "duration",
        "partner",
        "named_body",
    }
)
# beyond "who": the whole task; 召集人是谁 is answered by the task's own words (由市政府主要领导担任…)
_TASK_DETAIL_ASPECTS = {"when", "remaining", "featured", "what", "progress", "person"}
_QUESTION_CUES: dict[Cue, IntentName] = {
    "gap": "indicator_progress",
    "remaining": "task_detail",
    "featured": "task_detail",
    "who": "responsible",
    "target": "indicator_target",
    "baseline": "indicator_target",
    "progress": "indicator_progress",
    "when": "task_detail",
    "what": "task_detail",
    "explain": "indicator_target",  # 这个指标怎么统计的: the 指标说明 of the one talked about
}


@dataclass
class _Scan:
    """What one pass over the compact text found."""

    text: str
    entries: list[tuple[Entry, int, int]] = field(default_factory=list)  # entity entries with their spans
    cues: set[Cue] = field(default_factory=set)
    cue_spans: list[tuple[str, int, int]] = field(default_factory=list)  # each cue word where it stands
    covered: list[bool] = field(default_factory=list)  # by any lexicon word, entity or not
    non_entity: list[bool] = field(default_factory=list)  # by a cue or filler word
    outline_span: tuple[int, int] | None = None  # 四（六）2: its digits are no task number
    keyword: str | None = None  # a word indicator names contain, taken as naming them (商标)
    paired_depth: int = 0  # a part of a message split at 和 is not split again
    one_task: bool = False  # 那个任务 · 这项任务: the message is about one task, not a list


def parse(text: str, lexicon: Lexicon) -> Intent:
    """Recognise what a chat message asks for."""
    normalized = normalize(text[: MAX_PARSED_CHARS * 2])[:MAX_PARSED_CHARS]
    choice = _choice(normalized)
    if choice is not None:
        return Intent("choose", Slots(choice=choice))
    window_match = find_window(normalized)
    scan = _scan(compact(normalized), lexicon)
    if window_match is not None:
        _cover_window(scan, compact(normalized[window_match.start : window_match.end]))
    said = compact(normalized[window_match.start : window_match.end]) if window_match else None
    if _plan_named_by_place(scan, lexicon, said):
        window_match = None  # 晋安2025年重点工作: the year is the plan's, not a span of deadlines
    _scoped_bare_units(scan, lexicon)
    outline = _outline(normalized, scan)
    _pointed_at(scan)
    fragment, tasks = _find_tasks(scan, lexicon)
    scan.entries, unit_choices = units_in_scope(scan.entries, lexicon)
    if not tasks:
        _indicators_by_keyword(scan, lexicon)
    window = window_match.window if window_match else None
    if window is not None and window.kind == "in_year" and "baseline" in scan.cues:
        window = None  # "2023年是多少": the year names the baseline, not a span of deadlines
    slots = _slots(scan, tasks, fragment, window, lexicon.plan_region_set)
    if unit_choices:
        slots = replace(slots, unit_choices=unit_choices)
    lists_tasks = window is not None or bool(scan.cues & _LIST_CUES)
    plan_of_place = place_plan(scan.entries, lexicon) if lists_tasks and not tasks else None
    if plan_of_place is not None:
        slots = replace(slots, place_plans=(plan_of_place,))
    if outline is not None:
        slots = replace(slots, outline=outline)
    if scan.keyword is not None:
        slots = replace(slots, keyword=scan.keyword)
    if "schedule" in scan.cues and slots.ordinal_only and len(slots.tasks) == 1:
        # 进度安排第二阶段: the second stage of the schedule, not 任务2
        slots = replace(slots, stage=slots.tasks[0].number, tasks=(), ordinal_only=False)
    baseline = _BASELINE_IS.search(scan.text)
    if baseline is not None and "indicators" in scan.cues:
        value = next(g for g in baseline.groups() if g)
        slots = replace(slots, baseline_is="0" if value in ("零", "〇") else value, window=None)
    late = _late_by(scan)
    if late is not None:
        slots = replace(slots, overdue_for=late[0], overdue_within=late[1])
    measure = _MEASURE_ASKED.search(scan.text)
    if measure is not None:
        slots = replace(slots, measure=measure.group(1), counted=_counted(scan, measure.end()))
    if slots.indicators and not slots.tasks:
        slots = replace(slots, qualified=_qualified_indicator(scan, lexicon))
    if _about_something_unnamed(scan, slots):
        slots = replace(slots, unnamed_wording=True)
    if {"issued", "who"} <= scan.cues and "when" not in scan.cues and not (slots.tasks or slots.units):
        scan.cues -= {"issued", "who"}  # 哪个单位印发的: who issued it, not when
        scan.cues.add("issuer")
        slots = replace(slots, aspects=(slots.aspects - {"issued", "who"}) | {"issuer"})
    return Intent(_decide(scan, slots), slots)


_LIST_CUES: frozenset[Cue] = frozenset({"overdue", "due", "ongoing", "featured", "done"})


def _plan_named_by_place(scan: _Scan, lexicon: Lexicon, window: str | None) -> bool:
    """晋安方案 · 晋安重点工作: the place's own plan (see nlu.scope); True when the window found lies inside
    the plan's name (晋安2025年重点工作)."""
    found = plans_by_place(scan.text, scan.entries, lexicon)
    if not found:
        return False
    scan.entries = apply_plans_by_place(scan.entries, found)
    for named in found:
        for i in range(named.start, named.end):
            scan.covered[i], scan.non_entity[i] = True, False
    # 连江乡村振兴重点任务分解方案有哪些逾期了: 重点任务 inside the plan's name is no ★ filter; at its end
    # (营商环境清单重点任务里哪些逾期) it still may be
    inside = [
        (c, a, b)
        for c, a, b in scan.cue_spans
        if c in _LIST_CUES and any(n.start <= a and b < n.end for n in found)
    ]
    outside = {c for c, a, b in scan.cue_spans if (c, a, b) not in inside}
    scan.cues -= {c for c, _, _ in inside if c not in outside}
    scan.cue_spans = [span for span in scan.cue_spans if span not in inside]
    at = scan.text.find(window) if window else -1
    return at >= 0 and any(n.start <= at and at + len(window or "") <= n.end for n in found)


def _scoped_bare_units(scan: _Scan, lexicon: Lexicon) -> None:
    """发改局 inside 闽侯's plan: that district's bureau (see nlu.scope), covered like any name."""
    amended = bare_units_in_scope(scan.text, sections_of_the_units_plan(scan.entries, lexicon), lexicon)
    for _, start, end in set(amended) - set(scan.entries):
        for i in range(start, end):
            scan.covered[i], scan.non_entity[i] = True, False
    scan.entries = amended


# 多少分 · 几个县 · 多少家: the measure word a number in the answer must carry (not 几月 or 几号: dates;
# not 哪几个, which asks which, not how many).
_MEASURE_ASKED = re.compile(
    r"(?<!百分之)(?:多少|(?<!哪)几)(个|项|家|件|名|条|人|分|次|所|处|元|批|场|期|份|篇|位|座|类|户|万|亿)"
)
# 逾期超过半年 · 超期三个月以上 · 拖了30多天: a length of time past the deadline
# 逾期不到两个月 · 逾期一个月以内: no longer than that
_LATE_BY = re.compile(
    r"(?:逾期|超期|过期|拖)了?(?P<under>不到|不足|少于|未满|没满|没到|没超过|不超过)?"
    r"(?:超过|超|多于|已经|已|满|达到|在)?"
    r"(?P<amount>半年|半个月|\d{1,5}|[一二两三四五六七八九十]{1,3})多?(?P<unit>个月|月|天|日|周|星期|年)?"
    r"(?P<within>以内|之内|内)?(?:以上|多|之久)?"
)
_LATE_UNITS = {
    "个月": "month",
    "月": "month",
    "天": "day",
    "日": "day",
    "周": "week",
    "星期": "week",
    "年": "year",
}


_ASKED: frozenset[str] = frozenset({"target", "progress", "gap", "baseline", "who", "when", "explain"})
_POINTING_WORDS = ("这个", "这项", "这一", "那个", "那项", "该", "此", "上面的", "上述")


def _pointed_at(scan: _Scan) -> None:
    """这个指标怎么统计的 · 该任务谁负责: the one just talked about, not a list of all indicators or tasks."""
    for cue in ("indicators", "tasks"):
        spans = [(a, b) for name, a, b in scan.cue_spans if name == cue]
        if spans and all(scan.text[:a].endswith(_POINTING_WORDS) for a, _ in spans):
            scan.cues.discard(cue)
            scan.one_task = scan.one_task or cue == "tasks"


def _late_by(scan: _Scan) -> tuple[tuple[int, str], bool] | None:
    """How long past the deadline, and whether at most that long (逾期不到两个月) rather than longer."""
    found = _LATE_BY.search(scan.text)
    if found is None or (found.group("unit") is None and not found.group("amount").startswith("半")):
        return None  # 逾期3: no unit of time, no length
    amount, unit = found.group("amount", "unit")
    if amount == "半年":
        late = (6, "month")
    elif amount == "半个月":
        late = (15, "day")
    else:
        value = parse_number(amount)
        if value is None or value != int(value) or value <= 0:
            return None
        late = (int(value), _LATE_UNITS[unit])
    for i in range(found.start(), found.end()):
        scan.covered[i] = scan.non_entity[i] = True
    return late, bool(found.group("under") or found.group("within"))


def _counted(scan: _Scan, at: int) -> str | None:
    """配几个专职人员: the words right after the measure that nothing explained, what the number counts
    (the field's own word before them, 几个知识产权专职人员, says nothing of what)."""
    at += next((len(w) for w in DOMAIN_WORDS if scan.text.startswith(w, at)), 0)
    end = at
    while end < len(scan.text) and not scan.covered[end] and _CJK_ONLY.fullmatch(scan.text[end]):
        end += 1
    if scan.text.startswith("呢", end):
        return None  # 要几家 国家级呢: a second subject asked in the same breath, not what is counted
    return scan.text[at:end] if end - at >= 2 else None


# 哪些指标2023年基数是0 · 基线为零的指标 · 从0起步的: a baseline value to pick indicators by
_BASELINE_IS = re.compile(
    r"(?:基数|基线|基期值|基期|基础值|基准值|年底|年末)(?:都|也|还|仍)?(?:是|为|等于|=)(\d+(?:\.\d+)?|零|〇)"
    r"|从(0|零)起步"
)
_CHINESE_DIGITS = "一二三四五六七八九十"
# 四（六） · 三、（四）2 · 三(四)第2条: official documents number parts 一、 chapters （一） and items 1.
_OUTLINE = re.compile(
    rf"(?<![{_CHINESE_DIGITS}])([{_CHINESE_DIGITS}]{{1,3}})[、.]?\(([{_CHINESE_DIGITS}]{{1,3}})\)"
    r"(?:第?(\d{1,2})(?:条|项|点|款)?(?![\d年月日号]))?"
)


def _outline(normalized: str, scan: _Scan) -> str | None:
    """The outline place the message names, written as the document's section paths are (三（四）2); its
    characters are then explained, not unknown words."""
    found = _OUTLINE.search(normalized)
    if found is None:
        return None
    part, chapter, item = found.groups()
    written = compact(found.group(0))
    start = scan.text.find(written)
    if start >= 0:
        scan.outline_span = (start, start + len(written))
        for i in range(*scan.outline_span):
            scan.covered[i] = scan.non_entity[i] = True
    return f"{part}（{chapter}）{item or ''}"


def _find_tasks(scan: _Scan, lexicon: Lexicon) -> tuple[str | None, tuple[TaskRef, ...]]:
    """Tasks by number; else by near-verbatim wording; else by a quoted name; else by looser wording.

    Wording comes before typo correction: quoted text is not a misspelt name (知识产权试点 is not 知识产权局).
    A quoted name comes after near-verbatim wording, since one task may quote what another is about
    (任务23 quotes “闽都文化”, 任务9 builds the 闽都文化保护样板街区).
    """
    not_numbers = _named_spans(scan) + ([scan.outline_span] if scan.outline_span else [])
    numbers = _section_items(scan, lexicon) or _task_numbers(scan, not_numbers)
    if numbers:
        return None, numbers
    fragment, tasks = _fragment_tasks(scan, lexicon, strong_only=True)
    if tasks:
        return fragment, tasks
    paired = _paired_tasks(scan, lexicon)
    if paired:
        return None, paired
    named = _named_tasks(scan)
    if named and _unexplained(scan) <= _NAME_TOLERANCE:
        return None, _with_the_rest_of_the_words(scan, lexicon) or named
    _fuzzy_entities(scan, lexicon)
    _indicators_without_domain_words(scan, lexicon)
    fragment, tasks = _fragment_tasks(scan, lexicon)
    if not tasks and not named:
        return _rare_word_task(scan, lexicon)
    return (fragment, tasks) if tasks or not named else (None, named)


_NAMED_WITH_REST_LIMIT = 20


def _with_the_rest_of_the_words(scan: _Scan, lexicon: Lexicon) -> tuple[TaskRef, ...]:
    """闽都文化街区: a name one task quotes (任务23 “闽都文化”) beside a word of another's wording (任务9's
    闽都文化保护样板街区); the one task whose wording holds the name and the rest of the words is meant."""
    names = [scan.text[a:b] for e, a, b in scan.entries if e.kind == "task"]
    rest = [scan.text[a:b] for a, b in _runs(scan.covered, False) if b - a >= _SHORT_WORD[0]]
    rest = [word for word in rest if _CJK_ONLY.fullmatch(word)]
    if len(set(names)) != 1 or not rest:
        return ()
    common = set(lexicon.names.tasks_using(names[0], _NAMED_WITH_REST_LIMIT))
    for word in rest:
        common &= set(lexicon.names.tasks_using(word, _NAMED_WITH_REST_LIMIT))
    return (TaskRef(*common.pop()),) if len(common) == 1 else ()


def _paired_tasks(scan: _Scan, lexicon: Lexicon) -> tuple[TaskRef, ...]:
    """闽侯的快速维权平台和鼓楼的驿站完成情况: two tasks, each named by its own wording either side of 和;
    only when each side names exactly one."""
    if scan.paired_depth:
        return ()
    for at, ch in enumerate(scan.text):
        if (
            ch not in _AND_WORDS
            or any(a < at < b for _, a, b in scan.entries)
            or not 0 < at < len(scan.text) - 1
        ):
            continue
        found = [_find_tasks(_part(scan, a, b), lexicon) for a, b in ((0, at), (at + 1, len(scan.text)))]
        if all(len(tasks) == 1 for _, tasks in found):
            return tuple(dict.fromkeys(tasks[0] for _, tasks in found))
    return ()


def _part(scan: _Scan, start: int, end: int) -> _Scan:
    """The scan of one stretch of the message, as if it had been sent alone."""
    return _Scan(
        scan.text[start:end],
        entries=[(e, a - start, b - start) for e, a, b in scan.entries if start <= a and b <= end],
        cues=set(scan.cues),
        covered=scan.covered[start:end],
        non_entity=scan.non_entity[start:end],
        paired_depth=scan.paired_depth + 1,
    )


_SHORT_WORD = (2, 3)  # 驿站: too short to be a fragment, but a word only one task uses names it


def _rare_word_task(scan: _Scan, lexicon: Lexicon) -> tuple[str | None, tuple[TaskRef, ...]]:
    """The one word a question does not explain, when it is short and only one task uses it."""
    listing = {
        "ongoing", "overdue", "featured", "due", "done", "undone", "indicators", "overview", "plan",
        *PLAN_FACT_CUES,  # 示范区方案发给哪些单位: the document's own facts, not a task using 单位
    }  # fmt: skip
    # 鼓楼的驿站: a place, not a unit, beside the word; 仓山区的专门任务 asks for the place's tasks instead
    places = {(a, b) for e, a, b in scan.entries if e.kind == "region"} if "tasks" not in scan.cues else set()
    named = [
        e
        for e, a, b in scan.entries
        if e.kind in ("indicator", "section") or (e.kind == "unit" and (a, b) not in places)
    ]
    if named or (scan.cues & listing and not scan.one_task):  # 展会那个任务几号到期: one task's deadline
        return None, ()
    runs = [(a, b) for a, b in _runs(scan.covered, False) if b - a >= _SHORT_WORD[0]]
    if len(runs) != 1:
        return None, ()
    start, end = runs[0]
    word = scan.text[start:end]
    if len(word) > _SHORT_WORD[1] or not _CJK_ONLY.fullmatch(word):
        return None, ()
    users = lexicon.names.tasks_using(word, 2)
    if expanded(word) != word:
        # 地标: a task saying 地理标志 uses it as much as one saying 地标; among a few, the asker chooses
        users = list(dict.fromkeys([*users, *lexicon.names.tasks_using(expanded(word), _MAX_CANDIDATES + 1)]))
        users = users if len(users) <= _MAX_CANDIDATES else []
    elif len(users) != 1:
        return None, ()
    if not users:
        return None, ()
    for i in range(start, end):
        scan.covered[i] = True
    return word, tuple(TaskRef(*user) for user in users)


def _cover_window(scan: _Scan, words: str) -> None:
    """Time words explain their characters but are no task's wording."""
    start = scan.text.find(words) if words else -1
    for i in range(start, start + len(words) if start >= 0 else start):
        scan.covered[i] = scan.non_entity[i] = True


def _choice(normalized: str) -> int | None:
    found = _CHOICE.fullmatch(normalized.strip(" 。.!！"))
    if found is None:
        return None
    number = parse_number(found.group(1) or found.group(2))
    return int(number) if number is not None and 0 < number < 1000 else None


# 是哪5个 · 包括哪些: a list of names (哪一条 asks for one)
_ASKS_WHICH = re.compile(r"哪(?:[2-9]|[1-9][0-9]|[二两三四五六七八九十几])[个家项所条处]|哪些")


# 给多少建设经费 · 资金有多少: a sum of money, with words between
_ASKS_AMOUNT = re.compile(
    r"(?:多少|几)[\u4e00-\u9fff]{0,4}(?:经费|资金|钱|预算|补助|补贴|奖补|资助)"
    r"|(?:经费|资金|预算)[\u4e00-\u9fff]{0,3}(?:多少|几)"
)
# 选了哪家企业 · 是哪些高校: which bodies by name, which a plan seldom lists
_ASKS_WHICH_BODY = re.compile(r"哪(?:家|个|些|几家)(?:企业|公司|机构|高校|园区|医院|协会)")
_ASKS_WHO = re.compile(r"归(?:哪|谁)|哪(?:几|些)(?:家|个)?(?:单位|部门)")  # 指标归哪几家 · 哪几个部门


def _scan(text: str, lexicon: Lexicon) -> _Scan:
    scan = _Scan(text, covered=[False] * len(text), non_entity=[False] * len(text))
    found = lexicon.entries_in(text)
    for word, start, end in lexicon.tokenize(text):
        entries = found.get(word)
        if entries:
            _note(scan, entries, start, end)
    if _ASKS_WHICH.search(text):
        scan.cues.add("roster")
    if _ASKS_AMOUNT.search(text):
        scan.cues.add("amount")
    if _ASKS_WHICH_BODY.search(text):
        scan.cues.add("named_body")
    if _ASKS_WHO.search(text):
        scan.cues.add("who")
    elif "who" in scan.cues and _who_only_names_the_sender(scan):
        scan.cues.discard("who")
    return scan


def _who_only_names_the_sender(scan: _Scan) -> bool:
    """我们负责的那个结案率指标 · 我局牵头的任务: 负责 right after the sender's own unit says whose thing
    it is, not "who is responsible?" — unless another word asks who."""
    owns = {end for cue, _, end in scan.cue_spans if cue == "own"}
    asks = [(start, end) for cue, start, end in scan.cue_spans if cue == "who"]
    return bool(asks) and all(start in owns for start, _ in asks)


def _note(scan: _Scan, entries: Iterable[Entry], start: int, end: int) -> None:
    for entry in entries:
        if entry.kind == "cue":
            scan.cues.add(entry.key)  # type: ignore[arg-type]  # cue keys are Cue by construction
            scan.cue_spans.append((entry.key, start, end))
        elif entry.kind in ENTITY_KINDS:
            scan.entries.append((entry, start, end))
    is_entity = any(e.kind in ENTITY_KINDS for e in entries)
    for i in range(start, end):
        scan.covered[i] = True
        scan.non_entity[i] = scan.non_entity[i] or not is_entity


def _fuzzy_entities(scan: _Scan, lexicon: Lexicon) -> None:
    """Catch one wrong character in a name (市检查院 → 市检察院, 质押融资总金颜 → 质押融资总金额).

    The wrong character is one no word explains; the name around it may overlap words that were matched
    (融资 in 总金颜's name), so every placement of every term length around that character is tried.
    """
    positions = [p for start, end in _runs(scan.covered, False) for p in range(start, end)]
    tried = {p: _masks_around(scan.text, p, lexicon) for p in positions}
    masks = list(dict.fromkeys(mask for candidates in tried.values() for _, _, _, mask in candidates))
    known = lexicon.names.masked(masks) if masks else {}  # every placement's lookup at once
    for position in positions:
        found = _masked_match(tried[position], known, lexicon)
        if found is not None:
            term_start, term = found
            scan.entries = [e for e in scan.entries if not _inside(e, term_start, term_start + len(term))]
            _note(scan, lexicon.entries(term), term_start, term_start + len(term))


def _indicators_without_domain_words(scan: _Scan, lexicon: Lexicon) -> None:
    """省级知识产权示范优势企业: an indicator's name with the field's word (知识产权) added or dropped;
    国家级和市级…企业: two names sharing their head, the first said only by its modifier."""
    if any(e.kind == "indicator" for e, _, _ in scan.entries):
        return
    found = _core_match(scan.text, lexicon)
    if found is None:
        return
    start, end, entries = found
    scan.entries = [e for e in scan.entries if not _inside(e, start, end)]
    _note(scan, entries, start, end)
    conjunction = start - 1
    if conjunction > 0 and scan.text[conjunction] in _AND_WORDS:
        for dropped in range(1, _MODIFIER_MAX + 1):  # 国家级和[市级]…: try the head after the first modifier
            variant = scan.text[:conjunction] + scan.text[conjunction + 1 + dropped :]
            other = _core_match(variant, lexicon)
            if other is not None and other[2] != entries and other[0] < conjunction:
                _note(scan, other[2], other[0], conjunction)
                return


KEYWORD_CHARS = (2, 6)
MAX_KEYWORD_INDICATORS = 12


def _indicators_by_keyword(scan: _Scan, lexicon: Lexicon) -> None:
    """那商标呢 · 质押融资和商标: a word nothing else explained that indicator names contain names those
    indicators (one subject with several candidates; the answer narrows by place or lists them)."""
    found: list[tuple[str, int]] = []
    named = [scan.text[a:b] for e, a, b in scan.entries if e.kind == "indicator"]
    stray = 0
    for start, end in _uncovered_runs(scan):
        edges = _EDGES.fullmatch(scan.text[start:end])
        word = edges.group(1) if edges else ""  # 那商标 · 跟保险这两: the and/this around it ask nothing
        if len(word) < KEYWORD_CHARS[0]:
            stray += len(word)  # 跟商标有关: the 关 of a 有关 cut in two
            continue
        if len(word) > KEYWORD_CHARS[1] or word in DOMAIN_WORDS or any(word in name for name in named):
            return  # 发明专利申请流程怎么走 (unknown words) · 维权援助服务企业数…哪些服务 (the name again)
        at = start + edges.start(1) if edges else start
        if _said_as_task_wording(scan.text, at, word, lexicon):
            return  # 数据知识产权试点: a task's own phrase, not the 试点 of indicators' names
        longer = word + scan.text[at + len(word) : at + len(word) + 1]
        if not lexicon.names.indicators_naming(word, 1) or (
            longer != word and lexicon.names.indicators_naming(longer, 1)
        ):
            return  # 专利申请费: the word goes on past the name's piece; it is about something else
        found.append((word, at))
    if stray > _NAME_TOLERANCE:
        return
    for word, at in found:
        keys = lexicon.names.indicators_naming(word, MAX_KEYWORD_INDICATORS)
        _note(scan, [Entry("indicator", key) for key in keys], at, at + len(word))
        scan.keyword = word


def _said_as_task_wording(text: str, at: int, word: str, lexicon: Lexicon) -> bool:
    """Whether the word with what is said just before it is wording some task uses."""
    return any(lexicon.names.tasks_using(text[at - k : at + len(word)], 1) for k in (2, 3, 4) if at - k >= 0)


_EDGES = re.compile(r"(?:[和与跟及、]|[这那])*(.*?)(?:[和与跟及、]|[这那][两几些]?|[有相]关的?)*")


def _uncovered_runs(scan: _Scan) -> list[tuple[int, int]]:
    runs = [(m.start(), m.end()) for m in _CJK_ONLY.finditer(scan.text)]
    found: list[tuple[int, int]] = []
    for start, end in runs:
        i = start
        while i < end:
            if scan.covered[i]:
                i += 1
                continue
            j = i
            while j < end and not scan.covered[j]:
                j += 1
            found.append((i, j))
            i = j
    return found


_AND_WORDS = "和与跟及、"
_MODIFIER_MAX = 3


def _core_match(text: str, lexicon: Lexicon) -> tuple[int, int, tuple[Entry, ...]] | None:
    kept = [i for i in range(len(text)) if not _in_domain_word(text, i)]
    reduced = "".join(text[i] for i in kept)
    found = lexicon.names.cores_in(reduced)
    for core in sorted(found, key=len, reverse=True):  # the longest name first
        entries = found[core]
        at = reduced.find(core)
        if at >= 0:
            return kept[at], kept[at + len(core) - 1] + 1, entries
    return None


def _in_domain_word(text: str, i: int) -> bool:
    return any(
        text.startswith(word, start)
        for word in DOMAIN_WORDS
        for start in range(max(0, i - len(word) + 1), i + 1)
    )


def _masks_around(text: str, wrong: int, lexicon: Lexicon) -> list[tuple[int, str, int, str]]:
    """Every placement of every term length around the character at `wrong`, longest first, as (start,
    piece, offset, mask): the pieces a name with that character wrong could be."""
    tried: list[tuple[int, str, int, str]] = []
    left, right = wrong, wrong + 1  # the stretch of CJK characters around the wrong one
    while left > 0 and _CJK_ONLY.fullmatch(text[left - 1]):
        left -= 1
    while right < len(text) and _CJK_ONLY.fullmatch(text[right]):
        right += 1
    if not _CJK_ONLY.fullmatch(text[wrong]):
        return tried
    for length in lexicon.masked_lengths:
        for start in range(max(left, wrong - length + 1), min(wrong, right - length) + 1):
            piece, offset = text[start : start + length], wrong - start
            tried.append((start, piece, offset, piece[:offset] + "?" + piece[offset + 1 :]))
    return tried


def _masked_match(
    tried: list[tuple[int, str, int, str]], known: dict[str, tuple[str, ...]], lexicon: Lexicon
) -> tuple[int, str] | None:
    """The longest term a placement spells with its wrong character replaced (the first placement)."""
    for start, piece, offset, mask in tried:
        if mask in known and not _edge_is_another_word(piece, offset, lexicon):
            if _unlike_at_a_short_edge(piece, offset, known[mask][0]):
                continue  # 专利保护 is no misspelt 专利保险: a word of its own, not a slip of the keyboard
            return start, known[mask][0]
        if mask in known and _homophone_at_edge(piece, offset, known[mask][0], lexicon):
            return start, known[mask][0]  # 沧山区: typed by sound, the usual slip of a pinyin keyboard
    return None


_EDGE_TYPO_ANY_SOUND_LENGTH = 6  # 质押融资总金颜: in a long name any wrong last character is a slip


def _unlike_at_a_short_edge(piece: str, offset: int, term: str) -> bool:
    """A short name's first or last character swapped for one that does not sound like it."""
    at_edge = offset in (0, len(piece) - 1)
    short = len(piece) < _EDGE_TYPO_ANY_SOUND_LENGTH
    return at_edge and short and not sounds_alike(piece[offset], term[offset])


def _homophone_at_edge(piece: str, offset: int, term: str, lexicon: Lexicon) -> bool:
    """A short name off at its edge by a character that sounds the same (沧 for 仓), the rest no word."""
    rest = piece[1:] if offset == 0 else piece[:-1]
    return not lexicon.is_term(rest) and same_sound(piece[offset], term[offset])


def _edge_is_another_word(piece: str, offset: int, lexicon: Lexicon) -> bool:
    """A name off at its first or last character, where the rest is a word of its own, is that word followed
    by another (知识产权试点 is not a misspelt 知识产权局); short names are never corrected at the edge."""
    if offset not in (0, len(piece) - 1):
        return False
    rest = piece[1:] if offset == 0 else piece[:-1]
    return len(piece) < _EDGE_TYPO_MIN_LENGTH or lexicon.is_term(rest)


def _inside(entry: tuple[Entry, int, int], start: int, end: int) -> bool:
    return start <= entry[1] and entry[2] <= end


def _runs(flags: list[bool], value: bool) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, flag in enumerate([*flags, not value]):
        if flag == value and start is None:
            start = i
        elif flag != value and start is not None:
            runs.append((start, i))
            start = None
    return runs


# 重点工作第三条 · 重点思路二; not 一共 · 一些 · 一下, where 一 is part of a word
_ORDINAL = re.compile(rf"(?:第)?{_NUMBER}(?:条|项|点|个)?(?![共些起直定般样下切同览])")


def _section_items(scan: _Scan, lexicon: Lexicon) -> tuple[TaskRef, ...]:
    """重点工作第三条 · 重点思路（二）: an item counted within its own list, as the document numbers it."""
    refs: list[TaskRef] = []
    for entry, _, end in scan.entries:
        items = lexicon.sections.get(entry.key) if entry.kind == "section" else None
        found = _ORDINAL.match(scan.text, end) if items else None
        value = parse_number(found.group(1)) if found else None
        if items and found and value is not None and 0 < value <= len(items) and value == int(value):
            refs.append(TaskRef(entry.key.split(":", 1)[0], items[int(value) - 1]))
            for i in range(found.start(), found.end()):
                scan.covered[i] = scan.non_entity[i] = True
    return tuple(dict.fromkeys(refs))


_NAMED_NUMBER = re.compile(r"任务|序号|编号|事项")
_AND_NUMBER = re.compile(
    rf"(?:和|跟|与|及|以及|、|或)(?:任务|第)?{_NUMBER}(?![{_NOT_A_NUMBER_AFTER}0-9])(?:号|项|条)?"
)


def _named_spans(scan: _Scan) -> list[tuple[int, int]]:
    """Where names with digits stand (第00528号市市场监管局): their digits are no task number."""
    spans = {(a, b) for _, a, b in scan.entries}
    return [(a, b) for a, b in spans if any(c.isdigit() for c in scan.text[a:b])]


def _task_numbers(scan: _Scan, names: list[tuple[int, int]] = []) -> tuple[TaskRef, ...]:  # noqa: B006
    refs: list[TaskRef] = []
    for found in _TASK_NUMBER.finditer(scan.text):
        if any(a < found.end() and found.start() < b for a, b in names):
            continue
        matches = [found]
        while (more := _AND_NUMBER.match(scan.text, matches[-1].end())) is not None:
            matches.append(more)  # 任务41和42: the second number is a task too
        for match in matches:
            value = parse_number(next(g for g in match.groups() if g))
            if value is not None and 0 < value < 1000 and value == int(value):
                refs.append(TaskRef(None, int(value)))
                for i in range(match.start(), match.end()):
                    scan.covered[i] = scan.non_entity[i] = True
    return tuple(dict.fromkeys(refs))


def _named_tasks(scan: _Scan) -> tuple[TaskRef, ...]:
    """Tasks called by a name they give in quotes; a name two tasks share makes both candidates."""
    keys = dict.fromkeys(e.key for e, _, _ in scan.entries if e.kind == "task")
    return tuple(TaskRef(plan, int(number)) for plan, number in (key.split(":") for key in keys))


def _fragment_tasks(
    scan: _Scan, lexicon: Lexicon, *, strong_only: bool = False
) -> tuple[str | None, tuple[TaskRef, ...]]:
    """Tasks whose wording the message quotes (闽都文化保护样板街区 → 任务9); strong_only: near-verbatim."""
    # 长乐专项行动地理标志那项: of the tasks the words fit, the named plan's (another plan's may fit better)
    plans = frozenset(e.key for e, _, _ in scan.entries if e.kind == "plan")
    for fragment in _fragments(scan):
        good = _matching_tasks(fragment, lexicon, plans)
        written_out = expanded(fragment)
        if written_out != fragment:  # 地标示范区: the plan may say 地理标志 where the message abbreviates
            longer = _matching_tasks(written_out, lexicon, plans)
            good = longer if longer and (not good or longer[0][0] > good[0][0]) else good
        if not good or (strong_only and (len(good) > 1 or good[0][0] < _FRAGMENT_STRONG_SCORE)):
            continue
        return fragment, tuple(TaskRef(task.plan, task.number) for _, task in good[:_MAX_CANDIDATES])
    return None, ()


def _matching_tasks(
    fragment: str, lexicon: Lexicon, plans: frozenset[str] = frozenset()
) -> list[tuple[float, IndexedTask]]:
    """Tasks sharing most of the fragment's character pairs; only the best when it clearly leads.

    Scored once per distinct wording (plans copy wording from one another), then listed task by task in
    catalog order among equals; only the first few tasks of each wording are carried, which is all any
    caller shows."""
    wanted = bigrams(fragment)
    least = (
        next(k for k in range(1, len(wanted) + 1) if k / len(wanted) >= _FRAGMENT_MIN_SCORE) if wanted else 1
    )
    scored: list[tuple[float, int, IndexedTask]] = []
    for found in lexicon.names.wordings(wanted, least):
        pairs = bigrams(found.text)
        share = len(wanted & pairs) / len(wanted)
        if share < _FRAGMENT_MIN_SCORE:
            continue
        score = _closeness(fragment, share, found.text)
        scored += [
            (score, seq, IndexedTask(plan, number, found.text, pairs)) for plan, number, seq in found.tasks
        ]
    if plans and any(task.plan in plans for _, _, task in scored):
        scored = [item for item in scored if item[2].plan in plans]
    scored.sort(key=lambda item: (-item[0], item[1]))
    good = [(score, task) for score, _, task in scored if score >= _FRAGMENT_MIN_SCORE]
    if len(good) > 1 and good[0][0] - good[1][0] >= _FRAGMENT_CLEAR_LEAD:
        return good[:1]
    return good


def _closeness(fragment: str, share: float, text: str) -> float:
    """Shared character pairs averaged with the longest stretch quoted verbatim: pairs forgive a typo or a
    dropped word (军门社区服务驿站); the verbatim stretch tells a quotation from a scatter of common pairs."""
    match = SequenceMatcher(None, fragment, text, autojunk=False).find_longest_match()
    return (share + match.size / len(fragment)) / 2


def _fragments(scan: _Scan) -> list[str]:
    """The message without the question words around it (both ends, then only the end), if enough of it is
    wording the lexicon lacks; a cue word may itself be part of the wording (数据知识产权试点)."""
    inner = [i for i, flag in enumerate(scan.non_entity) if not flag]
    if not inner:
        return []
    spans = [(inner[0], inner[-1] + 1), (0, inner[-1] + 1)]
    # 福清分解表里江阴港泊位那项: a task pointed at by its wording, after the plan's name
    pointed = scan.one_task or _ONE_ITEM.search(scan.text) is not None
    after = _after_the_scope(scan) if pointed else 0
    if inner[0] < after <= inner[-1]:
        spans.insert(0, (after, inner[-1] + 1))
    return [scan.text[a:b] for a, b in dict.fromkeys(spans) if _is_fragment(scan, a, b)]


_SCOPE_KINDS = ("plan", "section")
_ONE_ITEM = re.compile(r"[那这]一?[项条]")  # 江阴港泊位那项: one item, pointed at by its words


def _after_the_scope(scan: _Scan) -> int:
    """Where the message's wording starts after the plan it opens with (里, 中 skipped)."""
    unknown = next((i for i, covered in enumerate(scan.covered) if not covered), len(scan.text))
    end = max((b for e, a, b in scan.entries if e.kind in _SCOPE_KINDS and b <= unknown), default=0)
    while end < len(scan.text) and scan.text[end] in _SCOPE_LINKS:
        end += 1
    return end


_SCOPE_LINKS = "里中内"


def _is_fragment(scan: _Scan, start: int, end: int) -> bool:
    unknown = sum(1 for i in range(start, end) if not scan.covered[i])
    # Beside a name the bot knows, two stray characters are more likely chatter than quoted wording,
    # unless the message says it is asking about a task ("展会专利侵权纠纷的任务").
    plain = unknown == sum(1 for i in range(start, end) if not scan.non_entity[i]) or "tasks" in scan.cues
    return end - start >= _FRAGMENT_MIN_CHARS and unknown >= (2 if plain else 3)


def _slots(
    scan: _Scan,
    tasks: tuple[TaskRef, ...],
    fragment: str | None,
    window: object,
    plan_regions: frozenset[str],
) -> Slots:
    def keys(kind: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.key for e, _, _ in scan.entries if e.kind == kind))

    roles = scan.cues & {"lead", "co"}
    role: Role | None = "lead" if roles == {"lead"} else "co" if roles == {"co"} else None  # 牵头或参与: both
    return Slots(
        indicator_groups=_indicator_groups(scan),
        aspects=frozenset(scan.cues & _ASPECTS),
        own_unit="own" in scan.cues,
        featured="featured" in scan.cues,
        undone="undone" in scan.cues and "done" not in scan.cues,  # 哪些完成了 哪些没完成: all, with status
        within="within" in scan.cues,
        elliptic=scan.text.endswith("呢"),
        listing="indicators" in scan.cues,
        indicators=keys("indicator"),
        regions=keys("region"),
        units=_units(scan, keys("unit"), plan_regions),
        plans=keys("plan"),
        sections=keys("section"),
        ordinal_only=bool(tasks)
        and all(t.plan is None for t in tasks)
        and not _NAMED_NUMBER.search(scan.text),
        tasks=tasks,
        task_fragment=fragment,
        window=window,  # type: ignore[arg-type]  # a Window or None, from find_window
        role=role,
        smalltalk="thanks" if "thanks" in scan.cues else "ack" if "ack" in scan.cues else None,
    )


_QUALIFIER_CHARS = (2, 4)


def _qualified_indicator(scan: _Scan, lexicon: Lexicon) -> tuple[str, str] | None:
    """仲裁联络点: the words just before an indicator's name that nothing explained, when the plans' task
    wording uses them (a real word of the field, not a typo or filler)."""
    for entry, start, end in scan.entries:
        if entry.kind != "indicator":
            continue
        begin = start
        while begin > 0 and not scan.covered[begin - 1]:
            begin -= 1
        word = scan.text[begin:start]
        fits = _QUALIFIER_CHARS[0] <= len(word) <= _QUALIFIER_CHARS[1] and _CJK_ONLY.fullmatch(word)
        if fits and lexicon.names.tasks_using(word, 1):
            return word, scan.text[begin:end]
    return None


def _indicator_groups(scan: _Scan) -> tuple[tuple[str, ...], ...]:
    """The indicator candidates of each place in the message that names one, in order, without repeats."""
    spans: dict[tuple[int, int], list[str]] = {}
    for entry, start, end in scan.entries:
        if entry.kind == "indicator":
            spans.setdefault((start, end), []).append(entry.key)
    groups = (tuple(dict.fromkeys(keys)) for _, keys in sorted(spans.items()))
    return tuple(dict.fromkeys(groups))


def _units(scan: _Scan, units: tuple[str, ...], plan_regions: frozenset[str]) -> tuple[str, ...]:
    """鼓楼重点思路 · 鼓楼有哪些指标: beside one of a plan's lists, a place with a plan of its own names
    that plan, not its government (仓山的指标 are still the 仓山 government's share of the city's)."""
    sections = any(e.kind == "section" for e, _, _ in scan.entries)
    indicators = "indicators" in scan.cues and "tasks" not in scan.cues
    places = {
        (a, b) for e, a, b in scan.entries if e.kind == "region" and (sections or e.key in plan_regions)
    }
    if not (sections or indicators) or not places:
        return units
    by_name = {e.key for e, a, b in scan.entries if e.kind == "unit" and (a, b) not in places}
    return tuple(u for u in units if u in by_name)


def _decide(scan: _Scan, slots: Slots) -> IntentName | None:
    """The question asked; None when the message names a subject and asks nothing (a follow-up)."""
    cues = scan.cues
    if cues & PLAN_FACT_CUES and not slots.tasks and not (slots.indicators and "explain" in cues):
        return "plan_fact"
    listing = _listing_intent(cues, slots)
    if listing is not None:
        return listing
    if slots.outline and not slots.tasks and not slots.indicators:
        return "document"  # 鼓楼方案四（六）讲的什么: that section of the document
    if slots.sections and not slots.tasks and not slots.indicators:
        return "unit_tasks"  # 鼓楼重点思路是哪四条 · 重点工作有几条: the list itself
    if slots.tasks:
        return "responsible" if "who" in cues and not cues & _TASK_DETAIL_ASPECTS else "task_detail"
    if (
        slots.indicators
        and "indicators" in cues
        and ((slots.keyword is not None and len(slots.indicator_groups) == 1) or "roster" in cues)
        and not cues & _ASKED
    ):
        return "indicator_list"  # 跟商标有关的指标 · 质押相关的指标都有哪些: those indicators, listed
    if slots.indicators:
        return _indicator_intent(cues)
    if "indicators" in cues and not slots.units and not (slots.own_unit and "tasks" in cues):
        return "indicator_list"
    if (slots.units or slots.own_unit) and cues & {"tasks", "lead", "co", "who", "what", "undone", "count"}:
        return "unit_tasks"
    if slots.own_unit and slots.subject_free() and slots.window is None:
        return "unit_tasks"  # 我们单位呢 · 我单位的情况
    if cues & _ASKED_OF_THE_TEXT and not cues & {"tasks", "indicators"}:
        return "unknown"  # 鼓楼知识产权法庭在哪个街道: not the district's list; the text, or 未载明
    if not slots.subject_free():
        if "indicators" in cues:
            return "indicator_list"
        # A place or plan amid words the bot does not know ("福州明天限行尾号") is not a question for it.
        return "unknown" if _unexplained(scan) > 2 and (not slots.units or slots.unnamed_wording) else None
    if slots.window is not None:
        return None  # "下个月呢": a new window for the last list
    if "undone" in cues and not cues & {"indicators", "help"}:
        return None  # 还有哪些没完成的: of the list just given
    return _subjectless_intent(cues, _unexplained(scan))


def _listing_intent(cues: set[Cue], slots: Slots) -> IntentName | None:
    """Lists over all tasks, which a subject only narrows (中院逾期的任务)."""
    if "more" in cues and slots.subject_free():
        return "more"
    if "overdue" in cues:
        return "overdue_tasks"
    if (
        slots.window is not None
        and not slots.tasks
        and not slots.indicators
        and (cues & {"due", "tasks", "when"} or ("what" in cues and slots.plans))
    ):
        return "due_tasks"  # 商标品牌方案三季度要完成什么: that plan's tasks due then
    if "ongoing" in cues and not slots.tasks:
        # 哪些是长期推进，哪些有期限: both kinds asked; a unit's list says which is which
        return "unit_tasks" if slots.units and "dated" in cues else "ongoing_tasks"
    if (
        "done" in cues
        and "tasks" in cues
        and not slots.tasks
        and not slots.indicators
        and not cues & {"yesno", "undone"}
    ):
        return "done_tasks"  # 已经完成的任务有哪些 · 我们办结了哪些任务
    if "featured" in cues and "yesno" in cues and slots.subject_free() and "within" not in cues:
        return "task_detail"  # 有星吗: of the task just discussed
    if "featured" in cues and not slots.tasks and not slots.indicators:
        return "featured_tasks"
    if cues >= {"count", "tasks", "indicators"} and not slots.tasks and _names_a_plan(slots):
        return "plan_overview"  # 一共几个指标几项任务
    counts_tasks = cues >= {"count", "tasks"} and not cues & {"within", "indicators", "undone", "done"}
    if (
        counts_tasks
        and not (slots.tasks or slots.units or slots.own_unit or slots.sections)
        and _names_a_plan(slots)
    ):
        return "plan_overview"  # 任务清单总共多少项: the overview counts them
    if "overview" in cues and not slots.tasks and not slots.indicators and _names_a_plan(slots):
        return "plan_overview"
    if "plan" in cues and not (
        slots.tasks or slots.indicators or slots.units or cues & {"tasks", "indicators"}
    ):
        return "plan_overview" if slots.plans or "progress" in cues else None
    return None


def _names_a_plan(slots: Slots) -> bool:
    """A plan, a region (鼓楼 is also a unit's short name), or nothing at all: all plans."""
    return bool(slots.plans or slots.regions or not slots.units)


def _indicator_intent(cues: set[Cue]) -> IntentName | None:
    if "who" in cues and not cues & {"target", "baseline", "progress", "gap", "explain"}:
        return "responsible"
    if cues & {"target", "baseline", "when", "explain"} and not cues & {"progress", "gap"}:
        return "indicator_target"
    return "indicator_progress" if cues & {"progress", "what", "gap"} else None


def _subjectless_intent(cues: set[Cue], unexplained: int) -> IntentName:
    """A question with no subject: help, thanks, a follow-up cue, or something out of scope."""
    if "help" in cues and unexplained <= _HELP_TOLERANCE:
        return "help"
    if unexplained > 1:
        return "unknown"
    if "done" in cues:  # 哪个已经完成了: of the list just given; 完成了吗: of the task just discussed
        return "task_detail" if "yesno" in cues else "done_tasks"
    for cue, name in _QUESTION_CUES.items():
        if cue in cues:
            return name
    if "help" in cues:
        return "help"
    if cues & {"thanks", "ack"}:
        return "smalltalk"
    if "tasks" in cues:
        return "help"
    return "unknown"


_UNNAMED_SUBJECT_MIN = 3  # characters the lexicon does not know: a body, a post or a place of its own
_UNNAMED_BESIDE_UNIT_MIN = 6


def _about_something_unnamed(scan: _Scan, slots: Slots) -> bool:
    """A question whose only name is a place, amid wording the lexicon lacks (鼓楼专利导航围绕哪些领域,
    鼓楼领导小组组长是谁): about that wording, not the place's government; the plan's text may say."""
    if slots.tasks or slots.indicators or slots.own_unit or slots.sections:
        return False
    regions = {(a, b) for e, a, b in scan.entries if e.kind == "region"}
    by_place = all((a, b) in regions for e, a, b in scan.entries if e.kind == "unit")
    unexplained = _unexplained(scan)
    # 高新区集聚发展试验区要打造什么平台: a unit's name beside wording of its own, longer than chatter
    return unexplained >= (_UNNAMED_SUBJECT_MIN if by_place else _UNNAMED_BESIDE_UNIT_MIN)


def _unexplained(scan: _Scan) -> int:
    return sum(1 for flag in scan.covered if not flag)
