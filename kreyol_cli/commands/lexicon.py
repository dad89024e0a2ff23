"""``kreyol lexicon``: validate a pronunciation lexicon and show what it says."""

from __future__ import annotations

from typing import Annotated

import typer

from kreyol_cli.commands.edge import handle_errors

lexicon_app = typer.Typer(help="Check pronunciation lexicons (word<TAB>IPA or Creole "
                               "respelling).", no_args_is_help=True, rich_markup_mode=None)


@lexicon_app.command("check")
@handle_errors
def check(
    files: Annotated[list[str], typer.Argument(help="Lexicon files (TSV, UTF-8).")],
    voice: Annotated[str | None, typer.Option("--voice", "-v", help="Voice whose phoneme "
                                                                    "inventory the IPA is "
                                                                    "checked against. "
                                                                    "Default: the Creole "
                                                                    "voice.")] = None,
) -> None:
    """Print each entry (word, IPA, ipa/respelling, FILE:LINE) on stdout; report
    malformed lines, unknown IPA symbols and duplicate words on stderr, one line
    each (exit 3)."""
    from kreyol_cli.creole import lexicon as lexicons
    from kreyol_cli.errors import InputError
    from kreyol_cli.progress import console
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings
    from kreyol_cli.synthesize import voice_inventory

    resolved = Registry.load(Settings.load()).resolve_voice(voice, "ht")
    inventory = voice_inventory(resolved)
    problems = 0
    for path in files:
        malformed: list[str] = []
        lexicon = lexicons.read(path, malformed)
        for entry in lexicon.entries:
            print(f"{entry.key}\t{entry.ipa}\t{entry.kind}\t{entry.origin}")
        found = malformed + lexicons.problems(lexicon, inventory, resolved.spec.name)
        for message in sorted(found, key=_line_number):
            console.print(f"error: {message}", highlight=False, markup=False)
            problems += 1
    if problems:
        raise InputError(f"{problems} problem{'s' * (problems > 1)} found: fix the lines above")


def _line_number(message: str) -> int:
    """The line a ``FILE:LINE: ...`` message is about (messages in file order)."""
    import re

    found = re.match(r".*?:(\d+): ", message)
    return int(found.group(1)) if found else 0
