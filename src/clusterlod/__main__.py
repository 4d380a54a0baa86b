from clusterlod.cli import main

main()
