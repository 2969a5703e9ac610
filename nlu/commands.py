"""parse_command(text, lexicon) -> Command | None: recognise messages that write (reports, replies, delays).

Pure, like the parser: no clock, no database. A message that is no command returns None and is a question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from nlu.intents import Slots, TaskRef
from nlu.lexicon import Lexicon, compact
from nlu.normalize import normalize
from nlu.numerals import NumberMatch, find_numbers, parse_number
from nlu.parser import _TASK_NUMBER, MAX_PARSED_CHARS, parse  # one notion of "任务18", shared with parse
from nlu.time_words import Window, find_window

__all__ = ["Command", "CommandName", "ReportedValue", "parse_command"]

CommandName = Literal[
    "confirm", "cancel", "undo", "history", "report_done", "report_progress", "report_value",
    "request_delay", "decide_delay", "review", "review_list",
]  # fmt: skip


@dataclass(frozen=True)
class ReportedValue:
    """A quantity as reported: exact amount with 万/亿 applied, the measure word, and the words typed."""

    amount: Decimal
    measure: str | None  # 件, 元, 家, 人次, %…; None for a bare number
    scaled: bool  # 万 or 亿 was part of the quantity
    text: str  # the slice as typed (after normalisation: half-width, simplified)
    # Letters or digits run into the number ("1e400件", "1_000件", "1 000件"): what was meant is unclear,
    # and text then covers the whole run.
    unclear: bool = False


@dataclass(frozen=True)
class Command:
    """A write command with its subject; fields a command does not use stay None."""

    name: CommandName
    subject: Slots = field(default_factory=Slots)
    value: ReportedValue | None = None
    as_of: Window | None = None
    detail: str | None = None
    new_deadline: Window | None = None
    approve: bool | None = None
    # A report_value's words that look like a date but name none ("2025年13月40日", "截至2100年38万件"):
    # the as-of date cannot be read, and is not today either.
    unread_date: str | None = None
    review_id: int | None = None  # 通过 57 / 退回 57 原因…: the 审核号 of a completion report


# 算完成了吧: a guess put up to be confirmed asks, it does not report
_QUESTION = re.compile(r"吗|么|多少|几|是否|有没有|没有|了没|呢|哪|谁|[?？]|了吧[\s。.!！]*$")
# 本科人才和公安联络点两个指标进度: a message that ends asking for progress is a question about it, whatever
# numbers it holds ("先行所建设情况：已建成20个" ends in its value and is a report).
_ASKS_AT_END = re.compile(r"(?:进度|进展|情况|怎么样|咋样|如何|完成率)[\s。.!！]*$")
_CONFIRM = frozenset(
    ["确认", "确定", "确认上报", "确认提交", "确定提交", "确认无误", "提交", "是", "是的", "对", "对的",
     "没错", "没问题", "ok", "okay", "yes"]
)  # fmt: skip
_CANCEL = frozenset(
    ["取消", "算了", "不要了", "不要", "不用了", "不用", "不对", "不是", "否", "放弃", "作废", "no",
     "取消上报", "取消提交", "不提交", "不上报", "先不报"]
)  # fmt: skip
_NOT_WORD = re.compile(r"[\W_]+")
_LEAD_PADDING = re.compile(r"^(?:好的|好|嗯+|行|那就|那|请|麻烦)+")  # "好的，确认": an ack before the answer
_TAIL_PADDING = re.compile(r"(?:吧|一下|了|啊|呀|哈|啦|哦|呗|嘛|谢谢|谢了)$")
_EDGE = " ,，。.!！;；:：、~～"
# Who is speaking says nothing about which task is meant ("我们的审判信息化建设已经完成").
_OWNER = re.compile(r"^(?:我们单位|我们|我单位|本单位|我局|本局|我院|本院|我委|本委|我部门|本部门|我司)的?")

_UNDO = re.compile(r"^(?:请|麻烦|帮我)*(?:撤销|撤回|撤消)")
_UNDO_NOISE = re.compile(r"上一条|上一次|上次|上一个|刚才|刚刚|最近一次|之前|的|上报|报告|提交|操作|一下|吧")
_HISTORY = re.compile(r"(?:办理|上报|操作|修改|报送)(?:记录|历史)|历史记录")
# A bare 记录/历史 only as the message's last word, so the 历史 of 历史文化街区 names no command, and not
# as a verb ("任务18已完成，请记录").
_HISTORY_BARE = re.compile(
    r"(?<![请我忙以做作好])(?:记录|历史)(?:有哪些|是什么|呢|吗|看看|一下|列表|清单)*[?？。!！]*$"
)

_VERDICT = r"(?P<verdict>不予批准|不批准|不同意|予以批准|批准|同意|通过|驳回|拒绝|否决)"
_DECIDE = (
    re.compile(rf"^(?:我|我们)?{_VERDICT}(?P<rest>.*延期.*)$"),  # 批准任务41延期
    re.compile(rf"^(?P<rest>.*延期(?:申请|请求)?)的?(?:申请)?[,，]?{_VERDICT}$"),  # 任务41的延期申请，驳回
)
_REJECT = frozenset({"不予批准", "不批准", "不同意", "驳回", "拒绝", "否决"})
_DECIDE_NOISE = re.compile(r"延期|申请|请求|的")
_BARE_NUMBER = re.compile(r"(?:[0-9]{1,3}|[零〇一二两三四五六七八九十百]{1,5})(?![0-9个天周月年日号])")
_REQUEST = re.compile(
    r"申请延期|延期申请|申请延长|申请推迟|申请延迟|要求延期|请求延期|(?:恳请|请求|请)(?:批准|同意).*?延期"
    r"|(?:延期|推迟|延长)(?=到|至)(?!到期)"
)
_REQUEST_NOISE = re.compile(r"申请|延期|延长|推迟|延迟|要求|请求|恳请|批准|同意|将|把|请")
_REASON = re.compile(r"(?:原因|理由)(?:是|为)?[:：,，]?|因为|由于")

# 办结审核: the verdict first, then the 审核号 (a completion report's number in the notice), then a reason.
# A verdict on a 延期 request names the task instead ("批准任务41延期") and is read by _decide_delay.
_VERDICTS = r"(?P<verdict>通过|同意|退回|驳回|打回)"
_REVIEW_NO = r"(?:审核号|审核|编号|报告)?[:：#\s]*第?\s*(?P<id>[0-9]{1,12})(?![0-9.%])号?"
_REVIEW = (
    re.compile(rf"^(?:审核)?{_VERDICTS}{_REVIEW_NO}(?P<rest>.*)$", re.DOTALL),  # 通过 57 · 退回第57号 原因…
    re.compile(rf"^{_REVIEW_NO}[,，:：\s]*(?:审核)?{_VERDICTS}(?P<rest>.*)$", re.DOTALL),  # 审核号57 通过
)
# 待审核 · 列一下待审核的 · 还有几个报告等着审核: the reports waiting; a number in it names one, not the list
_REVIEW_LIST = re.compile(r"^[^0-9]*(?:待审核|待审批|待审|审核列表|等着审核|等待审核|等审核|未审核)[^0-9]*$")
_REVIEW_LIST_NOT = re.compile(r"任务|指标|第|项|方案|延期|吗")  # 任务6待审核吗 asks about one task
_RETURN_WORDS = frozenset({"退回", "驳回", "打回"})

_PROGRESS = re.compile(r"(?:最新|工作|目前|当前)?(?:进展|进度)(?:情况)?[:：]")
_NOTE_QUESTION = re.compile(r"[?？]|[吗呢么]$|怎么样|如何|多少")

_DONE = re.compile(
    r"(?<![未没不尚])(?:(?:已经?|均已|都已)(?:全部|全面|顺利)?(?:完成|办结|建成|建好|落实|上线|实现|完工|办好|做好)"
    r"|(?:完成|办结|建成|建好|落实|上线|完工|办好|做好|搞定)了)(?!的)"  # 已完成的任务 is a list, not a report
)

_QUOTING = re.compile(r"目标|基线|基数|计划|要求|预期")  # quoting a plan, not reporting a value
_MEASURE = re.compile(r"人次|件次|件|家|个(?![月工季])|名|次|元|项|所|人|场|户|笔|处|篇")  # 3个月 is no count
_TIME_UNIT = re.compile(r"年|月|日|号|季|天|周|时|点|分钟")  # "2025年", "3月": dates, not values
# A date's words left over once the as-of window is found are a date it could not read.
_DATE_WORDS = re.compile(r"(?:[0-9零〇一二两三四五六七八九十]+(?:年|月|日|号|季度?)(?:底|末)?)+")
# A number run into letters, digits or underscores, perhaps across one separator ("1e400", "1_000", "1 000",
# "3,12"), is no number anyone writes; thousands written "3,120" are one number already.
_WORD_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz_")
_SEPARATORS = frozenset(".,' ")
_SCALES = frozenset("万萬亿億")
_MASK = "□"  # stands in for characters no number may be read from, keeping every span in place
_NAMED = frozenset({"indicator", "task", "unit", "plan", "region"})  # 第00528号… is a name


def parse_command(text: str, lexicon: Lexicon) -> Command | None:
    """None: not a command — the caller treats the message as a question."""
    typed = text[: MAX_PARSED_CHARS * 2]
    normalized = normalize(typed)[:MAX_PARSED_CHARS]
    reply = _reply(normalized)
    if reply is not None:
        return Command(reply)
    for recognise in (_review, _undo, _decide_delay, _request_delay, _progress, _history, _value, _done):
        command = recognise(normalized, lexicon)
        if command is not None:
            return _typed_detail(command, typed)
    return None


def _typed_detail(command: Command, typed: str) -> Command:
    """The note as typed (full-width commas, traditional characters kept), else as normalised.

    A note runs to the end of the message: it is the typed suffix that normalises to it, starting a little
    left of where its length says, since normalising drops spaces."""
    if command.detail is None:
        return command
    last = len(typed) - len(command.detail)
    for start in range(max(last, 0), max(last - len(command.detail) // 2 - 8, -1), -1):
        note = typed[start:].strip(_EDGE + "\u3000")
        if normalize(note).strip(_EDGE) == command.detail:
            return replace(command, detail=note)
    return command


def _is_question(text: str) -> bool:
    return _QUESTION.search(text) is not None or _ASKS_AT_END.search(text) is not None


def _reply(text: str) -> CommandName | None:
    """The whole message is a yes or a no to the bot's last question; "确认？" asks rather than answers."""
    if "?" in text or "？" in text:
        return None
    for word in _unpadded(_NOT_WORD.sub("", text)):
        if word in _CONFIRM:
            return "confirm"
        if word in _CANCEL:
            return "cancel"
    return None


def _unpadded(word: str) -> Iterator[str]:
    """word, then without its lead padding, then one tail particle fewer at a time (算了吧 → 算了 → 算)."""
    yield word
    word = _LEAD_PADDING.sub("", word)
    while word:
        yield word
        shorter = _TAIL_PADDING.sub("", word)
        if shorter == word:
            return
        word = shorter


def _subject(text: str, lexicon: Lexicon) -> Slots:
    """What the words left after the command words name; a lone number is no subject."""
    text = _OWNER.sub("", text.strip(_EDGE)).strip(_EDGE)
    if not _NOT_WORD.sub("", text):
        return Slots()
    intent = parse(text, lexicon)
    return Slots() if intent.name == "choose" else intent.slots


def _cut(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """text without the given spans, which are replaced by a space so words on either side stay apart."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def _undo(text: str, lexicon: Lexicon) -> Command | None:
    found = _UNDO.match(text)
    if found is None or _is_question(text):
        return None
    return Command("undo", _subject(_UNDO_NOISE.sub("", text[found.end() :]), lexicon))


def _review(text: str, lexicon: Lexicon) -> Command | None:
    """通过 57 · 退回 57 原因：佐证不全 · 待审核: the supervising office's 办结审核."""
    if _REVIEW_LIST.match(text.strip(_EDGE)) and not _REVIEW_LIST_NOT.search(text):
        return Command("review_list")
    stripped = text.strip(_EDGE)
    found = next((m for pattern in _REVIEW if (m := pattern.match(stripped))), None)
    if found is None or "延期" in text or _is_question(text):  # 57号通过了吗 asks, it does not decide
        return None
    rest = found["rest"].strip(_EDGE)
    reason = _REASON.match(rest)
    detail = (rest[reason.end() :] if reason else rest).strip(_EDGE)
    return Command(
        "review",
        approve=found["verdict"] not in _RETURN_WORDS,
        review_id=int(found["id"]),
        detail=detail or None,
    )


def _decide_delay(text: str, lexicon: Lexicon) -> Command | None:
    """批准/驳回 a delay: the manager's verdict on a task's request."""
    if _is_question(text):
        return None
    plain = _NOT_WORD.sub("", text)
    found = next((m for pattern in _DECIDE if (m := pattern.match(plain))), None)
    if found is None:
        return None
    rest = found["rest"]
    window = find_window(rest)
    if window is not None:
        rest = _cut(rest, [(window.start, window.end)])
    subject = _subject(_DECIDE_NOISE.sub(" ", rest), lexicon)
    if not subject.tasks:
        subject = Slots(tasks=_bare_task(rest))  # "批准延期 41": a bare number is a task's, not 一个月
    deadline = _deadline(window.window) if window else None
    return Command("decide_delay", subject, new_deadline=deadline, approve=found["verdict"] not in _REJECT)


def _bare_task(text: str) -> tuple[TaskRef, ...]:
    for found in _BARE_NUMBER.finditer(text):
        number = parse_number(found.group())
        if number is not None and 0 < number < 1000 and number == int(number):
            return (TaskRef(None, int(number)),)
    return ()


def _request_delay(text: str, lexicon: Lexicon) -> Command | None:
    """申请延期 for a task, with an optional new deadline and reason."""
    reason = _REASON.search(text)
    head = text[: reason.start()] if reason else text
    found = _REQUEST.search(head)
    if found is None or _is_question(head):
        return None
    detail = text[reason.end() :].strip(_EDGE) if reason else ""
    window = find_window(head[found.start() :])  # a date before the request words is the old deadline
    spans = [(found.start() + window.start, found.start() + window.end)] if window else []
    subject = _subject(_REQUEST_NOISE.sub(" ", _cut(head, spans)), lexicon)
    deadline = _deadline(window.window) if window else None
    return Command("request_delay", subject, detail=detail or None, new_deadline=deadline)


def _deadline(window: Window) -> Window:
    """A new deadline is a date to finish by: "延期至2025年12月" is by the end of December."""
    if window.kind == "in_month":
        return replace(window, kind="by_date")
    if window.kind == "in_quarter" and window.quarter is not None:
        return replace(window, kind="by_date", month=window.quarter * 3, quarter=None)
    if window.kind == "in_half" and window.half is not None:
        return replace(window, kind="by_date", month=window.half * 6, half=None)
    if window.kind == "in_year":
        return replace(window, kind="by_date", month=12)
    return window


def _progress(text: str, lexicon: Lexicon) -> Command | None:
    """A task's progress note: "任务6进展：…", the note being everything after the colon."""
    found = _PROGRESS.search(text)
    if found is None:
        return None
    head, note = text[: found.start()], text[found.end() :].strip(_EDGE)
    if not note or _is_question(head) or _NOTE_QUESTION.search(note):
        return None
    subject = _subject(head, lexicon)
    if subject.indicators and not subject.tasks:
        return None  # "专利授权量进度：3120件": an indicator's progress is its value
    return Command("report_progress", subject, detail=note)


def _history(text: str, lexicon: Lexicon) -> Command | None:
    """The records of a task or indicator; asking for them is fine as a question."""
    found = _HISTORY.search(text) or _HISTORY_BARE.search(text)
    if found is None:
        return None
    subject = _subject(_cut(text, [found.span()]), lexicon)
    return Command("history", subject) if subject.tasks or subject.indicators else None


def _value(text: str, lexicon: Lexicon) -> Command | None:
    """An indicator's value: a quantity after the indicator's name, with an optional as-of date."""
    if _is_question(text) or _QUOTING.search(text):
        return None
    window = find_window(text)
    masked = _mask(text, lexicon, [(window.start, window.end)] if window else [])
    chosen = _quantity(masked)
    if chosen is None:
        return None
    number, end = chosen
    spans = [(number.start, end), *([(window.start, window.end)] if window else [])]
    subject = _subject(_cut(text, spans), lexicon)
    if not subject.indicators:
        return None
    value = _reported(text, masked, number, end)
    as_of = window.window if window else None
    return Command("report_value", subject, value=value, as_of=as_of, unread_date=_unread_date(masked))


def _mask(text: str, lexicon: Lexicon, window: list[tuple[int, int]]) -> str:
    """text with the window, task numbers and names holding digits (授权3件以上专利企业,
    第00528号市市场监管局) masked out."""
    spans = [*window, *(m.span() for m in _TASK_NUMBER.finditer(text))]
    for term, entries in lexicon.entries_in(compact(text)).items():
        if any(c.isdigit() for c in term) and term in text and any(e.kind in _NAMED for e in entries):
            spans += [m.span() for m in re.finditer(re.escape(term), text)]
    for start, end in spans:
        text = text[:start] + _MASK * (end - start) + text[end:]
    return text


def _quantity(masked: str) -> tuple[NumberMatch, int] | None:
    """The last number with a measure, 万/亿 or %, else the last bare number; with where its words end."""
    numbers = [n for n in find_numbers(masked) if not _is_date_part(masked, n)]
    measured = [(n, _measure_end(masked, n)) for n in numbers]
    marked = [(n, end) for n, end in measured if end > n.end or n.percent or _SCALES & set(n.text)]
    candidates = marked or measured
    return candidates[-1] if candidates else None


def _is_date_part(text: str, number: NumberMatch) -> bool:
    return _TIME_UNIT.match(text, number.end) is not None or text[: number.start].endswith("第")


def _measure_end(text: str, number: NumberMatch) -> int:
    found = None if number.percent else _MEASURE.match(text, number.end)
    return found.end() if found else number.end


def _reported(text: str, masked: str, number: NumberMatch, end: int) -> ReportedValue:
    measure = "%" if number.percent else text[number.end : end] or None
    scaled = bool(_SCALES & set(number.text))
    start = _glued_start(masked, number.start)
    return ReportedValue(number.value, measure, scaled, text[start:end], unclear=start < number.start)


def _glued_start(masked: str, start: int) -> int:
    """Where the run of letters and digits holding the number at start begins (start if it stands alone);
    masked, so that a window or a name just before it ("2025.9.30 3120件") never counts."""
    while start > 0:
        if masked[start - 1] in _WORD_CHARS:
            start -= 1
        elif start > 1 and masked[start - 1] in _SEPARATORS and masked[start - 2] in _WORD_CHARS:
            start -= 2
        else:
            return start
    return start


def _unread_date(masked: str) -> str | None:
    """Date words outside the as-of window (masked already): a date the window rules found impossible."""
    for number in find_numbers(masked):
        if _TIME_UNIT.match(masked, number.end) is not None:
            found = _DATE_WORDS.match(masked, number.start)
            if found is not None:
                return found.group()
    return None


def _done(text: str, lexicon: Lexicon) -> Command | None:
    """A task reported complete; the task may be left for the caller to ask about."""
    found = _DONE.search(text)
    if found is None or _is_question(text):
        return None
    # The words before the phrase name the task; what follows may be a remark ("，并通过验收").
    subject = _subject(text[: found.start()], lexicon)
    if subject.subject_free():
        subject = _subject(_cut(text, [found.span()]).strip(_EDGE).removesuffix("了"), lexicon)
    return Command("report_done", subject)
