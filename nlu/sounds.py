"""Whether two characters sound the same, tones aside: a pinyin keyboard's usual slip (沧山区 for 仓山区).

pypinyin's dictionary is imported on the first comparison only: most questions hold no typo, and the
cold start of `duban ask` should not pay for it.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def same_sound(first: str, second: str) -> bool:
    """True when some reading of each character is the same syllable, tones ignored (多音字 count)."""
    if first == second:
        return True
    from pypinyin import Style, pinyin  # the first typo pays for the dictionary (see the module docstring)

    readings = [set(pinyin(ch, style=Style.NORMAL, heteronym=True)[0]) for ch in (first, second)]
    return bool(readings[0] & readings[1])


# 模糊音: the fuzzy pairs pinyin keyboards offer (haiguang for haiguan, si for shi), one syllable apart
_FUZZY = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ang", "an"), ("eng", "en"), ("ing", "in"), ("l", "n"))


def _folded(syllable: str) -> str:
    for long, short in _FUZZY:
        if long in ("zh", "ch", "sh", "l") and syllable.startswith(long):
            syllable = short + syllable[len(long) :]
        elif syllable.endswith(long) and long not in ("zh", "ch", "sh", "l"):
            syllable = syllable[: -len(long)] + short
    return syllable


@lru_cache(maxsize=4096)
def sounds_alike(first: str, second: str) -> bool:
    """Like same_sound, but also across the fuzzy pairs a pinyin keyboard confuses (光 for 关)."""
    if same_sound(first, second):
        return True
    from pypinyin import Style, pinyin

    readings = [
        {_folded(r) for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]} for ch in (first, second)
    ]
    return bool(readings[0] & readings[1])
