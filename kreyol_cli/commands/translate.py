"""``kreyol translate``: text, a file or stdin to Creole, keeping the document's shape."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from kreyol_cli.progress import Reporter

FORMATS_TEXT = ("text", "jsonl")


def translate_command(
    text: Annotated[list[str] | None, typer.Argument(help="Text to translate (each argument "
                                                      "is a line). Default: --input or stdin.",
                                                      show_default=False)] = None,
    input: Annotated[str | None, typer.Option("--input", "-i", help="Input file, - for stdin.")
                     ] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Output file, - for stdout.")
                      ] = "-",
    source: Annotated[str, typer.Option("--source", "-s", help="Source language: en or fr.")
                      ] = "en",
    target: Annotated[str, typer.Option("--target", "-t", help="Target language.")] = "ht",
    model: Annotated[str | None, typer.Option("--model", "-m",
                                              help="Model name (see `kreyol models list`) or "
                                                   "directory. Default: per language pair.")
                     ] = None,
    beam: Annotated[int, typer.Option("--beam", min=1, max=16, help="Beam size.")] = 4,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1,
                                             help="CPU threads. Default: all cores.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the "
                                                              "cache.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or jsonl (one "
                                                            "{source, translation, cached} "
                                                            "per sentence).")] = "text",
    encoding: Annotated[str, typer.Option("--encoding", help="Input encoding.")] = "utf-8",
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="No progress or notes; warnings still show.")] = False,
) -> None:
    """Translate text to Haitian Creole, keeping paragraphs, blank lines and list markers."""
    from kreyol_cli.cache import Cache
    from kreyol_cli.errors import OutputError, UsageError
    from kreyol_cli.fileio import (
        TERMINAL_HINT,
        nonempty,
        read_lines,
        reads_terminal,
        same_file,
        text_output,
        text_source,
    )
    from kreyol_cli.registry import Registry
    from kreyol_cli.segment import iter_units
    from kreyol_cli.settings import Settings, default_jobs
    from kreyol_cli.translate import TranslateOptions, TranslationService, translate_units

    if fmt not in FORMATS_TEXT:
        raise UsageError(f"--format {fmt!r}: use text or jsonl")
    text, input = text_source(text, input)
    if same_file(input, output):
        raise OutputError(f"{output}: refusing to overwrite the input file")
    typing = reads_terminal(text, input)
    # A person typing: a hint instead of a bar drawn over what they type.
    reporter = Reporter("none" if typing else "auto", quiet=quiet)
    if typing:
        reporter.note(TERMINAL_HINT)
    lines = nonempty(read_lines(input, text, encoding=encoding))
    if lines is None:  # empty input: empty output, and no model to load
        with text_output(output):
            return
    settings = Settings.load()
    resolved = Registry.load(settings).resolve_translation(model, source, target)
    options = TranslateOptions(source=source, target=target, beam_size=beam)
    service = TranslationService(resolved, options, threads=jobs or default_jobs())
    cache = Cache(settings, enabled=not no_cache, warn=reporter.warn)
    try:
        with text_output(output) as out, reporter.stage("translate") as task:
            for unit, results in translate_units(iter_units(lines), service, cache,
                                                 on_batch=task.advance):
                if fmt == "jsonl":
                    for r in results:
                        out.write(json.dumps({"source": r.source, "translation": r.translation,
                                              "cached": r.cached}, ensure_ascii=False) + "\n")
                else:
                    out.write(unit.render(" ".join(r.translation for r in results)))
                if out is sys.stdout:
                    out.flush()
    finally:
        reporter.close()
        cache.close()
