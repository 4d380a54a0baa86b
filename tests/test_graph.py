"""Bad input: one clear line naming file, line and record; a non-zero exit; nothing written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from inprocess import run_cli


def run_build(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``clusterlod build`` by the command's entry point, in this process (test_failures.py runs the installed one)."""
    return run_cli("build", "--root", str(root), "--out", str(out))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, fragment: str, last: bool = False) -> int:
    lines = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if fragment in line]
    return lines[-1] if last else lines[0]


CASES = {
    # PyYAML notices the missing bracket on the next line: that is the line it can name.
    "malformed YAML": ("clusters.yaml", "  program: icp-phase2\n  fields: [information, bio]",
                       "  program: icp-phase2\n  fields: [information, bio", "  companies:", None, "malformed YAML"),
    "missing required field": ("clusters.yaml", "  program: icp-phase2\n  fields: [manufacturing]\n",
                               "  fields: [manufacturing]\n", "id: tohoku-monozukuri-corridor",
                               "tohoku-monozukuri-corridor",
                               "missing required field 'program'"),
    "unknown reference": ("events.yaml", "  venue: kyoto-icc", "  venue: kyoto-icc-hall", "venue: kyoto-icc-hall",
                          "iag-conference-7", "unknown record 'kyoto-icc-hall'"),
    "impossible date": ("events.yaml", 'end: "2008-06-15"', 'end: "2008-06-31"', 'end: "2008-06-31"',
                        "iag-conference-7", "impossible date"),
    "end before start": ("events.yaml", 'end: "2007-11-30"', 'end: "2007-11-02"', 'end: "2007-11-02"',
                         "cluster-japan-2007-techno-fair", "before the start"),
    "bad IRI": ("editorial.yaml", "reference: http://j-net21.smrj.go.jp/expand",
                "reference: http://j-net21.smrj.go.jp/ expand",
                "reference: http://j-net21.smrj.go.jp/ expand", "region-from-meti-list", "bad IRI"),
    "quote not in the source": ("clusters.yaml", "quote: 約1,490社", "quote: 約1,500社", "quote: 約1,500社",
                                "tokai-monozukuri", "not found verbatim"),
    "unverified identifier": ("organisations.yaml", "wikidata:Q38,", "wikidata:Q39,", "wikidata:Q39,",
                              "italy", "is not in data/reference/identifiers.csv"),
    "zero count": ("clusters.yaml", "    value: 20\n", "    value: 0\n", "    value: 0", "kyushu-bio-cluster",
                   "above zero"),
    "duplicate id": ("places.yaml", "- id: tokyo\n", "- id: kyoto-icc\n", "- id: kyoto-icc", "kyoto-icc",
                     "already used"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gives_one_line_and_writes_nothing(project_copy: Path, tmp_path: Path, case: str) -> None:
    name, old, new, marker, record, message = CASES[case]
    out = tmp_path / "dist"
    assert run_build(project_copy, out).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    path = project_copy / "data" / name
    edit(path, old, new)
    result = run_build(project_copy, out)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    expected_line = line_of(path, marker, last=case == "duplicate id")
    assert f"data/{name}:{expected_line}:" in line, line
    if record:
        assert f"record '{record}'" in line, line
    assert message in line, line
    assert result.stdout == ""
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_no_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run_build(tmp_path, tmp_path / "dist")
    assert result.returncode != 0
    assert "no data/ folder" in result.stderr
    assert not (tmp_path / "dist").exists()
