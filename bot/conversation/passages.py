"""Full-text search of the plan documents: the passage that answers what no record holds.

BM25 (bm25s) over character pairs of every passage; a question is matched by its own character pairs, so the
plan's own words (元洪功能区, 茉莉仙子) are found without anyone listing them. Question words (什么时候, 谁)
hardly occur in a plan's text and so weigh nothing. bm25s and numpy are imported on the first search only:
most messages never need them, and `duban ask` starts faster without.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from nlu.lexicon import bigrams, compact, search_terms, with_full_forms, without_asking_words
from store.views import PassageView

MIN_SHARED_PAIRS = 3  # fewer shared character pairs than this is a coincidence, not a match
MIN_WEIGHT = 10.0  # rarity (idf) of the shared pairs: 知识产权, in every passage, cannot carry a match alone
MIN_KNOWN_SHARE = 0.6  # of the weight of the question's pairs that occur anywhere in the plans
MIN_SHARE = 0.25  # of all the question's pairs, found in the passage
SHORTLIST = 40
VERBATIM_TOPIC = 6  # six characters of the question word for word in a passage: it is about that
EXCERPT_CHARS = 160
_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？\n]?")
_UNITS_LINE = re.compile(r"^(?:责任单位|牵头单位|配合单位|责任领导|参与单位)[:：](.*)$", re.MULTILINE)
_UNIT_SEPARATOR = re.compile(r"[、，,；;]")
MIN_UNIT_NAME = 4
UNIT_ENDING = 2  # 委会 · 理局: what kind of body it is, said with the name
RARE_WORD_LONGEST, RARE_WORD_SHORTEST = 8, 3  # 随手拍: a word of its own, not two characters by chance
RARE_WORD_PASSAGES = 2  # a word only this many passages hold names what they are about
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")
MIN_HEADING = 4  # 总体目标: a heading of four characters or more, said in a question, names its section
RARE_PAIR_IDF = 4.0  # a pair in at most a few passages: the name's own word (元洪), not 知识 or 管理


@dataclass(frozen=True)
class Found:
    passage: PassageView
    excerpt: str  # the sentences of the passage that hold the question's words


class PassageIndex:
    def __init__(self, passages: Sequence[PassageView]) -> None:
        self.passages = tuple(passages)
        self._terms = [frozenset(search_terms(f"{p.heading}{p.text}")) for p in self.passages]
        self._compact = [compact(p.text) for p in self.passages]  # normalising is the costly part of a match
        self._titles = [compact(p.heading) for p in self.passages]
        self._units_named: list[tuple[str, str]] | None = None
        counts: Counter[str] = Counter(term for terms in self._terms for term in terms)
        self._idf = {term: math.log(1 + len(self._terms) / n) for term, n in counts.items()}
        self._bm25: Any = None

    def _rare_shared(self, pairs: set[str], i: int) -> int:
        """How many of the question's rare pairs (a name like 昆仑, in one passage or two) passage i holds."""
        return sum(1 for p in pairs & self._terms[i] if self._idf.get(p, 0.0) >= RARE_PAIR_IDF)

    def _weight(self, pairs: Iterable[str]) -> float:
        return sum(self._idf.get(p, 0.0) for p in pairs)

    def search(
        self, question: str, plans: Sequence[str] = (), limit: int = 2, phrases: Sequence[str] = ()
    ) -> list[Found]:
        """The best passages for the question (of the plans named, if any), best first; [] if none fits.

        `phrases` are what the question is about, without its question words: a passage that holds the end
        of one wins over one that only shares its beginning, since a Chinese name ends in its head noun
        (知识产权法院 is a 法院; a passage on the 知识产权法庭 is not about it)."""
        full = with_full_forms(question)
        wanted = _ranking_terms(full)
        pairs = set(search_terms(full))
        about = set(search_terms(without_asking_words(full))) or pairs  # 设在哪 is no match for 设在
        if not pairs or not self.passages:  # no plan text stored (bm25s cannot index nothing)
            return []
        scores = self._index().get_scores(wanted)
        ranked = sorted(
            (i for i in range(len(self.passages)) if float(scores[i]) > 0 and self._in(i, plans)),
            key=lambda i: -float(scores[i]),
        )[:SHORTLIST]
        asked = compact(question)
        answering = [i for i in ranked if self._answers(asked, about, i)]
        # stable: BM25 next. A passage sharing rarer words of the question comes first (昆仑 names one
        # 专项行动; a short row sharing only 专项行动 is not it).
        # Then the one holding more of the question's words (揭榜挂帅依托什么载体: the passage with 依托…载体,
        # not the short row with 揭榜挂帅 alone).
        answering.sort(
            key=lambda i: (
                -_head_match(phrases, self._compact[i]),
                -self._rare_shared(about, i),
                -len(about & self._terms[i]),
            )
        )
        return [
            Found(self.passages[i], self._excerpt(self.passages[i].text, pairs)) for i in answering[:limit]
        ]

    def _unit_names(self) -> list[tuple[str, str]]:
        """The units the text's 责任单位 lines name, longest first, each with its compact form; read once."""
        if self._units_named is None:
            names = {
                name.strip()
                for passage in self.passages
                for line in _UNITS_LINE.findall(passage.text)
                for name in _UNIT_SEPARATOR.split(line)
                if len(compact(name)) >= MIN_UNIT_NAME
            }
            self._units_named = [(name, compact(name)) for name in sorted(names, key=lambda n: (-len(n), n))]
        return self._units_named

    def unit_named_like(self, question: str) -> str | None:
        """A unit the text's 责任单位 lines name that the question calls by a rare piece of its name and its
        ending (元洪管委会 → 福州新区元洪功能区管委会), longest name first; None if none fits."""
        asked = compact(question)
        for name, full in self._unit_names():
            ending = full[-UNIT_ENDING:]
            rare = [
                pair
                for pair in bigrams(full[:-UNIT_ENDING])
                if pair in asked and self._idf.get(pair, 0.0) >= RARE_PAIR_IDF
            ]
            if ending in asked and rare:
                return name
        return None

    def headed(self, question: str, plans: Sequence[str] = ()) -> list[PassageView]:
        """The first passage under each heading the question names (鼓楼总体目标的时间节点 → （一）总体目标),
        of the plans named; headings shorter than a name are too common to be meant."""
        asked = compact(question)
        seen: set[tuple[str, str]] = set()
        found: list[PassageView] = []
        for i, passage in enumerate(self.passages):
            title = self._titles[i]
            key = (passage.plan, passage.path)
            if len(title) >= MIN_HEADING and title in asked and key not in seen and self._in(i, plans):
                seen.add(key)
                found.append(passage)
        return found

    def rare_words(self, question: str, plans: Sequence[str] = (), limit: int = 2) -> list[Found]:
        """随手拍是干嘛用的: a word too short to share enough character pairs, quoted word for word by a
        few passages only; the longest such word wins."""
        asked = compact(without_asking_words(question))
        for length in range(RARE_WORD_LONGEST, RARE_WORD_SHORTEST - 1, -1):
            for start in range(len(asked) - length + 1):
                word = asked[start : start + length]
                if not _CJK_WORD.fullmatch(word):
                    continue
                holding = [
                    i for i in range(len(self.passages)) if word in self._compact[i] and self._in(i, plans)
                ]
                if 0 < len(holding) <= RARE_WORD_PASSAGES:
                    pairs = set(search_terms(word))
                    return [
                        Found(self.passages[i], self._excerpt(self.passages[i].text, pairs)) for i in holding
                    ][:limit]
        return []

    def quoting(self, phrase: str, plans: Sequence[str] = (), limit: int = 2) -> list[Found]:
        """The passages that hold the phrase word for word (仲裁联络点), in document order."""
        wanted = compact(phrase)
        pairs = set(search_terms(phrase))
        return [
            Found(self.passages[i], self._excerpt(self.passages[i].text, pairs))
            for i in range(len(self.passages))
            if wanted in self._compact[i] and self._in(i, plans)
        ][:limit]

    def _answers(self, asked: str, pairs: set[str], i: int) -> bool:
        """Whether passage i is about what the question asks: it shares enough of the question's rarer
        character pairs (知识产权 and 专利申请, in passage after passage, cannot carry a match alone), or it
        quotes a long stretch of the question word for word (知识产权法院)."""
        shared = pairs & self._terms[i]
        weight, known = self._weight(shared), self._weight(pairs)
        by_words = (
            len(shared) >= MIN_SHARED_PAIRS
            and weight >= MIN_WEIGHT
            and weight / known >= MIN_KNOWN_SHARE
            and len(shared) / len(pairs) >= MIN_SHARE
        )
        return by_words or _quotes(asked, self._compact[i], VERBATIM_TOPIC)

    def _in(self, i: int, plans: Sequence[str]) -> bool:
        return not plans or self.passages[i].plan in plans

    def _index(self) -> Any:
        if self._bm25 is None:
            import bm25s  # the first search pays for numpy (see the module's docstring)

            self._bm25 = bm25s.BM25()
            self._bm25.index(
                [_ranking_terms(f"{p.heading}{p.text}") or ["∅"] for p in self.passages], show_progress=False
            )
        return self._bm25

    def _excerpt(self, text: str, pairs: set[str]) -> str:
        """The sentence holding the rarest of the question's pairs, with its neighbours while short."""
        sentences = _SENTENCE.findall(text)
        if len(text) <= EXCERPT_CHARS or len(sentences) <= 1:
            return text
        excerpt = _around(sentences, [self._weight(pairs & set(search_terms(s))) for s in sentences])
        if _UNITS_LINE.match(excerpt.lstrip("…")):
            # Found by a unit's name: what the item asks of its units is its opening sentence.
            return f"{sentences[0].strip()}……{excerpt.lstrip('…')}"
        return excerpt

    def units_line(self, passage: PassageView) -> str | None:
        """The 责任单位 line of the item the passage stands in (it follows the item's last piece)."""
        for other in self.passages:
            found = (
                _UNITS_LINE.search(other.text)
                if (other.plan, other.path) == (passage.plan, passage.path)
                else None
            )
            if found:
                return found.group(0)
        return None

    def naming(self, names: Iterable[str]) -> list[PassageView]:
        """Passages whose 责任单位 line names any of the units (as written in the plan)."""
        wanted = tuple(n for n in names if n)
        return [
            p
            for p in self.passages
            if any(any(n in units for n in wanted) for units in _UNITS_LINE.findall(p.text))
        ]


_ASKED_SENTENCE = re.compile(r"[^。；\n]+[。；]?")
_CJK_PAIR = re.compile(r"[\u4e00-\u9fd5]{2}")
_FIELD_PAIRS = frozenset({"知识", "识产", "产权"})
MIN_ASKED_PAIRS = 3  # fewer shared character pairs is a coincidence of wording, not what was asked


def sentence_asked(question: str, text: str, known: Iterable[str] = ()) -> str | None:
    """The sentence of the text that holds most of what the question asks beyond the names it was found by
    (`known`): 覆盖几个县市区 in an indicator's note, 在哪个园区设工作站 in a task's wording; None if none
    shares enough."""
    if not question or not text:
        return None
    named = frozenset().union(*(bigrams(compact(k)) for k in known))
    asked = {p for p in bigrams(compact(question)) if _CJK_PAIR.fullmatch(p)} - named - _FIELD_PAIRS
    best, most = None, MIN_ASKED_PAIRS - 1
    for sentence in _ASKED_SENTENCE.findall(text):
        shared = len(asked & bigrams(compact(sentence)))
        if shared > most:
            best, most = sentence.strip(), shared
    return best


HEAD_MIN = 4  # a phrase's last four characters or more


def _head_match(phrases: Sequence[str], text: str) -> int:
    """The longest ending (four characters or more) of each phrase that the text contains word for word,
    summed: a passage holding the heads of both things asked about (海洋经济示范园区 … 专利导航) beats one
    holding only the longer of them."""
    total = 0
    for phrase in phrases:
        for start in range(len(phrase) - HEAD_MIN + 1):
            if phrase[start:] in text:
                total += len(phrase) - start
                break
    return total


def _ranking_terms(text: str) -> list[str]:
    """Pairs and triples: a triple tells 知识产权法院 from 知识产权法庭, which share every pair but one."""
    return search_terms(text) + search_terms(text, width=3)


def quoted_length(question: str, text: str) -> int:
    """How much of the question the text quotes verbatim and in order, in stretches of two or more."""
    blocks = SequenceMatcher(None, compact(question), compact(text), autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks if block.size >= 2)


def _quotes(asked: str, text: str, length: int) -> bool:
    """Whether the text holds some `length` characters of the question word for word (a substring search
    per window: far cheaper than a matcher over the whole passage)."""
    return any(asked[k : k + length] in text for k in range(len(asked) - length + 1))


def _around(sentences: list[str], hits: list[float]) -> str:
    """The best sentence, grown by neighbours that hold any of the question's words; … marks a cut."""
    best = max(range(len(sentences)), key=lambda i: hits[i])
    start = end = best
    while True:
        grown = False
        for candidate in (end + 1, start - 1):
            if (
                0 <= candidate < len(sentences)
                and hits[candidate]
                and _length(sentences, start, end, candidate) <= EXCERPT_CHARS
            ):
                start, end, grown = min(start, candidate), max(end, candidate), True
        if not grown:
            break
    body = "".join(sentences[start : end + 1]).strip()
    return ("……" if start > 0 else "") + body + ("……" if end < len(sentences) - 1 else "")


def _length(sentences: list[str], start: int, end: int, candidate: int) -> int:
    return sum(len(s) for s in sentences[min(start, candidate) : max(end, candidate) + 1])
