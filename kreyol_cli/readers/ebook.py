"""MOBI, FB2, XPS and CBZ through PyMuPDF (the ``ebook`` reader).

PyMuPDF lays these out as pages, so they go through the PDF reader's layout
analysis (headings by font size, the book's outline as chapters). A CBZ
(a zip of comic pages) has no text and is refused like a scanned PDF.
"""

from __future__ import annotations

from typing import IO

from kreyol_cli.errors import InputError
from kreyol_cli.readers.base import Reading, ReadOptions, StreamInfo, peek, zip_names

#: PyMuPDF's file type for each extension; MOBI and FB2 are also found by content.
FILETYPES = {".mobi": "mobi", ".azw": "mobi", ".azw3": "mobi", ".prc": "mobi", ".fb2": "fb2",
             ".fbz": "fb2", ".xps": "xps", ".oxps": "xps", ".cbz": "cbz"}


def _filetype(stream: IO[bytes], info: StreamInfo) -> str | None:
    head = peek(stream, 4096)
    if head[60:68] in (b"BOOKMOBI", b"TEXtREAd"):
        return "mobi"
    if b"<FictionBook" in head:
        return "fb2"
    names = zip_names(stream)
    if names is not None:
        if any(n.lower().endswith(".fpage") for n in names):
            return "xps"
        if info.extension == ".cbz" or (names and all(
                n.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp", "/"))
                for n in names)):
            return "cbz"
    return FILETYPES.get(info.extension) if info.extension in (".mobi", ".azw", ".azw3") \
        else None


class EbookReader:
    name = "ebook"

    def accepts(self, stream: IO[bytes], info: StreamInfo) -> bool:
        return _filetype(stream, info) is not None

    def convert(self, stream: IO[bytes], info: StreamInfo, options: ReadOptions) -> Reading:
        from kreyol_cli.readers.pagelayout import load_pymupdf
        from kreyol_cli.readers.pdf import pdf_document

        pymupdf = load_pymupdf()
        filetype = _filetype(stream, info)
        data = stream.read()
        try:
            doc = pymupdf.open(stream=data, filetype=filetype)
        except Exception as exc:  # noqa: BLE001 - MuPDF raises several types for bad files
            raise InputError(f"{info.name} is a damaged {filetype.upper()} file ({exc}); get a "
                             f"new copy") from None
        if doc.needs_pass or doc.is_encrypted:
            from kreyol_cli.errors import EncryptedError

            doc.close()
            raise EncryptedError(f"{info.name} is protected by DRM; kreyol cannot read it")
        info_, chapters, warnings = pdf_document(doc, info.source, info.stem, options.pages,
                                                 options.notes)
        from dataclasses import replace

        return Reading(replace(info_, kind=filetype), chapters, warnings)


READER = EbookReader()

