"""Checks that the document graph says only what the page prints (run by the build before the gate)."""
