"""Translation glossaries: protected terms and required Creole renderings.

A glossary is a TSV (``source<TAB>Creole``) or the CSV a spreadsheet writes
(comma or semicolon, an optional header row). A line with no Creole side, or
the same text on both sides, is a *protected* term: a name, a brand, a drug
name that must appear exactly. Otherwise the Creole side is the *required*
rendering of the source term. Matching follows the lexicon's case rule: an
all-lower-case term matches any case, a term with a capital only that
spelling; always on word boundaries.

How the glossary is honoured with CTranslate2 (measured in
``bench/glossary.py``, figures in docs/BENCHMARKS.md):

1. the sentence is translated as usual; if every matched term's Creole text
   is in the output, that is the answer;
2. else the beam's alternatives (``num_hypotheses``) are searched for the
   best-scoring one that contains every term;
3. else the term is forced with ``target_prefix``: the best hypothesis up to
   each word boundary, then the term's tokens, and the model completes the
   sentence; the completion the model scores best (``score_batch``) wins.

Placeholder substitution (a term replaced by a token the model should copy,
restored afterwards) and swapping the model's rendering of the term alone
were measured too and not kept: the models never copied the placeholder, and
cannot translate a lone term. A sentence where no step honours a term is
reported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kreyol_cli.errors import InputError

_HEADERS = {"source", "term", "en", "fr", "english", "french", "src", "source term",
            "anglais", "français", "francais", "terme", "mot", "word"}
#: What spreadsheets call the Creole column; a first row ending so is a header.
_TARGET_HEADERS = {"creole", "créole", "kreyòl", "kreyol", "ht", "haitian creole",
                   "target", "translation", "traduction", "tradiksyon"}


class GlossaryError(InputError):
    """A glossary file that cannot be used (the message names file and line)."""


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes:
        source: The term in the source text.
        target: The Creole text the output must contain (the source itself
            for a protected term).
        origin: ``FILE:LINE``.
    """

    source: str
    target: str
    origin: str

    @property
    def protected(self) -> bool:
        return self.source == self.target

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "target": self.target}


#: Apostrophes a word processor or a keyboard may put in the same word.
_APOSTROPHE = re.compile("['’ʼ‘]")


def term_pattern(text: str) -> re.Pattern[str]:
    """Where ``text`` occurs: whole words, the case rule above, and any
    apostrophe for any other (Word writes l’hôpital, a spreadsheet l'hôpital)."""
    flags = re.IGNORECASE if text == text.lower() else 0
    body = "['’ʼ‘]".join(re.escape(part) for part in _APOSTROPHE.split(text))
    return re.compile(r"(?<!\w)" + body + r"(?!\w)", flags)


def honoured(term: Term, translation: str) -> bool:
    """Whether a translation contains the term's Creole text."""
    return bool(term_pattern(term.target).search(translation))


@dataclass(frozen=True)
class Glossary:
    """Terms in file order; the longest source term wins where two overlap."""

    terms: tuple[Term, ...] = ()
    _patterns: list[tuple[Term, re.Pattern[str]]] = field(default_factory=list, init=False,
                                                          compare=False, repr=False)

    def __post_init__(self) -> None:
        ordered = sorted(self.terms, key=lambda t: -len(t.source))
        self._patterns.extend((t, term_pattern(t.source)) for t in ordered)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def matches(self, sentence: str) -> tuple[Term, ...]:
        """The terms found in a source sentence (overlaps: the longest)."""
        taken: list[tuple[int, int]] = []
        found: list[Term] = []
        for term, pattern in self._patterns:
            for m in pattern.finditer(sentence):
                if not any(m.start() < end and start < m.end() for start, end in taken):
                    taken.append(m.span())
                    if term not in found:
                        found.append(term)
        return tuple(found)

    def digest(self) -> str:
        blob = "\n".join(f"{t.source}\t{t.target}" for t in self.terms)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def read(path: str | Path, warn=None) -> Glossary:
    """Read a TSV or CSV glossary: UTF-8, UTF-16 with a BOM (Excel's "Unicode
    Text"), else cp1252 (Excel's plain "CSV" on Windows; ``warn`` is told).

    Raises:
        GlossaryError: Missing file or a row without a source term.
    """
    from kreyol_cli.textcodec import decode_bytes

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise GlossaryError(f"{path}: no such glossary file") from None
    except OSError as exc:
        raise GlossaryError(f"{path}: cannot read ({exc.strerror or exc})") from None
    text, codec = decode_bytes(data)
    if codec == "cp1252" and warn is not None:
        warn(f"{path} is not UTF-8: read it as cp1252 (what Excel's plain 'CSV' writes on "
             f"Windows); if accented letters look wrong, save it as 'CSV UTF-8'")
    return parse(text, str(path))


def parse(text: str, origin: str) -> Glossary:
    """Parse glossary text (TSV when a line has a TAB, else CSV)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return Glossary()
    if any("\t" in ln for ln in lines):
        rows = [(n, raw.split("\t")) for n, raw in enumerate(text.splitlines(), 1)]
    else:
        sample = "\n".join(lines[:20])
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect)
        rows = [(reader.line_num, row) for row in reader]
    terms: list[Term] = []
    for number, row in rows:
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not terms and (cells[0].lower() in _HEADERS
                          or (len(cells) > 1 and cells[1].lower() in _TARGET_HEADERS)):
            continue  # a header row ("Anglais;Kreyòl" too, not a term to force)
        source = cells[0]
        target = cells[1] if len(cells) > 1 and cells[1] else source
        if not source:
            raise GlossaryError(f"{origin}:{number}: no source term in the first column "
                                f"(write 'source term<TAB>Creole term', or the term alone "
                                f"to keep it as is)")
        terms.append(Term(source, target, f"{origin}:{number}"))
    return Glossary(tuple(terms))


# -- honouring the terms with CTranslate2 ------------------------------------


@dataclass
class Outcome:
    """A sentence's translation under the glossary."""

    text: str
    missed: tuple[Term, ...] = ()
    method: str = "plain"


def missing(terms: Sequence[Term], translation: str) -> tuple[Term, ...]:
    return tuple(t for t in terms if not honoured(t, translation))


def enforce(translator, sentence: str, first: str, terms: Sequence[Term],
            steps: Sequence[tuple[str, Callable]] | None = None) -> Outcome:
    """Make ``first`` (the plain translation of ``sentence``) honour ``terms``.

    Args:
        translator: A loaded :class:`kreyol_cli.translate.Translator`.
        sentence: The source sentence.
        first: Its plain translation.
        terms: The glossary terms matched in the sentence.
        steps: ``(name, mechanism)`` pairs tried in order; a mechanism is
            ``f(translator, sentence, window, terms) -> str | None``. Default:
            :data:`MECHANISMS` (the benchmark passes others to compare).
    """
    if not missing(terms, first):
        return Outcome(first)
    windows = translator.tokenize(sentence)
    if len(windows) != 1:  # a sentence split into windows: no single decoder state
        return Outcome(first, missing(terms, first))
    for name, mechanism in steps or MECHANISMS:
        candidate = mechanism(translator, sentence, windows[0], terms)
        if candidate is not None and not missing(terms, candidate):
            return Outcome(candidate, (), name)
    return Outcome(first, missing(terms, first))


def _decode(translator, batch, prefixes, n: int, limit: int | None = None):
    opts = translator.options
    return translator.engine.translate_batch(
        batch, target_prefix=prefixes, beam_size=max(n, 2), num_hypotheses=n,
        max_decoding_length=min(limit or opts.max_decoding_length, opts.max_decoding_length),
        return_scores=True)


def _lang_prefix(translator) -> list[str]:
    return list(translator.target_prefix or [])


def _alternatives(translator, sentence, window, terms) -> str | None:
    n = max(8, translator.options.beam_size)
    lang = _lang_prefix(translator)
    result = _decode(translator, [window], [lang] if lang else None, n)[0]
    for hypothesis in result.hypotheses:
        text = translator.detokenize(hypothesis)
        if not missing(terms, text):
            return text
    return None


def _target_tokens(translator, text: str) -> list[str]:
    tok = translator.tokenizer
    try:
        ids = tok(text_target=text, add_special_tokens=False)["input_ids"]
    except TypeError:
        ids = tok(text, add_special_tokens=False)["input_ids"]
    return tok.convert_ids_to_tokens(ids)


_SENTENCE_END = re.compile(r"[.!?…:;][\"'”»)\]]*\s*$")


def _prefix(translator, sentence, window, terms) -> str | None:
    """Force each missing term after each word boundary of the best
    hypothesis; keep the completion the model scores best as a whole."""
    lang = _lang_prefix(translator)
    first = _decode(translator, [window], [lang] if lang else None, 1)[0].hypotheses[0]
    current = first[len(lang):] if lang and first[:len(lang)] == lang else first
    text = translator.detokenize(current)
    for term in missing(terms, text):
        forced = _target_tokens(translator, term.target)
        current = current[:200]
        cuts = [k for k, tok in enumerate(current) if tok.startswith("▁")]
        if not _SENTENCE_END.search(text):
            # After the final full stop a term is not a translation: "Doktè a
            # ap vini. medsen" contains the term and says nothing.
            cuts.append(len(current))
        if not cuts:
            return None
        prefixes = [lang + current[:k] + forced for k in dict.fromkeys(cuts)]
        # Room to finish, not to babble (and within the model's positions).
        limit = min(2 * (len(current) + len(forced)) + 8, 250)
        results = _decode(translator, [window] * len(prefixes), prefixes, 1, limit)
        hypotheses = [r.hypotheses[0][:limit] for r in results]
        # Decoding scores cover only what follows the prefix: score whole sentences.
        scores = translator.engine.score_batch([window] * len(hypotheses), hypotheses)
        means = [sum(s.log_probs) / max(1, len(s.log_probs)) for s in scores]
        best = hypotheses[max(range(len(hypotheses)), key=means.__getitem__)]
        current = best[len(lang):] if lang and best[:len(lang)] == lang else best
        text = translator.detokenize(current)
    return text


#: What :func:`enforce` tries, in order (chosen by ``bench/glossary.py``).
MECHANISMS: tuple[tuple[str, Callable], ...] = (("alternatives", _alternatives),
                                                ("prefix", _prefix))
