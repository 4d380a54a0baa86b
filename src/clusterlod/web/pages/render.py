"""HTML pages: resource pages, the index, search, the query editor and the 404 page.

Rendered with Jinja2 from the package's templates. The same renderer makes the
server's pages (root ``/``) and the static site's (relative roots), so both
publish identical pages apart from how a canned query runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import jinja2
import pyoxigraph as ox
from markupsafe import Markup

from clusterlod import formats
from clusterlod.japan import fiscal_year_both
from clusterlod.namespaces import RDF_TYPE, STANDARD_PREFIXES
from clusterlod.release import schemaorg
from clusterlod.release.citation import citation
from clusterlod.release.files import TABLE_FOLDER
from clusterlod.release.licence import LICENCES
from clusterlod.release.tablespecs import tables
from clusterlod.release.versions import FileRow, Version, next_of
from clusterlod.web.http import signposting
from clusterlod.web.http.negotiation import DATA_VARIANTS, LANGUAGES
from clusterlod.web.pages import charts, japan_map
from clusterlod.web.pages.canned import CannedQuery
from clusterlod.web.pages.i18n import UI
from clusterlod.web.pages.views import Value, Viewer, heading
from clusterlod.web.release.paths import DOWNLOAD
from clusterlod.web.release.served import Release

DCTERMS, VOID, DCAT = STANDARD_PREFIXES["dcterms"], STANDARD_PREFIXES["void"], STANDARD_PREFIXES["dcat"]
#: The canned query the query editor opens with.
START_QUERY = "totals-by-region"
KIND_QUERY = """SELECT ?s ?t WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), "{prefix}")) }}"""
CHART_QUERY = """
PREFIX clo: <{vocab}>
SELECT ?project ?companies ?universities ?region WHERE {{
  ?project a clo:Cluster .
  OPTIONAL {{ ?project clo:companyCount/clo:value ?companies }}
  OPTIONAL {{ ?project clo:universityCount/clo:value ?universities }}
  OPTIONAL {{ ?project clo:region ?region }}
}}"""
TIMELINE_QUERY = """
PREFIX clo: <{vocab}>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?event ?start ?end ?fy ?status WHERE {{
  {{ ?event a clo:Event }} UNION {{ ?event a clo:EventSeries }}
  OPTIONAL {{ ?event clo:startDate ?start }}
  OPTIONAL {{ ?event clo:endDate ?end }}
  OPTIONAL {{ ?event clo:fiscalYear/time:hasBeginning/time:inXSDDate ?fy }}
  OPTIONAL {{ ?event clo:status ?status }}
}}"""


@dataclass
class Event:
    when: str
    datetime: str
    sort: tuple
    value: Value
    status: Value | None


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def script_json(data: bytes) -> Markup:
    """JSON for a ``<script>`` element: ``</`` and ``<!--`` cannot end or confuse it."""
    text = data.decode("utf-8").replace("</", "<\\/").replace("<!--", "<\\!--")
    return Markup(text)


class Renderer:
    """Renders every kind of page; ``static`` switches query links to precomputed results."""

    def __init__(self, release: Release, queries: list[CannedQuery], static: bool = False):
        self.release, self.queries, self.static = release, queries, static
        self.env = jinja2.Environment(loader=jinja2.PackageLoader("clusterlod.web.pages", "templates"),
                                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
        self.dataset = release.ns.dataset

    # ------------------------------------------------------------ shared
    def _literal(self, subject: str, predicate: str, lang: str) -> str:
        values = {}
        store = self.release.catalog.store
        for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None, None):
            values[getattr(q.object, "language", None) or ""] = q.object.value
        return values.get(lang) or values.get("") or next(iter(values.values()), "")

    def common(self, lang: str, root: str, path: str, **extra: Any) -> dict[str, Any]:
        """Context for the layout: language switch, links, attribution and licence."""
        switch = []
        for other in LANGUAGES:
            target = path.replace(f".{lang}.html", f".{other}.html") if f".{lang}.html" in path else path
            switch.append((other, f"{root}{target}?lang={other}", other == lang))
        return {
            "lang": lang, "root": root, "t": {k: v[lang] for k, v in UI.items()}, "switch": switch,
            "attribution": self._literal(self.dataset, DCTERMS + "bibliographicCitation", lang),
            # The credit line of 公共データ利用規約 (出典・加工), as the catalogue gives it (cc:attributionText).
            "credit": self._literal(self.dataset, STANDARD_PREFIXES["cc"] + "attributionText", lang),
            "licence": self._literal(self.dataset, DCTERMS + "license", lang)
            or "https://creativecommons.org/licenses/by/4.0/",
            "static": self.static, "alternates": [], "jsonld": None, "robots": None,
            # Every page says which version of the data it shows, and leads to the others.
            "data_version": self._literal(self.dataset, DCAT + "version", lang), **extra,
        }

    def render(self, template: str, context: dict[str, Any]) -> bytes:
        return self.env.get_template(template).render(**context).encode("utf-8")

    # ------------------------------------------------------------ resource pages
    def resource(self, iri: str, lang: str, root: str) -> bytes:
        release = self.release
        viewer = Viewer(release, lang, root)
        view = viewer.view(iri)
        if iri == self.dataset:
            return self.dataset_page(view, lang, root)
        if iri == release.ns.ontology:
            view.terms = viewer.ontology_terms()
        alternates = [(v.syntax.name, v.media_type, release.layout.document_href(iri, v.extension, root))
                      for v in DATA_VARIANTS]
        path = release.layout.document_href(iri, "html", "", lang)
        region = release.ns.term("Region")
        shown = self.japan_map(lang, root, highlight=iri) if any(t.iri == region for t in view.types) else None
        context = self.common(lang, root, path, view=view, alternates=alternates, japan_map=shown,
                              jsonld=script_json(release.document(iri, formats.JSON_LD)),
                              title=view.title)
        return self.render("resource.html", context)

    # ------------------------------------------------------------ the dataset: its page, versions, JSON-LD
    def signposts(self) -> list[signposting.Link]:
        """The landing page's FAIR signposts, for the HTML head (the server sends them as headers too)."""
        return signposting.landing_links(self.release.catalog.store, self.release.ns.base)

    def schema_dataset(self) -> Markup:
        """The landing page's schema:Dataset (release.schemaorg), as JSON for a script element."""
        release = self.release
        source = self._literal(self.dataset, DCTERMS + "source", "")
        data = schemaorg.dataset(release.catalog.store, release.ns, release.versions, release.labels(source))
        return script_json(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))

    def _file_rows(self, files: list[FileRow], href: Callable[[str], str], lang: str) -> list[dict[str, Any]]:
        return [{"name": f.name, "title": f.title.get(lang) or f.title.get("") or f.name, "href": href(f.name),
                 "format": f.format_name, "media_type": f.media_type, "size": human_size(f.size), "bytes": f.size,
                 "sha256": f.sha256} for f in files]

    def version_href(self, version: str, lang: str, root: str) -> str:
        return f"{root}dataset/version/{version}.{lang}.html"

    def version_file_href(self, version: Version, name: str, root: str) -> str:
        if version.current and version.archive is None:
            return f"{root}{DOWNLOAD}{name}"
        return f"{root}dataset/version/{version.version}/{DOWNLOAD}{name}"

    def dataset_parts(self, lang: str, root: str) -> dict[str, Any]:
        """What the landing page and the dataset page show of the dataset, in one language."""
        release, store = self.release, self.release.catalog.store
        record = schemaorg.record_of(store, self.dataset)
        licence_iri = self._literal(self.dataset, DCTERMS + "license", "")
        licence = LICENCES.get(licence_iri)
        viewer = Viewer(release, lang, root)
        source = self._literal(self.dataset, DCTERMS + "source", "")
        period = self._literal(self.dataset, DCTERMS + "temporal", "")
        spatial = self._literal(self.dataset, DCTERMS + "spatial", "")
        current = next((v for v in release.versions if v.current), None)
        files = self._file_rows(current.files, lambda name: f"{root}{DOWNLOAD}{name}", lang) if current else []
        titles = {lang: record["title"].get(lang, "")}
        other = next((t for k, t in record["title"].items() if k != lang), "")
        return {
            "iri": self.dataset, "title": titles[lang], "other_title": other,
            "description": self._literal(self.dataset, DCTERMS + "description", lang),
            "version": record["version"], "modified": record["modified"], "issued": record["issued"],
            "creator": record["creator"].get(lang) or record["creator"].get("en", ""),
            "triples": self._literal(self.dataset, VOID + "triples", lang),
            "licence_iri": licence_iri, "licence_name": (licence.name_ja if lang == "ja" else licence.name_en)
            if licence else licence_iri,
            "source": viewer.node(source) if source else None,
            "spatial": viewer.node(spatial).text if spatial else "",
            "temporal": "–".join(filter(None, (self._literal(period, DCAT + "startDate", ""),
                                               self._literal(period, DCAT + "endDate", "")))),
            "citation": citation(record, self.dataset, lang) if record["version"] and record["creator"] else "",
            "files": files,
            "versions": [{"version": v.version, "date": v.date, "current": v.current,
                          "href": self.version_href(v.version, lang, root), "notes": v.notes.get(lang, "")}
                         for v in release.versions],
            "search_href": f"{root}search.{lang}.html", "sparql_iri": release.ns.base + "sparql",
            "catalog_href": f"{root}{DOWNLOAD}{formats.CATALOG_FILE}",
        }

    def dataset_page(self, view: Any, lang: str, root: str) -> bytes:
        """The dataset's own page: for people first; the catalogue's every field folded away, labelled."""
        release = self.release
        alternates = [(v.syntax.name, v.media_type, release.layout.document_href(self.dataset, v.extension, root))
                      for v in DATA_VARIANTS]
        path = release.layout.document_href(self.dataset, "html", "", lang)
        parts = self.dataset_parts(lang, root)
        context = self.common(lang, root, path, view=view, alternates=alternates, ds=parts, signposts=self.signposts(),
                              kinds=self.kinds(lang, root), jsonld=self.schema_dataset(), title=parts["title"])
        return self.render("dataset.html", context)

    def version_page(self, version: str, lang: str, root: str) -> bytes | None:
        """The page of one version (``<dataset>/version/<X>``): its date, files, notes, the other versions."""
        versions = self.release.versions
        chosen = next((v for v in versions if v.version == version), None)
        if chosen is None:
            return None
        current = next((v for v in versions if v.current), versions[0])

        def summary(v: Version) -> dict[str, Any]:
            return {"version": v.version, "date": v.date, "current": v.current, "iri": v.iri,
                    "href": self.version_href(v.version, lang, root), "notes": v.notes.get(lang, "")}

        shown = summary(chosen)
        shown["files"] = self._file_rows(chosen.files, lambda name: self.version_file_href(chosen, name, root), lang)
        shown["catalog_href"] = self.version_file_href(chosen, formats.CATALOG_FILE, root)
        shown["readme_href"] = self.version_file_href(chosen, "README.md", root)
        following = next_of(versions, version)
        title = f"{self._literal(self.dataset, DCTERMS + 'title', lang)} — {UI['version'][lang]} {version}"
        context = self.common(lang, root, f"dataset/version/{version}.{lang}.html", title=title, v=shown,
                              current=summary(current), next=summary(following) if following else None,
                              data_version=version,
                              versions=[summary(v) for v in versions], robots=None)
        return self.render("version.html", context)

    # ------------------------------------------------------------ index
    def query_href(self, query: CannedQuery, lang: str, root: str) -> str:
        if self.static:
            return f"{root}queries/{query.name}.{lang}.html"
        return f"{root}sparql?query={quote(query.text)}"

    def index(self, lang: str, root: str) -> bytes:
        release, viewer = self.release, Viewer(self.release, lang, root)
        graphs, linksets = [], []
        catalog = release.catalog.store
        for q in catalog.quads_for_pattern(ox.NamedNode(self.dataset), ox.NamedNode(VOID + "subset"), None, None):
            triples = self._literal(q.object.value, VOID + "triples", lang)
            is_linkset = any(catalog.quads_for_pattern(q.object, ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID + "Linkset"),
                                                       None))
            (linksets if is_linkset else graphs).append((viewer.node(q.object.value), triples))
        graphs.sort(key=lambda g: g[0].iri)
        linksets.sort(key=lambda g: g[0].iri)
        context = self.common(
            lang, root, f"index.{lang}.html",
            title=self._literal(self.dataset, DCTERMS + "title", lang),
            description=self._literal(self.dataset, DCTERMS + "description", lang),
            version=self._literal(self.dataset, DCAT + "version", lang),
            issued=self._literal(self.dataset, DCTERMS + "issued", lang),
            triples=self._literal(self.dataset, VOID + "triples", lang),
            graphs=graphs, linksets=linksets, ds=self.dataset_parts(lang, root), tables=self.tables(lang, root),
            queries=[(q.title(lang), self.query_href(q, lang, root), q.name) for q in self.queries],
            charts=self.charts(lang, root), timeline=self.timeline(lang, root), kinds=self.kinds(lang, root),
            japan_map=self.japan_map(lang, root),
            dataset=viewer.node(self.dataset), ontology=viewer.node(release.ns.ontology),
            alternates=[(v.syntax.name, v.media_type, release.layout.document_href(self.dataset, v.extension, root))
                        for v in DATA_VARIANTS],
            jsonld=self.schema_dataset(), signposts=self.signposts())
        return self.render("index.html", context)

    def tables(self, lang: str, root: str) -> list[tuple[str, str, str]]:
        """The CSV tables of the release (dist/csv/, as the catalogue lists them): title, link, file name;
        in the order of release.tablespecs, the CSVW metadata last."""
        order = [t.file for t in tables(self.release.ns)] + [formats.CSVW_METADATA_FILE]
        rows = []
        folder = f"{self.release.ns.base}{DOWNLOAD}{TABLE_FOLDER}/"
        store = self.release.catalog.store
        for q in store.quads_for_pattern(ox.NamedNode(self.dataset), ox.NamedNode(DCAT + "distribution"), None, None):
            node = q.object.value
            if node.startswith(folder):
                name = node.removeprefix(folder)
                rank = order.index(name) if name in order else len(order)
                rows.append((rank, self._literal(node, DCTERMS + "title", lang),
                             self.release.layout.page_href(node, "", root), name))
        return [row[1:] for row in sorted(rows)]

    def charts(self, lang: str, root: str) -> list[tuple[str, Markup]]:
        release, viewer = self.release, Viewer(self.release, lang, root)
        rows = release.data.select(CHART_QUERY.format(vocab=release.ns.vocab))
        series = (UI["companies"][lang], UI["universities"][lang])
        projects, regions = [], {}
        for row in rows:
            values = (float(row["companies"].value) if "companies" in row else 0.0,
                      float(row["universities"].value) if "universities" in row else 0.0)
            node = viewer.node(row["project"].value)
            projects.append(charts.Bar(node.text, node.href, values))
            if "region" in row:
                region = row["region"].value
                old = regions.get(region, (0.0, 0.0))
                regions[region] = (old[0] + values[0], old[1] + values[1])
        projects.sort(key=lambda b: (-b.values[0], b.label))
        region_bars = [charts.Bar(viewer.node(r).text, viewer.node(r).href, v) for r, v in regions.items()]
        region_bars.sort(key=lambda b: (-b.values[0], b.label))
        note = UI["scale_max"][lang]
        return [(UI["chart_projects"][lang],
                 Markup(charts.bar_chart(projects, series, UI["chart_projects"][lang], scale_note=note))),
                (UI["chart_regions"][lang],
                 Markup(charts.bar_chart(region_bars, series, UI["chart_regions"][lang], scale_note=note)))]

    def japan_map(self, lang: str, root: str, highlight: str | None = None) -> japan_map.JapanMap:
        """The map of the regions (their prefectures and projects), with ``highlight`` drawn stronger."""
        drawn = japan_map.japan_map(self.release, lang, root, UI["map_title"][lang], highlight)
        drawn.svg = Markup(drawn.svg)
        return drawn

    def timeline(self, lang: str, root: str) -> list[Event]:
        """Events by start date; a fiscal year sorts at its April; undated events last."""
        release, viewer = self.release, Viewer(self.release, lang, root)
        events: dict[str, Event] = {}
        for row in release.data.select(TIMELINE_QUERY.format(vocab=release.ns.vocab)):
            iri = row["event"].value
            if iri in events:
                continue
            status = viewer.node(row["status"].value) if "status" in row else None
            if "start" in row:
                start = row["start"].value
                parts = [int(x) for x in start.split("-")]
                sort = (0, *parts, *[0] * (3 - len(parts)))
                when = self._date(start, lang)
                if "end" in row:
                    when += " – " + self._date(row["end"].value, lang)
                stamp = start
            elif "fy" in row:
                year = int(row["fy"].value[:4])
                sort = (0, year, 4, 0)
                when = fiscal_year_both(year, lang)  # 和暦 beside 西暦, as the page prints 平成N年度
                stamp = str(year)
            else:
                sort, when, stamp = (1, 9999, 0, 0), UI["undated"][lang], ""
            events[iri] = Event(when, stamp, sort, viewer.node(iri), status)
        return sorted(events.values(), key=lambda e: (e.sort, e.value.text))

    @staticmethod
    def _date(value: str, lang: str) -> str:
        parts = [int(x) for x in value.split("-")]
        if lang == "ja":
            return "".join(f"{n}{u}" for n, u in zip(parts, ("年", "月", "日"), strict=False))
        if len(parts) == 3:
            return date(*parts).strftime("%-d %B %Y")
        if len(parts) == 2:
            return date(parts[0], parts[1], 1).strftime("%B %Y")
        return str(parts[0])

    def kinds(self, lang: str, root: str) -> list[tuple[str, int, str]]:
        """Resource kinds with counts, named by their class's label, each a link to the list of them."""
        counts: dict[str, int] = {}
        types: dict[str, dict[str, int]] = {}
        for row in self.release.data.select(KIND_QUERY.format(prefix=self.release.ns.base + "id/")):
            kind = self.release.kind(row["s"].value)
            by_type = types.setdefault(kind, {})
            by_type[row["t"].value] = by_type.get(row["t"].value, 0) + 1
        for iri in self.release.resources:
            kind = self.release.kind(iri)
            if kind:
                counts[kind] = counts.get(kind, 0) + 1
        named = []
        for kind, n in counts.items():
            common = max(types.get(kind, {}).items(), key=lambda item: (item[1], item[0]), default=None)
            # The class's label, or the interface's for a standard class (time:ProperInterval): never a slug.
            label = Viewer(self.release, lang, root).term_label(common[0]) if common else kind
            named.append((heading(label), n, f"{root}search.{lang}.html?kind={kind}"))
        return sorted(named, key=lambda k: k[0].casefold())

    # ------------------------------------------------------------ search, 404, editor
    def search(self, lang: str, root: str, query: str | None, status_all: bool, kind: str = "") -> bytes:
        viewer = Viewer(self.release, lang, root)
        entries = self.release.search_entries_cached() if status_all else self.release.search(query or "")
        if kind:
            entries = [e for e in entries if self.release.kind(e.iri) == kind]
        results = [(viewer.node(e.iri), e.ja if lang == "en" else e.en, e.key, self.release.curie(e.iri),
                    self.release.kind(e.iri)) for e in entries]
        context = self.common(lang, root, f"search.{lang}.html", title=UI["search"][lang], q=query or "",
                              results=results, listing=status_all, robots="noindex")
        return self.render("search.html", context)

    def search_page(self, lang: str, root: str, found: Any, params: dict[str, str], lookup: Any) -> bytes:
        """The server's search: ranked results with the quote that matched, and every facet as links
        (web/lookup/search.py); no script. The static site keeps :meth:`search`, a list filtered in the browser."""
        from clusterlod.web.lookup.routes import ORIGIN_WORDS, facet_href

        viewer = Viewer(self.release, lang, root)
        path = f"{root}search.{lang}.html"
        other = "en" if lang == "ja" else "ja"
        results = [(viewer.node(hit.entry.iri), hit.entry.labels.get(other, ""), hit, self.release.kind(hit.entry.iri))
                   for hit in found.hits]
        facets = []
        for facet, values in found.facets.items():
            chosen = found.filters.get(facet)
            links = [(lookup.searcher.facet_label(facet, value, lang, ORIGIN_WORDS), count,
                      facet_href(path, params, facet, value), value == chosen) for value, count in values]
            if links:
                facets.append((UI[f"facet_{facet}"][lang], links, facet_href(path, params, facet, None) if chosen
                               else None))
        context = self.common(lang, root, f"search.{lang}.html", title=UI["search"][lang], q=found.query,
                              results=results, found=found, facets=facets, listing=False, served=True,
                              count=UI["search_count"][lang].format(total=found.total),
                              shown=UI["search_shown"][lang].format(shown=len(found.hits))
                              if found.total > len(found.hits) else "", robots="noindex")
        return self.render("search.html", context)

    def not_found(self, lang: str, root: str, guess: str) -> bytes:
        context = self.common(lang, root, f"index.{lang}.html", title=UI["not_found"][lang], q=guess,
                              robots="noindex")
        return self.render("notfound.html", context)

    def editor(self, lang: str, root: str, query: str, table: dict[str, Any] | None = None,
               error: str | None = None, name: str | None = None, raw: str | None = None) -> bytes:
        if not query and self.queries:
            query = self.start_query().text
        canned = [(q.title(lang), self.query_href(q, lang, root), q.name) for q in self.queries]
        path = f"queries/{name}.{lang}.html" if name else "sparql"
        examples = json.dumps([{"name": q.name, "title": q.title(lang), "text": q.text} for q in self.queries],
                              ensure_ascii=False).encode("utf-8")
        context = self.common(lang, root, path, title=UI["editor"][lang], query=query, table=table, error=error,
                              raw=raw,
                              base=self.release.ns.base, canned_json=script_json(examples),
                              queries=canned, robots="noindex")
        return self.render("sparql.html", context)

    def start_query(self) -> CannedQuery:
        """The query the editor opens with: a table worth seeing (totals per region), else the first SELECT
        without parameters, else the first query; never an ASK with a VALUES line to puzzle over."""
        named = {q.name: q for q in self.queries}
        plain = [q for q in self.queries if not q.is_qc and not q.params and q.form == "SELECT"]
        return named.get(START_QUERY) or (plain or self.queries)[0]

    def labels_json(self, lang: str) -> bytes:
        """IRI -> label of the release's resources, as the server-rendered table shows them;
        the query page's script puts these on YASGUI's links (IRIs that show as themselves are left out)."""
        self.release.prefetch_labels()
        viewer = Viewer(self.release, lang, "/")
        labels = {}
        for iri in sorted(self.release.resources):
            text = viewer.node(iri).text
            if text != iri:
                labels[iri] = text
        return json.dumps(labels, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def results_table(self, data: bytes, lang: str, root: str, max_rows: int | None = None) -> dict[str, Any]:
        """SPARQL JSON results as a table whose IRIs link to their pages: the first ``max_rows`` rows
        (a page of a million cells helps nobody and took seconds and hundreds of MB to draw)."""
        viewer = Viewer(self.release, lang, root)
        parsed = json.loads(data)
        if "boolean" in parsed:
            return {"boolean": parsed["boolean"], "vars": [], "rows": [], "total": 0}
        names = parsed["head"].get("vars", [])
        rows = []
        bindings = parsed["results"]["bindings"]
        for binding in bindings[:max_rows]:
            row = []
            for name in names:
                cell = binding.get(name)
                if cell is None:
                    row.append(None)
                elif cell["type"] == "uri":
                    row.append(viewer.node(cell["value"]))
                else:
                    row.append(Value(cell["value"], lang=cell.get("xml:lang")))
            rows.append(row)
        return {"boolean": None, "vars": names, "rows": rows, "total": len(bindings)}
