"""Load a built dataset into a SPARQL store, graph by graph, without readers seeing a half-loaded graph.

The steps, and why:

1. Read ``clusterlod.nq`` (or any .nq/.trig) and count the distinct triples of each named
   graph ourselves: the counts are what the server must hold afterwards, so they must not come
   from the catalog that the same build wrote.
2. Ask the endpoint ``ASK {}`` and run a harmless ``DROP SILENT GRAPH`` so that a wrong URL, a
   page that is not a SPARQL endpoint or wrong credentials fail in one clear line before any
   data moves.
3. Send every graph into its own fresh temporary graph (``urn:clusterlod:tmp:<uuid>``) through
   the Graph Store Protocol (PUT, then POST for further chunks) or SPARQL Update
   (``INSERT DATA`` in chunks bounded by triples and bytes).
4. Count each temporary graph on the server; any difference stops the load.
5. Swap all of them in with one update request of ``MOVE <tmp> TO <graph>`` operations: one
   request is one transaction in Oxigraph and in Virtuoso, so readers see the old release or
   the new one, never a mixture or an empty graph.
6. Count the target graphs again and report expected / found per graph.

On any failure the temporary graphs are dropped (if the server is still reachable) and the
target graphs are left as they were; temporary graphs left behind by a load that died with
its server are dropped at the start of the next load.
"""

from __future__ import annotations

import json
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx
import pyoxigraph as ox

from clusterlod.errors import ClusterlodError

#: Temporary graphs are named under this prefix so a later load can find and drop leftovers.
TMP_PREFIX = "urn:clusterlod:tmp:"
#: What the build writes into dist/ and what we read from there.
DIST_FILE = "clusterlod.nq"

Method = Literal["auto", "gsp", "update"]
AuthScheme = Literal["auto", "basic", "digest"]

#: Chunk bounds per method: SPARQL texts stay small (Virtuoso parses the whole text in memory
#: and has limits on its size); Graph Store bodies are parsed as a stream and may be larger.
DEFAULT_CHUNKS: dict[str, tuple[int, int]] = {
    "update": (500, 256 * 1024),
    "gsp": (50_000, 8 * 1024 * 1024),
}

RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


class LoadError(ClusterlodError):
    """A load that did not complete; the target graphs are as they were before it."""

    exit_code = 4


class Unsupported(LoadError):
    """The endpoint exists but does not take this kind of request (405, 415, 501)."""


class CountMismatch(ClusterlodError):
    """The load completed but the server holds other counts than the build."""

    exit_code = 5


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Dataset:
    """The triples of each target graph, deduplicated, in file order."""

    graphs: dict[str, list[ox.Triple]]
    source: Path

    @property
    def total(self) -> int:
        return sum(len(triples) for triples in self.graphs.values())


def resolve_source(path: Path) -> tuple[Path, ox.RdfFormat]:
    """A dist/ folder means its clusterlod.nq; a file is read by its extension."""
    if path.is_dir():
        path = path / DIST_FILE
        if not path.is_file():
            raise ClusterlodError(f"{path} not found: run 'clusterlod build' first or give an .nq/.trig file")
    if not path.is_file():
        raise ClusterlodError(f"{path}: no such file or folder")
    formats = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG,
               ".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE}
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise ClusterlodError(f"{path}: expected a dist/ folder or an .nq, .trig, .nt or .ttl file")
    return path, fmt


def read_dataset(path: Path, graph: str | None = None) -> Dataset:
    """Group the quads by named graph, or merge them all into ``graph`` when one is given.

    Triples in the default graph are refused unless ``graph`` is given: loading them into a
    store's default graph would mix them with whatever else the store holds.
    """
    source, fmt = resolve_source(path)
    graphs: dict[str, dict[ox.Triple, None]] = {}
    try:
        for quad in ox.parse(path=str(source), format=fmt):
            if graph is not None:
                name = graph
            elif isinstance(quad.graph_name, ox.DefaultGraph):
                raise ClusterlodError(f"{source}: has triples outside any named graph; "
                                      "give --graph IRI to load the whole file into one graph")
            else:
                name = quad.graph_name.value
            graphs.setdefault(name, {})[quad.triple] = None
    except SyntaxError as error:
        raise ClusterlodError(f"{source}: {error}") from error
    if not graphs:
        raise ClusterlodError(f"{source}: no triples to load")
    return Dataset({name: list(triples) for name, triples in graphs.items()}, source)


# --------------------------------------------------------------------------- chunks


@dataclass(frozen=True)
class Chunk:
    """A run of triples as N-Triples lines, which is also valid inside ``INSERT DATA``."""

    text: str
    triples: int

    @property
    def size(self) -> int:
        return len(self.text.encode("utf-8"))


def ntriples_line(triple: ox.Triple) -> str:
    """One N-Triples line; pyoxigraph escapes quotes, backslashes and control characters."""
    return f"{triple.subject} {triple.predicate} {triple.object} .\n"


def _units(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """Triples that must travel together: those sharing blank nodes (transitively).

    Each request has its own blank-node scope, so a blank node split over two chunks would
    become two different nodes on the server.
    """
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    keyed: list[tuple[str | None, ox.Triple]] = []
    for triple in triples:
        blanks = [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        for other in blanks[1:]:
            parent[find(other)] = find(blanks[0])
        keyed.append((blanks[0] if blanks else None, triple))
    groups: dict[str, list[ox.Triple]] = {}
    units: list[list[ox.Triple]] = []
    for blank, triple in keyed:
        if blank is None:
            units.append([triple])
        else:
            root = find(blank)
            if root not in groups:
                groups[root] = []
                units.append(groups[root])
            groups[root].append(triple)
    return units


def chunks(triples: list[ox.Triple], max_triples: int, max_bytes: int) -> Iterator[Chunk]:
    """Pack triples into chunks of at most ``max_triples`` triples and ``max_bytes`` bytes.

    A group of triples sharing blank nodes is never split, so it may exceed the bounds alone.
    """
    lines: list[str] = []
    size = 0
    for unit in _units(triples):
        unit_lines = [ntriples_line(t) for t in unit]
        unit_size = sum(len(line.encode("utf-8")) for line in unit_lines)
        if lines and (len(lines) + len(unit_lines) > max_triples or size + unit_size > max_bytes):
            yield Chunk("".join(lines), len(lines))
            lines, size = [], 0
        lines.extend(unit_lines)
        size += unit_size
    if lines:
        yield Chunk("".join(lines), len(lines))


def insert_text(graph: str, chunk: Chunk) -> str:
    """``INSERT DATA``, or for a chunk with blank nodes ``INSERT {…} WHERE {}``.

    Virtuoso refuses blank nodes in INSERT DATA (SP031 "not allowed in a constant clause");
    a template with an empty WHERE has one solution, so its blank nodes are one fresh set.
    """
    if "_:" in chunk.text and any(line.startswith("_:") or " _:" in line for line in chunk.text.splitlines()):
        return f"INSERT {{ GRAPH <{graph}> {{\n{chunk.text}}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{chunk.text}}} }}"


# --------------------------------------------------------------------------- HTTP


class AutoAuth(httpx.Auth):
    """Answer whichever challenge the server sends: Virtuoso asks for Digest, Fuseki and GraphDB Basic."""

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._scheme: str | None = None

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        if self._scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        if challenge.startswith("digest"):
            self._scheme = "digest"
            flow = self._digest.auth_flow(request)
            next(flow)  # the unauthenticated request, which we already sent
            try:
                request = flow.send(response)
                while True:
                    response = yield request
                    request = flow.send(response)
            except StopIteration:
                return
        self._scheme = "basic"
        yield from self._basic.auth_flow(request)


def make_auth(user: str | None, password: str | None, scheme: AuthScheme = "auto") -> httpx.Auth | None:
    """Credentials for httpx, or None for an open endpoint."""
    if user is None:
        return None
    password = password or ""
    if scheme == "basic":
        return httpx.BasicAuth(user, password)
    if scheme == "digest":
        return httpx.DigestAuth(user, password)
    return AutoAuth(user, password)


#: 500 answers that are the store's verdict on the request (a SPARQL or SQL error), not a hiccup:
#: retrying them would only delay the same error.
_PERMANENT_500 = re.compile(r"does not exist|syntax|parse|\b(SP|SQ|SR|RDF)\d{3}\b|Virtuoso \d{5} Error", re.I)


@dataclass
class Client:
    """One store: SPARQL query/update and Graph Store endpoints, with retries and clear errors."""

    query_url: str
    update_url: str
    graph_store_url: str | None = None
    auth: httpx.Auth | None = None
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 0.5
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(auth=self.auth, timeout=self.timeout, follow_redirects=True,
                                 headers={"User-Agent": "clusterlod-load"})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport

    def request(self, method: str, url: str, what: str, **kwargs: object) -> httpx.Response:
        """Send with retries on connection errors and 5xx; turn every other failure into one line."""
        attempt = 0
        while True:
            try:
                response = self.http.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.TimeoutException as error:
                raise LoadError(f"{what}: no answer from {url} within {self.timeout:g} s "
                                f"({type(error).__name__}); raise --timeout for a slow store") from error
            except httpx.TransportError as error:
                if attempt >= self.retries:
                    raise LoadError(f"{what}: cannot reach {url} after {attempt + 1} tries: {error}") from error
            else:
                if response.status_code < 500 or attempt >= self.retries or _permanent(response):
                    return self._checked(response, url, what)
            attempt += 1
            time.sleep(self.backoff * 2 ** (attempt - 1))

    def _checked(self, response: httpx.Response, url: str, what: str) -> httpx.Response:
        status = response.status_code
        if status < 300:
            return response
        if status == 401:
            hint = "check --user and --password" if self.auth else "the endpoint needs --user and --password"
            raise LoadError(f"{what}: {url} refused the credentials (401 Unauthorized): {hint}")
        if status == 403 or (status == 500 and "SECURITY" in response.text[:2000]):  # Virtuoso: 500 SR186
            raise LoadError(f"{what}: {url} forbids this ({status} {response.reason_phrase}): the user may read "
                            "but not write; "
                            "use an endpoint and user allowed to update (Virtuoso: /sparql-auth as dba "
                            "or a user granted SPARQL_UPDATE)")
        if status == 404:
            raise LoadError(f"{what}: {url} not found (404): check the endpoint URL")
        if status in (405, 415, 501):
            raise Unsupported(f"{what}: {url} does not accept this ({status} {response.reason_phrase}): "
                            "is it the right endpoint for this method?")
        raise LoadError(f"{what}: {url} answered {status} {response.reason_phrase}: {_gist(response.text)}")

    # -- SPARQL

    def select(self, sparql: str, what: str) -> list[dict[str, str]]:
        """Run a SELECT and return its bindings as plain strings."""
        response = self.request("POST", self.query_url, what, data={"query": sparql},
                                headers={"Accept": RESULTS_JSON})
        data = _results_json(response, self.query_url)
        return [{k: v["value"] for k, v in row.items()} for row in data.get("results", {}).get("bindings", [])]

    def check_query(self) -> None:
        """Fail early, in one line, when the query URL is not a SPARQL endpoint."""
        response = self.request("POST", self.query_url, "checking the query endpoint",
                                data={"query": "ASK {}"}, headers={"Accept": RESULTS_JSON})
        data = _results_json(response, self.query_url)
        # Virtuoso 7.2 answers ASK in JSON as a one-row SELECT of ?__ASK_RETVAL, not as a boolean.
        if not isinstance(data.get("boolean"), bool) and not isinstance(data.get("results", {}).get("bindings"), list):
            raise LoadError(f"{self.query_url} is not a SPARQL endpoint: ASK gave no answer")

    def update(self, sparql: str, what: str) -> None:
        self.request("POST", self.update_url, what, data={"update": sparql},
                     headers={"Accept": f"{RESULTS_JSON}, */*;q=0.1"})

    def count(self, graph: str) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                           f"counting <{graph}>")
        try:
            return int(rows[0]["n"])
        except (IndexError, KeyError, ValueError) as error:
            raise LoadError(f"counting <{graph}>: unexpected answer {rows!r}") from error

    def graphs_with_prefix(self, prefix: str) -> list[str]:
        rows = self.select(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                           f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }}', "looking for leftover temporary graphs")
        return sorted(row["g"] for row in rows if "g" in row)

    # -- Graph Store Protocol

    def gsp_send(self, graph: str, body: str, replace: bool, what: str) -> None:
        """PUT replaces the graph, POST adds to it (SPARQL 1.1 Graph Store HTTP Protocol)."""
        assert self.graph_store_url is not None
        self.request("PUT" if replace else "POST", self.graph_store_url, what,
                     params={"graph": graph}, content=body.encode("utf-8"),
                     headers={"Content-Type": f"{NTRIPLES}; charset=utf-8"})


def _permanent(response: httpx.Response) -> bool:
    return response.status_code == 500 and bool(_PERMANENT_500.search(response.text[:2000]))


def _gist(text: str) -> str:
    """The first meaningful line of an error page, for a one-line message."""
    text = re.sub(r"<[^>]+>", " ", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (" ".join(lines[:3]) or "(empty body)")[:300]


def _results_json(response: httpx.Response, url: str) -> dict:
    kind = response.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    try:
        data = json.loads(response.text)
    except ValueError:
        raise LoadError(f"{url} is not a SPARQL endpoint: it answered {kind}, not SPARQL results") from None
    if not isinstance(data, dict) or ("boolean" not in data and "results" not in data):
        raise LoadError(f"{url} is not a SPARQL endpoint: it answered JSON that is not SPARQL results")
    return data


# --------------------------------------------------------------------------- the load


@dataclass(frozen=True)
class Progress:
    """Where a load is, for a progress line or a test that wants to act mid-load."""

    graph: str
    graph_index: int
    graph_total: int
    triples_sent: int
    triples_total: int
    bytes_sent: int


@dataclass(frozen=True)
class GraphCount:
    graph: str
    expected: int
    found: int | None

    @property
    def ok(self) -> bool:
        return self.found == self.expected


@dataclass
class LoadReport:
    counts: list[GraphCount]
    method: str
    triples_sent: int = 0
    bytes_sent: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.counts)

    def table(self) -> str:
        """graph / expected / found / status, one row per graph, aligned."""
        rows = [("graph", "expected", "found", "status")]
        rows += [(c.graph, str(c.expected), "-" if c.found is None else str(c.found), "ok" if c.ok else "MISMATCH")
                 for c in self.counts]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}" for r in rows]
        total = sum(c.expected for c in self.counts)
        lines.append(f"{len(self.counts)} graphs, {total} triples, {self.bytes_sent} bytes sent by {self.method} "
                     f"in {self.seconds:.1f} s")
        return "\n".join(lines)


@dataclass(frozen=True)
class Target:
    """Where to load: the SPARQL endpoints and, optionally, a Graph Store endpoint."""

    endpoint: str
    update_endpoint: str | None = None
    graph_store: str | None = None

    @property
    def query_url(self) -> str:
        return self.endpoint

    @property
    def update_url(self) -> str:
        """The update URL; for an endpoint ending in /query (Oxigraph, Fuseki) its sibling /update."""
        if self.update_endpoint:
            return self.update_endpoint
        if self.endpoint.rstrip("/").endswith("/query"):
            return self.endpoint.rstrip("/")[: -len("query")] + "update"
        return self.endpoint


def choose_method(method: Method, target: Target) -> Literal["gsp", "update"]:
    """GSP when a Graph Store URL is known (it streams and needs no SPARQL text), else Update."""
    if method == "gsp" and not target.graph_store:
        raise ClusterlodError("--method gsp needs --graph-store URL")
    if method == "auto":
        return "gsp" if target.graph_store else "update"
    return method


def temporary_graph() -> str:
    return f"{TMP_PREFIX}{uuid.uuid4()}"


def load(source: Path | Dataset, target: Target, *, graph: str | None = None, method: Method = "auto",
         user: str | None = None, password: str | None = None, auth: AuthScheme = "auto",
         chunk_triples: int | None = None, chunk_bytes: int | None = None,
         timeout: float = 60.0, retries: int = 4, backoff: float = 0.5,
         progress: Callable[[Progress], None] | None = None,
         notice: Callable[[str], None] | None = None) -> LoadReport:
    """Load the dataset and return the per-graph counts found on the server afterwards.

    Raises LoadError when the load did not complete (targets untouched). A completed load whose
    counts differ is reported, not raised: the caller decides (the CLI exits non-zero).
    """
    started = time.monotonic()
    dataset = source if isinstance(source, Dataset) else read_dataset(Path(source), graph)
    chosen = choose_method(method, target)
    say = notice or (lambda message: None)
    with Client(target.query_url, target.update_url, target.graph_store, make_auth(user, password, auth),
                timeout=timeout, retries=retries, backoff=backoff) as client:
        client.check_query()
        client.update(f"DROP SILENT GRAPH <{TMP_PREFIX}probe>", "checking the update endpoint")
        for leftover in client.graphs_with_prefix(TMP_PREFIX):
            say(f"dropping <{leftover}>, left by an earlier load that did not finish")
            client.update(f"DROP SILENT GRAPH <{leftover}>", "dropping a leftover temporary graph")
        loader = _Loader(client, dataset, chosen, chunk_triples, chunk_bytes, progress, say)
        loader.upload_all()
        report = LoadReport([], loader.method, loader.triples_sent, loader.bytes_sent)
        report.counts = [GraphCount(name, len(triples), client.count(name))
                         for name, triples in dataset.graphs.items()]
    report.seconds = time.monotonic() - started
    return report


@dataclass
class _Loader:
    """Uploads every graph to a temporary graph, checks it, then swaps them all in at once."""

    client: Client
    dataset: Dataset
    method: str
    chunk_triples: int | None
    chunk_bytes: int | None
    progress: Callable[[Progress], None] | None
    say: Callable[[str], None]
    triples_sent: int = 0
    bytes_sent: int = 0

    def upload_all(self) -> dict[str, str]:
        temporaries: dict[str, str] = {}
        try:
            for index, (name, triples) in enumerate(self.dataset.graphs.items(), start=1):
                temporaries[name] = temporary_graph()
                self._upload(name, temporaries[name], triples, index)
                found = self.client.count(temporaries[name])
                if found != len(triples):
                    raise LoadError(f"<{name}>: the server holds {found} of the {len(triples)} triples sent; "
                                    "nothing was replaced")
            swap = " ;\n".join(f"MOVE <{tmp}> TO <{name}>" for name, tmp in temporaries.items())
            self.client.update(swap, "swapping the new graphs in")
        except BaseException:
            self._drop(temporaries.values())
            raise
        return temporaries

    def _upload(self, name: str, tmp: str, triples: list[ox.Triple], index: int) -> None:
        sent = 0
        for number, chunk in enumerate(chunks(triples, *self._bounds()), start=1):
            what = f"sending <{name}> ({sent + chunk.triples}/{len(triples)} triples)"
            if self.method == "gsp":
                try:
                    self.client.gsp_send(tmp, chunk.text, replace=number == 1, what=what)
                except Unsupported as error:
                    if number != 1:
                        raise
                    self.say(f"the Graph Store endpoint does not take PUT ({error}); using SPARQL Update instead")
                    self.method = "update"
                    self._upload(name, tmp, triples, index)
                    return
            else:
                self.client.update(insert_text(tmp, chunk), what)
            sent += chunk.triples
            self.triples_sent += chunk.triples
            self.bytes_sent += chunk.size
            if self.progress:
                self.progress(Progress(name, index, len(self.dataset.graphs), sent, len(triples), self.bytes_sent))

    def _bounds(self) -> tuple[int, int]:
        default_triples, default_bytes = DEFAULT_CHUNKS[self.method]
        return self.chunk_triples or default_triples, self.chunk_bytes or default_bytes

    def _drop(self, graphs: Iterable[str]) -> None:
        """Best effort: a server that is down keeps them until the next load sweeps them."""
        for tmp in graphs:
            try:
                self.client.http.post(self.client.update_url, data={"update": f"DROP SILENT GRAPH <{tmp}>"},
                                      timeout=min(self.client.timeout, 10.0))
            except httpx.HTTPError:
                self.say(f"could not drop <{tmp}>; the next load will")


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.1f} kB"


def progress_printer(stream=sys.stderr) -> Callable[[Progress], None]:
    """A progress line on stderr, rewritten in place on a terminal, one per graph otherwise."""
    tty = stream.isatty()

    def show(p: Progress) -> None:
        line = (f"[{p.graph_index}/{p.graph_total}] <{p.graph}> {p.triples_sent}/{p.triples_total} triples, "
                f"{_size(p.bytes_sent)} sent")
        if tty:
            stream.write("\r\x1b[K" + line + ("\n" if p.triples_sent == p.triples_total else ""))
        elif p.triples_sent == p.triples_total:
            stream.write(line + "\n")
        stream.flush()

    return show
