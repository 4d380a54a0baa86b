"""Name keys that ignore what people vary when they type a Japanese or English name.

Two spellings of one name get the same key: full- and half-width letters, Roman and Arabic
numerals (Ⅱ, II, 2; 第二期, 第Ⅱ期, 第2期), katakana and hiragana, long-vowel marks, middle
dots, spaces, hyphens and brackets. A key's *forms* are the key and the key without the
common suffixes in :data:`SUFFIXES` (プロジェクト, クラスター, 計画, …). docs/reconciling.md
states these steps; tests/test_reconcile.py checks the document against :data:`STEPS`.

Every step is one linear pass: a 100 KB name costs linear time, and the callers cut names
to ``--max-lookup-chars`` first anyway.
"""

from __future__ import annotations

import unicodedata

#: The steps of :func:`key`, in order, as docs/reconciling.md lists them.
STEPS: tuple[str, ...] = (
    "NFKC (full-width letters and digits become half-width, half-width katakana full-width, Ⅱ becomes II)",
    "case folding",
    "Roman numerals I to XXXIX standing alone (not touching another Latin letter) become Arabic digits",
    "after 第, kanji numerals become Arabic digits, and 第 before a digit is dropped (第二期, 第Ⅱ期 → 2期)",
    "katakana become hiragana, and the long-vowel mark ー is dropped",
    "every character that is not a letter or a digit is dropped (spaces, middle dots, hyphens, brackets)",
)
#: Suffixes a name is also known without, as keys (katakana already made hiragana), longest first.
SUFFIXES: tuple[str, ...] = ("ぷろじぇくと", "prefecture", "project", "くらすた", "cluster", "region", "計画", "地域",
                             "plan", "県", "府")
#: A form must keep at least this many characters (「県」 alone is no name).
MIN_FORM = 2

_ROMAN = {"i": 1, "v": 5, "x": 10}
_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_LONG_VOWEL = "\u30fc"


def _roman_value(run: str) -> int | None:
    """The value of a well-formed Roman numeral of i, v and x (1 to 39), else None."""
    if len(run) > 8:  # xxxviii is the longest
        return None
    total = 0
    for index, char in enumerate(run):
        value = _ROMAN[char]
        following = _ROMAN[run[index + 1]] if index + 1 < len(run) else 0
        total += -value if value < following else value
    return total if 0 < total < 40 and _to_roman(total) == run else None


def _to_roman(number: int) -> str:
    tens, units = divmod(number, 10)
    return "x" * tens + ("", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")[units]


def _is_latin(char: str) -> bool:
    return "a" <= char <= "z"


def _roman_to_arabic(text: str) -> str:
    """Runs of i, v, x that touch no other Latin letter and spell a numeral become digits."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text[i] in _ROMAN and (i == 0 or not _is_latin(text[i - 1])):
            j = i
            while j < n and text[j] in _ROMAN:
                j += 1
            if j == n or not _is_latin(text[j]):
                value = _roman_value(text[i:j])
                if value is not None:
                    out.append(str(value))
                    i = j
                    continue
            out.append(text[i:j])
            i = j
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _kanji_number(run: str) -> int | None:
    """一 to 九十九 (十, 二十, 二十三, 十五), else None."""
    if "十" not in run:
        return _KANJI_DIGITS[run] if len(run) == 1 and run != "〇" else None
    tens, _, units = run.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[units] if units else 0)


def _ordinals(text: str) -> str:
    """第 + kanji numerals → digits; 第 before a digit dropped."""
    out, i, n = [], 0, len(text)
    while i < n:
        char = text[i]
        if char == "第" and i + 1 < n:
            j = i + 1
            while j < n and (text[j] in _KANJI_DIGITS or text[j] == "十") and j - i <= 3:
                j += 1
            value = _kanji_number(text[i + 1:j]) if j > i + 1 else None
            if value is not None:
                out.append(str(value))
                i = j
                continue
            if text[i + 1].isdigit():
                i += 1  # 第2期 → 2期
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _kana(char: str) -> str:
    code = ord(char)
    return chr(code - 0x60) if 0x30A1 <= code <= 0x30F6 else char


def key(text: str) -> str:
    """The name key of ``text``: the steps of :data:`STEPS`, in order."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _roman_to_arabic(text)
    text = _ordinals(text)
    kept = []
    for char in text:
        if char == _LONG_VOWEL:
            continue
        char = _kana(char)
        if unicodedata.category(char)[0] in "LN":
            kept.append(char)
    return "".join(kept)


def forms(name_key: str) -> tuple[str, ...]:
    """The key, then the key without each common suffix in turn (longest first), while MIN_FORM characters stay."""
    found = [name_key]
    current = name_key
    while True:
        for suffix in SUFFIXES:
            if current.endswith(suffix) and len(current) - len(suffix) >= MIN_FORM:
                current = current[: -len(suffix)]
                found.append(current)
                break
        else:
            return tuple(found)


def without_brackets(text: str) -> str:
    """The name without a trailing bracketed part: 首都圏西部（ＴＡＭＡ） → 首都圏西部 (a name is also known so)."""
    stripped = text.rstrip()
    if not stripped.endswith((")", "）")):
        return text
    opening = max(stripped.rfind("("), stripped.rfind("（"))
    return stripped[:opening] if opening > 0 else text


def name_forms(text: str) -> tuple[str, ...]:
    """Every form of a printed name: those of its key, then those of its key without a trailing bracketed part."""
    found = forms(key(text))
    short = key(without_brackets(text))
    if short and short != found[0]:
        found = (*found, *(f for f in forms(short) if f not in found))
    return found


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams (a one-character text is its own)."""
    if len(text) < 2:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Sørensen–Dice coefficient of two bigram sets (0 to 1)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))
