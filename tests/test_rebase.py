"""--base end to end (issue 15): the canned queries answer on a release built with another base,
and `clusterlod site` refuses a base the release was not built with instead of writing a site
without its resource pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from clusterlod.errors import ClusterlodError
from clusterlod.release.rebase import check_site_base, release_base
from clusterlod.sparql import canned as Q

DEFAULT = "https://w3id.org/clusterlod/"
OTHER = "https://example.org/kc/"


@pytest.fixture(scope="module")
def rebased(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    out = tmp_path_factory.mktemp("rebased") / "dist"
    subprocess.run([sys.executable, "-m", "clusterlod", "build", "--root", str(project_root), "--out", str(out),
                    "--base", OTHER], check=True, capture_output=True)
    return out


def answer(result: Q.Answer) -> object:
    if result.kind == "boolean":
        return result.boolean
    if result.kind == "graph":
        return sorted(str(t) for t in result.triples)
    return result.values()


def test_the_release_declares_its_base(built_dist: Path, rebased: Path) -> None:
    assert release_base(built_dist) == DEFAULT
    assert release_base(rebased) == OTHER


@pytest.mark.parametrize("query", Q.discover(), ids=lambda q: q.name)
def test_every_canned_query_gives_the_same_rows_modulo_the_base(query: Q.CannedQuery, built_dist: Path,
                                                                 rebased: Path) -> None:
    expected = answer(Q.run(query, {}, dist=built_dist))
    got = answer(Q.run(query, {}, dist=rebased))
    moved = repr(expected).replace(DEFAULT, OTHER)
    assert repr(got) == moved
    if not query.is_qc and query.form == "SELECT":
        assert got, f"{query.name} answers nothing on the rebased release"


def test_site_refuses_a_base_the_release_was_not_built_with(rebased: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "clusterlod", "site", str(out), "--dist", str(rebased),
                             "--base", "https://other.example/"], capture_output=True, text=True)
    assert result.returncode != 0
    assert f"was built with base {OTHER}" in result.stderr
    assert not out.exists()
    check_site_base(rebased, OTHER.rstrip("/"))  # the release's own base, with or without the slash
    with pytest.raises(ClusterlodError):
        check_site_base(rebased, DEFAULT)
