"""clusterlod: linked open data from MEXT's 2008 Knowledge Cluster collaboration page."""

#: The one version of the package and of the release it builds: pyproject reads it (dynamic version), the
#: catalogue's dcat:version, the release graph, the ontology's owl:versionInfo, dist/README.md and
#: `clusterlod --version` say it, and CHANGELOG.md's top released section must name it (tests/test_version.py).
__version__ = "0.4.0"
