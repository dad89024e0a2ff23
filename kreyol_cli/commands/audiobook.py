"""``kreyol audiobook``: a document to a Creole audiobook with chapters and subtitles."""

from __future__ import annotations

from typing import Annotated

import typer

from kreyol_cli.progress import Reporter


def audiobook_command(
    input: Annotated[str, typer.Argument(help="PDF, .txt or .md file (e.g. book.ht.pdf).")],
    outdir: Annotated[str | None, typer.Option("--output", "-o", help="Output folder. Default: "
                                                                      "./NAME next to where "
                                                                      "you run it.")] = None,
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Turn a PDF (English, French or Creole) into a Creole audiobook with chapters,
    subtitles, the Creole text and a run report."""
    from pathlib import Path

    from kreyol_cli.cache import Cache
    from kreyol_cli.domain import PageRange
    from kreyol_cli.errors import InputError, LanguageError
    from kreyol_cli.executor import make_executor, plan_for
    from kreyol_cli.pipeline import AudiobookRequest, default_name, language_from_name, run_audiobook
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings, default_jobs
    from kreyol_cli.synthesize import SynthesisOptions, VoiceService, user_lexicon
    from kreyol_cli.translate import TranslateOptions, TranslationService

    if input != "-" and not Path(input).exists():
        raise InputError(f"{input}: no such file")
    lang = source or language_from_name(input) or "en"
    if lang not in ("en", "fr", "ht"):
        raise LanguageError(f"--source {lang!r}: use en, fr or ht")
    reporter = Reporter(progress, quiet=quiet)
    settings = Settings.load()
    registry = Registry.load(settings)
    cores = jobs or default_jobs()
    plan = plan_for(cores)
    translation = None
    if lang != "ht":
        resolved = registry.resolve_translation(model, lang, "ht")
        from kreyol_cli.glossary import read as read_glossary

        terms = read_glossary(glossary, reporter.warn) if glossary else None
        translation = TranslationService(resolved, TranslateOptions(source=lang, target="ht"),
                                         threads=cores, glossary=terms)
    elif glossary or corrections:
        reporter.warn("Creole input is not translated: --glossary and --corrections do "
                      "nothing here (edit the Creole text itself)")
    resolved_voice = registry.resolve_voice(voice, "ht")
    voice_service = VoiceService(resolved_voice, SynthesisOptions(lang="ht", speed=speed),
                                 threads=plan.threads,
                                 lexicon=user_lexicon(settings.home, lexicon, resolved_voice))
    name = default_name(input if input != "-" else "audiobook")
    request = AudiobookRequest(
        input=input, outdir=Path(outdir) if outdir else Path(name), name=name, source=lang,
        translation=translation, voice=voice_service,
        pages=PageRange.parse(pages) if pages else None, password=password, split=split,
        fmt=fmt, mode=mode,
    )
    cache = Cache(settings, read=mode != "force", warn=reporter.warn)
    if corrections and translation is not None:
        from kreyol_cli.human import import_corrections

        import_corrections(cache, corrections, input if input != "-" else None, lang, reporter)
    executor = make_executor(backend, plan.workers, scheduler=scheduler)
    try:
        report = run_audiobook(request, cache, executor, reporter)
    finally:
        executor.close()
        reporter.close()
        cache.close()
    minutes, seconds = divmod(int(report["audio_duration_s"]), 60)
    reporter.note(f"wrote {request.outdir}/: {', '.join(report['outputs'])} "
                  f"({len(report['chapters'])} chapters, {minutes} min {seconds} s of audio, "
                  f"{report['elapsed_s']:.0f} s)")
