"""Strict reading: every bad input is refused with one line naming file, line and record.

Each case breaks a copy of the project in one way and runs ``clusterlod build`` (the
command's entry point, in this process) over a copy of a good release: the command must
exit with the data-error code, print exactly one line that names the file, the
line and (where there is one) the record, and leave the release byte-identical.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from inprocess import run_cli
from test_build import tree

from clusterlod.errors import DataError, ValidationFailed

#: The dataset record as committed, for edits that must follow its version and dates.
RECORD = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "dataset.yaml").read_text(encoding="utf-8"))


def edit(name: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    """Replace the first ``count`` occurrences of ``old`` in data/NAME (it must be there)."""
    def mutate(root: Path) -> None:
        path = root / "data" / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")
    return mutate


def write(name: str, content: bytes | str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return mutate


def remove(name: str) -> Callable[[Path], None]:
    return lambda root: (root / name).unlink()


def both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        for mutation in mutations:
            mutation(root)
    return mutate


def insert_after(name: str, anchor: str, text: str) -> Callable[[Path], None]:
    return edit(name, anchor, anchor + text)


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9))

COLLIDING_RECORD = """
- id: hokkaido-super-cluster-companies
  type: Place
  label: {ja: 衝突, en: Collision}
  source:
    - section: map
      quote: 北海道スーパー・クラスター振興戦略Ⅱ
"""

# (name, mutation, file named, record named or None, a fragment of the message)
CASES = [
    ("duplicate key in a figure", edit("clusters.yaml", "    value: 570\n", "    value: 570\n    value: 9999\n"),
     "data/clusters.yaml", "hokkaido-super-cluster", "given twice"),
    ("duplicate key in a label",
     edit("places.yaml", "label: {ja: 東京, en: Tokyo}", "label: {ja: 東京, en: Tokyo, ja: 京}"),
     "data/places.yaml", "tokyo", "'ja' given twice"),
    ("figure value against its quote", edit("clusters.yaml", "    value: 570\n", "    value: 571\n"),
     "data/clusters.yaml", "hokkaido-super-cluster", "states 570"),
    ("figure with commas in its quote", edit("clusters.yaml", "    value: 2240\n", "    value: 2250\n"),
     "data/clusters.yaml", "regional-industry-revitalization", "states 2240"),
    ("universities figure", edit("clusters.yaml", "    value: 28\n", "    value: 29\n"),
     "data/clusters.yaml", "hokkaido-super-cluster", "states 28"),
    ("occurrences figure", edit("events.yaml", "occurrences: {value: 3,", "occurrences: {value: 4,"),
     "data/events.yaml", "regional-cluster-seminars", "states 3"),
    ("approximate against 約", edit("clusters.yaml", "    value: 570\n    approximate: true\n", "    value: 570\n"),
     "data/clusters.yaml", "hokkaido-super-cluster", "約"),
    ("quote without digits, undeclared", edit("clusters.yaml", "    quote: 28大学\n", "    quote: 大学\n"),
     "data/clusters.yaml", "hokkaido-super-cluster", "states no number"),
    ("empty data file", write("data/clusters.yaml", ""), "data/clusters.yaml", None, "no data"),
    ("full-width digits in a date", edit("events.yaml", 'end: "2007-11-30"', 'end: "２００７-11-30"'),
     "data/events.yaml", None, "YYYY"),
    ("Arabic-Indic digits in a year", edit("events.yaml", 'fiscal_year: "2007"', 'fiscal_year: "٢٠٠٧"'),
     "data/events.yaml", None, "YYYY"),
    ("full-width digits in as_of", edit("clusters.yaml", 'as_of: "2008"', 'as_of: "２００８"'),
     "data/clusters.yaml", "hokkaido-super-cluster", "YYYY"),
    ("text outside data/", edit("document.yaml", "text: source/knowledge-cluster-collaboration-2008.txt",
                                "text: ../shapes/clusterlod-shapes.ttl"),
     "data/document.yaml", "kc-collaboration-2008", "outside data/"),
    ("recursive alias", write("data/extra.yaml", "- &a\n  id: x\n  type: Place\n  label: *a\n"),
     "data/extra.yaml", None, "anchor"),
    ("alias bomb", write("data/extra.yaml", ALIAS_BOMB), "data/extra.yaml", None, "anchor"),
    ("non-UTF-8 YAML", write("data/extra.yaml", b"- id: x\n  type: Place\n  label: {ja: \xff, en: x}\n"),
     "data/extra.yaml:3", None, "not UTF-8"),
    ("non-UTF-8 identifiers.csv", lambda root: (root / "data/reference/identifiers.csv").write_bytes(
        (root / "data/reference/identifiers.csv").read_bytes() + b"a,b,c,\xfe,e,f\n"),
     "data/reference/identifiers.csv:", None, "not UTF-8"),
    ("non-UTF-8 source text", lambda root: (root / "data/source/knowledge-cluster-collaboration-2008.txt").write_bytes(
        (root / "data/source/knowledge-cluster-collaboration-2008.txt").read_bytes() + b"\n\x80\n"),
     "data/source/knowledge-cluster-collaboration-2008.txt:", None, "not UTF-8"),
    ("identifiers.csv missing", remove("data/reference/identifiers.csv"),
     "data/reference/identifiers.csv", None, "no such file"),
    ("dataset.yaml missing a key", edit("dataset.yaml", "spatial: JPN\n", ""),
     "data/dataset.yaml", "clusterlod", "spatial"),
    ("dataset.yaml version that is no version", edit("dataset.yaml", f'version: "{RECORD["version"]}"', "version: 0.4"),
     "data/dataset.yaml", "clusterlod", "MAJOR.MINOR.PATCH"),
    ("dataset.yaml modified before issued", edit("dataset.yaml", f'modified: "{RECORD["modified"]}"',
                                                 f'modified: "{int(RECORD["issued"][:4]) - 1}-01-01"'),
     "data/dataset.yaml", "clusterlod", "before the first issue"),
    ("dataset.yaml licence not an IRI", edit("dataset.yaml", "licence: https://creativecommons.org/licenses/by/4.0/",
                                             "licence: CC BY 4.0"),
     "data/dataset.yaml", "clusterlod", "licence"),
    ("dataset.yaml duplicate key", edit("dataset.yaml", "spatial: JPN\n", "spatial: JPN\nspatial: FRA\n"),
     "data/dataset.yaml", None, "given twice"),
    ("IRI with bad percent-encoding", edit("editorial.yaml",
                                           "reference: http://j-net21.smrj.go.jp/expand/shigen/news/071205-2.html",
                                           "reference: http://j-net21.smrj.go.jp/expand/%zz.html"),
     "data/editorial.yaml", "region-from-meti-list", "percent"),
    ("occurrence that is not a whole number",
     edit("places.yaml", "      quote: （平成20年6月14日～15日・国立京都国際会館）\n",
          "      quote: （平成20年6月14日～15日・国立京都国際会館）\n      occurrence: \"²\"\n"),
     "data/places.yaml", "kyoto-icc", "whole number"),
    # Stated means printed (issue 21): a text of graph/document the page does not print is refused.
    ("unprinted Japanese label in graph/document",
     edit("places.yaml", "label: {ja: 東京, en: Tokyo}", "label: {ja: 東京都, en: Tokyo}"),
     "data/places.yaml", "tokyo", "'東京都'@ja is stated as the document's words (rdfs:label) but is not printed"),
    ("unprinted alternative label in graph/document",
     insert_after("organisations.yaml", "  label: {ja: イタリア, en: Italy}\n", "  alt_label_ja: イタリア共和国\n"),
     "data/organisations.yaml", "italy", "'イタリア共和国'@ja is stated as the document's words (skos:altLabel)"),
    # A record quotes its own passage (issue 22, item 8): 約550社 is K-RIP's (line 60), 26大学 Tokai's (line 41);
    # Hokkaido's lines (23-24) print 約570社 and 28大学.
    ("companies quoted from another project's lines",
     edit("clusters.yaml", '    value: 570\n    approximate: true\n    as_of: "2008"\n    quote: 約570社\n',
          '    value: 550\n    approximate: true\n    as_of: "2008"\n    quote: 約550社\n'),
     "data/clusters.yaml:20", "hokkaido-super-cluster", "'約550社' is not in this record's own passage"),
    ("companies quoted from another project's lines added to the source",
     both(edit("clusters.yaml", '        　情報・バイオ分野　約570社　28大学\n  program: icp-phase2\n',
               '        　情報・バイオ分野　約570社　28大学\n    - section: map\n'
               '      quote: 　環境分野　約550社　41大学\n  program: icp-phase2\n'),
          edit("clusters.yaml", '    value: 570\n    approximate: true\n    as_of: "2008"\n    quote: 約570社\n',
               '    value: 550\n    approximate: true\n    as_of: "2008"\n    quote: 約550社\n')),
     "data/clusters.yaml", "hokkaido-super-cluster", "'約550社' (source line 60) is printed in the lines of record "
     "'kyushu-k-rip' (58-60), another Cluster"),
    ("universities quoted from another project's lines",
     edit("clusters.yaml", '    value: 28\n    as_of: "2008"\n    quote: 28大学\n',
          '    value: 26\n    as_of: "2008"\n    quote: 26大学\n'),
     "data/clusters.yaml:25", "hokkaido-super-cluster", "'26大学' is not in this record's own passage"),
    ("ordinal against its quote", edit("events.yaml", "  ordinal: 7\n", "  ordinal: 8\n"),
     "data/events.yaml", "iag-conference-7", "value 8 but its quote '第7回' states 7"),
    # An as-of note may stand anywhere its section's records quote (数値は平成20年現在, line 18), not elsewhere.
    ("as-of note from another section",
     edit("clusters.yaml", "    quote: 約570社\n    as_of_quote: 数値は平成20年現在\n",
          "    quote: 約570社\n    as_of_quote: 平成20年4月\n"),
     "data/clusters.yaml:21", "hokkaido-super-cluster", "'平成20年4月' (source line 116) is neither in this record's"),
    # owl:sameAs only for identifiers verified twice (docs/links.md): Tohoku's Wikidata region is verified once.
    ("same-as on an identifier verified once",
     edit("regions.yaml", '{id: "wikidata:Q129465", match: exact}', '{id: "wikidata:Q129465", match: same-as}'),
     "data/regions.yaml", "tohoku", "'match: same-as' needs an identifier verified twice"),
    ("two records minting one IRI", insert_after("places.yaml", "# Venues and places where the events took place.\n",
                                                 COLLIDING_RECORD),
     "data/", "hokkaido-super-cluster", "already made for record"),
]
#: A file that is not there has no line to name.
NO_LINE = {"identifiers.csv missing"}


def clusterlod(*args: str) -> subprocess.CompletedProcess[str]:
    """The command's own entry point, in this process (tests/test_failures.py runs the installed one)."""
    return run_cli(*args)


@pytest.fixture
def previous_release(built_dist: Path, tmp_path: Path) -> Path:
    out = tmp_path / "dist"
    shutil.copytree(built_dist, out)
    return out


def refused(root: Path, out: Path, exit_code: int) -> str:
    """Build (must fail with ``exit_code``, one line, ``out`` untouched) and validate (same verdict)."""
    before = tree(out)
    result = clusterlod("build", "--root", str(root), "--out", str(out))
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert tree(out) == before, "the previous release must stay byte-identical"
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".dist")] == []
    check = clusterlod("validate", "--root", str(root))
    assert check.returncode == exit_code, check.stdout + check.stderr
    return lines[0]


@pytest.mark.parametrize("name,mutate,where,record,fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line(project_copy: Path, previous_release: Path, name: str, mutate, where: str,
                               record: str | None, fragment: str) -> None:
    mutate(project_copy)
    line = refused(project_copy, previous_release, DataError.exit_code)
    assert f"clusterlod: error: {where}" in line
    if name not in NO_LINE:
        assert re.search(r"\.(yaml|csv|txt):\d+:", line), f"no file:line in {line!r}"
    if record:
        assert f"record '{record}'" in line
    assert fragment in line


def test_a_collision_names_both_records(project_copy: Path, previous_release: Path) -> None:
    insert_after("places.yaml", "# Venues and places where the events took place.\n", COLLIDING_RECORD)(project_copy)
    line = refused(project_copy, previous_release, DataError.exit_code)
    assert "hokkaido-super-cluster-companies" in line and "'hokkaido-super-cluster'" in line


def test_a_quote_without_digits_may_be_declared(project_copy: Path, tmp_path: Path) -> None:
    """The explicit declaration is accepted ("大学" is found once inside the record's own quote)."""
    edit("clusters.yaml", "    quote: 28大学\n", "    quote: 大学\n    number_in_quote: none\n")(project_copy)
    result = clusterlod("build", "--root", str(project_copy), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr


def refused_by_check(root: Path, out: Path, name: str, query: str) -> str:
    """Add ``queries/qc/<name>.rq``; the build and validate must both refuse on it (see refused)."""
    (root / "queries" / "qc" / f"{name}.rq").write_text(query, encoding="utf-8")
    return refused(root, out, ValidationFailed.exit_code)


def test_a_failing_quality_check_blocks_the_release(project_copy: Path, previous_release: Path) -> None:
    line = refused_by_check(project_copy, previous_release, "every-cluster",
                            "# title-en: Every cluster (a check that always fails)\n"
                            "PREFIX clo: <https://w3id.org/clusterlod/ontology/>\n"
                            "SELECT ?c WHERE { ?c a clo:Cluster } ORDER BY ?c\n")
    assert "quality check 'qc/every-cluster'" in line
    assert "queries/qc/every-cluster.rq" in line


def test_the_quality_checks_see_the_named_graphs(project_copy: Path, previous_release: Path) -> None:
    """SHACL judges the union of the graphs, but a check may ask which graph holds a fact: a check that
    finds the document's graph must find it (and here fail) in build and validate alike."""
    line = refused_by_check(project_copy, previous_release, "no-document-graph",
                            "# title-en: The document's graph (a check that fails whenever named graphs are seen)\n"
                            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                            "FILTER (STRENDS(STR(?g), \"/graph/document\")) }\n")
    assert "quality check 'qc/no-document-graph' returned 1 row(s)" in line


def test_companies_that_do_not_add_up_block_the_release(project_copy: Path, previous_release: Path) -> None:
    clusters = project_copy / "data" / "clusters.yaml"
    text = clusters.read_text(encoding="utf-8")
    clusters.write_text(text[:text.index("- id: okinawa-industry-promotion")], encoding="utf-8")
    line = refused(project_copy, previous_release, ValidationFailed.exit_code)
    assert "companies-add-up" in line and "answered false" in line
    # It names what it summed: the programme stating the figures, and the 17 projects left (the page prints 18).
    assert "record 'icp-phase2' (data/programs.yaml:" in line and "17 project(s): " in line
    assert "hokkaido-super-cluster" in line and "okinawa-industry-promotion" not in line


def test_companies_add_up_reads_the_programme_from_the_data(project_copy: Path, previous_release: Path) -> None:
    """No programme is named in the check: any programme stating a company and a project count is checked."""
    programs = project_copy / "data" / "programs.yaml"
    programs.write_text(programs.read_text(encoding="utf-8") + (
        "\n- id: test-programme-figures\n  type: EditorialBasis\n"
        "  label: {ja: 試験用の数値, en: Figures made up for this test}\n"
        "  description: {en: Made up for this test only}\n"
        "  reference: https://example.org/test\n  confidence: low\n"
        "\n- id: other-programme\n  type: Program\n  basis: test-programme-figures\n"
        "  label: {ja: 別の計画, en: A programme with no projects}\n  ministry: meti\n"
        "  companies: {value: 100}\n  projects: {value: 2}\n"), encoding="utf-8")
    line = refused(project_copy, previous_release, ValidationFailed.exit_code)
    assert "companies-add-up" in line and "answered false" in line
    assert "record 'other-programme' (data/programs.yaml:" in line and "0 project(s): none" in line
    assert "record 'icp-phase2' (data/programs.yaml:" in line and "18 project(s)" in line


def test_a_shape_the_engine_cannot_run_is_one_line(project_copy: Path, previous_release: Path) -> None:
    shapes = project_copy / "shapes" / "clusterlod-shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + "\n<urn:x:Odd> a sh:NodeShape ; sh:targetNode <urn:x:a> ;\n"
                      "    sh:property [ sh:path <urn:x:p> ; sh:pattern \"(\" ] .\n", encoding="utf-8")
    line = refused(project_copy, previous_release, DataError.exit_code)
    assert "shapes/clusterlod-shapes.ttl" in line and "cannot run these shapes" in line


def test_a_bad_base_iri_is_one_line(project_root: Path) -> None:
    result = clusterlod("validate", "--root", str(project_root), "--base", "http://example.org/%zz/")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "--base" in result.stderr and "percent" in result.stderr


def test_an_unprinted_label_with_a_basis_is_editorial(project_copy: Path, tmp_path: Path) -> None:
    """The rule's way out, as docs/curating.md shows it: the same label with a basis builds, outside graph/document."""
    import pyoxigraph as ox

    edit("places.yaml", "label: {ja: 東京, en: Tokyo}",
         "label: {ja: 東京都, en: Tokyo, basis: editors-japanese-labels}")(project_copy)
    result = clusterlod("build", "--root", str(project_copy), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    store = ox.Store()
    store.load(path=str(tmp_path / "out" / "clusterlod.nq"), format=ox.RdfFormat.N_QUADS)
    graphs = {r["g"].value.rsplit("/graph/", 1)[1] for r in store.query(
        'SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/clusterlod/id/place/tokyo> '
        '<http://www.w3.org/2000/01/rdf-schema#label> "東京都"@ja } }')}
    assert graphs == {"editorial/editors-japanese-labels"}


def test_the_curating_guide_shows_the_line_the_build_prints(project_root: Path, project_copy: Path,
                                                           previous_release: Path) -> None:
    """docs/curating.md's example of an unprinted label is what the build says when its basis is removed."""
    guide = " ".join((project_root / "docs" / "curating.md").read_text(encoding="utf-8").split())
    shown = re.search(r"`(data/document\.yaml:\d+: record 'title': .*? but is not printed in) …`", guide)
    assert shown, "the guide's example is gone"
    edit("document.yaml", "label: {ja: 表題, en: Title, basis: editors-japanese-labels}",
         "label: {ja: 表題, en: Title}")(project_copy)
    line = refused(project_copy, previous_release, DataError.exit_code)
    assert line.startswith("clusterlod: error: " + shown.group(1)), (line, shown.group(1))
