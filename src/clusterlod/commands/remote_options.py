"""The options every command that talks to a SPARQL endpoint shares, with the client's defaults.

The defaults and limits live in :mod:`clusterlod.sparql.remote` (one place); this module only words them
for ``--help``, so ``query``, ``load`` and ``links`` say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from clusterlod.sparql.remote import MAX_ANSWER_BYTES, TIMEOUT


def timeout_option(default: float = TIMEOUT) -> Callable:
    """``--timeout``: seconds one request may take, whole."""
    return click.option("--timeout", type=click.FloatRange(min=0.1), default=default, show_default=True,
                        help="Seconds one request may take, whole: connecting, sending it and reading all of "
                             "the answer.")


max_answer_option = click.option(
    "--max-answer-bytes", type=click.IntRange(min=1), default=MAX_ANSWER_BYTES, show_default=True,
    help="Largest answer read from the endpoint; a larger one stops the command with one line.")
