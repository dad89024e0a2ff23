"""CSV review files for spreadsheets (the csv module; UTF-8 with a BOM so
Excel shows accents; comma or semicolon on the way back).

Columns: ``id, chapter, position, source, translation, machine translation,
review, document, source language, target language``. The reviewer edits
*translation*; *machine translation* stays as it was so edits can be found.
"""

from __future__ import annotations

import csv
import io

from kreyol_cli.review import Review, ReviewFileError, Segment

COLUMNS = ("id", "chapter", "position", "source", "translation", "machine translation",
           "review", "document", "source language", "target language")


class Writer:
    """Writes a review as CSV, one row at a time."""

    def __init__(self, out, review: Review) -> None:
        self.out, self.review = out, review
        self.text = io.StringIO()
        self.csv = csv.writer(self.text, lineterminator="\r\n")
        self._emit(COLUMNS, prefix="\ufeff")

    def _emit(self, row, prefix: str = "") -> None:
        self.csv.writerow(row)
        self.out.write((prefix + self.text.getvalue()).encode("utf-8"))
        self.text.seek(0)
        self.text.truncate()

    def add(self, s: Segment) -> None:
        r = self.review
        self._emit([s.id, s.chapter, s.position, s.source, s.target, s.machine,
                    "; ".join(s.reasons), r.original, r.source_lang, r.target_lang])

    def close(self) -> None:
        pass


def dump(review: Review) -> bytes:
    """A whole review as CSV bytes."""
    out = io.BytesIO()
    writer = Writer(out, review)
    for seg in review.segments:
        writer.add(seg)
    return out.getvalue()


def load(data: bytes, name: str, warn=None) -> Review:
    """Read an edited CSV: UTF-8 (with or without a BOM), UTF-16 with a BOM
    (Excel's "Unicode Text"), else cp1252, which is what Excel's plain "CSV"
    writes on Windows; ``warn`` is told when that was guessed."""
    from kreyol_cli.textcodec import decode_bytes

    text, codec = decode_bytes(data)
    if codec == "cp1252" and warn is not None:
        warn(f"{name} is not UTF-8: read it as cp1252 (what Excel's plain 'CSV' writes on "
             f"Windows); if accented letters look wrong, save it as 'CSV UTF-8'")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        raise ReviewFileError(f"{name}: empty CSV")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in ("source", "translation") if c not in header]
    if missing:
        raise ReviewFileError(f"{name}: no {' or '.join(repr(m) for m in missing)} column; "
                              f"keep the header row kreyol wrote")
    col = {c: header.index(c) for c in COLUMNS if c in header}

    def cell(row: list[str], column: str) -> str:
        i = col.get(column)
        return row[i] if i is not None and i < len(row) else ""

    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    first = body[0] if body else []
    review = Review(cell(first, "document"), cell(first, "source language"),
                    cell(first, "target language"))
    for row in body:
        def number(column: str, row: list[str] = row) -> int:
            value = cell(row, column).strip()
            return int(value) if value.isdigit() else 0

        review.segments.append(Segment(cell(row, "id"), number("chapter"), "",
                                       number("position"), cell(row, "source"),
                                       cell(row, "translation"),
                                       cell(row, "machine translation")))
    return review
