"""Shared fixtures: the project folder, one real build of it, and the store fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from stores import *  # noqa: F403 - the real servers: oxigraph_server, virtuoso_server, ...

from clusterlod.build import Publication, assemble, build

ROOT = Path(__file__).resolve().parents[1]

#: Fixtures that start or install a system outside Python (Debian packages, a browser): a test
#: that uses any of them, even indirectly, is marked ``external`` and left out of the inner loop
#: ``pytest -m "not external"``. The README's test command still runs everything.
EXTERNAL_FIXTURES = frozenset({"virtuoso_server", "virtuoso_instance", "virtuoso", "nginx", "browser_page",
                               "fresh_venv", "plain_install", "apache",
                               "jena", "jena_classpath"})
#: Test modules that are external as a whole (the benchmark runs every stage at several sizes).
EXTERNAL_MODULES = frozenset({"test_bench.py"})
#: The inner loop's pytest arguments, as README.md and docs/development.md give them (tests/test_tiers.py):
#: one xdist worker per core (each worker builds the session fixtures once, so more workers cost CPU the
#: two cores do not have), each module on one worker so its module-scoped servers start once.
INNER_LOOP = '-n auto --dist loadscope -m "not external and not slow"'
#: Tests that need nothing outside Python but cost seconds each, with what the inner loop keeps
#: instead. They are marked ``slow`` and left out of the inner loop; the README's test command runs
#: them (docs/development.md#tests).
SLOW_TESTS = {
    "test_diff.py::test_a_build_may_replace_the_release_it_follows": "a whole build in process, over its previous "
                                                                    "release; the inner loop keeps build --previous "
                                                                    "through the changed_dist fixture",
    "test_failures.py::test_every_other_failure_has_its_code_and_its_line":
        "the installed command once per documented failure beyond the first of each code; the inner loop runs "
        "the same command lines in process (test_every_other_failure_in_process)",
    "test_diff.py::test_a_poison_previous_release_stops_the_build":
        "a build stopped by a poison previous release; the inner loop keeps the same budget on `diff` in process",
    "test_atomic.py::test_the_installed_command_never_deletes_a_project":
        "the installed command in a fresh copy of the project, once per refused output folder; the inner loop "
        "keeps each refusal in process (test_a_folder_it_did_not_write_is_never_replaced)",
    "test_signposting.py": "a real `clusterlod serve` read over HTTP by the signposting package (about 15 s)",
    "test_data_versions.py::test_a_label_fix_is_a_new_data_version_without_code":
        "three real builds and an archive of a project copy through the installed command (about 5 s)",
    "test_shacl.py::test_same_violations_on_each_bad_record":
        "pySHACL, the reference engine, on each faulty record; the inner loop keeps every fault at once",
    "test_alignments.py": "the OWL-RL closure of the release with the aligned vocabularies",
    "test_load.py::test_loads_started_together_never_overlap": "two real loads racing on an Oxigraph server",
    "test_serve_smoke.py::test_many_host_headers_leave_memory_flat": "thousands of requests to a real server",
    "test_serve_reload.py": "a real server switched between two real builds 20 times under four clients (about "
                            "30 s); the inner loop keeps test_operations' reloads in process: a refused release, "
                            "a request under way keeping its release",
    "test_remote_hardening.py": "hostile endpoints on loopback against the installed command under a memory cap, "
                                "each waiting out a timeout; the inner loop keeps test_remote.py's client tests",
    "test_serve_storm.py": "issue 29's attacks on a real `clusterlod serve`: 5,000 SIGHUPs, a killed server, "
                           "refused heads, 30 big HTML tables (a minute or more); the inner loop keeps their rules "
                           "in process (test_serve_refusals.py)",
    "test_serve_attacks.py": "attacks on a real `clusterlod serve` over sockets, one server for the module and "
                             "one per fairness run; the inner loop keeps the limits in process "
                             "(test_serve_hardening.py, test_limits.py) and the linear lexer (test_sparql_text.py)",
    "test_serve.py::test_every_iri_answers_in_html_and_four_syntaxes":
        "every IRI of the release in HTML and four syntaxes; the inner loop keeps the negotiation matrix",
    "test_serve_smoke.py::test_a_body_that_trickles_in_is_cut_off": "waits out a real server's body timeout",
    "test_serve_smoke.py::test_idle_and_slow_connections_are_closed": "waits out a real server's idle timeouts",
    "test_operations.py::test_a_sighup_during_a_reload_is_not_lost":
        "two reloads racing; the inner loop keeps a refused reload and a request under way",
    "test_reconcile.py::test_openrefine_batch_replayed_against_a_real_server":
        "a real `clusterlod serve` over a socket; the inner loop replays the same OpenRefine batch in process",
    "test_reconcile.py::test_each_release_answers_from_its_own_index":
        "a second build and a reload; the inner loop keeps test_operations' reloads",
    "test_reconcile.py::test_a_100_kb_name_costs_what_its_first_characters_do":
        "a second app with a raised body limit; the inner loop keeps the batch, candidate and body limits",
    "test_load.py::test_a_reader_sees_the_old_or_the_new_totals_never_a_mixture":
        "readers racing a load on an Oxigraph server; the inner loop keeps the interrupted and killed loads",
}


def _needs_virtuoso(item: pytest.Item) -> bool:
    """A test parametrised by store name picks Virtuoso at run time (``request.getfixturevalue``)."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(isinstance(value, str) and value.startswith("virtuoso") for value in params.values())


def _is_slow(item: pytest.Item) -> bool:
    function = getattr(item, "originalname", item.name)
    return item.path.name in SLOW_TESTS or f"{item.path.name}::{function}" in SLOW_TESTS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if (EXTERNAL_FIXTURES.intersection(getattr(item, "fixturenames", ())) or item.path.name in EXTERNAL_MODULES
                or _needs_virtuoso(item)):
            item.add_marker(pytest.mark.external)
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def publication() -> Publication:
    """The graph of the real data, in memory, before publication."""
    return assemble(ROOT)


@pytest.fixture(scope="session")
def built_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real ``clusterlod build`` of the project's data, shared by the tests that only read it."""
    out = tmp_path_factory.mktemp("release") / "dist"
    build(ROOT, out)
    return out


@pytest.fixture(scope="session")
def dist_store(built_dist: Path) -> ox.Store:
    """An embedded store holding the built dataset's named graphs."""
    store = ox.Store()
    store.load(path=str(built_dist / "clusterlod.nq"), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A writable copy of the project's sources, for tests that break them on purpose."""
    copy = tmp_path / "project"
    for name in ("data", "ontology", "shapes", "queries"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, copy / name)
    return copy
