"""The catalogue of canned queries: find the ``.rq`` files and read what their headers say.

A canned query is one ``.rq`` file in ``queries/`` (quality checks in ``queries/qc/``)
whose leading comment says what it is::

    # title-ja: 分野別のプロジェクト
    # title-en: Projects by field
    # description: ... (continued on lines that start with "#   ")
    # param field (field): the industrial field (default: bio)

The same :class:`CannedQuery` serves the CLI (``clusterlod query``) and the web pages.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from clusterlod.errors import ClusterlodError
from clusterlod.namespaces import RESOURCE_KINDS
from clusterlod.sparql.sparql_text import inspect

QC_FOLDER = "qc"
SCALAR_TYPES = ("iri", "string", "integer", "decimal", "date")
HEADER_KEY = re.compile(r"^#\s*(title-ja|title-en|description|param)\s*:?\s*(.*)$")
PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z-]+)\)\s*:\s*(?P<text>.*?)"
                   r"(?:\s*\(default:\s*(?P<default>.*)\))?\s*$")


@dataclass(frozen=True)
class Param:
    """One declared parameter: a variable of the query, its type and default."""

    name: str
    type: str
    description: str
    default: str | None = None


@dataclass
class CannedQuery:
    """A query file and what its header says about it."""

    name: str
    path: Path
    text: str
    title_ja: str = ""
    title_en: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)

    @property
    def is_qc(self) -> bool:
        return self.name.startswith(QC_FOLDER + "/")

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE, read from the query's tokens (never from its comments)."""
        form = inspect(self.text).form
        if form is None:
            raise ClusterlodError(f"{self.path}: not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")
        return form

    def title(self, lang: str) -> str:
        """The title in ``lang`` (ja or en), else the other one, else the name."""
        first, second = (self.title_ja, self.title_en) if lang == "ja" else (self.title_en, self.title_ja)
        return first or second or self.name


def default_folder() -> Path:
    """``./queries`` when it exists, else (in an editable install) the checkout's; else a one-line error,
    never an empty list that looks like a project without queries."""
    here = Path("queries")
    if here.is_dir():
        return here
    checkout = Path(__file__).resolve().parents[4] / "queries"
    if checkout.is_dir() and (checkout.parent / "pyproject.toml").is_file():
        return checkout
    raise ClusterlodError("no queries/ folder here: run clusterlod in the project folder, or pass --queries DIR")


def parse_header(text: str, origin: str) -> dict:
    """The title, description and parameters from the query's leading comment lines."""
    header: dict = {"title-ja": "", "title-en": "", "description": "", "params": []}
    last = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        match = HEADER_KEY.match(stripped)
        if match and match.group(1) == "param":
            header["params"].append(parse_param(match.group(2), origin))
            last = None
        elif match:
            last = match.group(1)
            header[last] = match.group(2).strip()
        elif last == "description" and stripped[1:].strip():
            header["description"] += " " + stripped[1:].strip()
    return header


def parse_param(spec: str, origin: str) -> Param:
    match = PARAM.match(spec.strip())
    if not match:
        raise ClusterlodError(f"{origin}: bad parameter line '# param {spec}' "
                              "(expected '# param NAME (TYPE): DESCRIPTION (default: VALUE)')")
    kind = match.group("type")
    if kind not in SCALAR_TYPES and kind not in RESOURCE_KINDS:
        raise ClusterlodError(f"{origin}: parameter '{match.group('name')}' has unknown type '{kind}' "
                              f"(expected one of {', '.join(SCALAR_TYPES)} or a resource kind)")
    return Param(match.group("name"), kind, match.group("text").strip(), match.group("default"))


def load_query(path: Path, name: str | None = None) -> CannedQuery:
    """Read one .rq file and its header."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ClusterlodError(f"cannot read query {path}: {error}") from None
    header = parse_header(text, str(path))
    return CannedQuery(name or path.stem, path, text, header["title-ja"], header["title-en"],
                       header["description"], header["params"])


def discover(folder: Path | None = None) -> list[CannedQuery]:
    """Every canned query: those of ``folder`` by name, then the quality checks as ``qc/NAME``."""
    folder = folder or default_folder()
    if not folder.is_dir():
        raise ClusterlodError(f"{folder}: no such folder of queries (pass --queries DIR)")
    found = [load_query(p) for p in sorted(folder.glob("*.rq"))]
    found += [load_query(p, f"{QC_FOLDER}/{p.stem}") for p in sorted((folder / QC_FOLDER).glob("*.rq"))]
    return found


def resolve(name: str, folder: Path | None = None) -> CannedQuery:
    """A canned query by name (``projects-by-field``, ``qc/...``) or any .rq file by path."""
    path = Path(name)
    if name.endswith(".rq") or path.is_file():
        if not path.is_file():
            raise ClusterlodError(f"no such query file: {name}")
        return load_query(path, str(path))
    known = {q.name: q for q in discover(folder)}
    if name in known:
        return known[name]
    close = difflib.get_close_matches(name, list(known), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else " (`clusterlod queries` lists them)"
    raise ClusterlodError(f"unknown query '{name}'{hint}")
