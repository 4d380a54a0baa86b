"""`python -m clusterlod`: the same command as the installed `clusterlod`."""

from clusterlod.cli import main

if __name__ == "__main__":
    main()
