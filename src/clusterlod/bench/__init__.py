"""`clusterlod bench`: the harness, apart from the product.

It owns only what is its own: the plain rdflib/pySHACL way, the load
generator, the report and the plot. clusterlod's side is build.STAGES, the
very list `clusterlod build` runs.
"""

from clusterlod.bench.report import table, total
from clusterlod.bench.runner import SIZES, run
from clusterlod.bench.stages import Stopwatch

__all__ = ["SIZES", "Stopwatch", "run", "table", "total"]
