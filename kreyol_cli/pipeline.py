"""The audiobook pipeline: extract -> segment -> translate -> synthesize -> assemble.

Only orchestration lives here; each stage is a function in its own module.
Stages are generators: chapters are extracted, translated and turned into
speech tasks lazily, the executor synthesizes tasks in parallel and hands
the audio back in order, and the audio is encoded as it arrives. So the
first chapter is heard while later pages are still unread, and memory stays
flat however long the book is.

Every chunk's translation and audio is cached, so a run that is killed (even
with SIGKILL) and started again redoes only unfinished chunks; because the
synthesis is deterministic its output equals an uninterrupted run's.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kreyol_cli import __version__, encoded
from kreyol_cli.assemble import ChapterMark, Cue, cue_block, ffmetadata, remux_with_chapters, write_json
from kreyol_cli.audio import AudioSink, FfmpegSink, codec_args
from kreyol_cli.cache import Cache
from kreyol_cli.domain import Chapter, PageRange
from kreyol_cli.errors import AlreadyDoneError, UsageError
from kreyol_cli.executor import Executor
from kreyol_cli.fileio import atomic_output
from kreyol_cli.outdir import LOCK_NAME, OutputFolder  # noqa: F401 (LOCK_NAME: public name)
from kreyol_cli.progress import Reporter
from kreyol_cli.segment import speech_pieces, split_sentences
from kreyol_cli.synthesize import AudioPart, VoiceService, synthesize_chunk
from kreyol_cli.translate import TranslationService, translate_with_cache

MODES = ("skip", "redo", "force")
SPLITS = ("none", "chapters")
BOOK_FORMATS = ("m4b", "mp3")
#: Re-synthesized sentences listed in report.json (the counts are always whole).
_LISTED = 200


@dataclass(frozen=True)
class AudiobookRequest:
    """Everything one ``kreyol audiobook`` run needs (picklable).

    Attributes:
        input: The PDF, text or Markdown file.
        outdir: Output folder.
        name: Base name of the output files.
        source: Language of the input: ``en``, ``fr`` or ``ht`` (no translation).
        translation: The translation service (``None`` for ``ht`` input).
        voice: The voice service.
        pages: Pages to read.
        password: PDF password.
        split: ``none`` (one file with chapter markers) or ``chapters``.
        fmt: ``m4b`` or ``mp3``.
        mode: ``skip`` (stop if already complete), ``redo`` (rebuild, reusing the
            cache), ``force`` (rebuild without reading the cache).
        encoding: Encoding of text input (``None``: detected).
        notes: Footnotes: ``drop`` or keep at the ``end`` of their chapter.
    """

    input: str
    outdir: Path
    name: str
    source: str
    translation: TranslationService | None
    voice: VoiceService
    pages: PageRange | None = None
    password: str | None = None
    split: str = "none"
    fmt: str = "m4b"
    mode: str = "skip"
    encoding: str | None = None
    notes: str = "drop"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UsageError(f"--mode {self.mode!r}: use one of {', '.join(MODES)}")
        if self.split not in SPLITS:
            raise UsageError(f"--split {self.split!r}: use one of {', '.join(SPLITS)}")
        if self.fmt not in BOOK_FORMATS:
            raise UsageError(f"--format {self.fmt!r}: use one of {', '.join(BOOK_FORMATS)}")

    def settings_fingerprint(self) -> dict:
        """What, besides the input bytes, decides the output."""
        t = self.translation
        lexicon = self.voice.lexicon
        return {
            "source": self.source, "pages": asdict(self.pages) if self.pages else None,
            "split": self.split, "format": self.fmt, "encoding": self.encoding,
            "notes": self.notes,
            "translation": None if t is None else {**t.model.cache_id, **asdict(t.options)},
            "voice": {**self.voice.voice.cache_id, **asdict(self.voice.options)},
            "glossary": t.glossary.digest() if t is not None and t.glossary else None,
            "lexicon": hashlib.sha256(repr([(e.words, e.ipa) for e in lexicon.entries])
                                      .encode()).hexdigest()[:16] if lexicon else None,
        }


@dataclass(frozen=True)
class SpeechTask:
    """One sentence to speak, and where it belongs."""

    chapter: int
    text: str


@dataclass
class _ChapterState:
    index: int
    title: str
    start_page: int | None
    end_page: int | None
    start: float = 0.0
    end: float = 0.0
    sentences: int = 0
    characters: int = 0
    file: str | None = None
    weight: float = 0.0
    key: str | None = None  # of its encoded file (--split chapters)


@dataclass
class _Stats:
    stage_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(
        ("extract", "translate", "synthesize", "assemble"), 0.0))
    chunks: int = 0
    characters: int = 0
    audio_hits: int = 0
    audio_misses: int = 0
    substitutions: dict[str, str] = field(default_factory=dict)
    synthesized: list[str] = field(default_factory=list)
    from_memory: int = 0
    glossary_missed: list[dict] = field(default_factory=list)


def default_name(path: str) -> str:
    """``books/Ti Liv.ht.pdf`` -> ``Ti Liv``: the stem without a language tag."""
    stem = Path(path).name
    for suffix in (".pdf", ".txt", ".md", ".markdown", ".epub", ".docx", ".odt", ".html", ".htm",
                   ".mobi", ".fb2", ".xps", ".cbz", ".srt", ".vtt"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return re.sub(r"\.(ht|en|fr)$", "", stem) or "audiobook"


def language_from_name(path: str) -> str | None:
    """The language tag in a file name (``book.fr.pdf`` -> ``fr``), if any."""
    from kreyol_cli.language import language_from_name as from_name

    return from_name(path)


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _slug(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^\w\- ]+", "", text, flags=re.UNICODE).strip().replace(" ", "-")
    return slug[:limit].strip("-") or "chapter"


def output_paths(req: AudiobookRequest) -> dict[str, Path]:
    base = req.outdir / req.name
    paths = {"text": base.with_name(f"{req.name}.ht.md"), "srt": base.with_name(f"{req.name}.srt"),
             "report": req.outdir / "report.json"}
    if req.split == "none":
        paths["audio"] = base.with_name(f"{req.name}.{req.fmt}")
    return paths


def _check_done(req: AudiobookRequest, fingerprint: dict) -> None:
    report_path = req.outdir / "report.json"
    try:
        report = json.loads(report_path.read_text("utf-8"))
    except (OSError, ValueError):
        return
    if report.get("status") != "complete" or report.get("fingerprint") != fingerprint:
        return
    if all((req.outdir / f).exists() for f in report.get("outputs", [])):
        raise AlreadyDoneError(
            f"{req.outdir} already holds the complete audiobook of this input: nothing to do "
            f"(use --mode redo to rebuild it from the cache, --mode force to redo everything)"
        )


def run_audiobook(req: AudiobookRequest, cache: Cache, executor: Executor, reporter: Reporter
                  ) -> dict:
    """Run the whole pipeline; return the report (also written to report.json).

    Raises:
        AlreadyDoneError, LockedError, OutputError, InputError (and subclasses).
    """
    from kreyol_cli.extract import iter_document

    started = time.perf_counter()
    with OutputFolder(req.outdir) as folder:
        from kreyol_cli import memory

        fingerprint = {"input_sha256": file_sha256(req.input) if req.input != "-" else None,
                       **req.settings_fingerprint(),
                       "memory": memory.revision(cache) if req.translation else None}
        previous = folder.previous_report()
        folder.check_same_book(previous, req.name, fingerprint["input_sha256"], req.input)
        if req.mode == "skip" and req.input != "-":
            _check_done(req, fingerprint)
        for stale in req.outdir.glob(".*.part"):  # left by a killed run
            stale.unlink(missing_ok=True)
        stats = _Stats()
        t0 = time.perf_counter()
        info, chapters, warnings = iter_document(req.input, pages=req.pages, password=req.password,
                                                 encoding=req.encoding, notes=req.notes)
        stats.stage_s["extract"] += time.perf_counter() - t0
        with contextlib.ExitStack() as files:
            result = _stream(req, info, chapters, cache, executor, reporter, stats, files,
                             warnings, fingerprint if req.input != "-" else None)
        stats.stage_s["assemble"] += result.pop("_assemble_s")
        report = {
            "status": "complete",
            "kreyol_version": __version__,
            "input": req.input,
            "title": info.title,
            "author": info.author,
            "pages": info.pages,
            **result,
            "chunks": stats.chunks,
            "characters": stats.characters,
            "cache": {
                "translation": {"hits": cache.session_hits.get("translation", 0),
                                "misses": cache.session_misses.get("translation", 0)},
                "audio": {"hits": stats.audio_hits, "misses": stats.audio_misses},
                "encoded": {"hits": cache.session_hits.get(encoded.NAMESPACE, 0),
                            "misses": cache.session_misses.get(encoded.NAMESPACE, 0)},
            },
            "speech": {"cached_sentences": stats.audio_hits,
                       "synthesized_sentences": stats.audio_misses,
                       "synthesized": stats.synthesized},
            "translation_memory": {"sentences_used": stats.from_memory},
            "glossary_missed": stats.glossary_missed,
            "stages_s": {k: round(v, 3) for k, v in stats.stage_s.items()},
            "elapsed_s": round(time.perf_counter() - started, 3),
            "models": _models(req),
            "voice_substitutions": stats.substitutions,
            "warnings": list(dict.fromkeys([*warnings, *reporter.warnings])),
            "fingerprint": fingerprint,
        }
        write_json(output_paths(req)["report"], report)
        folder.remove_stale(previous, report["outputs"], req.input)
        return report


def _models(req: AudiobookRequest) -> dict:
    out = {"voice": {"name": req.voice.voice.spec.name, "revision": req.voice.voice.revision,
                     "path": str(req.voice.voice.path), "options": asdict(req.voice.options),
                     "threads": req.voice.threads}}
    if req.translation is not None:
        t = req.translation
        out["translation"] = {"name": t.model.spec.name, "family": t.model.spec.family,
                              "revision": t.model.revision, "path": str(t.model.path),
                              "options": asdict(t.options), "threads": t.threads}
    return out


def _translate(req: AudiobookRequest, texts: list[str], cache: Cache, stats: _Stats,
               reporter: Reporter | None = None) -> list[str]:
    """Creole for ``texts`` (as is for Creole input), in bounded, cached batches."""
    if req.translation is None:
        return list(texts)
    from kreyol_cli.human import warn_missed

    t0 = time.perf_counter()
    out: list[str] = []
    for start in range(0, len(texts), 64):
        results = translate_with_cache(req.translation, texts[start:start + 64], cache)
        stats.from_memory += sum(r.origin == "memory" for r in results)
        missed = warn_missed(results, reporter)  # every miss is warned; the report keeps some
        stats.glossary_missed += missed[:max(0, _LISTED - len(stats.glossary_missed))]
        out += [r.translation for r in results]
    stats.stage_s["translate"] += time.perf_counter() - t0
    return out


def _translate_chapter(req: AudiobookRequest, chapter: Chapter, cache: Cache, stats: _Stats,
                       reporter: Reporter | None = None) -> tuple[str, list[list[str]]]:
    """The chapter's Creole title and its paragraphs as lists of Creole sentences."""
    paragraphs = [split_sentences(p) for p in chapter.text.split("\n\n") if p.strip()]
    title, *rest = _translate(req, [chapter.title] + [s for p in paragraphs for s in p],
                              cache, stats, reporter)
    sentences = iter(rest)
    return title, [[next(sentences) for _ in p] for p in paragraphs]


def _sentence(text: str) -> str:
    """End a title with a full stop so it is spoken as a sentence of its own."""
    text = text.strip()
    return text if text[-1:] in ".!?" else text + "."


def _book_size(req: AudiobookRequest, info, chapters: Iterator[Chapter]
               ) -> tuple[str, int | None, int | None, Iterator[Chapter], int]:
    """How the book's progress is counted: (unit, total, chapters, chapters, first page).

    A PDF streams, so it is counted in pages (its chapter count is unknown until
    the end); a text file is in memory already, so its chapters are listed and
    it is counted in characters.
    """
    if info.kind == "pdf":
        selected = req.pages.clamp(info.pages) if req.pages else range(info.pages)
        first = selected[0] if len(selected) else 0
        return "pages", len(selected) or None, None, chapters, first
    listed = list(chapters)
    return "characters", sum(len(c.text) for c in listed), len(listed), iter(listed), 0


def _speak(service: VoiceService, cache: Cache, item):
    """The executor's task: a sentence's audio, or a stored segment passed through."""
    if isinstance(item, encoded.SegmentRef):
        return item
    return synthesize_chunk(service, item, cache)


def _chapter_tags(number: int, title: str, info) -> list[str]:
    tags = ["-metadata", f"title={title}", "-metadata", f"album={info.title}",
            "-metadata", f"track={number}", "-metadata", "genre=Audiobook"]
    if info.author:
        tags += ["-metadata", f"artist={info.author}"]
    return tags


def _stream(req, info, chapters: Iterator[Chapter], cache: Cache, executor: Executor,
            reporter: Reporter, stats: _Stats, files: contextlib.ExitStack,
            warnings: list[str], fingerprint: dict | None = None) -> dict:
    paths = output_paths(req)
    text_out = files.enter_context(atomic_output(paths["text"]))
    # --split chapters: one .srt beside each chapter file, timed from its start.
    srt_out = files.enter_context(atomic_output(paths["srt"])) if req.split == "none" else None
    chapter_cues: list[str] = []
    states: list[_ChapterState] = []
    pending: deque[SpeechTask] = deque()
    unit, total, count, chapters, first_page = _book_size(req, info, chapters)
    book = files.enter_context(reporter.book(unit, total, count))
    counted = 0  # units assigned to chapters so far
    forwarded = 0
    rate = req.voice.sample_rate
    book_fmt = "m4a" if req.fmt == "m4b" else "mp3"
    book_encoding = [str(rate), *codec_args(book_fmt)]
    #: Stored encoded segments found for this run: chapter index (or -1, the book).
    served: dict[int, encoded.Segment] = {}
    hint_key = None if fingerprint is None else "book:" + encoded.segment_key(
        [json.dumps(fingerprint, sort_keys=True)], book_encoding)
    book_key = encoded.KeyBuilder(book_encoding)

    def forward_warnings() -> None:
        nonlocal forwarded
        for message in warnings[forwarded:]:
            reporter.warn(message)
        forwarded = len(warnings)

    forward_warnings()

    def prepare(chapter: Chapter) -> list[SpeechTask]:
        nonlocal counted
        forward_warnings()
        title, paragraphs = _translate_chapter(req, chapter, cache, stats, reporter)
        opening: list[str] = []
        if not states:  # the book opens with its title and author, like a printed one
            book_title = _translate(req, [info.title], cache, stats, reporter)[0] \
                if info.title.strip() else info.title
            text_out.write(f"# {book_title}\n\n" + (f"*{info.author}*\n\n" if info.author else ""))
            opening = [_sentence(book_title)] + ([f"Pa {_sentence(info.author)}"]
                                                if info.author else [])
        if unit == "pages":
            reached = (chapter.end_page or first_page + counted) - first_page
            weight = max(0, reached - counted)
        else:
            weight = len(chapter.text)
        counted += weight
        text_out.write(f"## {title}\n\n" + "".join(" ".join(p) + "\n\n" for p in paragraphs))
        sentences = opening + [title] + [piece for p in paragraphs for s in p
                                         for piece in speech_pieces(s)]
        state = _ChapterState(chapter.index, title, chapter.start_page, chapter.end_page,
                              sentences=len(sentences), characters=sum(map(len, sentences)),
                              weight=weight)
        states.append(state)
        keys = [req.voice.key(s) for s in sentences]
        if req.split == "chapters":
            state.key = encoded.segment_key(keys, chapter_encoding(len(states) - 1))
        else:
            for key in keys:
                book_key.add(key)
        reporter.event("chapter_ready", "translate", index=len(states) - 1, title=title,
                       sentences=len(sentences))
        return [SpeechTask(len(states) - 1, s) for s in sentences]

    def chapter_encoding(index: int) -> list[str]:
        return [str(rate), *_chapter_tags(index + 1, states[index].title, info),
                *codec_args(req.fmt)]

    def sentences_or_segment(index: int, todo: list[SpeechTask], key: str | None):
        segment = encoded.lookup(cache, key) if key else None
        cache.record(encoded.NAMESPACE, hit=segment is not None)
        pending.extend(todo)
        if segment is not None and len(segment.parts) == len(todo):
            served[index] = segment
            yield encoded.SegmentRef(index)
        else:
            if segment is not None:
                segment.handle.close()
            yield from (t.text for t in todo)

    def tasks() -> Iterator[str | encoded.SegmentRef]:
        chapters_iter = _timed(chapters, stats)
        if req.split == "chapters":
            for chapter in chapters_iter:
                todo = prepare(chapter)
                yield from sentences_or_segment(len(states) - 1, todo, states[-1].key)
            forward_warnings()
            return
        # One stream for the whole book: its key needs every sentence, so look
        # ahead only when a previous complete run of these settings left one.
        hint = cache.get(encoded.NAMESPACE, hint_key, count=False) if hint_key else None
        if hint is None:
            for chapter in chapters_iter:
                for task in prepare(chapter):
                    pending.append(task)
                    yield task.text
            forward_warnings()
            return
        todo = [task for chapter in chapters_iter for task in prepare(chapter)]
        forward_warnings()
        key = book_key.key()
        yield from sentences_or_segment(-1, todo, key if key == hint else None)

    def results():
        for item in executor.map(functools.partial(_speak, req.voice, cache), tasks()):
            if isinstance(item, encoded.SegmentRef):
                yield from served[item.index].parts
            else:
                yield item

    offset = 0  # samples written so far, whole book
    cue_no = 0
    current = -1
    sink: AudioSink | None = None
    intermediate = req.outdir / f".{req.name}.audio.{book_fmt}"
    split_files: list[str] = []
    infos = encoded.Parts()  # of the file being encoded

    def open_chapter_sink(index: int) -> AudioSink:
        state = states[index]
        filename = f"{index + 1:02d}-{_slug(state.title)}.{req.fmt}"
        state.file = filename
        split_files.append(filename)
        if index in served:
            return encoded.CopySink(served.pop(index), req.outdir / filename)
        return FfmpegSink(req.outdir / filename, rate, req.fmt,
                          extra_args=_chapter_tags(index + 1, state.title, info))

    def close_sink(index: int | None) -> None:
        """Finish the file being written; keep a fresh encoding for later runs."""
        nonlocal sink, infos
        done, sink = sink, None
        done.close()
        if isinstance(done, FfmpegSink):
            key = book_key.key() if index is None else states[index].key
            encoded.store(cache, key, done.path, infos)
            if index is None and hint_key:
                cache.set(encoded.NAMESPACE, hint_key, key)
        infos = encoded.Parts()

    def close_chapter(index: int) -> None:
        state = states[index]
        state.end = offset / rate
        if req.split == "chapters":
            close_sink(index)
            srt_name = Path(state.file).with_suffix(".srt").name
            with atomic_output(req.outdir / srt_name) as chapter_srt:
                chapter_srt.write("".join(chapter_cues))
            chapter_cues.clear()
            split_files.append(srt_name)
        book.finish_chapter(audio_s=state.end - state.start,
                            file=state.file or paths["audio"].name,
                            start_s=state.start, end_s=state.end)

    try:
        for part in results():
            task = pending.popleft()
            if task.chapter != current:
                if current >= 0:
                    close_chapter(current)
                current = task.chapter
                state = states[current]
                state.start = offset / rate
                book.start_chapter(current, state.title, state.sentences, state.weight)
                if req.split == "chapters":
                    sink = open_chapter_sink(current)
                elif sink is None:
                    sink = encoded.CopySink(served.pop(-1), intermediate) if -1 in served \
                        else FfmpegSink(intermediate, rate, book_fmt)
            _account(part, stats)
            cache.record("audio", hit=part.cached)
            infos.add(part)
            if part.samples:
                if part.pcm:
                    sink.write(part.pcm)
                cue_no += 1
                end = offset + max(part.samples - part.silence, 0)
                if srt_out is not None:
                    srt_out.write(cue_block(cue_no, Cue(offset / rate, end / rate, task.text)))
                else:
                    zero = states[current].start * rate
                    chapter_cues.append(cue_block(len(chapter_cues) + 1, Cue(
                        (offset - zero) / rate, (end - zero) / rate, task.text)))
                offset += part.samples
            book.advance(1, audio_s=part.samples / rate)
        if current >= 0:
            close_chapter(current)
        t0 = time.perf_counter()
        if sink is not None:
            close_sink(None)
    except BaseException:
        if sink is not None:
            sink.abort()
        for segment in served.values():
            segment.handle.close()
        raise
    if not states or offset == 0:
        from kreyol_cli.errors import NoTextError

        raise NoTextError(f"{req.input} has no speakable text: nothing to make an audiobook of")
    outputs = [paths["text"].name, "report.json"]
    if req.split == "none":
        outputs.insert(1, paths["srt"].name)
        marks = [ChapterMark(s.title, s.start, s.end) for s in states]
        meta = ffmetadata(info.title, info.author, marks,
                          comment=f"Made with kreyol {__version__}")
        remux_with_chapters(intermediate, paths["audio"], req.fmt, meta)
        intermediate.unlink(missing_ok=True)
        outputs.insert(0, paths["audio"].name)
    else:
        outputs = split_files + outputs
    assemble_s = time.perf_counter() - t0
    return {
        "chapters": [{"title": s.title, "start_page": s.start_page, "end_page": s.end_page,
                      "start_s": round(s.start, 3), "end_s": round(s.end, 3),
                      "sentences": s.sentences, "characters": s.characters, "file": s.file}
                     for s in states],
        "audio_duration_s": round(offset / rate, 3),
        "subtitles": cue_no,
        "outputs": outputs,
        "_assemble_s": assemble_s,
    }


def _account(part: AudioPart, stats: _Stats) -> None:
    stats.chunks += 1
    stats.characters += part.characters
    stats.stage_s["synthesize"] += part.seconds
    if part.cached:
        stats.audio_hits += 1
    else:
        stats.audio_misses += 1
        room = _LISTED - len(stats.synthesized)  # bounded: memory stays flat on long books
        if room > 0:
            stats.synthesized.extend(text for text, _ in part.sentences[:room])
    stats.substitutions.update(part.substitutions)


def _timed(chapters: Iterator[Chapter], stats: _Stats) -> Iterator[Chapter]:
    while True:
        t0 = time.perf_counter()
        try:
            chapter = next(chapters)
        except StopIteration:
            return
        finally:
            stats.stage_s["extract"] += time.perf_counter() - t0
        yield chapter
