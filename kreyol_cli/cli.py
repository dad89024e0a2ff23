"""The ``kreyol`` command line. Thin: parse options, call the library, map errors.

Heavy libraries (ctranslate2, transformers, piper, onnxruntime, pymupdf,
pydub, joblib) are imported inside the commands that need them, so
``kreyol --help`` and ``kreyol cache stats`` start fast.
"""

from __future__ import annotations

import itertools
import json
import signal
import sys
from typing import Annotated

import typer

from kreyol_cli import __version__
from kreyol_cli.cli_cache import cache_app
from kreyol_cli.cli_common import handle_errors, state
from kreyol_cli.cli_extract import extract_command
from kreyol_cli.cli_models import models_app
from kreyol_cli.cli_phonemize import phonemize_command
from kreyol_cli.errors import ExitCode
from kreyol_cli.progress import Reporter, console

app = typer.Typer(
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
    5 language, 6 output, 7 network, 8 encrypted PDF, 9 no text, 10 already done,
    11 locked, 130 interrupted.
    """
    if debug:
        state["debug"] = True
        import logging

        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)


def command(name: str | None = None, **kwargs):
    """Register a command with the error handler in front of it."""

    def decorate(func):
        app.command(name, **kwargs)(handle_errors(func))
        return func

    return decorate


# ---------------------------------------------------------------- translate --

FORMATS_TEXT = ("text", "jsonl")


@command("translate")
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Translate text to Haitian Creole, keeping paragraphs, blank lines and list markers."""
    from kreyol_cli.cache import Cache
    from kreyol_cli.errors import UsageError
    from kreyol_cli.fileio import read_lines, text_output
    from kreyol_cli.registry import Registry
    from kreyol_cli.segment import iter_units
    from kreyol_cli.settings import Settings, default_jobs
    from kreyol_cli.translate import TranslateOptions, TranslationService, translate_units

    if fmt not in FORMATS_TEXT:
        raise UsageError(f"--format {fmt!r}: use text or jsonl")
    reporter = Reporter("auto", quiet=quiet)
    settings = Settings.load()
    resolved = Registry.load(settings).resolve_translation(model, source, target)
    options = TranslateOptions(source=source, target=target, beam_size=beam)
    service = TranslationService(resolved, options, threads=jobs or default_jobs())
    cache = Cache(settings, enabled=not no_cache, warn=reporter.warn)
    lines = read_lines(input, text or (), encoding=encoding)
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


# ---------------------------------------------------------------------- tts --


@command("tts")
def tts_command(
    text: Annotated[list[str] | None, typer.Argument(help="Text to speak (each argument is a "
                                                      "line). Default: --input or stdin.",
                                                      show_default=False)] = None,
    input: Annotated[str | None, typer.Option("--input", "-i", help="Input file, - for stdin.")
                     ] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Audio file, or - to "
                                                                      "stream to stdout.")
                      ] = None,
    voice: Annotated[str | None, typer.Option("--voice", "-v", help="Voice name or .onnx path. "
                                                                    "Default: per language.")
                     ] = None,
    lang: Annotated[str, typer.Option("--lang", "-l", help="Text language: ht, en or fr.")
                    ] = "ht",
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="wav, flac, ogg, mp3 or raw "
                                                                   "(default: from -o, else "
                                                                   "wav).")] = None,
    speed: Annotated[float, typer.Option("--speed", help="Speaking rate (1.2 = 20% faster).")
                     ] = 1.0,
    sentence_silence: Annotated[float, typer.Option("--sentence-silence",
                                                    help="Seconds of silence after sentences.")
                                ] = 0.35,
    noise_scale: Annotated[float, typer.Option("--noise-scale", help="Voice variation; 0 = "
                                                                     "reproducible output.")
                           ] = 0.0,
    noise_w: Annotated[float, typer.Option("--noise-w", help="Timing variation; 0 = "
                                                             "reproducible output.")] = 0.0,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1,
                                             help="CPU cores to use. Default: all.")] = None,
    backend: Annotated[str, typer.Option("--backend", help="auto, serial, processes or dask.")
                       ] = "auto",
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="dask scheduler address."
                                                  )] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the "
                                                              "cache.")] = False,
    encoding: Annotated[str, typer.Option("--encoding", help="Input encoding.")] = "utf-8",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Speak text with a Piper voice (Creole through kreyol's own phonemizer)."""
    from kreyol_cli.audio import check_output, choose_format, open_sink
    from kreyol_cli.cache import Cache
    from kreyol_cli.errors import UsageError
    from kreyol_cli.executor import make_executor, plan_for
    from kreyol_cli.fileio import read_lines
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings, default_jobs
    from kreyol_cli.speech import first_audible, iter_sentences, speak
    from kreyol_cli.synthesize import SynthesisOptions, VoiceService

    if output is None:
        raise UsageError("missing -o/--output: give an audio file (out.wav, out.mp3) or - "
                         "for stdout")
    if text == ["-"] and input is None:
        text, input = None, "-"  # `kreyol tts - -o -`: a lone - is stdin, as everywhere
    audio_format = choose_format(output, fmt)
    check_output(output)  # fail before minutes of synthesis, not after
    reporter = Reporter("auto", quiet=quiet)
    settings = Settings.load()
    resolved = Registry.load(settings).resolve_voice(voice, lang)
    options = SynthesisOptions(lang=lang, speed=speed, sentence_silence=sentence_silence,
                               noise_scale=noise_scale, noise_w=noise_w)
    plan = plan_for(jobs or default_jobs())
    service = VoiceService(resolved, options, threads=plan.threads)
    cache = Cache(settings, enabled=not no_cache, warn=reporter.warn)
    executor = make_executor(backend, plan.workers, scheduler=scheduler)
    sentences = iter_sentences(read_lines(input, text or (), encoding=encoding))
    try:
        with reporter.stage("synthesize") as task:
            parts = speak(sentences, service, cache, executor)
            head, rest = first_audible(parts)
            if not any(p.pcm for p in head):
                reporter.warn("nothing to say: the input has no speakable text; no audio written")
                return
            if audio_format == "raw":
                reporter.note(f"raw PCM: signed 16-bit little-endian, mono, "
                              f"{service.sample_rate} Hz")
            substitutions: dict[str, str] = {}
            with open_sink(output, audio_format, service.sample_rate) as sink:
                for part in itertools.chain(head, rest):
                    substitutions.update(part.substitutions)
                    cache.record("audio", hit=part.cached)
                    sink.write(part.pcm)
                    task.advance()
            for missing, used in sorted(substitutions.items()):
                reporter.warn(f"voice {resolved.spec.name} lacks phoneme {missing!r}; "
                              f"used {used!r}")
    finally:
        executor.close()
        reporter.close()
        cache.close()


# ---------------------------------------------------------------- audiobook --


@command("audiobook")
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
    from kreyol_cli.synthesize import SynthesisOptions, VoiceService
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
        translation = TranslationService(resolved, TranslateOptions(source=lang, target="ht"),
                                         threads=cores)
    voice_service = VoiceService(registry.resolve_voice(voice, "ht"),
                                 SynthesisOptions(lang="ht", speed=speed), threads=plan.threads)
    name = default_name(input if input != "-" else "audiobook")
    request = AudiobookRequest(
        input=input, outdir=Path(outdir) if outdir else Path(name), name=name, source=lang,
        translation=translation, voice=voice_service,
        pages=PageRange.parse(pages) if pages else None, password=password, split=split,
        fmt=fmt, mode=mode,
    )
    cache = Cache(settings, read=mode != "force", warn=reporter.warn)
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


# ----------------------------------------------------------------- plug-ins --

command("extract")(extract_command)
command("phonemize")(phonemize_command)
app.add_typer(cache_app, name="cache")
app.add_typer(models_app, name="models")


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
        console.print("interrupted", highlight=False)
        sys.exit(int(ExitCode.INTERRUPTED))
