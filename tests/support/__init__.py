"""What the tests start and install: real stores and web servers on loopback, and the Debian packages they need.

Kept out of the installed package, which never runs apt-get: the tests, ``scripts/start-store`` and
``scripts/measure-serving`` use it from the checkout. Starting and stopping a ``clusterlod serve`` process
is the benchmark's too, so that part is :mod:`clusterlod.bench.processes`.
"""
