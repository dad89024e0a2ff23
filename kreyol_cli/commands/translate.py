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
    input: Annotated[str | None, typer.Option("--input", "-i", help="Input file, - for stdin: "
                                              "text or Markdown (shape kept), or any document "
                                              "`kreyol extract` reads (PDF, EPUB, DOCX, ODT, "
                                              "HTML ...).")] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Output file, - for stdout.")
                      ] = "-",
    source: Annotated[str, typer.Option("--source", "-s", help="Source language: en, fr, ht "
                                                               "(copied through) or auto: the "
                                                               "file-name tag (.fr.txt), the "
                                                               "document's metadata, else "
                                                               "detected from the text.")
                      ] = "auto",
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
    encoding: Annotated[str | None, typer.Option("--encoding", help="Input encoding "
                                                 "(default: detected; a warning names it).")
                        ] = None,
    notes: Annotated[str, typer.Option("--notes", help="Footnotes of documents: drop or end "
                                                       "(at the end of their chapter).")
                     ] = "drop",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Translate text to Haitian Creole, keeping paragraphs, blank lines and list markers."""
    from kreyol_cli.cache import Cache
    from kreyol_cli.errors import UsageError
    from kreyol_cli.fileio import text_output
    from kreyol_cli.inputs import input_text
    from kreyol_cli.language import NAMES, choose_source
    from kreyol_cli.registry import Registry
    from kreyol_cli.segment import iter_units
    from kreyol_cli.settings import Settings, default_jobs
    from kreyol_cli.translate import TranslateOptions, TranslationService, translate_units

    if fmt not in FORMATS_TEXT:
        raise UsageError(f"--format {fmt!r}: use text or jsonl")
    reporter = Reporter("auto", quiet=quiet)
    document = input_text(input, text or (), encoding=encoding, notes=notes, warn=reporter.warn)
    if source == "auto":
        source, how = choose_source(None, document.path, document.declared, document.sample())
        if reporter.mode != "none" or source == target:  # on a terminal; cron logs stay clean
            reporter.note(f"source language: {NAMES[source]} ({source}), {how}")
    if source == target:
        # Creole in, Creole out: nothing to translate; the text goes through as it is.
        reporter.note(f"the input is already {NAMES.get(target, target)}: copied through "
                      f"untranslated")
        with text_output(output) as out:
            _copy_through(document.lines, out, fmt)
        reporter.close()
        return
    settings = Settings.load()
    resolved = Registry.load(settings).resolve_translation(model, source, target)
    options = TranslateOptions(source=source, target=target, beam_size=beam)
    service = TranslationService(resolved, options, threads=jobs or default_jobs())
    cache = Cache(settings, enabled=not no_cache, warn=reporter.warn)
    lines = document.lines
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


def _copy_through(lines, out, fmt: str) -> None:
    """Write the input as its own translation (``--source`` equal to ``--target``)."""
    from kreyol_cli.segment import iter_units, split_sentences

    for unit in iter_units(lines):
        if fmt == "jsonl":
            for sentence in split_sentences(unit.text) if unit.text.strip() else ():
                out.write(json.dumps({"source": sentence, "translation": sentence,
                                      "cached": False}, ensure_ascii=False) + "\n")
        else:
            out.write(unit.render(unit.text))
        if out is sys.stdout:
            out.flush()
