"""The normalisation of "stated means printed" (clusterlod.fidelity.printed): width and white space only."""

from __future__ import annotations

import pytest

from clusterlod.fidelity.printed import INDEX_ABOVE, Printed, fold

PAGE = ("首都圏西部（ＴＡＭＡ）、中央自動車道沿線、\n\n交流プラザ（K-RIP）\n　環境分野　約550社　41大学\n"
        "Regional Innovation for Italian \n\nand Japanese Economy")


@pytest.mark.parametrize("text", ["ＴＡＭＡ", "TAMA", "首都圏西部（TAMA）", "交流プラザ（K-RIP）", "K－RIP",
                                  "環境分野 約550社", "約５５０社",
                                  "Regional Innovation for Italian and Japanese Economy"])
def test_width_and_white_space_do_not_matter(text: str) -> None:
    assert text in Printed(PAGE)


@pytest.mark.parametrize("text", ["tama", "k-rip", "首都圏西部TAMA", "約550社 41大学 北海道", "東京都", "",
                                  "Regional innovation for Italian and Japanese economy"])
def test_nothing_looser(text: str) -> None:
    """Case, punctuation and every character count: a part of a text is not the text."""
    assert text not in Printed(PAGE)


def test_a_number_alone_is_printed_inside_a_figure() -> None:
    assert "約550" in Printed(PAGE)  # a substring of the page after folding, as a figure's number is


def test_the_index_of_a_long_source_finds_the_same() -> None:
    filler = "あいうえおかきくけこ\n" * (INDEX_ABOVE // 10)
    long = Printed(filler + PAGE + filler)
    assert len(long.text) > INDEX_ABOVE
    assert "首都圏西部（TAMA）" in long and "交流プラザ（K-RIP）" in long and "約550社" in long
    assert "首都圏東部（TAMA）" not in long and "tama" not in long


def test_fold() -> None:
    assert fold("Ｋ－ＲＩＰ\u3000約 ２,２４０社\n") == "K-RIP約2,240社"
