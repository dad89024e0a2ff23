"""What the commands share for the human in the loop: importing reviewed
files into the translation memory, and warning about glossary misses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kreyol_cli.cache import Cache


def import_corrections(cache: Cache, files: Sequence[str], input_name: str | None,
                       source_lang: str, reporter) -> int:
    """Read reviewed files and add their corrections to the translation memory.

    Raises:
        ReviewFileError: A file that is unreadable, not a review file, or made
            from another document (``input_name``) or language pair.
    """
    from kreyol_cli import memory, review

    total = 0
    for path in files:
        reviewed = review.read(path, reporter.warn)
        review.check_document(reviewed, path, input_name, source_lang)
        found = review.corrections(reviewed, str(path), source_lang)
        added = memory.add(cache, found)
        known = len(found) - added
        reporter.note(f"{path}: {added} corrected sentence{'s' * (added != 1)} added to the "
                      f"translation memory" + (f" ({known} already in it)" if known else ""))
        copied = sum(map(review.copied_source, reviewed.segments))
        if copied:
            reporter.note(f"{path}: {copied} segment{'s' * (copied != 1)} whose target is the "
                          f"source text (left untranslated in the CAT tool) not taken; to keep "
                          f"a name as written, put it in the glossary")
        total += added
    return total


def missed_terms(results: Iterable) -> list[dict]:
    """``{"sentence", "terms"}`` for each result whose glossary terms were missed."""
    return [{"sentence": r.source, "terms": [t["source"] for t in r.missed]}
            for r in results if r.missed]


def warn_missed(results: Iterable, reporter) -> list[dict]:
    """Warn once per sentence where a glossary term could not be honoured."""
    found = missed_terms(results)
    for item in found if reporter is not None else ():
        reporter.warn(f"glossary: could not honour {', '.join(map(repr, item['terms']))} in "
                      f"{item['sentence'][:80]!r}")
    return found
