"""``kreyol translate``: text, a file or stdin to Creole, keeping the document's shape."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from kreyol_cli.commands.options import Encoding, Notes, Quiet, Source
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
    source: Source = "auto",
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
    encoding: Encoding = None,
    notes: Notes = "drop",
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
    quiet: Quiet = False,
) -> None:
    """Translate text to Haitian Creole, keeping paragraphs, blank lines and list markers.

    Subtitles (SRT, WebVTT: -i FILE, or a lone TEXT argument naming one) are translated
    cue by cue, every index and timing kept:

    \b
    kreyol translate -i film.en.srt -o film.ht.srt
    """
    from kreyol_cli.cache import Cache
    from kreyol_cli.commands.subtitles import (
        copy_subtitles,
        subtitle_input,
        subtitle_sample,
        translate_file,
    )
    from kreyol_cli.errors import OutputError, UsageError
    from kreyol_cli.fileio import (
        TERMINAL_HINT,
        nonempty,
        reads_terminal,
        same_file,
        text_output,
        text_source,
    )
    from kreyol_cli.inputs import input_text
    from kreyol_cli.language import NAMES, choose_source, report_choice
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings, default_jobs
    from kreyol_cli.translate import TranslateOptions, TranslationService

    if fmt not in FORMATS_TEXT:
        raise UsageError(f"--format {fmt!r}: use text or jsonl")
    from kreyol_cli import __version__
    from kreyol_cli import review as reviews
    from kreyol_cli.glossary import read as read_glossary
    from kreyol_cli.human import import_corrections

    if review is not None:
        reviews.format_of(review)  # a bad name fails now, not after the translation
    text, input = text_source(text, input)
    if same_file(input, output):
        raise OutputError(f"{output}: refusing to overwrite the input file")
    typing = reads_terminal(text, input)
    # The translation printed on the terminal shows the progress itself: a bar
    # on the same screen would be mixed into it.
    on_screen = output in (None, "-") and sys.stdout.isatty()
    # A person typing: a hint instead of a bar drawn over what they type.
    reporter = Reporter("none" if typing or on_screen else "auto", quiet=quiet)
    if typing:
        reporter.note(TERMINAL_HINT)
    subtitles = subtitle_input(input, text, lone_file=True)  # SRT/WebVTT go cue by cue
    named = subtitles if subtitles is not None else input  # the file, for review files
    original = Path(named).name if named not in (None, "-") else "stdin"
    document = None if subtitles is not None else input_text(
        input, text, encoding=encoding, notes=notes, warn=reporter.warn)
    if document is not None:
        lines = nonempty(document.lines)
        if lines is None:  # empty input: empty output (and review), and no model to load
            with text_output(output), contextlib.ExitStack() as stack:
                if review is not None:
                    stack.enter_context(reviews.open_writer(
                        review, original, source if source != "auto" else "und", target,
                        __version__))
                return
        document.lines = lines
    if source == "auto":
        if document is None:
            source, how = choose_source(None, subtitles, "", subtitle_sample(subtitles, encoding))
        else:
            source, how = choose_source(None, document.path, document.declared,
                                        document.sample())
        report_choice(reporter, source, how, always=source == target or on_screen)
    if source == target:
        # Creole in, Creole out: nothing to translate; the text goes through as it is.
        reporter.note(f"the input is already {NAMES.get(target, target)}: copied through "
                      f"untranslated")
        if review is not None:
            reporter.warn(f"{review} not written: nothing was translated to review")
        if document is None:
            copy_subtitles(subtitles, output, fmt=fmt, encoding=encoding, reporter=reporter)
        else:
            with text_output(output) as out:
                _copy_through(document.lines, out, fmt)
        reporter.close()
        return
    settings = Settings.load()
    resolved = Registry.load(settings).resolve_translation(model, source, target)
    options = TranslateOptions(source=source, target=target, beam_size=beam)
    service = TranslationService(resolved, options, threads=jobs or default_jobs(),
                                 glossary=read_glossary(glossary, reporter.warn) if glossary
                                 else None)
    cache = Cache(settings, enabled=not no_cache, warn=reporter.warn)
    if corrections:
        import_corrections(cache, corrections, named if named != "-" else None, source,
                           reporter)
    try:
        with contextlib.ExitStack() as stack:
            collector = None
            if review is not None:
                collector = reviews.Collector(stack.enter_context(
                    reviews.open_writer(review, original, source, target, __version__)))
            if document is None:  # SRT/WebVTT: cue by cue, timings kept
                translate_file(subtitles, output=output, fmt=fmt, service=service, cache=cache,
                               reporter=reporter, encoding=encoding, collector=collector)
            else:
                _translate_document(document.lines, stack.enter_context(text_output(output)),
                                    fmt, service, cache, reporter, collector)
        if collector is not None:
            reporter.note(f"wrote {review}: {collector.segments} sentences, "
                          f"{collector.flagged} flagged for review")
    finally:
        reporter.close()
        cache.close()


def _translate_document(lines, out, fmt: str, service, cache, reporter: Reporter,
                        collector) -> None:
    """Translate text lines unit by unit (paragraph, list item, heading) into ``out``."""
    from kreyol_cli.human import warn_missed
    from kreyol_cli.segment import iter_units
    from kreyol_cli.translate import translate_units

    with reporter.stage("translate") as task:
        for unit, results in translate_units(iter_units(lines), service, cache,
                                             on_batch=task.advance):
            warn_missed(results, reporter)
            if collector is not None:
                collector.add(unit.prefix, results)
            if fmt == "jsonl":
                for r in results:
                    out.write(json.dumps({"source": r.source, "translation": r.translation,
                                          "cached": r.cached}, ensure_ascii=False) + "\n")
            else:
                out.write(unit.render(" ".join(r.translation for r in results)))
            if out is sys.stdout:
                out.flush()


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
