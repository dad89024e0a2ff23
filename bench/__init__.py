"""kreyol's benchmark suite: ``python -m bench [--quick] [--json FILE]``.

Each section is a module with ``run(profile, log) -> dict``; ``__main__``
orders them, prints the table and writes the JSON. Nothing in ``kreyol_cli``
imports this package.
"""
