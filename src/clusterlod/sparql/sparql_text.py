"""Reading SPARQL text without running it: tokens, the query form, dataset clauses, federation.

Every place that must decide something about a query before it runs (the CLI choosing
SELECT or CONSTRUCT results, the server refusing updates and ``SERVICE``, the dataset
a query names) asks this module, so no decision depends on a regular expression over
raw text. The lexer follows the terminals of the SPARQL 1.1 grammar closely enough
that comments, strings and IRIs are never mistaken for keywords (a ``#`` inside an
IRI is not a comment; "add up" inside a comment is not ``ADD``). It is deliberately
not a parser: pyoxigraph (or the remote store) decides whether the query is valid;
this module only tells what kind of text it is, erring on the side of refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

#: The four query forms of SPARQL 1.1 Query.
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
#: Bare words that occur only in SPARQL Update, never in a query.
#: Unary operators: a chain of them nests in the parser like brackets do.
UNARY = frozenset("!+-")
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})

_PN_CHARS_BASE = "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D" \
                 "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00B7\u0300-\u036F\u203F-\u2040-"

_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)"
_WORD = r"[A-Za-z_][A-Za-z0-9_]*"

#: One alternative per terminal that matters; the group name is the token's kind. Every
#: alternative either matches or fails within the text it would match, so the scan is linear:
#: a prefix is read possessively (``*+``), and a run of name characters that is no prefixed
#: name (``a-a-a-…`` with no colon after it) is taken whole as ``run`` and split by
#: :data:`INSIDE_RUN`, instead of being read again from each of its letters (which was
#: quadratic: 100 KB of ``a-`` took a minute). A quote that opens no string (``unclosed``) ends
#: the reading: such a text is no SPARQL, and reading on from each later quote was quadratic too.
TOKEN = re.compile(rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*+'''
             |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*+\"\"\"
             |'(?:[^'\\\n\r]|\\.)*+'
             |"(?:[^"\\\n\r]|\\.)*+")
  | (?P<unclosed>['"])
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][{_PN_CHARS}]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[{_PN_CHARS_BASE}][{_PN_CHARS}.]*+(?<!\.))?:(?:[{_PN_CHARS}:%\\]|\.(?=[{_PN_CHARS}:%]))*)
  | (?P<run>[{_PN_CHARS_BASE}][{_PN_CHARS}.]*+)
  | (?P<number>{_NUMBER})
  | (?P<word>{_WORD})
  | (?P<open>\{{)
  | (?P<close>\}})
  | (?P<other>.)
""", re.X | re.S)
#: The tokens inside a ``run``: no other terminal can start inside one (no colon, quote,
#: ``?``, ``<`` or bracket is a name character), so these are the ones TOKEN would find there.
INSIDE_RUN = re.compile(rf"(?P<space>\s+)|(?P<number>{_NUMBER})|(?P<word>{_WORD})|(?P<other>.)", re.S)
DROPPED = ("space", "comment", "string")


def tokens(text: str) -> Iterator[re.Match]:
    """The significant tokens of a SPARQL text: white space, comments and strings are dropped.

    Strings are dropped because nothing inside one is ever a keyword; IRIs are kept whole.
    Linear in the length of the text (see :data:`TOKEN`).
    """
    pos, end = 0, len(text)
    while pos < end:
        match = TOKEN.match(text, pos)
        assert match is not None  # ``other`` matches any character
        pos = match.end()
        if match.lastgroup != "run":
            if match.lastgroup not in DROPPED:
                yield match
            if match.lastgroup == "unclosed":
                return
            continue
        inner_pos = match.start()
        while inner_pos < pos:  # a number's exponent (``1e+5``) may end past the run: go on from there
            inner = INSIDE_RUN.match(text, inner_pos)
            assert inner is not None
            inner_pos = inner.end()
            if inner.lastgroup not in DROPPED:
                yield inner
        pos = inner_pos


@dataclass(frozen=True)
class QueryShape:
    """What a SPARQL text is, read from its tokens.

    ``form`` is the first query-form keyword (None when there is none); ``update_words``
    are the update-only keywords present anywhere outside strings, comments and IRIs;
    ``federated`` is true when ``SERVICE`` occurs; ``names_dataset`` when ``FROM``
    (or ``FROM NAMED``) does, so the caller must not impose its own default graph.
    """

    form: str | None
    update_words: frozenset[str]
    federated: bool
    names_dataset: bool
    #: The deepest nesting of ``{``, ``(`` and ``[``, a chain of unary operators (``!!!``) counting
    #: one level per operator: a native parser's stack depends on both (100,000 ``!`` crashed it).
    nesting: int = 0
    #: A quote opens no string that ends: the text is not SPARQL, and was read only up to there.
    unclosed: bool = False

    @property
    def is_update(self) -> bool:
        return bool(self.update_words)


def inspect(text: str) -> QueryShape:
    """Read the shape of a query from its tokens (one pass, no parse)."""
    form: str | None = None
    updates: set[str] = set()
    federated = names_dataset = False
    depth = deepest = chain = 0
    unclosed = False
    for match in tokens(text):
        kind = match.lastgroup
        if kind != "word":
            char = match.group()
            if kind == "other" and char in UNARY:
                chain += 1  # each operator of ``!!!x`` (or ``! - !``) is one more level for the parser
                deepest = max(deepest, depth + chain)
                continue
            chain = 0
            if kind == "open" or char in "([":
                depth += 1
                deepest = max(deepest, depth)
            elif kind == "close" or char in ")]":
                depth -= 1
            unclosed = unclosed or kind == "unclosed"
            continue
        chain = 0
        word = match.group().upper()
        if word in FORMS and form is None:
            form = word
        elif word in UPDATE_WORDS:
            updates.add(word)
        elif word == "SERVICE":
            federated = True
        elif word == "FROM":
            names_dataset = True
    return QueryShape(form, frozenset(updates), federated, names_dataset, deepest, unclosed)


def dataset_arguments(text: str, default_graph_uris: Sequence[str] = (),
                      named_graph_uris: Sequence[str] = (), names_dataset: bool | None = None) -> dict[str, object]:
    """The dataset a query runs on in the embedded store, as SPARQL 1.1 defines it.

    Protocol parameters (``default-graph-uri``, ``named-graph-uri``) win over the query's
    ``FROM`` clauses; when only named graphs are given the default graph is empty. Only when
    neither the request nor the query names a dataset is the default graph the union of
    all graphs, which is what the canned queries expect. The IRIs must already be checked
    (pyoxigraph raises ``ValueError`` on a bad one). ``names_dataset`` saves lexing the text
    again when the caller has already read it with :func:`inspect`.
    """
    if default_graph_uris or named_graph_uris:
        return {"default_graph": [ox.NamedNode(iri) for iri in default_graph_uris],
                "named_graphs": [ox.NamedNode(iri) for iri in named_graph_uris]}
    if names_dataset if names_dataset is not None else inspect(text).names_dataset:
        return {}
    return {"use_default_graph_as_union": True}
