"""Standard codes computed from the ones the release holds: the 全国地方公共団体コード of a prefecture.

The six-digit local government code (JIS X 0402 / 総務省) of a prefecture is its two-digit JIS X 0401 code,
"000" for the prefecture itself, and a check digit, so it is computed, never typed in.
"""

from __future__ import annotations

import re

#: The weights of the first five digits in the check-digit rule.
_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(five: str) -> str:
    """The check digit of a five-digit local government code: the weighted sum of the digits
    (6, 5, 4, 3, 2) taken from 11, and the last digit of that."""
    if not re.fullmatch(r"[0-9]{5}", five):
        raise ValueError(f"a local government code's first part is five digits, not {five!r}")
    total = sum(int(digit) * weight for digit, weight in zip(five, _WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def local_government_code(jis2: str) -> str:
    """The six-digit 全国地方公共団体コード of the prefecture whose JIS X 0401 code is ``jis2`` ("01".."47")."""
    if not re.fullmatch(r"[0-9]{2}", jis2) or not 1 <= int(jis2) <= 47:
        raise ValueError(f"a prefecture's JIS X 0401 code is two digits from 01 to 47, not {jis2!r}")
    five = jis2 + "000"
    return five + check_digit(five)
