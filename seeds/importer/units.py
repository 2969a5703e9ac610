"""A unit cell split into names and each name resolved against the units the caller knows.

Pure: strings in, values out. Tables separate units with 、，,；; and line breaks, but a bracket holds part of
one name (市市场监管局(知识产权局)) and a PDF breaks long names over lines (各县（市）区 人民政府), so a break
only separates where the text before it ends like a unit name and the text after it is a name of its own,
not the rest of one (市人社 | 局, 高新区管委 | 会, 鼓楼区 | 人民政府). A name that matches nothing stays a new
unit under its own name: a close spelling is offered as a suggestion, never taken as a match.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from store.names import name_key

UnitLevel = Literal["市", "县区", "乡镇", "other"]


@dataclass(frozen=True)
class KnownUnit:
    name: str
    aliases: tuple[str, ...]
    region: str
    kind: str
    is_collective: bool


@dataclass(frozen=True)
class NewUnit:
    name: str
    likely_level: UnitLevel


@dataclass(frozen=True)
class ResolvedUnit:
    written: str  # as the document wrote it, brackets made full-width and line breaks joined
    known: KnownUnit | None
    new: NewUnit | None
    near: tuple[str, ...] = field(default=())  # known names spelled closely: suggestions, not matches

    @property
    def name(self) -> str:
        if self.known is not None:
            return self.known.name
        assert self.new is not None
        return self.new.name


_OPEN, _CLOSE = "（【《〔", "）】》〕"
_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）", "[": "【", "]": "】"})
_SEPARATORS = set("、，,；;\n")
_BREAKS = set(" \t\u3000\n")
# A name ends like this; a break after anything else is a line broken inside a name.
_ENDINGS = (
    "局|委|办|院|府|会|部|处|室|科|组|队|校|学|关|团|班|站|所|司|行|厅|馆|中心|庭|社|协|联|台|厂|场|区|县|市"
)
_NAME_ENDING = re.compile(rf"(?:{_ENDINGS})$")
_STRICT_ENDING = re.compile(r"(?:局|委|办|院|府|会|部|处|室|科|组|队|校|学|关|团|班|站|司|厅|馆|中心|庭|社)$")
# Two names written with nothing between them (区发改局区统计局): a name's ending, then a level's prefix.
_GLUED = re.compile(r"(?<=[局委办院府])(?=[区市县](?![委政]))")
_TRAILING = "。.；;，,、 "
# What a line broken inside a name leaves on the next line: its last character, or a name's generic tail.
_TAIL = re.compile(r"^(?:.|人民(?:政府|法院|检察院|银行)|管委会|委员会|办公室|办公厅)$")


def normalise_brackets(text: str) -> str:
    return text.translate(_HALF_TO_FULL)


def split_unit_names(cell: str) -> list[str]:
    """Names in a unit cell, in order, brackets full-width, each name whole."""
    names: list[str] = []
    current = ""
    depth = 0
    text = normalise_brackets(cell).strip()
    for index, char in enumerate(text):
        depth += (char in _OPEN) - (char in _CLOSE)
        if depth > 0:
            current += char
        elif char in _SEPARATORS and (char != "\n" or _breaks_between_names(current, text[index + 1 :])):
            names.append(current)
            current = ""
        elif char in _BREAKS:
            if _separates(current, text[index + 1 :]):
                names.append(current)
                current = ""
        else:
            current += char
        depth = max(depth, 0)
    names.append(current)
    pieces = [piece for name in names for piece in _unglue(name.strip(_TRAILING)) if piece]
    return _shared_each(pieces)


# A body every township or street has (乡镇人民政府, 街道办事处): named bare after a 各 name, it is 各 too.
_GENERIC_BODY = re.compile(r"^(?:乡镇|乡|镇|街道|社区|村)(?:人民政府|办事处|党委|党工委|居委会|村委会)?$")


def _shared_each(names: list[str]) -> list[str]:
    """各街道办事处、乡镇人民政府 names two collectives: the 各 carries over to the generic body after it."""
    shared: list[str] = []
    for name in names:
        each = bool(shared) and shared[-1].startswith("各")
        shared.append(f"各{name}" if each and _GENERIC_BODY.match(name) else name)
    return shared


def names_units(text: str) -> bool:
    """Whether the text is a list of unit names (县住建局、县城管局; 各乡镇（街道）), not other words."""
    names = split_unit_names(text)
    return bool(names) and all(_LISTED_NAME.search(re.sub(r"（[^（）]*）$", "", name)) for name in names)


# What a unit in a list of them ends with: a name's ending, or a collective's (县直各有关单位, 各乡镇（街道）)
_LISTED_NAME = re.compile(rf"(?:{_ENDINGS}|单位|部门|乡|镇|街道|社区|村|企业|公司)$")


def _ends_like_a_name(text: str) -> bool:
    return bool(_NAME_ENDING.search(text.strip()))


def _breaks_between_names(before: str, after: str) -> bool:
    """A line break separates where the text before it ends like a name and the text after it is not a
    name's tail."""
    return _ends_like_a_name(before) and not _is_tail(after)


def _separates(before: str, after: str) -> bool:
    """A space or line break separates two names only between a whole name and the start of another."""
    rest = after.lstrip()
    return (
        bool(before.strip())
        and bool(rest)
        and rest[0] not in _OPEN
        and bool(_STRICT_ENDING.search(before))
        and not _is_tail(rest)
    )


def _is_tail(after: str) -> bool:
    """The text after a break up to the next separator is the rest of the name before it."""
    piece = re.split(r"[、，,；;\n \t\u3000（(【\[]", after.strip(), maxsplit=1)[0]
    return bool(_TAIL.match(piece.strip(_TRAILING)))


def _unglue(name: str) -> list[str]:
    if any(bracket in name for bracket in _OPEN):
        return [name]
    return [piece for piece in _GLUED.split(name) if piece]


class UnitDirectory:
    """The caller's known units, looked up by name, alias and the plan's region-relative short forms."""

    def __init__(self, known: Sequence[KnownUnit], *, region: str | None) -> None:
        self.region = region
        self._by_key: dict[str, list[KnownUnit]] = {}
        for unit in known:
            for written in (unit.name, *unit.aliases):
                bucket = self._by_key.setdefault(name_key(written), [])
                if unit not in bucket:
                    bucket.append(unit)

    def resolve(self, written: str) -> ResolvedUnit:
        name = normalise_brackets("".join(written.split()))
        relative = self._is_relative(name)
        for candidate in self._spellings(name, relative):
            found = self._pick(self._by_key.get(name_key(candidate), []), relative)
            if found is not None:
                return ResolvedUnit(name, found, None)
        return ResolvedUnit(name, None, NewUnit(name, guess_level(name, self.region)), self._near(name))

    def _is_relative(self, name: str) -> bool:
        """区发改局 in a 鼓楼区 plan is 鼓楼区's: a bare prefix of the plan's level means its region."""
        region = self.region or ""
        return bool(region) and name[:1] == region[-1:] and not name.startswith(region)

    def _spellings(self, name: str, relative: bool) -> list[str]:
        """The name as written, then with the plan's region in front of its bare 市/区/县 prefix."""
        return [name, (self.region or "") + name[1:]] if relative else [name]

    def _pick(self, units: list[KnownUnit], relative: bool) -> KnownUnit | None:
        if relative:  # another region's 区市场监管局 is a different unit, whatever its aliases say
            units = [u for u in units if u.region == self.region]
        if len(units) <= 1:
            return units[0] if units else None
        local = [u for u in units if u.region == self.region]
        return local[0] if len(local) == 1 else None  # two units share the alias here: not a match

    def _near(self, name: str) -> tuple[str, ...]:
        keys = list(self._by_key)
        close = difflib.get_close_matches(name_key(name), keys, n=3, cutoff=0.8)
        names: list[str] = []
        for key in close:
            for unit in self._by_key[key]:
                if unit.name not in names:
                    names.append(unit.name)
        return tuple(names)


def guess_level(name: str, region: str | None) -> UnitLevel:
    """市 / 县区 / 乡镇 / other from how the name begins (a bare 市 or 区 means the plan's own level)."""
    if re.search(r"乡|镇|街道", name):
        return "乡镇"
    if region and name.startswith(region):
        return _level_of_region(region)
    if name.startswith(("市", "各市")) and not name.startswith("市场"):  # 市场整治办 is no city unit
        return "市"
    if re.match(r"^(?:各)?[区县]|^[\u4e00-\u9fff]{1,4}[区县]", name):
        return "县区"
    if re.match(r"^[\u4e00-\u9fff]{2,4}市", name):
        return "市"
    return "other"


def _level_of_region(region: str) -> UnitLevel:
    if region.endswith(("区", "县")):
        return "县区"
    if region.endswith("市"):
        return "市"
    if region.endswith(("镇", "乡", "街道")):
        return "乡镇"
    return "other"
