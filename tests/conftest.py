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
                               "fresh_venv", "apache"})
#: Test modules that are external as a whole (the benchmark runs every stage at several sizes).
EXTERNAL_MODULES = frozenset({"test_bench.py"})


def _needs_virtuoso(item: pytest.Item) -> bool:
    """A test parametrised by store name picks Virtuoso at run time (``request.getfixturevalue``)."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(isinstance(value, str) and value.startswith("virtuoso") for value in params.values())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if (EXTERNAL_FIXTURES.intersection(getattr(item, "fixturenames", ())) or item.path.name in EXTERNAL_MODULES
                or _needs_virtuoso(item)):
            item.add_marker(pytest.mark.external)


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
