"""Quantified targets: a value cell or a sentence read into comparator, number and unit of measure.

Pure. "超 3500 件" is more than 3500; "达 95 件", "不低于1000人次/年" and "6次以上" are at least;
"以内", "不高于" and "压缩至" at most. A sentence may set several targets at once ("分别达7家、20家、60家" for
国家、省、市): each is its own indicator. The 指标说明 attachment gives each indicator's note and its
baseline ("2023 年末该指标数据为 11 个"). A plan's 主要目标 read clause by clause (`read_goal`) is stricter:
whatever it cannot read as one subject, one comparator, one number and one unit is handed back, not guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

UOM = (
    r"(?:个工作日|工作日|个百分点|百分点|个月|万户|万家|"
    r"万人次|人次|万件|亿元|万元|元|万人|人|件|家|个|次|名|项|所|%|‰|亩|公里|千米|万吨|吨|倍|天|小时|篇|场|户|套|台|"
    r"辆|万平方米|平方米|处|座|条|期|批|片|家次|户次)(?:/年|/月)?"
)
_NUMBER = r"\d+(?:\.\d+)?"
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("不低于", ">="), ("不少于", ">="), ("至少", ">="), ("达到", ">="), ("≥", ">="), (">=", ">="),
    ("达", ">="),
    ("不高于", "<="), ("不超过", "<="), ("不多于", "<="), ("控制在", "<="), ("≤", "<="), ("<=", "<="),
    ("压缩至", "<="), ("压减至", "<="), ("缩短至", "<="), ("压缩到", "<="), ("缩短到", "<="),
    ("超过", ">"), ("高于", ">"), ("大于", ">"), ("超", ">"), (">", ">"),
    ("低于", "<"), ("少于", "<"), ("小于", "<"), ("<", "<"),
)  # fmt: skip
_POSTFIXES: tuple[tuple[str, str], ...] = (("以上", ">="), ("以内", "<="), ("以下", "<="))
_PRE = "|".join(re.escape(word) for word, _ in _PREFIXES)
_POST = "|".join(re.escape(word) for word, _ in _POSTFIXES)
_COMPARISON = re.compile(rf"(?P<pre>{_PRE})?\s*(?P<num>{_NUMBER})\s*(?P<uom>{UOM})?\s*(?P<post>{_POST})?")
_SERIES = re.compile(
    rf"(?:分别)?(?P<pre>{_PRE})\s*(?P<list>{_NUMBER}\s*{UOM}(?:\s*[、，,]\s*{_NUMBER}\s*{UOM})+)"
)
_SERIES_ITEM = re.compile(rf"(?P<num>{_NUMBER})\s*(?P<uom>{UOM})")
_CLAUSE_END = re.compile(r"[，,；;。]")
_LEADING_TIME = re.compile(
    r"^(?:示范期间|建设期间|期间|至\d{4}年(?:\d{1,2}月)?底?|到\d{4}年(?:\d{1,2}月)?底?)[，,]?"
)
_AVERAGE = re.compile(r"^(?:年平均|年均)|(?:年平均|年均)$")
_BASELINE = re.compile(
    rf"(?P<year>\d{{4}})\s*年(?:末|底)?[^。；]*?(?:为|有[^0-9。；]*?)\s*(?P<num>{_NUMBER})\s*(?P<uom>{UOM})?"
)


@dataclass(frozen=True)
class Value:
    comparator: str | None  # None: the words say no comparison; the caller defaults to ">=" and may say so
    number: str | None  # None: the target is words only (年终根据全省平均水平综合考核)
    unit_of_measure: str | None


@dataclass(frozen=True)
class Target:
    name: str  # the subject of the sentence, as a working name
    value: Value
    sentence: str  # the clause it was read from, for the note


@dataclass(frozen=True)
class Baseline:
    year: int
    number: str
    unit_of_measure: str | None


_WIDE = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFF10, 0xFF1A)} | {
    chr(c): unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}
_FOLD = str.maketrans(_WIDE | {"％": "%", "／": "/", "．": ".", "＞": ">", "＜": "<", "＝": "="})


def fold(text: str) -> str:
    """Full-width digits, letters and signs made ASCII and spaces dropped; Chinese punctuation kept."""
    return "".join(text.translate(_FOLD).split())


def read_value(text: str) -> Value:
    """A target cell: 26 / ≥95% / 不低于1000人次/年 / 低于 4.1 / words only."""
    folded = fold(text)
    found = _COMPARISON.search(folded)
    if found is None:
        return Value(_comparator_word(folded), None, None)
    return Value(_comparator_of(found) or _comparator_word(folded), found.group("num"), found.group("uom"))


def _comparator_of(found: re.Match[str]) -> str | None:
    words = dict(_PREFIXES) | dict(_POSTFIXES)
    word = found.group("pre") or found.group("post")
    return words[word] if word else None


def _comparator_word(text: str) -> str | None:
    return next((sign for word, sign in _PREFIXES + _POSTFIXES if word in text and len(word) > 1), None)


def read_targets(paragraph: str) -> list[Target]:
    """Every quantified comparison in a paragraph, each with the clause's subject as its name and the
    sentence, as written, as its note."""
    targets: list[Target] = []
    for written in re.split(r"(?<=[。；;])", paragraph):
        sentence = fold(written)
        for clause in _clauses(sentence):
            targets.extend(_clause_targets(clause, written.strip().rstrip("；;")))
    return targets


def _clauses(sentence: str) -> list[str]:
    """Clauses split at commas, except a comma inside a 分别达7家、20家 series."""
    return [c for c in _CLAUSE_END.split(sentence) if c]


def _clause_targets(clause: str, sentence: str) -> list[Target]:
    series = _SERIES.search(clause)
    if series:
        return _series_targets(clause, series, sentence)
    matches = [m for m in _COMPARISON.finditer(clause) if m.group("pre") or m.group("post")]
    if not matches:
        return []
    last = matches[-1]  # "授权 3 件以上专利企业数量年均超 150 家": the target is the last comparison
    name = _subject(clause[: last.start()])
    value = Value(_comparator_of(last), last.group("num"), last.group("uom"))
    return [Target(name, value, sentence)] if name and value.unit_of_measure else []


def _series_targets(clause: str, series: re.Match[str], sentence: str) -> list[Target]:
    values = list(_SERIES_ITEM.finditer(series.group("list")))
    subject = _subject(clause[: series.start()])
    names = _split_enumeration(subject, len(values))
    comparator = dict(_PREFIXES)[series.group("pre")]
    return [
        Target(name, Value(comparator, v.group("num"), v.group("uom")), sentence)
        for name, v in zip(names, values, strict=True)
    ]


def _split_enumeration(subject: str, count: int) -> list[str]:
    """国家、省、市知识产权…企业数量 with three values: one name per enumerated word."""
    found = re.search(
        rf"((?:[\u4e00-\u9fff]{{1,4}}、){{{count - 1}}}[\u4e00-\u9fff]{{1,4}}?)(?=[\u4e00-\u9fff])", subject
    )
    if found is None:
        return [f"{subject}（{i + 1}）" for i in range(count)]
    words = found.group(1).split("、")
    head, tail = subject[: found.start()], subject[found.end() :]
    return [head + word + tail for word in words]


def _subject(text: str) -> str:
    subject = _LEADING_TIME.sub("", text.strip("，,；; "))
    subject = re.sub(r"^(?:全区|全市|全县)?拥有", "", subject)
    return _AVERAGE.sub("", subject).strip("，,；; ")


def read_baseline(note: str) -> Baseline | None:
    """ "2023 年末该指标数据为 11 个" → 11 in 2023; a note without a year gives none."""
    found = _BASELINE.search(fold(note))
    if found is None:
        return None
    return Baseline(int(found.group("year")), found.group("num"), found.group("uom"))


# Goals: 主要目标：到2025年底，…，新增市场主体不少于8000户；政务服务事项“一网通办”率达到98%以上；…

_DATE = re.compile(
    r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:底|末|前|内|起)?|\d{1,2}月(?:\d{1,2}日)?(?:底|末|前)?"
)
_GOAL_LEAD = re.compile(r"^(?:力争|确保|争取|努力|实现)+")
_DIRECTION = {">=": ">", ">": ">", "<=": "<", "<": "<"}


@dataclass(frozen=True)
class Unread:
    """A clause of a goal with a number that is not read as a target, and why."""

    clause: str  # as written
    why: str


@dataclass(frozen=True)
class GoalReading:
    targets: list[Target]
    unread: list[Unread]


def read_goal(text: str) -> GoalReading:
    """Each clause (split at ；/。) of a goal paragraph: its comma-separated parts with a number (dates aside)
    are targets — subject + comparator + number + unit — or are handed back with the reason they are not.
    A part without a number ("营商环境便利度进一步提升") is neither."""
    targets: list[Target] = []
    unread: list[Unread] = []
    for written in re.split(r"(?<=[。；;])", text):
        sentence = written.strip().rstrip("。；;")
        for part in _clauses(fold(written)):
            read = _goal_part(part, sentence)
            if isinstance(read, str):
                unread.append(Unread(part, read))
            else:
                targets.extend(read)
    return GoalReading(targets, unread)


def _goal_part(part: str, sentence: str) -> list[Target] | str:
    masked = _DATE.sub(lambda m: "年" * len(m.group(0)), part)  # 到2025年底: a date, not a value
    if not re.search(r"\d", masked):
        return []
    series = _SERIES.search(masked)
    if series:
        subject = _goal_subject(part[: series.start()])
        values = list(_SERIES_ITEM.finditer(series.group("list")))
        names = _split_enumeration(subject, len(values))
        if not subject or names[0] == f"{subject}（1）":
            return "列出多个目标值，未能逐一对应指标名称"
        sign = dict(_PREFIXES)[series.group("pre")]
        return [
            Target(name, Value(sign, v.group("num"), v.group("uom")), sentence)
            for name, v in zip(names, values, strict=True)
        ]
    compared = [m for m in _COMPARISON.finditer(masked) if m.group("pre") or m.group("post")]
    if not compared:
        return "含数值但未写明比较方式（不少于、达到…以上、以内等）"
    if len(compared) > 1:
        return "含多个比较数值，未能确定哪一个是目标"
    (found,) = compared
    signs = {dict(_PREFIXES + _POSTFIXES)[w] for w in (found.group("pre"), found.group("post")) if w}
    if len({_DIRECTION[sign] for sign in signs}) > 1:
        return "比较用语前后矛盾"
    if not found.group("uom"):
        return "未写明计量单位"
    name = _goal_subject(part[: found.start()])
    if not name:
        return "未写明指标名称"
    value = Value(_comparator_of(found), found.group("num"), found.group("uom"))
    return [Target(name, value, sentence)]


def _goal_subject(text: str) -> str:
    return _GOAL_LEAD.sub("", _subject(text))
