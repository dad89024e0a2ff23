"""Subtitle files in ``kreyol translate`` and ``kreyol tts``.

Those commands hand a subtitle input over to the functions here: they read
the whole file (subtitle files are small), check it before any model
loads, and write the result atomically.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from kreyol_cli.errors import InputError
from kreyol_cli.progress import Reporter

_HEAD = 4096


def subtitle_input(input: str | None, text: list[str] | None, *, lone_file: bool = False
                   ) -> str | None:
    """The subtitle file a command was given, or ``None`` for ordinary text.

    ``-i FILE`` is a subtitle file when its content (or, failing that, its
    extension) says so; ``-i -`` or no input at all, when standard input
    starts like one. With ``lone_file`` (``kreyol tts film.srt``), a single
    TEXT argument naming an existing subtitle file is that file: speaking or
    translating the words "film.srt" is never what was meant.
    """
    from kreyol_cli.subtitles import format_of, sniff

    if lone_file and input is None and text and len(text) == 1 and os.path.isfile(text[0]):
        if format_of(text[0], _head(text[0])):
            return text[0]
        return None
    if text:
        return None
    if input is None or input == "-":
        from kreyol_cli.inputs import stdin_head

        head = stdin_head(_HEAD)
        return "-" if head and sniff(head) else None
    if os.path.isfile(input) and format_of(input, _head(input)):
        return input
    return None


def _head(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(_HEAD)
    except OSError:
        return b""


def read_input(path: str) -> bytes:
    """A subtitle file's bytes (``-``: standard input, read once and kept).

    Raises:
        InputError: The file cannot be read.
    """
    from kreyol_cli.readers import stdin_bytes

    try:
        # stdin is read once and kept: choosing the source language and
        # translating both need a piped subtitle file.
        return stdin_bytes() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {_name(path)}: {exc.strerror}") from None


def _name(path: str) -> str:
    return "standard input" if path == "-" else path


def subtitle_sample(path: str, encoding: str | None) -> str:
    """Some of a subtitle file's spoken text (``-``: stdin), for language detection."""
    from kreyol_cli.subtitles import cues_text, load

    subtitles = load(read_input(path), name=_name(path), encoding=encoding)
    return cues_text(subtitles.cues, subtitles.format)[:4000]


def copy_subtitles(path: str, output: str, *, fmt: str, encoding: str | None,
                   reporter: Reporter) -> None:
    """Creole subtitles to Creole: the cues go through as they are, in UTF-8 like
    every translated file (``fmt`` ``jsonl``: one object per cue)."""
    from kreyol_cli.fileio import text_output
    from kreyol_cli.textcodec import decode_bytes

    subtitles = load_input(path, encoding, reporter)  # checked, and a code page named
    with text_output(output) as out:
        if fmt == "jsonl":
            for cue in subtitles.cues:
                out.write(json.dumps(_record(cue, cue.text, False), ensure_ascii=False) + "\n")
        else:
            text, _ = decode_bytes(read_input(path), encoding)
            out.write(text.removeprefix("\ufeff"))


def _record(cue, translation: str, cached: bool) -> dict:
    """A cue as ``--format jsonl`` writes it."""
    record = {"index": cue.index, "start": cue.start / 1000, "end": cue.end / 1000,
              "source": cue.text, "translation": translation, "cached": cached}
    if cue.identifier:
        record["identifier"] = cue.identifier
    return record


def load_input(path: str, encoding: str | None, reporter: Reporter):
    """Read and parse a subtitle file (``-``: stdin); warn about a guessed encoding."""
    from kreyol_cli.subtitles import load
    from kreyol_cli.textcodec import UNICODE, guessed_warning

    name = _name(path)
    subtitles = load(read_input(path), name=name, encoding=encoding)
    if encoding is None and subtitles.encoding not in UNICODE:
        reporter.warn(guessed_warning(name, subtitles.encoding))
    return subtitles


def output_format(output: str | None, source_format: str) -> str:
    """SRT or WebVTT: from the output's extension, else the input's format."""
    from kreyol_cli.subtitles.parse import EXTENSIONS

    if output and output != "-":
        return EXTENSIONS.get(Path(output).suffix.lower(), source_format)
    return source_format


def translate_file(path: str, *, output: str, fmt: str, service, cache, reporter: Reporter,
                   encoding: str | None, collector=None) -> None:
    """``kreyol translate -i film.srt -o film.ht.srt``: every cue translated,
    indexes and timings kept; ``fmt`` ``jsonl`` writes one object per cue.
    Glossary misses are warned about; ``collector`` (``--review``) gets every
    sentence, as the text path gives it."""
    from kreyol_cli.fileio import text_output
    from kreyol_cli.human import warn_missed
    from kreyol_cli.subtitles.translation import translate_subtitles
    from kreyol_cli.subtitles.write import write_subtitles
    from kreyol_cli.translate import translate_with_cache

    def translate(sentences: list[str]) -> list:
        results = translate_with_cache(service, sentences, cache)
        warn_missed(results, reporter)
        if collector is not None:
            collector.add("", results)
        return results

    subtitles = load_input(path, encoding, reporter)
    out_format = output_format(output, subtitles.format)
    with reporter.stage("translate") as task:
        result = translate_subtitles(subtitles, translate, out_format=out_format,
                                     on_batch=task.advance)
    _warn_cues(reporter, result.dropped_styling,
               "styling inside a line was dropped (it cannot follow the words through a "
               "translation)")
    _warn_cues(reporter, result.too_long,
               "the translation is longer than two lines of 42 characters; shorten it by hand")
    with text_output(output) as out:
        if fmt == "jsonl":
            for item in result.cues:
                out.write(json.dumps(_record(item.cue, item.text, item.cached),
                                     ensure_ascii=False) + "\n")
        else:
            out.write(write_subtitles(subtitles, [c.text for c in result.cues], out_format))


def speak_file(path: str, *, output: str, audio_format: str, service, cache, executor,
               reporter: Reporter, encoding: str | None, max_speedup: float) -> None:
    """``kreyol tts film.ht.srt -o voiceover.wav``: the timed voice-over."""
    from kreyol_cli.audio import open_sink
    from kreyol_cli.subtitles.voiceover import render_voiceover, speech_texts

    subtitles = load_input(path, encoding, reporter)
    spoken = sum(1 for text in speech_texts(subtitles.cues, subtitles.format) if text)
    if not spoken:
        reporter.warn("nothing to say: the subtitles have no speakable text; no audio written")
        return
    if audio_format == "raw":
        reporter.note(f"raw PCM: signed 16-bit little-endian, mono, {service.sample_rate} Hz")
    with reporter.stage("synthesize", total=spoken) as task, \
            open_sink(output, audio_format, service.sample_rate) as sink:
        result = render_voiceover(
            subtitles.cues, service, cache, executor, sink.write, fmt=subtitles.format,
            max_speedup=max_speedup, on_cue=task.advance,
            on_part=lambda part: cache.record("audio", hit=part.cached))
    if result.sped_up:
        reporter.note("sped up to fit their time: " + _list(
            [f"cue {s.cue.name} ({s.speedup:.2f}x)" for s in result.sped_up]))
    if result.overruns:
        reporter.warn(
            f"{len(result.overruns)} cue(s) run past their end even at {max_speedup:g}x: "
            + _list([f"{s.cue.name} (+{s.overrun:.1f} s"
                     + (f", into cue {s.overlaps})" if s.overlaps is not None else ")")
                     for s in result.overruns])
            + "; shorten their text or raise --max-speedup")
    for missing, used in sorted(result.substitutions.items()):
        reporter.warn(f"voice {service.voice.spec.name} lacks phoneme {missing!r}; used {used!r}")


def _warn_cues(reporter: Reporter, names: list[str], message: str) -> None:
    if names:
        reporter.warn(f"cue{'s' if len(names) > 1 else ''} {_list(names)}: {message}")


def _list(items, limit: int = 10) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
