"""Real servers and system packages for the tests, the benchmark and ``scripts/start-store``.

Nothing in the pipeline imports this package: it starts stores and servers on loopback and
installs the Debian packages they need, so ``scripts/`` and the benchmark can use the same
set-up as the test fixtures without reaching into ``tests/``.
"""
