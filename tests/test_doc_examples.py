"""The examples in README.md and docs/ are what the program does: commands parse, samples match real runs.

- Every ``clusterlod ...`` command line in a code block is parsed by the real command-line
  interface (its options, choices and types), so a renamed option or a dropped choice fails here.
- The canned-query examples of docs/querying.md are run on the shared build.
- docs/loading.md's sample of ``clusterlod load`` is compared with a real load into Oxigraph, and its
  Oxigraph command with the flags ``scripts/start-store`` starts Oxigraph with.
- A sample edited to a wrong figure fails (the checker is tested on one).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from clusterlod.cli import cli

ROOT = Path(__file__).resolve().parents[1]
INSTALLED = Path(sys.executable).with_name("clusterlod")
#: docs/cli.md is left out: it is generated, and its failure samples are wrong on purpose (tests/test_failures.py
#: runs them).
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "cli.md")]
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.M | re.S)


def code_blocks(page: Path) -> list[str]:
    return FENCE.findall(page.read_text(encoding="utf-8"))


def commands(page: Path) -> list[list[str]]:
    """The clusterlod command lines of a page's code blocks: ``$ `` prompts and continuation lines joined,
    comments and ``&&`` chains split; synopses (``[--option]``) left out."""
    found = []
    for block in code_blocks(page):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.removeprefix("$ ").strip()
            for part in re.split(r"\s&&\s", line):
                part = part.strip()
                if not part.startswith("clusterlod "):
                    continue
                words = shlex.split(part, comments=True)
                if any(word.startswith("[") for word in words):
                    continue  # a synopsis, not a command
                found.append(words)
    return found


EXAMPLES = [(page.relative_to(ROOT).as_posix(), words) for page in PAGES for words in commands(page)]


def parse(words: list[str]) -> click.Context:
    """Parse a command line as ``clusterlod`` would, without running it; a usage error raises."""
    command: click.Command = cli
    parent = cli.make_context("clusterlod", [], resilient_parsing=True)
    rest = words[1:]
    while isinstance(command, click.Group):
        assert rest, f"no command after {words}"
        sub = command.get_command(parent, rest[0])
        assert sub is not None, f"no such command: {rest[0]}"
        name, rest = rest[0], rest[1:]
        command = sub
        if isinstance(command, click.Group):
            parent = command.make_context(name, [], parent=parent, resilient_parsing=True)
    return command.make_context(name, rest, parent=parent)


def test_the_docs_have_examples_to_check() -> None:
    pages = {page for page, _ in EXAMPLES}
    assert {"README.md", "docs/querying.md", "docs/loading.md", "docs/serving.md"} <= pages, pages


@pytest.mark.parametrize(("page", "words"), EXAMPLES, ids=[f"{p}:{' '.join(w)[:60]}" for p, w in EXAMPLES])
def test_every_documented_command_line_parses(page: str, words: list[str], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "dist").mkdir()  # `clusterlod load dist` needs the folder to exist
    monkeypatch.chdir(tmp_path)
    try:
        parse(words)
    except click.ClickException as error:
        pytest.fail(f"{page}: `{' '.join(words)}` does not parse: {error.format_message()}")


def test_a_wrong_option_in_a_doc_is_caught() -> None:
    with pytest.raises(click.UsageError):
        parse(["clusterlod", "query", "totals-by-region", "--fromat", "csv"])
    with pytest.raises(click.BadParameter):
        parse(["clusterlod", "query", "totals-by-region", "--format", "xml"])


QUERY_EXAMPLES = [words for page, words in EXAMPLES if page == "docs/querying.md" and words[1] in ("query", "queries")
                  and "--endpoint" not in words and not any(w.endswith(".rq") for w in words)]


@pytest.mark.parametrize("words", QUERY_EXAMPLES, ids=[" ".join(w[1:]) for w in QUERY_EXAMPLES])
def test_the_query_examples_run_on_the_build(words: list[str], built_dist: Path) -> None:
    extra = ["--dist", str(built_dist)] if words[1] == "query" else []
    done = subprocess.run([str(INSTALLED), *words[1:], *extra], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip(), done.stderr


# --------------------------------------------------------------------------- docs/loading.md


def load_sample(text: str) -> list[str]:
    """The sample of `clusterlod load`'s table in docs/loading.md, line by line (the tests compare it with a
    real run; when the data changes, paste the table the failing test prints)."""
    block = next(b for b in FENCE.findall(text) if b.startswith("graph ") and "expected" in b)
    return block.rstrip("\n").splitlines()


def sample_problems(sample: list[str], real: list[str]) -> list[str]:
    """What in the doc's sample a real run contradicts: header, rows, totals; the figure in the prose too.
    The seconds vary from run to run and are not compared."""
    problems = []
    if sample[0].split() != real[0].split():
        problems.append(f"header {sample[0]!r} is not {real[0]!r}")
    rows = {line.split()[0]: line.split() for line in real[1:-1]}
    for line in sample[1:-1]:
        if line.strip() == "...":
            continue
        words = line.split()
        if rows.get(words[0]) != words:
            problems.append(f"row {line!r} is not {' '.join(rows.get(words[0], ['(no such graph)']))!r}")
    head = re.compile(r"(\d+) graphs, (\d+) triples, (\d+) bytes sent by update in [\d.]+ s")
    shown, found = head.fullmatch(sample[-1]), head.fullmatch(real[-1])
    if not shown or not found or shown.groups() != found.groups():
        problems.append(f"total {sample[-1]!r} is not {real[-1]!r}")
    return problems


def prose_figures(text: str) -> tuple[int, str]:
    """docs/loading.md's "this project's release (N triples, X MB)"."""
    found = re.search(r"this project's release \(([\d,]+) triples, ([\d.]+ MB)\)", text)
    assert found, "docs/loading.md no longer states the release's size"
    return int(found[1].replace(",", "")), found[2]


@pytest.fixture(scope="module")
def real_load(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """`clusterlod load` of the shared build into a fresh Oxigraph: the table it prints."""
    from support.servers import OxigraphServer

    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-docs")).start()
    try:
        done = subprocess.run([str(INSTALLED), "load", str(built_dist), "--endpoint", server.query_url],
                              capture_output=True, text=True, timeout=300)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    return done.stdout.rstrip("\n").splitlines()


def test_loading_md_shows_what_a_load_prints(real_load: list[str]) -> None:
    text = (ROOT / "docs" / "loading.md").read_text(encoding="utf-8")
    assert sample_problems(load_sample(text), real_load) == [], "\n".join(real_load)
    triples, size = prose_figures(text)
    assert triples == int(real_load[-1].split()[2])
    assert size == f"{int(real_load[-1].split()[4]) / 1e6:.1f} MB"


def test_a_sample_edited_to_a_wrong_figure_fails(real_load: list[str]) -> None:
    sample = load_sample((ROOT / "docs" / "loading.md").read_text(encoding="utf-8"))
    graphs, rest = sample[-1].split(" graphs, ", 1)
    stale = [*sample[:-1], f"{int(graphs) - 9} graphs, {rest}"]  # as the doc said before this test
    assert sample_problems(stale, real_load)
    row = next(i for i, line in enumerate(sample) if line.startswith("https://"))
    words = sample[row].split()
    wrong = sample[:row] + [sample[row].replace(f" {words[1]} ", f" {int(words[1]) + 1} ")] + sample[row + 1:]
    assert sample_problems(wrong, real_load)


def test_loading_md_starts_oxigraph_as_start_store_does(tmp_path: Path) -> None:
    """The Oxigraph example's flags are the ones scripts/start-store runs (the test fixtures' server)."""
    loader = importlib.machinery.SourceFileLoader("start_store", str(ROOT / "scripts" / "start-store"))
    spec = importlib.util.spec_from_loader("start_store", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    server = module.make_server(module.options().parse_args([]), tmp_path)
    started = {word for word in server.arguments() if word.startswith("--")}
    text = (ROOT / "docs" / "loading.md").read_text(encoding="utf-8")
    example = next(line for block in FENCE.findall(text) for line in block.splitlines()
                   if line.startswith("oxigraph serve"))
    assert {word for word in example.split() if word.startswith("--")} == started
    assert f"127.0.0.1:{server.port}" in example


SUMMARY = re.compile(r"clusterlod: built (\S+): ([\d,]+) triples in (\d+) graphs, (\d+) files; gate passed "
                     r"\((\d+) SHACL violations, (\d+) warnings, (\d+) quality checks, (\d+) failed\) in [\d.]+ s")


def test_the_build_summary_samples_are_a_real_builds(tmp_path: Path) -> None:
    """Each sample of the line `clusterlod build` ends with has the figures of a real build (not the seconds)."""
    samples = [(page, match) for page in PAGES for match in SUMMARY.finditer(page.read_text(encoding="utf-8"))]
    assert samples, "no sample of the build's summary line in the docs"
    done = subprocess.run([str(INSTALLED), "build", "--root", str(ROOT), "--out", str(tmp_path / "dist")],
                          capture_output=True, text=True, timeout=300)
    real = SUMMARY.fullmatch(done.stderr.strip())
    assert done.returncode == 0 and real, done.stderr
    for page, match in samples:
        assert match.groups()[1:] == real.groups()[1:], f"{page.name}: {match[0]!r} but a build says {real[0]!r}"


def sparql_client_sample() -> str:
    """docs/development.md's SparqlClient sample, as written."""
    [block] = [b for b in code_blocks(ROOT / "docs" / "development.md")
               if b.startswith("from clusterlod.sparql.remote import SparqlClient")]
    return block


def test_the_sparql_client_sample_runs(oxigraph_server) -> None:
    """Every call the sample shows, with its asserts, against a real Oxigraph (the sample's store moved to it)."""
    sample = sparql_client_sample()
    assert 'store = "http://127.0.0.1:7878"' in sample
    exec(compile(sample.replace("http://127.0.0.1:7878", oxigraph_server.base), "docs/development.md", "exec"), {})


#: How the docs may start the tests: the project's interpreter (the virtual environment's, or `python`
#: once it is activated), never a PYTHONPATH over the sources, which misses the test extra.
PYTEST_LINE = re.compile(r"(?:^|`|\s)((?:\S+=\S+\s+)*(?:\.venv/bin/)?python3?\s+-m\s+pytest\b[^`\n#]*)")


def pytest_lines() -> list[tuple[str, str]]:
    return [(page.relative_to(ROOT).as_posix(), match.group(1).strip()) for page in PAGES
            for match in PYTEST_LINE.finditer(page.read_text(encoding="utf-8"))]


def test_every_documented_test_command_selects_real_tests() -> None:
    """A test command in the docs names files and tests that exist, run by the project's interpreter."""
    lines = pytest_lines()
    assert any(page == "docs/loading.md" for page, _ in lines)
    for page, line in lines:
        words = shlex.split(line)
        assert "=" not in words[0], (page, line)  # no PYTHONPATH=src (or any variable) in front
        assert words[0] in ("python", "python3", ".venv/bin/python"), (page, line)
        files = [w for w in words if w.startswith("tests/")]
        for file in files:
            assert (ROOT / file.split("::")[0]).is_file(), (page, line)
        if "-k" in words:
            wanted = words[words.index("-k") + 1]
            names = re.findall(r"^def (test_\w+)", "".join((ROOT / f).read_text(encoding="utf-8") for f in files),
                               re.M)
            assert any(wanted in name for name in names), (page, line)


def sample_outputs() -> set[str]:
    """The folders the docs' samples write in the project folder: `clusterlod site DIR`, `--out DIR`,
    `oxigraph serve --location DIR`."""
    found = set()
    for _, words in EXAMPLES:
        if words[1] == "site" and len(words) > 2 and not words[2].startswith("-"):
            found.add(words[2])
        found.update(words[i + 1] for i, word in enumerate(words[:-1]) if word == "--out")
    for page in PAGES:
        found.update(re.findall(r"oxigraph serve --location (\S+)", page.read_text(encoding="utf-8")))
    return {name.removeprefix("./").rstrip("/") for name in found if not name.startswith(("/", "$", "~"))}


def test_what_the_samples_write_is_ignored_by_git() -> None:
    """A newcomer who runs the docs' samples in the checkout gets no untracked release, site or store."""
    outputs = sample_outputs()
    assert {"public", "store"} <= outputs
    for name in sorted(outputs):
        ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", f"{name}/"], cwd=ROOT)
        assert ignored.returncode == 0, f"{name}/ is not in .gitignore"
# --------------------------------------------------------------------------- docs/querying.md, IMI examples


def saved_queries(text: str) -> list[tuple[str, str, list[str]]]:
    """docs/querying.md's saved queries: a ```sparql block whose first line names its file (``# x.rq``), and the
    ```console block that runs it (``$ clusterlod query x.rq``) with the table it printed."""
    found = []
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S)
    for (kind, body), (next_kind, after) in zip(blocks, blocks[1:], strict=False):
        first = body.splitlines()[0]
        if kind == "sparql" and re.fullmatch(r"# [\w-]+\.rq", first) and next_kind == "console":
            name = first[2:]
            lines = after.rstrip("\n").splitlines()
            assert lines[0] == f"$ clusterlod query {name}", (name, lines[0])
            found.append((name, body, lines[1:]))
    return found


def test_the_imi_examples_print_what_the_doc_shows(built_dist: Path, tmp_path: Path) -> None:
    examples = saved_queries((ROOT / "docs" / "querying.md").read_text(encoding="utf-8"))
    assert {name for name, _, _ in examples} >= {"imi-events.rq", "imi-codes.rq", "imi-fiscal-years.rq"}
    for name, query, shown in examples:
        (tmp_path / name).write_text(query, encoding="utf-8")
        done = subprocess.run([str(INSTALLED), "query", str(tmp_path / name), "--dist", str(built_dist)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.rstrip("\n").splitlines() == shown, f"{name}: the doc shows\n" + "\n".join(shown) + \
            "\nbut the query prints\n" + done.stdout


def test_an_imi_example_with_a_wrong_row_is_caught() -> None:
    text = (ROOT / "docs" / "querying.md").read_text(encoding="utf-8")
    [(name, query, shown)] = [e for e in saved_queries(text) if e[0] == "imi-events.rq"]
    assert "2008-04" in "\n".join(shown)
    wrong = text.replace("2008-04     日本", "2008-04-01  日本")  # a day the page does not give
    [(_, _, edited)] = [e for e in saved_queries(wrong) if e[0] == "imi-events.rq"]
    assert edited != shown
