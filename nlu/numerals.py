"""Parse numbers as people type them in Chinese messages (Arabic, Chinese, 大写, mixed) into Decimals."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from typing import Literal

__all__ = ["NumberMatch", "find_numbers", "parse_number"]

# Products and sums must never round: the default context keeps only 28 digits.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)

# Nobody writes a number longer than this many tokens (an Arabic run is one token); the cap keeps
# the longest-prefix search in find_numbers cheap on hostile input.
_MAX_TOKENS = 24

_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_NOT_DIGIT_BY_DIGIT = frozenset("两兩")  # 两 is only ever a counted "two", never read out digit by digit

# Thousands groups must be exactly three digits, so "1,2" is two numbers rather than 12.
_ARABIC = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])|[0-9]+(?:\.[0-9]+)?"
# 千 directly before a metric unit is the SI prefix kilo (千瓦 kW, 千克 kg, 千米 km), not a thousand.
_KILO = "[千仟](?![瓦克米伏帕卡赫焦])"
_PLAIN_CHARS = "".join(ch for ch in (*_DIGITS, *_UNITS, *_BIG_UNITS) if ch not in "千仟")
# Chinese decimals (九十七点五, 零点八五): 点 and the digits read one by one after it form one "frac" token,
# only straight after a numeral, so the 点 of 试点 or 重点 never starts a number.
_FRAC_DIGITS = "零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖"
_FRAC = rf"(?<=[0-9{_PLAIN_CHARS}千仟])点[{_FRAC_DIGITS}]+"
_TOKEN_RE = re.compile(rf"{_ARABIC}|{_FRAC}|[{_PLAIN_CHARS}]|{_KILO}")
_RUN_RE = re.compile(rf"(?:{_ARABIC}|{_FRAC}|[{_PLAIN_CHARS}]|{_KILO})+")

# Same-length folding, so spans found in the folded text are valid in the original.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")

# Lone-character rule for find_numbers. A numeral character standing alone is usually part of a word
# (统一, 一体化, 唯一, 十分, 零售, 百姓), so 一/十/百/千/零/〇 (and runs of 一 such as 一一对应) count as
# numbers only when a measure word or 余 follows (一个, 十年, 百余家) or 第/任务/百分之 precedes (第一,
# 任务十, 百分之十).
# A bare 万/亿 is never a number: it has no multiplier, and in "每万人口" it is a per-10k ratio word.
# Other lone digits (三, 两, 五…) are kept, since they are nearly always quantities.
_AMBIGUOUS_ALONE = re.compile(r"[十拾百佰千仟零〇壹]|一+")
_MEASURE_WORDS = frozenset("个件家项次人名年月日号元亿万季条位天周余個項號億萬")
_PERCENT_PREFIX = "百分之"
_LONE_PREFIXES = ("第", "任务", "任務", _PERCENT_PREFIX)

_Kind = Literal["digit", "num", "unit", "big", "frac"]


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """A number found in a sentence; text is the original slice, including any 百分之 or %."""

    start: int
    end: int
    text: str
    value: Decimal
    percent: bool


@dataclass(frozen=True, slots=True)
class _Token:
    """One lexical piece of a number: a digit, an Arabic number, a unit (十百千), a big unit (万亿) or a
    Chinese decimal fraction (点五)."""

    kind: _Kind
    value: Decimal
    text: str
    start: int
    end: int


def parse_number(text: str) -> Decimal | None:
    """Return the value of text if the whole (stripped) string is one number, else None."""
    folded = text.strip().translate(_FULLWIDTH)
    tokens = _tokenize(folded, 0, len(folded))
    if "".join(tok.text for tok in tokens) != folded:
        return None  # something in the string is not part of a number
    return _parse_tokens(tokens)


def find_numbers(text: str) -> list[NumberMatch]:
    """Find every number in a sentence, left to right, with 百分之…/…% marked as percentages."""
    folded = text.translate(_FULLWIDTH)
    matches: list[NumberMatch] = []
    for run in _RUN_RE.finditer(folded):
        for start, end, value in _scan_run(folded, _tokenize(folded, run.start(), run.end())):
            prev_end = matches[-1].end if matches else 0
            matches.append(_make_match(text, folded, start, end, value, prev_end))
    return matches


def _tokenize(text: str, start: int, end: int) -> list[_Token]:
    """Split text[start:end] into number tokens (gaps are skipped; callers check coverage)."""
    return [_token(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text, start, end)]


def _token(text: str, start: int, end: int) -> _Token:
    """Classify one token matched by _TOKEN_RE."""
    if text in _DIGITS:
        return _Token("digit", Decimal(_DIGITS[text]), text, start, end)
    if text in _UNITS:
        return _Token("unit", Decimal(_UNITS[text]), text, start, end)
    if text in _BIG_UNITS:
        return _Token("big", Decimal(_BIG_UNITS[text]), text, start, end)
    if text.startswith("点"):
        fraction = Decimal("0." + "".join(str(_DIGITS[ch]) for ch in text[1:]))
        return _Token("frac", fraction, text, start, end)
    # A single Arabic digit behaves like a Chinese one ("3万5千", "三千5"); longer runs are whole numbers.
    kind: _Kind = "digit" if len(text) == 1 else "num"
    return _Token(kind, Decimal(text.replace(",", "")), text, start, end)


def _scan_run(text: str, tokens: Sequence[_Token]) -> Iterator[tuple[int, int, Decimal]]:
    """Cut a run of numeral tokens into the longest plausible numbers, skipping what cannot parse."""
    i = 0
    while i < len(tokens):
        hit = _longest_number(text, tokens, i)
        if hit is None:
            i += 1
            continue
        j, value = hit
        yield tokens[i].start, tokens[j - 1].end, value
        i = j


def _longest_number(text: str, tokens: Sequence[_Token], i: int) -> tuple[int, Decimal] | None:
    """Return (end index, value) of the longest number starting at tokens[i], if any."""
    for j in range(min(len(tokens), i + _MAX_TOKENS), i, -1):
        value = _parse_tokens(tokens[i:j])
        if value is not None and _is_quantity(text, tokens[i].start, tokens[j - 1].end):
            return j, value
    return None


def _is_quantity(text: str, start: int, end: int) -> bool:
    """Apply the lone-character rule (see _AMBIGUOUS_ALONE) to text[start:end]."""
    if not _AMBIGUOUS_ALONE.fullmatch(text, start, end):
        return True
    return text[end : end + 1] in _MEASURE_WORDS or text[:start].endswith(_LONE_PREFIXES)


def _make_match(text: str, folded: str, start: int, end: int, value: Decimal, prev_end: int) -> NumberMatch:
    """Build a NumberMatch, widening the span over a 百分之 prefix or a % suffix."""
    percent = False
    prefix_start = start - len(_PERCENT_PREFIX)
    # The 百 of 百分之 must not already belong to the previous number ("三百分之…" is not a percentage).
    if prefix_start >= prev_end and folded.startswith(_PERCENT_PREFIX, prefix_start):
        start, percent = prefix_start, True
    if folded.startswith("%", end):
        end, percent = end + 1, True
    return NumberMatch(start, end, text[start:end], value, percent)


def _parse_tokens(tokens: Sequence[_Token]) -> Decimal | None:
    """Value of a token sequence that must form exactly one number, or None."""
    if not tokens or len(tokens) > _MAX_TOKENS or tokens[0].kind == "big":
        return None  # a leading 万/亿 has no multiplier; rejecting early keeps the search cheap
    with localcontext(_EXACT):
        value = _digit_by_digit(tokens)
        if value is None:
            value = _scaled(tokens)
        return None if value is None else _tidy(value)


def _tidy(value: Decimal) -> Decimal:
    """Drop the fractional zeros that scaling leaves behind (38.2 × 10⁴ is 382000, not 382000.0)."""
    return Decimal(int(value)) if value == value.to_integral_value() else value


def _digit_by_digit(tokens: Sequence[_Token]) -> Decimal | None:
    """Read "二〇二五" as 2025: two or more Chinese digits with no units between them."""
    if len(tokens) < 2:
        return None
    if not all(tok.kind == "digit" and not tok.text.isascii() for tok in tokens):
        return None
    if any(tok.text in _NOT_DIGIT_BY_DIGIT for tok in tokens):
        return None
    return Decimal("".join(str(int(tok.value)) for tok in tokens))


def _scaled(tokens: Sequence[_Token]) -> Decimal | None:
    """Split on the last 亿, then the last 万: value = left × unit + right (left may itself hold 万)."""
    for big in (10**8, 10**4):
        idx = _last_big(tokens, big)
        if idx is None:
            continue
        left = _scaled(tokens[:idx]) if idx else None
        right = _below_big(tokens[idx + 1 :], big)
        if left is None or right is None:
            return None
        return left * big + right
    return _section(tokens)


def _last_big(tokens: Sequence[_Token], big: int) -> int | None:
    """Index of the last big-unit token worth big, if any."""
    for idx in range(len(tokens) - 1, -1, -1):
        if tokens[idx].kind == "big" and tokens[idx].value == big:
            return idx
    return None


def _below_big(tokens: Sequence[_Token], big: int) -> Decimal | None:
    """Value after a 万/亿; a bare digit there means the next lower order (两万三 = 23000)."""
    if not tokens:
        return Decimal(0)
    rest = _strip_zeros(tokens)
    if not rest:
        return None  # "一万零" ends in a dangling 零
    if rest is tokens and len(rest) == 1 and rest[0].kind == "digit":
        return rest[0].value * (big // 10)
    value = _scaled(rest)
    return value if value is not None and value < big else None


def _strip_zeros(tokens: Sequence[_Token]) -> Sequence[_Token]:
    """Drop leading zero digits ("一万零三百"); returns the same object when there were none."""
    idx = 0
    while idx < len(tokens) and tokens[idx].kind == "digit" and tokens[idx].value == 0:
        idx += 1
    return tokens[idx:] if idx else tokens


def _section(tokens: Sequence[_Token]) -> Decimal | None:
    """Value of a part below 万 built from digits and 十百千 (or one Arabic number), with an optional 点…."""
    if tokens and tokens[-1].kind == "frac":
        return _with_fraction(tokens)
    if len(tokens) == 1 and tokens[0].kind in ("digit", "num"):
        return tokens[0].value
    parser = _SectionParser()
    if not all(parser.feed(tok) for tok in tokens):
        return None
    return parser.finish()


def _with_fraction(tokens: Sequence[_Token]) -> Decimal | None:
    """九十七点五 = 97 + 0.5; the part before 点 must be a whole number of its own (no 点五, no 2.5点五)."""
    whole = _section(tokens[:-1]) if len(tokens) > 1 else None
    if whole is None or whole != whole.to_integral_value():
        return None
    return whole + tokens[-1].value


class _SectionParser:
    """State machine for digit/unit sequences such as 三千零五十 or 一百二."""

    def __init__(self) -> None:
        self.total = Decimal(0)
        self.pending: _Token | None = None  # a multiplier waiting for its unit
        self.last_unit: int | None = None
        self.zero_gap = False  # a 零 since the last unit: the next digit is ones, not colloquial

    def feed(self, tok: _Token) -> bool:
        """Consume one token; False means the sequence is not a valid number."""
        if tok.kind == "unit":
            return self._unit(int(tok.value))
        if tok.kind == "digit" and tok.value == 0:
            return self._zero()
        if tok.kind in ("big", "frac") or self.pending is not None:
            return False  # two digits in a row ("三五") are not a standard-form number
        self.pending = tok
        return True

    def finish(self) -> Decimal | None:
        """Value of everything fed so far, or None if it ended mid-number."""
        if self.pending is None:
            return None if self.zero_gap or self.last_unit is None else self.total
        if self.pending.kind == "num" or self.last_unit is None:
            return None  # "三千2.5": a decimal can only multiply a unit
        if self.zero_gap:
            return self.total + self.pending.value
        # Colloquial: a trailing digit takes the next lower order (三千五 = 3500, 十八 = 18).
        return self.total + self.pending.value * (self.last_unit // 10)

    def _zero(self) -> bool:
        """零 may only stand between a unit and a lower order (一百零五)."""
        if self.pending is not None or self.last_unit is None:
            return False
        self.zero_gap = True
        return True

    def _unit(self, unit: int) -> bool:
        """Apply 十/百/千 to the pending multiplier; units must strictly descend."""
        if self.last_unit is not None and unit >= self.last_unit:
            return False
        if self.pending is None:
            if self.last_unit is not None:
                return False  # an implied 一 is only natural at the start: 十八, 百万
            multiplier = Decimal(1)
        else:
            multiplier = self.pending.value
        if multiplier >= 10:
            return False  # "12千" is not how anyone writes 12000
        self.total += multiplier * unit
        self.pending, self.last_unit, self.zero_gap = None, unit, False
        return True
