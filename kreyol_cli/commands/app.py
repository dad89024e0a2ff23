"""The ``kreyol`` Typer app: the root options and the registration of every command.

Each command lives in its own module of this package and stays thin: parse
options, call the library. ``edge.handle_errors`` maps exceptions to exit codes.

Heavy libraries (ctranslate2, transformers, piper, onnxruntime, pymupdf,
pydub, joblib) are imported inside the commands that need them, so
``kreyol --help`` and ``kreyol cache stats`` start fast.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from kreyol_cli import __version__
from kreyol_cli.commands.audiobook import audiobook_command
from kreyol_cli.commands.cache import cache_app
from kreyol_cli.commands.edge import INTERRUPTED, handle_errors, state
from kreyol_cli.commands.extract import extract_command
from kreyol_cli.commands.help import use_metavars
from kreyol_cli.commands.lexicon import lexicon_app
from kreyol_cli.commands.memory import memory_app
from kreyol_cli.commands.models import models_app
from kreyol_cli.commands.phonemize import phonemize_command
from kreyol_cli.commands.translate import translate_command
from kreyol_cli.commands.tts import tts_command
from kreyol_cli.errors import ExitCode
from kreyol_cli.progress import console


class _RootGroup(TyperGroup):
    """The root group; ``--debug`` works after the subcommand too, as the error hint
    ("rerun with --debug") invites: ``kreyol tts ... --debug``."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        if "--debug" in args[1:end]:
            args = ["--debug", *(a for i, a in enumerate(args) if a != "--debug" or i >= end)]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RootGroup,
    name="kreyol",
    help="English and French documents to Haitian Creole text and speech, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"kreyol {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """kreyol: translate to Haitian Creole and speak it, offline.

    Exit codes: 0 ok, 1 unexpected error, 2 usage, 3 bad input, 4 model/voice,
    5 language, 6 output, 7 network, 8 encrypted (PDF, DRM, password), 9 no text, 10 already done,
    11 locked, 130 interrupted.
    """
    state["debug"] = debug or bool(os.environ.get("KREYOL_DEBUG"))
    if debug:
        import logging

        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)


def command(name: str | None = None, **kwargs):
    """Register a command with the error handler in front of it."""

    def decorate(func):
        app.command(name, **kwargs)(handle_errors(func))
        return func

    return decorate


# Short summaries for `kreyol --help`: the docstrings' first lines were cut with "...".
command("translate", short_help="Translate text, a file or stdin to Creole.")(translate_command)
command("tts", short_help="Speak text with a Piper voice.")(tts_command)
command("audiobook", short_help="Make Creole audiobooks of documents.")(
    audiobook_command)
command("extract", short_help="A document (PDF, EPUB, DOCX, HTML...) to text, JSON or Markdown.")(
    extract_command)
command("phonemize", short_help="Print the IPA of each line.")(phonemize_command)
app.add_typer(cache_app, name="cache", short_help="Inspect and maintain the on-disk cache.")
app.add_typer(models_app, name="models", short_help="List, pull, convert and locate models.")
app.add_typer(lexicon_app, name="lexicon", short_help="Check pronunciation lexicons.")
app.add_typer(memory_app, name="memory", short_help="The translation memory of corrections.")
use_metavars(app, cache_app, models_app, lexicon_app, memory_app)


def _on_sigterm(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    # SIGTERM (cron timeouts, systemd) cleans up like Ctrl-C: temp files removed,
    # cache consistent, exit 130.
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        app(args=argv, prog_name="kreyol")
    except KeyboardInterrupt:
        console.print(INTERRUPTED, highlight=False)
        sys.exit(int(ExitCode.INTERRUPTED))
