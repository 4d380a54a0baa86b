"""What each exit code looks like: one real failure per code, its command line and its one line on stderr.

``tests/test_failures.py`` runs every scenario with the installed ``clusterlod`` and compares
the exit code and the line; ``docs/cli.md``'s exit-code table is generated from the same
list (clusterlod.docgen), so the documented codes and lines cannot drift from the program.

``{name}`` in a command or a line stands for a value the run decides (a folder, a port);
the docs show it as :data:`SHOWN`. ``…`` in a line stands for any text (a figure that
depends on the data, a store's own words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clusterlod.errors import ExitCode

ANY = "…"

#: How the docs show each placeholder.
SHOWN = {"project": "project", "dist": "dist", "empty": "empty", "port": "8000", "closed": "8001",
         "proxy": "8002", "record_line": "4", "query": "bad.rq", "big": "big.nq", "clique": "clique.nq",
         "queries": "queries", "pid_file": "serve.pid", "gone": "4242"}


@dataclass(frozen=True)
class Failure:
    """One way a command fails, as a user meets it."""

    name: str
    code: ExitCode
    situation: str
    command: str
    line: str

    def shown(self, text: str) -> str:
        return text.format(**SHOWN)

    def pattern(self, **values: str) -> re.Pattern[str]:
        """The line with the run's values put in; ``…`` matches any text."""
        parts = [re.escape(part.format(**values)) for part in self.line.split(ANY)]
        return re.compile(".*".join(parts))


FAILURES: tuple[Failure, ...] = (
    Failure("unknown-option", ExitCode.USAGE, "an option the command does not have",
            "clusterlod query --no-such-option",
            "clusterlod: error: No such option '--no-such-option' (see `clusterlod query --help`)"),
    Failure("bad-parameter", ExitCode.USAGE, "a query parameter of the wrong kind",
            "clusterlod query companies-add-up --param tolerance=abc --dist {dist}",
            "clusterlod: error: parameter 'tolerance': 'abc' is not a valid decimal"),
    Failure("no-release", ExitCode.ERROR, "serving a folder that holds no build",
            "clusterlod serve --dist {empty} --port {port}",
            "clusterlod: error: no built release at {empty} (catalog.ttl is missing: a release is served only as "
            "its catalogue lists and checks it): run `clusterlod build` first, or pass --dist DIR"),
    Failure("refused-output", ExitCode.ERROR, "building into a folder clusterlod did not write (here the data)",
            "clusterlod build --root {project} --out {project}/data",
            "clusterlod: error: refusing to replace {project}/data: it is an input of this command; "
            "nothing was written"),
    Failure("foreign-output", ExitCode.ERROR, "writing a site over a folder of other files",
            "clusterlod site {project} --dist {dist}",
            "clusterlod: error: refusing to replace {project}: it is not empty and was not written by clusterlod "
            "(no .clusterlod file): give a new or empty folder; nothing was written"),
    Failure("output-under-a-file", ExitCode.ERROR, "an output folder under a regular file",
            "clusterlod build --root {project} --out {project}/data/clusters.yaml/dist",
            "clusterlod: error: cannot write {project}/data/clusters.yaml/dist: a file is in the way of its folder"),
    Failure("unwritable-output", ExitCode.ERROR, "an output folder where nothing can be written",
            "clusterlod build --root {project} --out /proc/clusterlod/dist",
            "clusterlod: error: cannot write /proc/clusterlod/dist: …"),
    Failure("diff-without-release", ExitCode.ERROR, "comparing with a folder that holds no build",
            "clusterlod diff {dist} {empty}",
            "clusterlod: error: no built release at {empty} (clusterlod.nq is missing): give a dist/ folder or an "
            ".nq file"),
    Failure("unknown-slug", ExitCode.ERROR, "a query parameter naming a resource the data does not hold",
            "clusterlod query project-card --param project=no-such-project --dist {dist}",
            "clusterlod: error: parameter 'project': 'no-such-project' names no cluster in the data"),
    Failure("busy-port", ExitCode.ERROR, "serving on a port another server holds",
            "clusterlod serve --dist {dist} --port {port}",
            "clusterlod: error: cannot listen on 127.0.0.1:{port}: the port is in use (another server?): "
            "pick another --port"),
    Failure("bad-port", ExitCode.USAGE, "a port number no TCP port has",
            "clusterlod serve --port 70000",
            "clusterlod: error: Invalid value for '--port': 70000 is not in the range 1<=x<=65535 "
            "(see `clusterlod serve --help`)"),
    Failure("file-endpoint", ExitCode.USAGE, "an endpoint that is a local file (nothing is contacted)",
            "clusterlod query totals-by-region --endpoint file:///etc/passwd",
            "clusterlod: error: --endpoint 'file:///etc/passwd': give an http:// or https:// URL of a SPARQL endpoint"),
    Failure("graph-format-for-rows", ExitCode.USAGE, "a graph syntax asked of a SELECT query",
            "clusterlod query totals-by-region --format turtle --dist {dist}",
            "clusterlod: error: a SELECT answer is not a graph: use --format table, csv, tsv or json"),
    Failure("rewrite-syntax-in-target", ExitCode.USAGE, "a redirect target that Apache would read as rules",
            "clusterlod redirects --to 'https://data.example.org/%{{HTTP:X-Host}}/'",
            "clusterlod: error: --to 'https://data.example.org/%{{HTTP:X-Host}}/': characters that Apache's rewrite "
            "rules would interpret (% $ \\ quotes braces ...): give a plain URL"),
    Failure("stale-pid-file", ExitCode.ERROR, "`reload` with the pid file of a server that was killed",
            "clusterlod reload --pid-file {pid_file}",
            "clusterlod: error: {pid_file}: no process {gone} is running (is `clusterlod serve` stopped?)"),
    Failure("bad-data", ExitCode.BAD_DATA, "a new record (data/new.yaml) without the quote it comes from",
            "clusterlod build --root {project}",
            "clusterlod: error: data/new.yaml:1: record 'late-addition': missing required field 'source' "
            "(a section and an exact quote), or mark the record editorial with 'basis'"),
    Failure("no-quality-checks", ExitCode.BAD_DATA, "a project folder without its quality checks (queries/qc/)",
            "clusterlod validate --root {project}",
            "clusterlod: error: queries/qc/: no quality checks (*.rq) here: the gate will not pass a project "
            "without its checks; copy the project's queries/ folder, or pass the right --root"),
    Failure("query-syntax", ExitCode.BAD_DATA, "a query file that is not SPARQL",
            "clusterlod query {query} --dist {dist}",
            "clusterlod: error: {query}: syntax error at line 1, column …"),
    Failure("long-line", ExitCode.BAD_DATA, "an N-Quads line longer than the parser's 16 MiB",
            "clusterlod diff {big} {dist}",
            "clusterlod: error: {big}:2: a line longer than 16 MiB, the N-Quads parser's limit"),
    Failure("poison-graph", ExitCode.BAD_DATA,
            "blank nodes too alike to compare in bounded time (here nine, each linked to every other)",
            "clusterlod diff {clique} {dist}",
            "clusterlod: error: {clique}: blank nodes too tangled to compare: 9 look-alike blank nodes need more "
            "than … canonicalisation steps (a poison graph, RDFC-1.0 section 4.4); nothing was compared"),
    Failure("not-conforming", ExitCode.NOT_CONFORMING,
            "data that breaks a shape (here a shape added to allow the Hokkaido project one field only)",
            "clusterlod build --root {project}",
            "clusterlod: error: does not conform: data/clusters.yaml:{record_line}: record 'hokkaido-super-cluster': "
            "[clo:industrialField] More than 1 values on …"),
    Failure("failed-check", ExitCode.NOT_CONFORMING, "a quality check that finds a problem (one row)",
            "clusterlod query qc/always-fails --queries {queries} --dist {dist}",
            "clusterlod: error: qc/always-fails: 1 row: failed (each row is a problem)"),
    Failure("unsupported-shape", ExitCode.UNSUPPORTED_SHAPE, "a shape written in SHACL-JS (sh:js)",
            "clusterlod build --root {project}",
            "clusterlod: error: shapes/clusterlod-shapes.ttl, shapes/js.ttl: shape "
            "<https://w3id.org/clusterlod/shapes/ScriptedCluster> uses sh:js (SHACL-JS), which the SHACL engine "
            "(turbo) cannot check; nothing is published"),
    Failure("unreachable-endpoint", ExitCode.REMOTE, "querying an endpoint where nothing listens",
            "clusterlod query totals-by-region --endpoint http://127.0.0.1:{closed}/sparql",
            "clusterlod: error: queries/totals-by-region.rq: cannot reach http://127.0.0.1:{closed}/sparql "
            "after 3 tries: …"),
    Failure("refused-load", ExitCode.LOAD_FAILED, "loading into a read-only endpoint (`clusterlod serve`'s)",
            "clusterlod load {dist} --endpoint http://127.0.0.1:{port}/sparql",
            "clusterlod: error: taking the lease: http://127.0.0.1:{port}/sparql answered HTTP 403 Forbidden …"),
    Failure("unconfirmed-load", ExitCode.LOAD_NOT_VERIFIED,
            "a load sent whole whose answer never comes (here a proxy holds it past --timeout)",
            "clusterlod load {dist} --endpoint http://127.0.0.1:{proxy}/query --timeout 1 --retries 0",
            "clusterlod: error: …the whole request was sent but no answer came…"),
    Failure("links-changed", ExitCode.LINKS_CHANGED,
            "checking the Wikidata links against an endpoint that knows none of them",
            "clusterlod links check --dist {dist} --endpoint http://127.0.0.1:{port}/sparql",
            "clusterlod: error: … links changed or missing (0 ok, 0 changed, … missing)"),
    Failure("bug", ExitCode.INTERNAL, "a bug (here one planted in the build command for the test)",
            "clusterlod build --root {project}",
            "clusterlod: internal error (ZeroDivisionError); run with --debug for the traceback"),
    Failure("interrupted", ExitCode.ABORTED, "Ctrl-C (SIGINT) while serving",
            "clusterlod serve --dist {dist} --port {port}",
            "clusterlod: aborted"),
)


def by_code(code: ExitCode) -> list[Failure]:
    return [failure for failure in FAILURES if failure.code == code]
