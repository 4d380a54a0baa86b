"""The published RDF syntaxes: file names, media types and parsers, defined once."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Syntax:
    name: str
    extension: str
    media_type: str
    oxigraph: ox.RdfFormat
    rdflib: str
    quads: bool = False


TURTLE = Syntax("Turtle", "ttl", "text/turtle", ox.RdfFormat.TURTLE, "turtle")
JSON_LD = Syntax("JSON-LD", "jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, "json-ld")
N_TRIPLES = Syntax("N-Triples", "nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, "nt")
RDF_XML = Syntax("RDF/XML", "rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML, "xml")
TRIG = Syntax("TriG", "trig", "application/trig", ox.RdfFormat.TRIG, "trig", quads=True)
N_QUADS = Syntax("N-Quads", "nq", "application/n-quads", ox.RdfFormat.N_QUADS, "nquads", quads=True)

#: The syntaxes a build publishes the whole dataset in.
DATASET_SYNTAXES: tuple[Syntax, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML, TRIG, N_QUADS)
#: Syntaxes for a single graph (a resource description, the ontology).
GRAPH_SYNTAXES: tuple[Syntax, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)

BY_EXTENSION = {s.extension: s for s in DATASET_SYNTAXES}
BY_MEDIA_TYPE = {s.media_type: s for s in DATASET_SYNTAXES}

HTML_MEDIA_TYPE = "text/html"
TEXT_MEDIA_TYPE = "text/plain"

#: The file name stem of the whole-dataset distributions in dist/.
DATASET_STEM = "clusterlod"
#: The whole dataset as N-Quads in dist/: what the embedded store, `links` and `load` read.
DATASET_FILE = f"{DATASET_STEM}.{N_QUADS.extension}"
#: The DCAT/VoID description of a release in dist/.
CATALOG_FILE = "catalog.ttl"

# The SPARQL 1.1 protocol's own media types (requests and results), for the client and the server.
SPARQL_RESULTS_JSON = "application/sparql-results+json"
SPARQL_RESULTS_XML = "application/sparql-results+xml"
SPARQL_RESULTS_CSV = "text/csv"
#: The tables of dist/csv/ (RFC 4180) and their W3C CSVW metadata (CSVW's own registered type).
CSV_MEDIA_TYPE = SPARQL_RESULTS_CSV
CSVW_METADATA_MEDIA_TYPE = "application/csvm+json"
#: The name of the CSVW table-group metadata in a folder of tables (the name CSVW processors look for).
CSVW_METADATA_FILE = "csv-metadata.json"
SPARQL_RESULTS_TSV = "text/tab-separated-values"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
FORM_URLENCODED = "application/x-www-form-urlencoded"
JSON_MEDIA_TYPE = "application/json"
XML_MEDIA_TYPE = "application/xml"
OCTET_STREAM = "application/octet-stream"
#: What a page asks a SPARQL service for when it shows a canned query's answer.
RESULTS_ACCEPT = f"{SPARQL_RESULTS_JSON}, {TURTLE.media_type};q=0.9"
#: The media type of every file the release and the static site hold, by extension.
FILE_MEDIA_TYPES: dict[str, str] = {
    "html": HTML_MEDIA_TYPE, **{s.extension: s.media_type for s in DATASET_SYNTAXES},
    "css": "text/css", "js": "text/javascript", "svg": "image/svg+xml", "xml": XML_MEDIA_TYPE,
    "csv": CSV_MEDIA_TYPE, "txt": TEXT_MEDIA_TYPE, "json": JSON_MEDIA_TYPE, "md": "text/markdown",
}
