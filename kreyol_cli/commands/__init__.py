"""The ``kreyol`` command line: one module per command or group.

``app`` assembles them; ``edge`` turns exceptions into one-line messages and
exit codes. Heavy libraries load inside the command that needs them.
"""

from kreyol_cli.commands.app import app, main

__all__ = ["app", "main"]
