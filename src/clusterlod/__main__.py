"""`python -m clusterlod`: the same command as the installed `clusterlod`."""

from clusterlod.cli import main

if __name__ == "__main__":  # not when a spawned process (the build's gate) imports the parent's main module
    main()
