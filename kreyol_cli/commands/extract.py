"""The ``kreyol extract`` command: a document to text, JSON or Markdown.

Kept light at import time: the extractor (and PyMuPDF) load when the command runs.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from kreyol_cli.commands.options import Encoding, Notes
from kreyol_cli.domain import PageRange
from kreyol_cli.errors import OutputError


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def extract_command(
    input: Annotated[
        str, typer.Argument(help="Document to read, or - for stdin. Formats (found by content): "
                            "PDF, EPUB, MOBI, FB2, XPS, CBZ, Word .docx, OpenDocument .odt, "
                            "HTML (main content of a saved web page), SRT/WebVTT subtitles, "
                            "Markdown and plain text in any encoding.", show_default=False)
    ],
    output: Annotated[
        str, typer.Option("--output", "-o", help="Write here instead of stdout (- is stdout).")
    ] = "-",
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.text,
    pages: Annotated[
        str | None, typer.Option("--pages", help="Only these PDF pages, e.g. 3-10, 5 or 20-.")
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="Password of an encrypted PDF.")
    ] = None,
    encoding: Encoding = None,
    notes: Notes = "drop",
) -> None:
    """Extract a document's chapters as text (ready for `kreyol translate`), JSON or Markdown.

    Reads PDF, EPUB (and MOBI, FB2, XPS, CBZ), Word .docx, OpenDocument .odt,
    HTML, SRT/WebVTT subtitles, Markdown and plain text, found by content.
    JSON adds the format, language, encoding, removed running headers, and
    marks e-book front and back matter.
    """
    from rich.markup import escape

    from kreyol_cli.domain import DocumentInfo
    from kreyol_cli.extract import WarningRelay, iter_document, iter_rendered
    from kreyol_cli.fileio import check_encoding, is_empty_input, same_file, text_output
    from kreyol_cli.progress import console

    page_range = PageRange.parse(pages) if pages else None
    if encoding is not None:
        check_encoding(encoding)
    if same_file(input, output):
        raise OutputError(f"{output}: refusing to overwrite the input file")
    # As translate/tts/phonemize: empty in, empty out, exit 0 (an empty .pdf is broken).
    if is_empty_input(input):
        with text_output(output) as out:
            if fmt is OutputFormat.json:
                empty = DocumentInfo("", "", 0, input, "text")
                out.write("".join(iter_rendered(empty, [], "json", [])))
        return
    info, chapters, warnings = iter_document(
        input, pages=page_range, password=password, encoding=encoding, notes=notes
    )
    relay = WarningRelay(warnings, lambda message: console.print(
        f"[yellow]warning:[/yellow] {escape(message)}", markup=True))
    with text_output(output) as out:
        for piece in iter_rendered(info, relay.chapters(chapters), fmt.value, warnings):
            out.write(piece)
            if out is sys.stdout:
                out.flush()  # a pipe's reader (kreyol translate) starts at once
    relay.flush()
