"""Normalise chat text before matching: half-width ASCII, simplified Chinese, tidy spaces and brackets."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

try:
    import opencc
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "nlu.normalize needs the 'opencc' package for traditional → simplified conversion; "
        "install it with `pip install opencc` (it is a required dependency of duban)"
    ) from exc

__all__ = ["normalize", "normalize_name"]

# Brackets and quotes collapse to one ASCII form so that "（知识产权局）" and "(知识产权局)" compare equal.
# NFKC already folds （）; 【】〔〕 and the curly/corner quotes are not compatibility characters, so they are
# mapped here: “”「」 → '"' and ‘’ → "'". ASCII capitals are lowered in the same pass.
_FOLD = str.maketrans(
    {
        **{chr(code): chr(code + 32) for code in range(ord("A"), ord("Z") + 1)},
        "（": "(", "）": ")", "【": "[", "】": "]", "〔": "[", "〕": "]",
        "“": '"', "”": '"', "「": '"', "」": '"', "‘": "'", "’": "'",
    }
)  # fmt: skip

_WHITESPACE = re.compile(r"\s+")
# Han ideographs (BMP, extensions, compatibility), CJK symbols and punctuation, and full-width forms.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f"
# People and PDF extraction put spaces around Chinese words ("先行所 26 个", "局 (知识产权局)"); a space
# touching a CJK character on either side carries no meaning, so it goes. Spaces between two non-CJK
# characters ("Q3 report") stay.
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")

# OpenCC maps a few characters in two steps (薴 → 苧 → 苎), so one pass is not always idempotent.
_MAX_T2S_PASSES = 4


def normalize(text: str) -> str:
    """Return text half-width, lower-case ASCII, simplified, with tidy spaces, brackets and quotes."""
    text = unicodedata.normalize("NFKC", _strip_controls(text))
    text = _WHITESPACE.sub(" ", text.translate(_FOLD)).strip()
    # Convert after the spaces are gone: OpenCC works on phrases (乾隆 stays, a lone 乾 becomes 干).
    return _to_simplified(_CJK_SPACE.sub("", text))


def normalize_name(text: str) -> str:
    """Return normalize(text) without any whitespace, for comparing unit and plan names."""
    return _WHITESPACE.sub("", normalize(text))


def _strip_controls(text: str) -> str:
    """Turn control whitespace (\\n, \\t…) into spaces; drop other Cc/Cf characters and lone surrogates."""
    if text.isprintable():  # no Cc, Cf or Cs character (nor any other non-printable): nothing to do
        return text
    return "".join(_replace_control(ch) for ch in text)


def _replace_control(ch: str) -> str:
    """Replacement for one character under _strip_controls."""
    if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"):
        return ch
    return " " if ch.isspace() else ""


def _to_simplified(text: str) -> str:
    """Convert traditional to simplified Chinese, repeating until OpenCC leaves the text unchanged."""
    convert = _converter()
    for _ in range(_MAX_T2S_PASSES):
        converted = convert(text)
        if converted == text:
            break
        text = converted
    return text


@functools.cache
def _converter() -> Callable[[str], str]:
    """Build the OpenCC t2s converter once; functools.cache makes later calls a lookup."""
    # Building twice under a race is harmless (same data, one copy wins), so no lock is needed.
    converter = opencc.OpenCC("t2s")

    def convert(text: str) -> str:
        return str(converter.convert(text))

    return convert
