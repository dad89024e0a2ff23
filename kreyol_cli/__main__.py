from kreyol_cli.cli import main

main()
