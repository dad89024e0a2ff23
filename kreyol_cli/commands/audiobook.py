"""``kreyol audiobook``: a document to a Creole audiobook with chapters and subtitles."""

from __future__ import annotations

from typing import Annotated

import typer

from kreyol_cli.commands.options import Encoding, Notes, Quiet, Source
from kreyol_cli.progress import Reporter


def audiobook_command(
    inputs: Annotated[list[str], typer.Argument(
        metavar="INPUT...", show_default=False,
        help="Documents: PDF, EPUB, DOCX, ODT, HTML, Markdown or text (any format `kreyol "
             "extract` reads), e.g. book.fr.epub, or - for stdin. Several books: each goes to "
             "OUTDIR/NAME/.")],
    outdir: Annotated[str | None, typer.Option("--output", "-o", metavar="OUTDIR",
                                               help="Output folder. Default: ./NAME (one "
                                                    "book), or . (several).")] = None,
    source: Source = "auto",
    model: Annotated[str | None, typer.Option("--model", "-m", help="Translation model name or "
                                                                    "directory.")] = None,
    voice: Annotated[str | None, typer.Option("--voice", "-v", help="Voice name or .onnx path."
                                              )] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1,
                                             help="CPU cores to use. Default: all.")] = None,
    pages: Annotated[str | None, typer.Option("--pages", help="Page range, e.g. 1-20.")] = None,
    password: Annotated[str | None, typer.Option("--password", help="PDF password.")] = None,
    encoding: Encoding = None,
    notes: Notes = "drop",
    split: Annotated[str, typer.Option("--split", help="none (one file with chapter markers) "
                                                       "or chapters (a file per chapter).")
                     ] = "none",
    fmt: Annotated[str, typer.Option("--format", "-f", help="m4b or mp3.")] = "m4b",
    progress: Annotated[str, typer.Option("--progress", help="auto (bars on a terminal), json "
                                                             "(events on stderr) or none.")
                        ] = "auto",
    mode: Annotated[str, typer.Option("--mode", help="skip: stop if already complete (exit 10); "
                                                     "redo: rebuild using the cache; force: "
                                                     "rebuild ignoring the cache.")] = "skip",
    speed: Annotated[float, typer.Option("--speed", help="Speaking rate.")] = 1.0,
    backend: Annotated[str, typer.Option("--backend", help="auto, serial, processes or dask.")
                       ] = "auto",
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="dask scheduler address."
                                                  )] = None,
    lexicon: Annotated[list[str] | None, typer.Option(
        "--lexicon", help="Pronunciation lexicon (word<TAB>IPA or Creole respelling); "
                          "repeatable. $KREYOL_HOME/lexicon.tsv is always read.")] = None,
    glossary: Annotated[str | None, typer.Option(
        "--glossary", help="Translation glossary: TSV (source<TAB>Creole) or a spreadsheet's "
                           "CSV; a term with no Creole side is kept as is.")] = None,
    corrections: Annotated[list[str] | None, typer.Option(
        "--corrections", help="A reviewed .xlf or .csv (from `kreyol translate --review`): "
                              "its corrected sentences enter the translation memory and win "
                              "from now on. Repeatable.")] = None,
    batch: Annotated[bool, typer.Option("--batch", help="Each book to OUTDIR/NAME/ and a "
                                                        "summary, even for one input (cron "
                                                        "jobs over a folder).")] = False,
    quiet: Quiet = False,
) -> None:
    """Turn documents (English, French or Creole) into Creole audiobooks with chapters,
    subtitles, the Creole text and a run report."""
    from pathlib import Path

    from kreyol_cli.books import (
        announce,
        overall_exit,
        run_books,
        run_one,
        summary_table,
        unique_names,
    )
    from kreyol_cli.cache import Cache
    from kreyol_cli.domain import PageRange
    from kreyol_cli.errors import ExitCode, LanguageError, UsageError
    from kreyol_cli.executor import make_executor, plan_for
    from kreyol_cli.fileio import check_encoding, check_input
    from kreyol_cli.language import document_language, report_choice
    from kreyol_cli.pipeline import AudiobookRequest, default_name
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings, default_jobs
    from kreyol_cli.synthesize import SynthesisOptions, VoiceService, user_lexicon
    from kreyol_cli.translate import TranslateOptions, TranslationService

    if "-" in inputs and (len(inputs) > 1 or batch):
        raise UsageError("- (stdin) is one book: give it alone, or give files")
    if source not in ("auto", "en", "fr", "ht"):
        raise LanguageError(f"--source {source!r}: use en, fr, ht or auto")
    if encoding is not None:
        check_encoding(encoding)

    def check(input: str) -> None:
        if input != "-":
            check_input(input)

    page_range = PageRange.parse(pages) if pages else None
    reporter = Reporter(progress, quiet=quiet)
    several = len(inputs) > 1 or batch
    languages: dict[str, str] = {}

    def language(input: str) -> str:
        """The book's source language, chosen once (it may read the document)."""
        if input not in languages:
            lang, how = document_language(input, source, pages=page_range, password=password,
                                          encoding=encoding, notes=notes)
            languages[input] = lang
            if source == "auto":
                report_choice(reporter, lang, how, where=f"{input}: " if several else "")
        return languages[input]

    if not several:
        check(inputs[0])  # before loading any model
        language(inputs[0])
    settings = Settings.load()
    registry = Registry.load(settings)
    cores = jobs or default_jobs()
    plan = plan_for(cores)
    resolved_voice = registry.resolve_voice(voice, "ht")
    voice_service = VoiceService(resolved_voice, SynthesisOptions(lang="ht", speed=speed),
                                 threads=plan.threads,
                                 lexicon=user_lexicon(settings.home, lexicon, resolved_voice))
    translators: dict[str, TranslationService] = {}  # one per language, made once
    glossary_entries = None
    if glossary:
        from kreyol_cli.glossary import read as read_glossary

        glossary_entries = read_glossary(glossary, reporter.warn)

    def translation(lang: str) -> TranslationService | None:
        if lang == "ht":
            if glossary or corrections:
                reporter.warn("Creole input is not translated: --glossary and --corrections do "
                              "nothing here (edit the Creole text itself)")
            return None
        if lang not in translators:
            resolved = registry.resolve_translation(model, lang, "ht")
            translators[lang] = TranslationService(
                resolved, TranslateOptions(source=lang, target="ht"), threads=cores,
                glossary=glossary_entries)
        return translators[lang]

    names = unique_names([default_name(i if i != "-" else "audiobook") for i in inputs])

    def request(input: str, name: str):
        def make() -> AudiobookRequest:
            check(input)
            lang = language(input)
            service = translation(lang)
            if corrections and service is not None:
                from kreyol_cli.human import import_corrections

                import_corrections(cache, corrections, input if input != "-" else None, lang,
                                   reporter)
            folder = (Path(outdir or ".") / name) if several else Path(outdir or name)
            return AudiobookRequest(
                input=input, outdir=folder, name=name, source=lang,
                translation=service, voice=voice_service, pages=page_range,
                password=password, split=split, fmt=fmt, mode=mode, encoding=encoding,
                notes=notes)
        return make

    cache = Cache(settings, read=mode != "force", warn=reporter.warn)
    executor = make_executor(backend, plan.workers, scheduler=scheduler)

    on_done = announce(reporter, several)
    try:
        if several:
            books = [request(i, n) for i, n in zip(inputs, names, strict=True)]
            folders = [Path(outdir or ".") / n for n in names]
            outcomes = run_books(books, inputs, folders, cache, executor, reporter, on_done)
        else:  # one book: its error is the run's (message, exit code, --debug traceback)
            outcomes = [run_one(request(inputs[0], names[0]), inputs[0], cache,
                                executor, reporter, on_done)]
    finally:
        executor.close()
        reporter.close()
        cache.close()
    code = overall_exit(outcomes)
    if several and not reporter.quiet and reporter.mode != "json":
        reporter.console.print(summary_table(outcomes))
    reporter.event("done", "audiobook", status="complete" if code == 0 else (
        "already done" if code == ExitCode.ALREADY_DONE else "failed"), exit_code=code)
    if code:
        raise typer.Exit(code)
