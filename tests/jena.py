"""Apache Jena from Debian's package (``libapache-jena-java``): ARQ, the engine inside Fuseki, and TDB2.

Debian packages Jena's libraries and command classes but not Fuseki, so the tests use Jena the
two ways a Fuseki user's data meets it without the HTTP layer:

- Jena's own loader, ``tdb2.tdbloader``, run as a command (``java -cp … tdb2.tdbloader``), the way
  docs/loading.md tells a Fuseki user to fill a TDB2 dataset;
- ARQ over that TDB2 dataset with ``unionDefaultGraph`` set, as Fuseki's TDB2 service is configured
  for clusterlod (docs/loading.md), driven in process through JPype: one JVM for every query, where
  a ``java`` per query would cost a JVM start and a load each.

Answers come back as SPARQL 1.1 JSON results (or N-Triples for CONSTRUCT) written by Jena's own
writers and are read by :mod:`clusterlod.sparql.answers`, the reader every other store's answers go
through, so the comparison sees what a SPARQL client of Fuseki would see.

Debian's ``jena-core`` 4.5.0 has a packaging fault: its relocated Xerces classes (``xerces.…``)
look up their message bundles under ``xerces/impl/…``, but the jar holds them under
``org/apache/jena/ext/xerces/impl/…``, so ``JenaSystem.init()`` dies with "internal error" before
any query. :func:`bundle_fix` copies those bundles, from the same jar, to the names the classes
ask for, in a folder put first on the class path; nothing of Jena's code is changed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from functools import cache
from pathlib import Path

from support.system import ensure_packages

from clusterlod.sparql import answers
from clusterlod.sparql.answers import Answer
from clusterlod.sparql.canned import query_form

JENA_PACKAGE = "libapache-jena-java"
#: Jena's jars need a Java runtime, which the Jena package does not depend on.
JAVA_PACKAGE = "default-jre-headless"
JENA_CORE = "/usr/share/java/jena-core.jar"
#: Where Debian's jena-core keeps the Xerces message bundles, and where its classes look for them.
_RELOCATED = "org/apache/jena/ext/"
#: Of libslf4j-java's jars only the API and one binding: several bindings on one class path make
#: SLF4J abort the JVM's start ("Detected both jcl-over-slf4j.jar AND bound slf4j-jcl.jar").
_SLF4J_KEEP = ("slf4j-api.jar", "slf4j-simple.jar")


def ensure_jena() -> str:
    """The path of ``java``, installing Debian's Jena and a Java runtime first when missing."""
    ensure_packages([JENA_PACKAGE], JENA_CORE)
    return ensure_packages([JAVA_PACKAGE], "java")


def _package_jars(package: str) -> list[str]:
    listing = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, check=True).stdout
    # Each jar is installed twice, versioned (jena-arq-4.5.0.jar) and as a link without the version.
    return sorted(path for path in listing.split() if path.startswith("/usr/share/java/")
                  and path.endswith(".jar") and not re.search(r"-\d[\w.]*\.jar$", path))


@cache
def jena_version() -> str:
    """The installed package's version, as dpkg records it (e.g. ``4.5.0-2``)."""
    return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", JENA_PACKAGE],
                          capture_output=True, text=True, check=True).stdout


def bundle_fix(folder: Path) -> Path:
    """The folder of message bundles that Debian's jena-core misplaces (see the module docstring)."""
    with zipfile.ZipFile(JENA_CORE) as jar:
        for name in jar.namelist():
            if name.startswith(_RELOCATED + "xerces/") and name.endswith(".properties"):
                target = folder / name.removeprefix(_RELOCATED)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return folder


def classpath(folder: Path) -> list[str]:
    """Jena's jars and those of the packages it depends on, after :func:`bundle_fix` in ``folder``."""
    ensure_jena()
    depends = subprocess.run(["apt-cache", "depends", "--no-recommends", "--no-suggests", JENA_PACKAGE],
                             capture_output=True, text=True, check=True).stdout
    packages = [JENA_PACKAGE] + [line.split(":", 1)[1].strip() for line in depends.splitlines()
                                 if line.strip().startswith("Depends:")]
    jars = [jar for package in packages for jar in _package_jars(package)
            if "slf4j" not in Path(jar).name or Path(jar).name in _SLF4J_KEEP]
    return [str(bundle_fix(folder)), *jars]


def run_command(cp: list[str], main: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """One of Jena's commands (``arq.sparql``, ``tdb2.tdbloader``, …) as a user runs it."""
    java = shutil.which("java") or ensure_jena()
    return subprocess.run([java, "-cp", ":".join(cp), main, *args], capture_output=True, text=True,
                          timeout=timeout)


class JenaStore:
    """A TDB2 dataset opened by ARQ in this process, its default graph the union of its named graphs."""

    def __init__(self, cp: list[str], location: Path | None = None) -> None:
        import jpype
        import jpype.imports

        if not jpype.isJVMStarted():  # once per process: JPype cannot start a second JVM
            jpype.startJVM(classpath=cp, convertStrings=False)
        from org.apache.jena.sys import JenaSystem
        from org.apache.jena.tdb2 import TDB2Factory

        JenaSystem.init()
        self.dataset = (TDB2Factory.connectDataset(str(location)) if location is not None
                        else TDB2Factory.createDataset())

    def load(self, path: Path) -> None:
        """Add a file's quads (any RDF syntax Jena reads by its extension) in one write transaction."""
        from org.apache.jena.riot import RDFDataMgr
        from org.apache.jena.system import Txn

        Txn.executeWrite(self.dataset, lambda: RDFDataMgr.read(self.dataset, str(path)))

    def drop_graph(self, name: str) -> None:
        from org.apache.jena.system import Txn

        Txn.executeWrite(self.dataset, lambda: self.dataset.removeNamedModel(name))

    def run(self, text: str) -> Answer:
        """The answer to one query, read back through Jena's SPARQL JSON results or N-Triples writer."""
        from java.io import ByteArrayOutputStream
        from org.apache.jena.query import QueryExecutionFactory, QueryFactory, ResultSetFormatter
        from org.apache.jena.riot import Lang, RDFDataMgr
        from org.apache.jena.system import Txn
        from org.apache.jena.tdb2 import TDB2

        form = query_form(text)
        out = ByteArrayOutputStream()

        def execute() -> None:
            execution = QueryExecutionFactory.create(QueryFactory.create(text), self.dataset)
            execution.getContext().set(TDB2.symUnionDefaultGraph, True)
            with execution:
                if form == "ASK":
                    ResultSetFormatter.outputAsJSON(out, execution.execAsk())
                elif form in answers.GRAPH_FORMS:
                    RDFDataMgr.write(out, execution.execConstruct(), Lang.NTRIPLES)
                else:
                    ResultSetFormatter.outputAsJSON(out, execution.execSelect())

        Txn.executeRead(self.dataset, execute)
        body = bytes(out.toByteArray())
        if form in answers.GRAPH_FORMS:
            return Answer(form, triples=answers.from_graph("application/n-triples", body))
        return answers.from_results_json(form, body)
