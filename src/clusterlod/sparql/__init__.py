"""SPARQL: canned queries, answers, update text, and the one protocol client (used by load, links, serve)."""
