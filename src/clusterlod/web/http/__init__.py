"""HTTP: the ASGI app, connections, limits, negotiation, headers (FAIR signposting) and the access log."""
