"""Which language a document is in: ``--source auto``.

In order: the file-name tag (``book.fr.pdf``), the language the document
declares (EPUB ``dc:language``, DOCX/ODT core properties, HTML ``lang``), and
last a language identifier restricted to English, French and Haitian Creole.

The identifier is py3langid (langid.py's model, bundled in the package: no
download at run time). Measured on the 75 English/Creole sentence pairs of
scripts/fixture_corpus.tsv and 18 French sentences: 162 of 168 single short
sentences right ("Goodbye." taken for Creole, "Vin isit." for English), and
every 10-sentence paragraph right, so kreyol looks at up to 3,000 characters.
It loads in 0.37 s (langid.py, the same model in pure Python: 0.95 s);
langdetect has no Haitian Creole; fastText's lid.176 needs a download.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

LANGUAGES = ("en", "fr", "ht")
NAMES = {"en": "English", "fr": "French", "ht": "Haitian Creole"}
SAMPLE_CHARS = 3000
#: Below this the identifier is guessing (one- or two-word inputs): English is assumed.
MIN_PROBABILITY = 0.9


def language_from_name(path: str) -> str | None:
    """The language tag in a file name (``book.fr.pdf`` -> ``fr``), if any."""
    m = re.search(r"\.(ht|en|fr)\.[A-Za-z0-9]+$", Path(path).name)
    return m.group(1) if m else None


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str) -> tuple[str, float]:
    """The likeliest of en/fr/ht for ``text`` and its probability (0-1)."""
    language, probability = _identifier().classify(text[:SAMPLE_CHARS])
    return str(language), float(probability)


def choose_source(requested: str | None, path: str | None, declared: str, sample: str
                  ) -> tuple[str, str]:
    """Resolve ``--source``: ``(language, how it was chosen)``.

    Args:
        requested: ``--source`` as given (``None`` or ``"auto"`` to choose).
        path: The input file name (``None`` for stdin or TEXT arguments).
        declared: The language the document declares, or ``""``.
        sample: Some of the document's text, for the identifier.

    Raises:
        LanguageError: An explicit ``--source`` kreyol does not read.
    """
    from kreyol_cli.errors import LanguageError

    if requested and requested != "auto":
        code = requested.strip().lower().replace("_", "-").split("-")[0]
        if code not in LANGUAGES:
            raise LanguageError(f"--source {requested!r}: use en, fr, ht or auto")
        return code, "--source"
    tagged = language_from_name(path) if path and path != "-" else None
    if tagged:
        return tagged, "from the file name"
    if declared in LANGUAGES:
        return declared, "from the document's metadata"
    if not sample.strip():
        return "en", "by default (no text to detect from)"
    language, probability = detect_language(sample)
    if probability < MIN_PROBABILITY:
        return "en", (f"by default: the text is too short to tell ({NAMES[language]}, "
                      f"p={probability:.2f}); pass --source")
    return language, f"detected from the text (p={probability:.2f})"


def document_language(source: str, requested: str | None = None, **read_options
                      ) -> tuple[str, str]:
    """Resolve ``--source`` for a document file: ``(language, how it was chosen)``.

    Opens the document only when the flag and the file name do not tell: its
    metadata, else up to :data:`SAMPLE_CHARS` of its first chapters.

    Raises:
        LanguageError, InputError, UsageError: As :func:`choose_source` and the readers.
    """
    if (requested and requested != "auto") or language_from_name(source):
        return choose_source(requested, source, "", "")
    from kreyol_cli.extract import iter_document

    info, chapters, _ = iter_document(source, **read_options)
    sample = ""
    if info.language not in LANGUAGES:
        for chapter in chapters:
            if chapter.matter == "body" or not sample:
                sample += chapter.text + "\n\n"
            if len(sample) >= SAMPLE_CHARS:
                break
    close = getattr(chapters, "close", None)
    if close is not None:
        close()  # the PDF reader closes its file when its generator ends
    return choose_source(None, source, info.language, sample)


def report_choice(reporter, language: str, how: str, *, where: str = "",
                  always: bool = False) -> None:
    """Say which source language ``--source auto`` chose.

    A default that goes against what the identifier leaned to (``Bonjou.``
    taken as English) is a warning in every mode: the user has to pass
    ``--source``, and the error that may follow (an English model to pull) makes
    sense only with it. Any other choice is a note on a terminal (or when
    ``always``), so cron logs stay clean.
    """
    message = f"{where}source language: {NAMES[language]} ({language}), {how}"
    if "too short to tell" in how and f"({NAMES[language]}, p=" not in how:
        reporter.warn(message)
    elif always or reporter.mode != "none":
        reporter.note(message)
