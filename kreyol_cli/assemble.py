"""Assembling the audiobook's files: chapter metadata, subtitles, remuxing.

Audio is encoded while it is synthesized (see ``audio.py``); this module
adds what is only known at the end: chapter markers and tags (one ``ffmpeg
-c copy`` remux, seconds even for a long book), the SRT file, the report.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kreyol_cli.audio import ffmpeg_error, ffmpeg_exe
from kreyol_cli.fileio import atomic_output


@dataclass(frozen=True)
class ChapterMark:
    """A chapter's place on the book's timeline (seconds)."""

    title: str
    start: float
    end: float


@dataclass(frozen=True)
class Cue:
    """One subtitle: a sentence and when it is spoken (seconds)."""

    start: float
    end: float
    text: str


def srt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def cue_block(number: int, cue: Cue) -> str:
    """One SRT entry (numbered from 1), blank line included."""
    text = " ".join(cue.text.split())
    return f"{number}\n{srt_time(cue.start)} --> {srt_time(cue.end)}\n{text}\n\n"


def _ffmeta_escape(value: str) -> str:
    out = []
    for ch in value:
        if ch in "=;#\\\n":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def ffmetadata(title: str, author: str, chapters: list[ChapterMark], *, comment: str = "") -> str:
    """An FFMETADATA1 document with tags and chapter markers (millisecond timebase)."""
    lines = [";FFMETADATA1", f"title={_ffmeta_escape(title)}", f"album={_ffmeta_escape(title)}",
             "genre=Audiobook"]
    if author:
        lines += [f"artist={_ffmeta_escape(author)}", f"album_artist={_ffmeta_escape(author)}"]
    if comment:
        lines.append(f"comment={_ffmeta_escape(comment)}")
    for ch in chapters:
        start = int(round(ch.start * 1000))
        end = max(int(round(ch.end * 1000)), start + 1)
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={end}",
                  f"title={_ffmeta_escape(ch.title)}"]
    return "\n".join(lines) + "\n"


def remux_with_chapters(audio: Path, target: Path, fmt: str, metadata: str) -> None:
    """Copy ``audio``'s stream into ``target`` with tags and chapters, atomically.

    Raises:
        OutputError: ffmpeg failed.
    """
    meta_path = target.with_name(f".{target.name}.ffmeta")
    tmp = target.with_name(f".{target.name}.part")
    meta_path.write_text(metadata, "utf-8")
    muxer = {"m4b": "ipod", "mp3": "mp3"}[fmt]
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
           "-i", str(audio), "-i", str(meta_path), "-map", "0:a", "-map_metadata", "1",
           "-map_chapters", "1", "-c", "copy"]
    if fmt == "mp3":
        cmd += ["-id3v2_version", "3"]
    cmd += ["-f", muxer, str(tmp)]
    try:
        result = subprocess.run(cmd, capture_output=True, check=False)
        if result.returncode != 0:
            err = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ffmpeg_error(err, target, f"ffmpeg could not write {target.name}")
        os.replace(tmp, target)
    finally:
        for leftover in (meta_path, tmp):
            with contextlib.suppress(OSError):
                leftover.unlink()


def write_json(path: Path, data: dict) -> None:
    with atomic_output(path) as out:
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
