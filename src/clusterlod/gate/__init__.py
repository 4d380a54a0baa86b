"""The publishing gate: SHACL and the quality checks that decide whether a release goes out."""
