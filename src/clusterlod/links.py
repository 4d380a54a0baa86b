"""Re-check published links against the live target, and propose links for review.

A link is only as good as the day it was verified: Wikidata items are merged,
renamed or deleted. ``check`` asks the target's SPARQL endpoint whether each
linked resource still exists and still carries the name it had when the link
was verified; ``suggest`` looks up candidates by label for entities without a
link and writes them to a review file, never into the data.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from clusterlod import __version__, formats
from clusterlod.errors import ClusterlodError
from clusterlod.namespaces import STANDARD_PREFIXES
from clusterlod.release.linksets import LINK_PREDICATES, LINKSET_FOLDER, Target
from clusterlod.sparql.remote import MAX_ANSWER_BYTES, TIMEOUT, SparqlClient

RDF = STANDARD_PREFIXES["rdf"]
RDFS_LABEL = STANDARD_PREFIXES["rdfs"] + "label"
OWL_ONTOLOGY = STANDARD_PREFIXES["owl"] + "Ontology"
CLO = "ontology/"
USER_AGENT = f"clusterlod/{__version__} (linked-data link checker)"
BATCH = 50
#: Classes whose instances may be linked to other datasets (not quotes, figures or statements).
LINKABLE = ("Cluster", "Program", "Ministry", "Council", "ClusterNetwork", "Country", "UnionOfStates",
            "Person", "Place", "Venue", "Region", "Prefecture", "Event", "EventSeries", "Declaration")


@dataclass
class Link:
    subject: str
    predicate: str
    target: str
    labels: dict[str, set[str]] = field(default_factory=dict)  # what we, and the identifier list, call it


@dataclass(frozen=True)
class Checked:
    link: Link
    status: str  # ok | changed | missing
    remote: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    subject: str
    label_ja: str
    label_en: str
    candidate: str
    candidate_label: str
    score: float
    alternatives: int


def loose_name(label: str) -> str:
    """Compare names loosely: width, case, accents and parenthesised remarks do not count."""
    text = unicodedata.normalize("NFKD", label.split(" (")[0])
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def _store(dist: Path) -> ox.Store:
    path = dist / formats.DATASET_FILE
    if not path.is_file():
        raise ClusterlodError(f"{path}: no built dataset here; run 'clusterlod build' first or pass --dist")
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def _identifier_names(dist: Path) -> dict[int, tuple[str, str]]:
    """Names recorded in the identifier list, by line, as they were when the link was verified."""
    path = dist / "reference" / "identifiers.csv"
    names: dict[int, tuple[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for row in reader:
            names[reader.line_num] = (row[0], row[1])
    return names


def published_links(dist: Path, target: Target) -> list[Link]:
    """The links of ``dist``'s link set for ``target``, with the names to compare."""
    path = dist / LINKSET_FOLDER / f"{target.name}.ttl"
    if not path.is_file():
        raise ClusterlodError(f"{path}: the release has no link set for {target.name}")
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    lines: dict[tuple[str, str, str], int] = {}
    statements: dict[str, dict[str, str]] = {}
    for t in triples:
        statements.setdefault(t.subject.value, {})[t.predicate.value] = t.object.value
    for parts in statements.values():
        if RDF + "subject" in parts:
            line = next((v for k, v in parts.items() if k.endswith("identifierListLine")), None)
            if line:
                lines[(parts[RDF + "subject"], parts[RDF + "predicate"], parts[RDF + "object"])] = int(line)
    names = _identifier_names(dist)
    store = _store(dist)
    links = []
    for t in triples:
        if t.predicate.value not in LINK_PREDICATES or not target.covers(t.object.value):
            continue
        link = Link(t.subject.value, t.predicate.value, t.object.value)
        for row in store.query(f"SELECT ?l WHERE {{ <{t.subject.value}> <{RDFS_LABEL}> ?l }}",
                               use_default_graph_as_union=True):
            link.labels.setdefault(row["l"].language or "", set()).add(row["l"].value)
        line = lines.get((t.subject.value, t.predicate.value, t.object.value))
        if line in names:
            en, ja = names[line]
            link.labels.setdefault("en", set()).add(en)
            link.labels.setdefault("ja", set()).add(ja)
        links.append(link)
    return sorted(links, key=lambda link: (link.subject, link.target))


def select(url: str, query: str, timeout: float = TIMEOUT, max_answer_bytes: int = MAX_ANSWER_BYTES,
           what: str = "checking links") -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """Run a SELECT on a remote endpoint through the one client; any failure is one RemoteError line,
    which says ``what`` was being done."""
    with SparqlClient(url, timeout=timeout, agent=USER_AGENT, max_answer_bytes=max_answer_bytes) as client:
        return client.select(query, what=what)


def _label_values(labels: dict[str, set[str]]) -> dict[str, set[str]]:
    return {lang: {loose_name(v) for v in values} for lang, values in labels.items()}


def check(links: list[Link], url: str, timeout: float = TIMEOUT,
          max_answer_bytes: int = MAX_ANSWER_BYTES) -> list[Checked]:
    """ok: the target exists and one of its ja/en labels is ours; changed: exists, renamed; missing: gone."""
    results = []
    for start in range(0, len(links), BATCH):
        batch = links[start:start + BATCH]
        values = " ".join(f"<{iri}>" for iri in sorted({link.target for link in batch}))
        rows = select(url, f"""
            SELECT ?item ?label WHERE {{
              VALUES ?item {{ {values} }}
              FILTER EXISTS {{ ?item ?p ?o }}
              OPTIONAL {{ ?item <{RDFS_LABEL}> ?label FILTER (lang(?label) IN ("ja", "en")) }}
            }}""", timeout, max_answer_bytes)
        remote: dict[str, set[tuple[str, str]]] = {}
        for row in rows:
            labels = remote.setdefault(row["item"].value, set())
            if isinstance(row.get("label"), ox.Literal):
                labels.add((row["label"].language or "", row["label"].value))
        for link in batch:
            if link.target not in remote:
                results.append(Checked(link, "missing", ()))
                continue
            ours = _label_values(link.labels)
            theirs = remote[link.target]
            same = any(loose_name(value) in ours.get(lang, set()) for lang, value in theirs)
            shown = tuple(sorted(f"{value}@{lang}" for lang, value in theirs))
            results.append(Checked(link, "ok" if same else "changed", shown))
    return results


def unlinked_entities(dist: Path, target: Target) -> list[tuple[str, str, str]]:
    """Entities (subject, ja label, en label) with no link to ``target`` yet."""
    store = _store(dist)
    base = _base_of(store)
    classes = " ".join(f"<{base}{CLO}{name}>" for name in LINKABLE)
    rows = store.query(f"""
        SELECT DISTINCT ?s ?ja ?en WHERE {{
          VALUES ?class {{ {classes} }}
          ?s a ?class .
          OPTIONAL {{ ?s <{RDFS_LABEL}> ?ja FILTER (lang(?ja) = "ja") }}
          OPTIONAL {{ ?s <{RDFS_LABEL}> ?en FILTER (lang(?en) = "en") }}
        }} ORDER BY ?s""", use_default_graph_as_union=True)
    linkset_file = dist / LINKSET_FOLDER / f"{target.name}.ttl"
    linked = {link.subject for link in published_links(dist, target)} if linkset_file.is_file() else set()
    return [(r["s"].value, r["ja"].value if r["ja"] else "", r["en"].value if r["en"] else "")
            for r in rows if r["s"].value not in linked]


def _base_of(store: ox.Store) -> str:
    for row in store.query(f"SELECT ?o WHERE {{ ?o a <{OWL_ONTOLOGY}> }}",
                           use_default_graph_as_union=True):
        return row["o"].value[: -len("ontology")]
    raise ClusterlodError("the built dataset has no ontology; rebuild it")


def _literal(value: str, language: str) -> str:
    return str(ox.Literal(value, language=language))


def suggest(entities: list[tuple[str, str, str]], url: str, timeout: float = TIMEOUT,
            max_answer_bytes: int = MAX_ANSWER_BYTES) -> list[Candidate]:
    """Candidates whose ja or en label equals an entity's label; scored, ambiguity counted."""
    by_label: dict[tuple[str, str], list[int]] = {}
    for index, (_, ja, en) in enumerate(entities):
        for language, label in (("ja", ja), ("en", en)):
            if label:
                by_label.setdefault((language, label), []).append(index)
    found: dict[int, dict[str, tuple[set[str], str]]] = {}
    keys = sorted(by_label)
    for start in range(0, len(keys), BATCH):
        values = " ".join(_literal(label, language) for language, label in keys[start:start + BATCH])
        rows = select(url, f"""
            SELECT ?item ?label WHERE {{ VALUES ?label {{ {values} }} ?item <{RDFS_LABEL}> ?label }}""", timeout,
                      max_answer_bytes, "looking for candidate links")
        for row in rows:
            key = (row["label"].language or "", row["label"].value)
            for index in by_label.get(key, []):
                languages, _ = found.setdefault(index, {}).setdefault(row["item"].value, (set(), row["label"].value))
                languages.add(key[0])
    candidates = []
    for index, items in sorted(found.items()):
        subject, ja, en = entities[index]
        wanted = sum(1 for label in (ja, en) if label)
        for item, (languages, label) in sorted(items.items()):
            score = round(len(languages) / wanted / len(items), 3)
            candidates.append(Candidate(subject, ja, en, item, label, score, len(items)))
    return sorted(candidates, key=lambda c: (c.subject, -c.score, c.candidate))


def review_csv(candidates: list[Candidate]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["entity", "label_ja", "label_en", "candidate", "candidate_label", "score", "alternatives",
                     "decision"])
    for c in candidates:
        writer.writerow([c.subject, c.label_ja, c.label_en, c.candidate, c.candidate_label, f"{c.score:.3f}",
                         c.alternatives, ""])
    return out.getvalue()

