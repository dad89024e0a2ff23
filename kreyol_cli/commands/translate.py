"""``kreyol translate``: text, a file or stdin to Creole, keeping the document's shape."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
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
    encoding: Annotated[str | None, typer.Option("--encoding", help="Input encoding (default: "
                                                                     "UTF-8; subtitles: detected).")
                        ] = None,
    glossary: Annotated[str | None, typer.Option(
        "--glossary", help="Translation glossary: TSV (source<TAB>Creole) or a spreadsheet's "
                           "CSV; a term with no Creole side is kept as is.")] = None,
    review: Annotated[str | None, typer.Option(
        "--review", help="Also write a review file of every sentence (chapter, position, "
                         "source, machine translation, reasons to check it): FILE.xlf "
                         "(XLIFF 1.2 for OmegaT, Poedit, Trados) or FILE.csv.")] = None,
    corrections: Annotated[list[str] | None, typer.Option(
        "--corrections", help="A reviewed .xlf or .csv: its corrected sentences enter the "
                              "translation memory and win from now on. Repeatable.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Translate text to Haitian Creole, keeping paragraphs, blank lines and list markers.

    Subtitles (SRT, WebVTT: -i FILE, or a lone TEXT argument naming one) are translated
    cue by cue, every index and timing kept:

    \b
    kreyol translate -i film.en.srt -o film.ht.srt
    """
    from kreyol_cli.cache import Cache
    from kreyol_cli.commands.subtitles import subtitle_input, translate_file
    from kreyol_cli.errors import UsageError
    from kreyol_cli.fileio import read_lines, text_output
    from kreyol_cli.registry import Registry
    from kreyol_cli.segment import iter_units
    from kreyol_cli.settings import Settings, default_jobs
    from kreyol_cli.translate import TranslateOptions, TranslationService, translate_units

    if fmt not in FORMATS_TEXT:
        raise UsageError(f"--format {fmt!r}: use text or jsonl")
    from kreyol_cli import __version__
    from kreyol_cli import review as reviews
    from kreyol_cli.glossary import read as read_glossary
    from kreyol_cli.human import import_corrections, warn_missed

    if review is not None:
        reviews.format_of(review)  # a bad name fails now, not after the translation
    reporter = Reporter("auto", quiet=quiet)
    settings = Settings.load()
    resolved = Registry.load(settings).resolve_translation(model, source, target)
    options = TranslateOptions(source=source, target=target, beam_size=beam)
    service = TranslationService(resolved, options, threads=jobs or default_jobs(),
                                 glossary=read_glossary(glossary, reporter.warn) if glossary
                                 else None)
    cache = Cache(settings, enabled=not no_cache, warn=reporter.warn)
    subtitles = subtitle_input(input, text, lone_file=True)
    named = subtitles if subtitles is not None else input
    if corrections:
        import_corrections(cache, corrections, named if named != "-" else None, source,
                           reporter)
    lines = read_lines(input, text or (), encoding=encoding or "utf-8")
    try:
        with contextlib.ExitStack() as stack:
            collector = None
            if review is not None:
                original = Path(named).name if named not in (None, "-") else "stdin"
                collector = reviews.Collector(stack.enter_context(
                    reviews.open_writer(review, original, source, target, __version__)))
            if subtitles is not None:  # SRT/WebVTT: cue by cue, timings kept
                translate_file(subtitles, output=output, fmt=fmt, service=service,
                               cache=cache, reporter=reporter, encoding=encoding,
                               collector=collector)
            else:
                out = stack.enter_context(text_output(output))
                task = stack.enter_context(reporter.stage("translate"))
                for unit, results in translate_units(iter_units(lines), service, cache,
                                                     on_batch=task.advance):
                    warn_missed(results, reporter)
                    if collector is not None:
                        collector.add(unit.prefix, results)
                    if fmt == "jsonl":
                        for r in results:
                            out.write(json.dumps({"source": r.source,
                                                  "translation": r.translation,
                                                  "cached": r.cached}, ensure_ascii=False)
                                      + "\n")
                    else:
                        out.write(unit.render(" ".join(r.translation for r in results)))
                    if out is sys.stdout:
                        out.flush()
        if collector is not None:
            reporter.note(f"wrote {review}: {collector.segments} sentences, "
                          f"{collector.flagged} flagged for review")
    finally:
        reporter.close()
        cache.close()
