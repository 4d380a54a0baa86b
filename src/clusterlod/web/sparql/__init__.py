"""The SPARQL endpoint: the protocol, its worker processes, backend and answer cache."""
