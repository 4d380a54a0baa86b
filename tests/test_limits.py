"""One table of serve's limits feeds the CLI options, the service description and the docs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from inprocess import app_client

from clusterlod.commands.serve import serve
from clusterlod.web.http.limits import LIMITS, Settings, markdown_table

ROOT = Path(__file__).resolve().parents[1]
RDF_VALUE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#value")


def test_every_limit_is_an_option_of_serve_with_its_default() -> None:
    options = {param.name: param for param in serve.params}
    for limit in LIMITS:
        assert limit.name in options, limit.name
        option = options[limit.option.removeprefix("--").replace("-", "_")]
        if limit.derived_from:  # follows other options unless given: the help says the rule
            assert option.default is None and option.show_default == limit.derived_from
        else:
            assert option.default == limit.default
        assert limit.option in options[limit.name].opts
    help_text = CliRunner().invoke(serve, ["--help"], terminal_width=200).output
    assert all(limit.option in help_text for limit in LIMITS)


def test_settings_take_every_limit() -> None:
    settings = Settings(dist=Path("dist"))
    assert all(getattr(settings, limit.name) == limit.default for limit in LIMITS)
    with pytest.raises(TypeError):
        Settings(dist=Path("dist"), workers=3)  # the old name: one spelling only


@pytest.mark.parametrize("max_connections, per_client", [(500, 50), (200, 50), (40, 10), (7, 1), (1, 1)])
def test_the_per_client_default_follows_max_connections(max_connections: int, per_client: int) -> None:
    """Issue 29: with --max-connections 40 the fixed default of 50 let one client take every slot.

    The rule (a quarter, at least 1, at most 50) is the issue's; an explicit value is kept as given.
    """
    settings = Settings(dist=Path("dist"), max_connections=max_connections)
    assert settings.max_client_connections == per_client
    assert settings.max_client_connections < max_connections or max_connections == 1
    assert Settings(dist=Path("dist"), max_connections=40, max_client_connections=40).max_client_connections == 40


def test_docs_show_the_table() -> None:
    docs = (ROOT / "docs" / "serving.md").read_text(encoding="utf-8")
    assert markdown_table() in docs


def test_service_description_publishes_the_running_limits(built_dist: Path) -> None:
    chosen = {"timeout": 3.5, "max_result_bytes": 123_456, "worker_memory_mb": 900}
    with app_client(dist=built_dist, queries=None, **chosen) as client:
        response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = list(ox.parse(response.content, ox.RdfFormat.TURTLE))
    base = "https://w3id.org/clusterlod/sparql"
    values = {t.subject.value.removeprefix(base + "#limit-"): t.object.value for t in graph if t.predicate == RDF_VALUE}
    assert set(values) == {limit.name.replace("_", "-") for limit in LIMITS}
    assert float(values["timeout"]) == 3.5 and values["max-result-bytes"] == "123456"
    assert values["worker-memory-mb"] == "900"
    assert any(t.object.value.endswith("#SPARQL11Query") for t in graph)
