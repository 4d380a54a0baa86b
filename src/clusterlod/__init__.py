"""clusterlod: linked open data from MEXT's 2008 Knowledge Cluster collaboration page."""

__version__ = "0.1.0"
