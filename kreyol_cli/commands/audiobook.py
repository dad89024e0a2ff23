"""``kreyol audiobook``: a document to a Creole audiobook with chapters and subtitles."""

from __future__ import annotations

from typing import Annotated

import typer

from kreyol_cli.progress import Reporter


def audiobook_command(
    inputs: Annotated[list[str], typer.Argument(
        metavar="INPUT...", show_default=False,
        help="PDF, .txt or .md files (e.g. book.ht.pdf), or - for stdin. Several books: "
             "each goes to OUTDIR/NAME/.")],
    outdir: Annotated[str | None, typer.Option("--output", "-o", metavar="OUTDIR",
                                               help="Output folder. Default: ./NAME (one "
                                                    "book), or . (several).")] = None,
    source: Annotated[str | None, typer.Option("--source", "-s", help="Input language: en, fr "
                                                                      "or ht (no translation). "
                                                                      "Default: from a .en/.fr/"
                                                                      ".ht file-name tag, "
                                                                      "else en.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Translation model name or "
                                                                    "directory.")] = None,
    voice: Annotated[str | None, typer.Option("--voice", "-v", help="Voice name or .onnx path."
                                              )] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1,
                                             help="CPU cores to use. Default: all.")] = None,
    pages: Annotated[str | None, typer.Option("--pages", help="Page range, e.g. 1-20.")] = None,
    password: Annotated[str | None, typer.Option("--password", help="PDF password.")] = None,
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
    batch: Annotated[bool, typer.Option("--batch", help="Each book to OUTDIR/NAME/ and a "
                                                        "summary, even for one input (cron "
                                                        "jobs over a folder).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="No progress or notes; warnings still show.")] = False,
) -> None:
    """Turn PDFs or text (English, French or Creole) into Creole audiobooks with chapters,
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
    from kreyol_cli.errors import ExitCode, InputError, LanguageError, UsageError
    from kreyol_cli.executor import make_executor, plan_for
    from kreyol_cli.pipeline import AudiobookRequest, default_name, language_from_name
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings, default_jobs
    from kreyol_cli.synthesize import SynthesisOptions, VoiceService
    from kreyol_cli.translate import TranslateOptions, TranslationService

    if "-" in inputs and (len(inputs) > 1 or batch):
        raise UsageError("- (stdin) is one book: give it alone, or give files")

    def check(input: str) -> None:
        if input != "-" and not Path(input).exists():
            raise InputError(f"{input}: no such file")
        if Path(input).is_dir():
            raise InputError(f"{input} is a folder: give PDF, .txt or .md files "
                             f"(e.g. {input.rstrip('/')}/*.pdf)")

    if len(inputs) == 1 and not batch:
        check(inputs[0])  # before loading any model
    languages = [source or language_from_name(i) or "en" for i in inputs]
    for lang in languages:
        if lang not in ("en", "fr", "ht"):
            raise LanguageError(f"--source {lang!r}: use en, fr or ht")
    page_range = PageRange.parse(pages) if pages else None
    reporter = Reporter(progress, quiet=quiet)
    settings = Settings.load()
    registry = Registry.load(settings)
    cores = jobs or default_jobs()
    plan = plan_for(cores)
    voice_service = VoiceService(registry.resolve_voice(voice, "ht"),
                                 SynthesisOptions(lang="ht", speed=speed), threads=plan.threads)
    translators: dict[str, TranslationService] = {}  # one per language, made once

    def translation(lang: str) -> TranslationService | None:
        if lang == "ht":
            return None
        if lang not in translators:
            resolved = registry.resolve_translation(model, lang, "ht")
            translators[lang] = TranslationService(
                resolved, TranslateOptions(source=lang, target="ht"), threads=cores)
        return translators[lang]

    several = len(inputs) > 1 or batch
    names = unique_names([default_name(i if i != "-" else "audiobook") for i in inputs])

    def request(input: str, lang: str, name: str):
        def make() -> AudiobookRequest:
            check(input)
            folder = (Path(outdir or ".") / name) if several else Path(outdir or name)
            return AudiobookRequest(
                input=input, outdir=folder, name=name, source=lang,
                translation=translation(lang), voice=voice_service, pages=page_range,
                password=password, split=split, fmt=fmt, mode=mode)
        return make

    if not several:
        request(inputs[0], languages[0], names[0])()  # bad options fail before the pool starts
    cache = Cache(settings, read=mode != "force", warn=reporter.warn)
    executor = make_executor(backend, plan.workers, scheduler=scheduler)

    on_done = announce(reporter, several)
    try:
        if several:
            books = [request(i, lg, n) for i, lg, n in zip(inputs, languages, names, strict=True)]
            outcomes = run_books(books, inputs, cache, executor, reporter, on_done)
        else:  # one book: its error is the run's (message, exit code, --debug traceback)
            outcomes = [run_one(request(inputs[0], languages[0], names[0]), inputs[0], cache,
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

