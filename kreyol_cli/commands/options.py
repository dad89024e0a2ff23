"""Options that several commands share, declared once so their names, defaults
and help read the same everywhere (``Annotated`` aliases for Typer)."""

from __future__ import annotations

from typing import Annotated

import typer

#: ``--encoding``: on every command that reads text (extract, translate, tts,
#: phonemize, audiobook).
Encoding = Annotated[str | None, typer.Option(
    "--encoding", metavar="ENC",
    help="Encoding of text input (default: detected: a byte-order mark, UTF-8, else the "
         "likeliest code page; a warning names it).")]



def _notes(value: str) -> str:
    if value not in ("drop", "end"):
        raise typer.BadParameter(f"{value!r}: use drop or end")
    return value


#: ``--notes``: on every command that reads documents (checked before any input
#: is read, so a typo fails at once, with a text argument too).
Notes = Annotated[str, typer.Option(
    "--notes", callback=_notes, help="Footnotes and endnotes: drop (their markers too) or end "
                    "(kept at the end of their chapter).")]

#: ``--source``: translate and audiobook choose the input language the same way.
Source = Annotated[str, typer.Option(
    "--source", "-s",
    help="Input language: en, fr, ht (not translated: copied through) or auto: the "
         "file-name tag (book.fr.pdf), the document's metadata, else detected from the text.")]

#: ``--quiet``: what cron wants, on every command that shows progress.
Quiet = Annotated[bool, typer.Option("--quiet", "-q",
                                     help="No progress or notes; warnings still show.")]
