"""SRT and WebVTT as a document: the words the cues hold, for ``extract`` and
``audiobook`` (no cue numbers, timings or markup; a sentence split over
several cues is one line). ``translate`` and ``tts`` handle subtitle files cue
by cue themselves, timings kept (:mod:`kreyol_cli.commands.subtitles`)."""

from __future__ import annotations

from typing import IO

from kreyol_cli.domain import Chapter, DocumentInfo
from kreyol_cli.errors import InputError
from kreyol_cli.readers.base import Reading, ReadOptions, StreamInfo, peek


class SubtitlesReader:
    """SRT and WebVTT, found by a ``WEBVTT`` header or an SRT cue line."""

    name = "subtitles"

    def accepts(self, stream: IO[bytes], info: StreamInfo) -> bool:
        from kreyol_cli.readers.sniff import looks_like_subtitles

        return looks_like_subtitles(peek(stream, 4096), info.extension)

    def convert(self, stream: IO[bytes], info: StreamInfo, options: ReadOptions) -> Reading:
        from kreyol_cli.subtitles import cues_text, load
        from kreyol_cli.textcodec import UNICODE, guessed_warning

        subtitles = load(stream.read(), name=info.name, encoding=options.encoding)
        warnings = []
        if options.encoding is None and subtitles.encoding not in UNICODE:
            warnings.append(guessed_warning(info.name, subtitles.encoding))
        lines = [line.strip() for line in cues_text(subtitles.cues, subtitles.format)
                 .splitlines() if line.strip()]
        if not lines:
            raise InputError(f"{info.name} has no text: its cues are empty")
        doc = DocumentInfo(info.stem, "", 1, info.source, "subtitles",
                           encoding=subtitles.encoding)
        chapter = Chapter(0, info.stem, None, None, "\n\n".join(lines), heading=False)
        return Reading(doc, iter([chapter]), warnings)


READER = SubtitlesReader()
