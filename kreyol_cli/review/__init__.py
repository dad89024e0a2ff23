"""Review files: machine translation out to a person, corrections back in.

``kreyol translate --review FILE.xlf|FILE.csv`` writes one segment per
sentence (chapter, position, source, machine translation, and the reasons to
look at it first); a translator edits the targets in a CAT tool (OmegaT,
Poedit, Trados read XLIFF 1.2) or a spreadsheet; ``--corrections FILE``
reads the edited file back into the translation memory (:mod:`kreyol_cli.memory`).

Formats are chosen by extension: ``.xlf``/``.xliff`` (:mod:`.xliff`) and
``.csv`` (:mod:`.spreadsheet`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kreyol_cli.errors import InputError, UsageError

SUFFIXES = {".xlf": "xliff", ".xliff": "xliff", ".csv": "csv"}


class ReviewFileError(InputError):
    """A review file that cannot be read back (one line says why)."""


@dataclass
class Segment:
    """One sentence for review.

    Attributes:
        id: Its number in the document (``"1"``, ``"2"`` ...).
        chapter: Chapter number (1-based); a Markdown heading starts one.
        chapter_title: The chapter's heading, if any.
        position: The sentence's number within its chapter (1-based).
        source: The source sentence.
        target: The translation (edited by the reviewer on the way back).
        machine: The machine translation it started from.
        reasons: Why to review it first (empty: nothing suspicious).
        origin: ``model``, ``cache`` or ``memory`` (already corrected).
    """

    id: str
    chapter: int
    chapter_title: str
    position: int
    source: str
    target: str
    machine: str = ""
    reasons: list[str] = field(default_factory=list)
    origin: str = "model"


@dataclass
class Review:
    """A whole review file."""

    original: str
    source_lang: str
    target_lang: str
    segments: list[Segment] = field(default_factory=list)
    tool: str = ""


class Collector:
    """Numbers translated sentences by chapter and position as they stream by
    and hands each to a writer (see :func:`open_writer`), so a review of a
    200 MB document does not hold it in memory."""

    def __init__(self, writer) -> None:
        self.writer = writer
        self.segments = self.flagged = 0
        self._chapter, self._title, self._position = 1, "", 0

    def add(self, prefix: str, results) -> None:
        """Add one unit's sentence results; ``prefix`` is its list/heading marker."""
        from kreyol_cli.review.flags import reasons

        if prefix.strip().startswith("#") and results:
            if self._position:
                self._chapter += 1
            self._title, self._position = " ".join(r.source for r in results), 0
        for r in results:
            if not r.source.strip():
                continue
            self._position += 1
            self.segments += 1
            flagged = [] if r.origin == "memory" else reasons(r.source, r.translation, r.missed)
            self.flagged += bool(flagged)
            self.writer.add(Segment(str(self.segments), self._chapter, self._title,
                                    self._position, r.source, r.translation, r.translation,
                                    flagged, r.origin))


def format_of(path: str | Path) -> str:
    """``xliff`` or ``csv`` from a file name.

    Raises:
        UsageError: Another extension.
    """
    kind = SUFFIXES.get(Path(path).suffix.lower())
    if kind is None:
        raise UsageError(f"{path}: name a review file .xlf (XLIFF 1.2, for CAT tools) or "
                         f".csv (for spreadsheets)")
    return kind


@contextlib.contextmanager
def open_writer(path: str | Path, original: str, source_lang: str, target_lang: str,
                tool: str = "") -> Iterator:
    """A streaming writer (``.add(segment)``) of a review file, in the format its
    extension names; the file appears, complete, when the block ends."""
    from kreyol_cli.fileio import atomic_output

    kind = format_of(path)
    if kind == "xliff":
        from kreyol_cli.review.xliff import Writer
    else:
        from kreyol_cli.review.spreadsheet import Writer
    with atomic_output(path, binary=True) as out:
        writer = Writer(out, Review(original, source_lang, target_lang, tool=tool))
        yield writer
        writer.close()


def write(path: str | Path, review: Review) -> None:
    """Write a whole review file atomically."""
    with open_writer(path, review.original, review.source_lang, review.target_lang,
                     review.tool) as writer:
        for segment in review.segments:
            writer.add(segment)


def read(path: str | Path, warn=None) -> Review:
    """Read a reviewed file back (``warn``: told about a guessed encoding).

    Raises:
        ReviewFileError: Missing, unreadable or not a kreyol review file.
    """
    kind = format_of(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ReviewFileError(f"{path}: no such review file") from None
    except OSError as exc:
        raise ReviewFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if kind == "xliff":
        from kreyol_cli.review.xliff import load

        return load(data, str(path))
    from kreyol_cli.review.spreadsheet import load

    return load(data, str(path), warn)


def language(tag: str) -> str:
    """The primary language of a tag, as compared: ``EN-US``, ``en_US`` -> ``en``
    (tags are case-insensitive; CAT tools write them in either case)."""
    return tag.replace("_", "-").split("-")[0].strip().lower()


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def copied_source(segment: Segment) -> bool:
    """A target that is the source text again, where the machine translated it.

    CAT tools write the source into every segment left untranslated (OmegaT
    does so when it creates the translated file), so such a target means "not
    reviewed", not "say it in English"."""
    return _same(segment.target, segment.source) and not _same(segment.machine, segment.source)


def corrections(review: Review, origin: str, source_lang: str = "en"):
    """The memory entries a reviewed file brings: every segment whose target a
    person changed. An empty target, or one that is the source copied back
    (:func:`copied_source`), means "not reviewed" and is skipped.

    ``source_lang`` is the run's: the language of a file that does not say
    (a spreadsheet whose language columns were deleted)."""
    from kreyol_cli.memory import Correction

    src = language(review.source_lang) or language(source_lang) or "en"
    tgt = language(review.target_lang) or "ht"
    return [Correction(s.source, s.target, src, tgt, origin)
            for s in review.segments
            if s.target.strip() and s.source.strip()
            and not _same(s.target, s.machine) and not copied_source(s)]


def check_document(review: Review, path: str, input_name: str | None, source_lang: str
                   ) -> None:
    """Refuse a review file made from another document or language pair.

    Raises:
        ReviewFileError: One line naming both documents and what to do.
    """
    if review.source_lang and language(review.source_lang) != language(source_lang):
        raise ReviewFileError(
            f"{path} translates from {review.source_lang!r}, but this run translates from "
            f"{source_lang!r}: use the review file of this document")
    if review.target_lang and language(review.target_lang) != "ht":
        raise ReviewFileError(f"{path} translates into {review.target_lang!r}, not Haitian "
                              f"Creole (ht)")
    # A review of piped text ("stdin") or of the memory ("") fits any document.
    known = review.original not in ("", "stdin")
    if input_name and known and Path(review.original).name != Path(input_name).name:
        raise ReviewFileError(
            f"{path} was exported from {review.original!r}, not from "
            f"{Path(input_name).name!r}: use this document's review file, or add its "
            f"corrections for every document with `kreyol memory import {path}`")
