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
    unknown IPA symbols and duplicate words on stderr, one line each (exit 3)."""
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
        lexicon = lexicons.read(path)
        for entry in lexicon.entries:
            print(f"{entry.key}\t{entry.ipa}\t{entry.kind}\t{entry.origin}")
        for message in lexicons.problems(lexicon, inventory, resolved.spec.name):
            console.print(f"error: {message}", highlight=False, markup=False)
            problems += 1
    if problems:
        raise InputError(f"{problems} problem{'s' * (problems > 1)} found: fix the lines above")
