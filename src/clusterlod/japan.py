"""Japan's public-data conventions, computed in one place: local government codes, 和暦 fiscal years, 法人番号 IRIs.

A Japanese open-data user joins tables on the 6-digit 全国地方公共団体コード, reads fiscal years in the
Japanese era, and finds a corporation in gBizINFO by its 法人番号: the release gives each of them, derived
here from what the data already holds, never typed in by hand.
"""

from __future__ import annotations

import re

#: The weights of the check digit of a 全国地方公共団体コード (総務省's rule for the 6th digit).
LOCAL_GOVERNMENT_WEIGHTS = (6, 5, 4, 3, 2)
#: The IRI form gBizINFO's LOD gave a corporation's basic record (法人基本情報), before it ended its RDF
#: service on 2024-04-01 (see docs/release.md, "The standard codes").
GBIZINFO_BASIC = "http://hojin-info.go.jp/data/basic/"
#: The first and last fiscal years of 平成 (1989-01-08 to 2019-04-30): FY1989 (April 1989) to FY2018.
HEISEI = (1989, 2018)


def check_digit(five: str) -> str:
    """The 6th digit of a 全国地方公共団体コード: digits × 6,5,4,3,2, summed, (11 − sum mod 11) mod 10."""
    if not re.fullmatch(r"[0-9]{5}", five):
        raise ValueError(f"a local government code before its check digit has 5 digits, not {five!r}")
    total = sum(int(digit) * weight for digit, weight in zip(five, LOCAL_GOVERNMENT_WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def prefecture_code(jis: str) -> str:
    """The 6-digit 全国地方公共団体コード of a prefecture: its JIS X 0401 code, 000, the check digit."""
    if not re.fullmatch(r"(0[1-9]|[1-3][0-9]|4[0-7])", jis):
        raise ValueError(f"a JIS X 0401 prefecture code is 01 to 47, not {jis!r}")
    five = f"{jis}000"
    return five + check_digit(five)


def fiscal_year_ja(year: int) -> str:
    """A fiscal year as the page prints it: 平成N年度 (平成元年度 for the first) within 平成, else YYYY年度."""
    first, last = HEISEI
    if not first <= year <= last:
        return f"{year}年度"
    number = year - first + 1
    return f"平成{'元' if number == 1 else number}年度"


def fiscal_year_both(year: int, language: str) -> str:
    """和暦 beside 西暦, for readers of either: 平成19年度（2007年度） or FY2007 (平成19年度)."""
    wareki = fiscal_year_ja(year)
    if language == "ja":
        return wareki if wareki == f"{year}年度" else f"{wareki}（{year}年度）"
    return f"FY{year}" if wareki == f"{year}年度" else f"FY{year} ({wareki})"


def gbizinfo_iri(corporate_number: str) -> str:
    """The gBizINFO LOD IRI of a corporation's basic record, from its 13-digit 法人番号."""
    if not re.fullmatch(r"[0-9]{13}", corporate_number):
        raise ValueError(f"a corporate number has 13 digits, not {corporate_number!r}")
    return GBIZINFO_BASIC + corporate_number
