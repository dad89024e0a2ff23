from kreyol_cli.commands import main

main()
