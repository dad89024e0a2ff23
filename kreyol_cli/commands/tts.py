"""``kreyol tts``: speak text with a Piper voice, to a file or streamed to stdout."""

from __future__ import annotations

import itertools
from typing import Annotated

import typer

from kreyol_cli.commands.options import Encoding, Notes, Quiet
from kreyol_cli.progress import Reporter


def tts_command(
    text: Annotated[list[str] | None, typer.Argument(help="Text to speak (each argument is a "
                                                      "line). Default: --input or stdin.",
                                                      show_default=False)] = None,
    input: Annotated[str | None, typer.Option("--input", "-i", help="Input file, - for stdin: "
                                              "text, or any document `kreyol extract` reads "
                                              "(PDF, EPUB, DOCX, ODT, HTML ...).")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Audio file, or - to "
                                                                      "stream to stdout.")
                      ] = None,
    voice: Annotated[str | None, typer.Option("--voice", "-v", help="Voice name or .onnx path. "
                                                                    "Default: per language.")
                     ] = None,
    lang: Annotated[str, typer.Option("--lang", "-l", help="Text language: ht, en or fr.")
                    ] = "ht",
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="wav, flac, ogg, mp3, m4b, m4a or raw "
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
    encoding: Encoding = None,
    notes: Notes = "drop",
    lexicon: Annotated[list[str] | None, typer.Option(
        "--lexicon", help="Pronunciation lexicon (word<TAB>IPA or Creole respelling); "
                          "repeatable. $KREYOL_HOME/lexicon.tsv is always read.")] = None,
    quiet: Quiet = False,
    max_speedup: Annotated[float, typer.Option("--max-speedup", help="Subtitles: speed speech "
                                               "up to this factor to fit its cue.")] = 1.3,
) -> None:
    """Speak text with a Piper voice (Creole through kreyol's own phonemizer).

    A subtitle file (SRT, WebVTT: -i FILE, or a lone TEXT argument naming one) becomes
    a timed voice-over, each cue spoken at its start time:

    \b
    kreyol tts film.ht.srt -o voiceover.wav
    """
    from kreyol_cli.audio import check_output, choose_format, open_sink
    from kreyol_cli.cache import Cache
    from kreyol_cli.commands.subtitles import speak_file, subtitle_input
    from kreyol_cli.errors import OutputError, UsageError
    from kreyol_cli.executor import make_executor, plan_for
    from kreyol_cli.fileio import TERMINAL_HINT, nonempty, reads_terminal, same_file, text_source
    from kreyol_cli.inputs import input_text
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings, default_jobs
    from kreyol_cli.speech import first_audible, iter_sentences, speak
    from kreyol_cli.synthesize import SynthesisOptions, VoiceService, user_lexicon

    if output is None:
        raise UsageError("missing -o/--output: give an audio file (out.wav, out.mp3) or - "
                         "for stdout")
    text, input = text_source(text, input)  # `kreyol tts - -o -`: a lone - is stdin
    if lexicon and lang != "ht":
        raise UsageError("--lexicon is for Creole text (--lang ht); espeak-ng reads en and fr")
    audio_format = choose_format(output, fmt)
    # The input itself, or a lone TEXT argument naming the file (a subtitle file).
    if any(same_file(source, output) for source in [input, *(text or [])[:1]]):
        raise OutputError(f"{output}: refusing to overwrite the input file")
    check_output(output)  # fail before minutes of synthesis, not after
    typing = reads_terminal(text, input)
    # A person typing: a hint instead of a bar drawn over what they type.
    reporter = Reporter("none" if typing else "auto", quiet=quiet)
    if typing:
        reporter.note(TERMINAL_HINT)
    subtitles = subtitle_input(input, text, lone_file=True)  # SRT/WebVTT: a voice-over
    if subtitles is None:
        document = input_text(input, text, encoding=encoding, notes=notes, warn=reporter.warn)
        lines = nonempty(document.lines)
        if lines is None:  # empty input: no audio, and no voice to load
            reporter.note("nothing to say: the input is empty; no audio written")  # not news for cron
            return
        sentences = iter_sentences(lines)
    settings = Settings.load()
    resolved = Registry.load(settings).resolve_voice(voice, lang)
    options = SynthesisOptions(lang=lang, speed=speed, sentence_silence=sentence_silence,
                               noise_scale=noise_scale, noise_w=noise_w)
    plan = plan_for(jobs or default_jobs())
    service = VoiceService(resolved, options, threads=plan.threads,
                           lexicon=user_lexicon(settings.home, lexicon, resolved)
                           if lang == "ht" else None)
    cache = Cache(settings, enabled=not no_cache, warn=reporter.warn)
    executor = make_executor(backend, plan.workers, scheduler=scheduler)
    try:
        if subtitles is not None:  # SRT/WebVTT: a timed voice-over
            return speak_file(subtitles, output=output, audio_format=audio_format,
                              service=service, cache=cache, executor=executor, reporter=reporter,
                              encoding=encoding, max_speedup=max_speedup)
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
                    task.advance(audio_s=part.samples / service.sample_rate)
            for missing, used in sorted(substitutions.items()):
                reporter.warn(f"voice {resolved.spec.name} lacks phoneme {missing!r}; "
                              f"used {used!r}")
    finally:
        executor.close()
        reporter.close()
        cache.close()
