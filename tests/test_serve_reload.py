"""A running `clusterlod serve` switches releases on SIGHUP with no failed and no mixed answer.

Two real builds (the project, and a copy with one changed record) are swapped into the
served folder 20 times the way `clusterlod build` swaps (two renames, the folder briefly
absent), each followed by SIGHUP (every fifth by `clusterlod reload --pid-file`), while
client threads ask for pages, data documents, downloads, the catalogue and /sparql. Every
answer must be 200 and agree, in every byte checked, with the one release it names.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from test_operations import COMBINED, release_id

from clusterlod.bench.processes import free_port, start_server, stop
from clusterlod.build import build
from clusterlod.release.atomic import replace_directory

SWAPS = 20
CLIENTS = 4
CLUSTER = "id/cluster/hokkaido-super-cluster"
#: The one change of the second release: Hokkaido's project loses one of its two fields.
CHANGED_FIELD = "id/field/information"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
#: The whole test, swaps and clients, must finish within this (seconds).
BUDGET_S = 50


@dataclass(frozen=True)
class Expected:
    """What one release must answer, computed here from its files, not asked of the server."""

    id: str
    digests: dict[str, str]
    quads: int
    has_field: bool


def expected(dist: Path) -> Expected:
    store = ox.Store()
    store.load(path=str(dist / "clusterlod.nq"), format=ox.RdfFormat.N_QUADS)
    digests = {name: hashlib.sha256((dist / name).read_bytes()).hexdigest()
               for name in ("clusterlod.nq", "catalog.ttl", "clusterlod.ttl")}
    field = ox.NamedNode("https://w3id.org/clusterlod/" + CHANGED_FIELD)
    cluster = ox.NamedNode("https://w3id.org/clusterlod/" + CLUSTER)
    has_field = any(store.quads_for_pattern(cluster, None, field, None))
    return Expected(release_id(dist), digests, len(store), has_field)


@pytest.fixture(scope="module")
def releases(built_dist: Path, project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The project's release and a real build of a copy with one changed record."""
    tmp = tmp_path_factory.mktemp("reload")
    copy = tmp / "project"
    for name in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(project_root / name, copy / name)
    clusters = copy / "data" / "clusters.yaml"
    text = clusters.read_text(encoding="utf-8")
    assert "fields: [information, bio]" in text
    clusters.write_text(text.replace("fields: [information, bio]", "fields: [bio]", 1), encoding="utf-8")
    build(copy, tmp / "dist-b")
    return built_dist, tmp / "dist-b"


def swap_in(source: Path, live: Path) -> None:
    """Replace ``live`` with a copy of ``source`` as `clusterlod build` does: staging folder, two renames."""
    with replace_directory(live) as staging:
        shutil.copytree(source, staging, dirs_exist_ok=True)


class Clients:
    """Threads asking for every kind of answer until stopped; each answer checked against the release it names."""

    def __init__(self, url: str, known: dict[str, Expected]):
        self.url, self.known = url, known
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.failed: list[str] = []
        self.mixed: list[str] = []
        self.by_release: dict[str, int] = {}
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(CLIENTS)]

    def check(self, name: str, response: httpx.Response) -> None:
        release = response.headers.get("x-clusterlod-release", "")
        with self.lock:
            if response.status_code != 200:
                self.failed.append(f"{name}: {response.status_code} {response.text[:120]}")
                return
            if release not in self.known:
                self.mixed.append(f"{name}: names an unknown release {release!r}")
                return
            self.by_release[release] = self.by_release.get(release, 0) + 1
        want = self.known[release]
        body = response.content
        problem = None
        if name in ("nq", "catalog", "ttl"):
            file = {"nq": "clusterlod.nq", "catalog": "catalog.ttl", "ttl": "clusterlod.ttl"}[name]
            if hashlib.sha256(body).hexdigest() != want.digests[file]:
                problem = f"{file} is not the file of release {release}"
            elif response.headers.get("etag") != f'"{want.digests[file]}"':
                problem = f"{file}'s ETag is not its SHA-256 in release {release}"
        elif name == "sparql":
            count = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
            if count != want.quads:
                problem = f"/sparql counted {count} triples, release {release} has {want.quads}"
        elif name in ("page", "document") and (CHANGED_FIELD in response.text) != want.has_field:
            problem = f"the {name} of {CLUSTER} is not the one of release {release}"
        if problem:
            with self.lock:
                self.mixed.append(problem)

    def run(self, number: int) -> None:
        requests = [
            ("nq", "GET", "/download/clusterlod.nq", {}),
            ("catalog", "GET", "/download/catalog.ttl", {}),
            ("sparql", "POST", "/sparql", {"data": {"query": COUNT},
                                           "headers": {"Accept": "application/sparql-results+json"}}),
            ("page", "GET", f"/{CLUSTER}.en.html", {}),
            ("document", "GET", f"/{CLUSTER}.nt", {}),
            ("ttl", "GET", "/download/clusterlod.ttl", {}),
            ("index", "GET", "/", {}),
        ]
        with httpx.Client(base_url=self.url, timeout=30) as client:
            step = number
            while not self.stop.is_set():
                name, method, path, extra = requests[step % len(requests)]
                step += 1
                try:
                    self.check(name, client.request(method, path, **extra))
                except httpx.HTTPError as e:
                    with self.lock:
                        self.failed.append(f"{name}: {type(e).__name__} {e}")


def query_workers(pid: int, deadline: float) -> int:
    """How many query worker processes ``pid`` has once the old ones had time to exit (until ``deadline``)."""
    while True:
        count = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                cmdline = (stat.parent / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == pid and b"spawn_main" in cmdline and fields[0] != "Z":
                count += 1
        if count <= 1 or time.monotonic() > deadline:
            return count
        time.sleep(0.2)


def serving(url: str, release: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if httpx.get(url + "/healthz", timeout=10).json()["release"] == release:
            return True
        time.sleep(0.05)
    return False


def test_twenty_reloads_under_load_give_no_failed_and_no_mixed_answer(releases: tuple[Path, Path], tmp_path: Path,
                                                                      project_root: Path) -> None:
    started = time.monotonic()
    first, second = expected(releases[0]), expected(releases[1])
    assert first.id != second.id and first.quads != second.quads and first.has_field and not second.has_field
    live, pid_file = tmp_path / "dist", tmp_path / "serve.pid"
    swap_in(releases[0], live)
    port = free_port()
    access_log = tmp_path / "access.log"
    process = start_server(live, port, "--query-workers", "1", "--queries", str(project_root / "queries"),
                           "--pid-file", str(pid_file), "--access-log", str(access_log), log=tmp_path / "server.log")
    url = f"http://127.0.0.1:{port}"
    clients = Clients(url, {first.id: first, second.id: second})
    try:
        assert httpx.get(url + "/healthz", timeout=10).json()["release"] == first.id
        for thread in clients.threads:
            thread.start()
        for swap in range(SWAPS):
            source, want = (releases[1], second) if swap % 2 == 0 else (releases[0], first)
            swap_in(source, live)
            if swap % 5 == 4:  # the documented command, the rest by the signal itself
                subprocess.run([sys.executable, "-m", "clusterlod", "reload", "--pid-file", str(pid_file)], check=True)
            else:
                os.kill(process.pid, signal.SIGHUP)
            assert serving(url, want.id, started + BUDGET_S), f"swap {swap + 1} was not served in time"
            time.sleep(0.1)  # a few answers from each release
        clients.stop.set()
        for thread in clients.threads:
            thread.join(30)
        metrics = httpx.get(url + "/metrics", timeout=10).text
        workers = query_workers(process.pid, time.monotonic() + 10)
    finally:
        clients.stop.set()
        stop(process)
    log = (tmp_path / "server.log").read_bytes().decode("utf-8", "replace")
    assert clients.failed == [], f"{len(clients.failed)} failed answers, e.g. {clients.failed[:3]}\n{log[-2000:]}"
    assert clients.mixed == [], f"{len(clients.mixed)} mixed answers, e.g. {clients.mixed[:3]}"
    assert set(clients.by_release) == {first.id, second.id} and min(clients.by_release.values()) > 50
    assert f"clusterlod_release_reloads_total {float(SWAPS)}" in metrics
    assert workers == 1  # the old releases' workers are gone: only the current one's (--query-workers 1) is left
    assert log.count("reload: now serving") == SWAPS and "Traceback" not in log
    lines = access_log.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= sum(clients.by_release.values()) and all(COMBINED.match(line) for line in lines)
    assert not pid_file.exists()  # removed when the server stopped
    assert time.monotonic() - started < BUDGET_S + 10
