"""`python -m clusterlod`: the same command as the installed `clusterlod`."""

from clusterlod.cli import main

main()
