"""Writing a release: every RDF syntax, JSON-LD, the catalogue, link sets, licence, README, the all-or-nothing swap."""
