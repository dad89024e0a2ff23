"""CTranslate2 translation for the Marian, NLLB and M2M-100 families.

``Translator.load`` opens a converted model directory once; ``translate``
turns a list of sentences into their translations, splitting any sentence
longer than the model's input limit into word-aligned windows so no text is
ever dropped. ``translate_units`` streams a whole document through it with
the per-sentence cache in front.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kreyol_cli.cache import Cache, make_key
from kreyol_cli.errors import CorruptModelError, LanguageError
from kreyol_cli.glossary import Glossary
from kreyol_cli.registry import ResolvedModel
from kreyol_cli.segment import Unit, split_long, split_sentences
from kreyol_cli.tokenizers import target_ids

NAMESPACE = "translation"
_PROBE = "a"


@dataclass(frozen=True)
class TranslateOptions:
    """Options that change the output; recorded in cache keys and reports.

    Attributes:
        source: Source language code (``en``, ``fr``, ``ht``).
        target: Target language code.
        beam_size: Beam width (1 is greedy).
        max_input_tokens: Longer sentences are split into windows this long.
        max_decoding_length: Cap on generated tokens per window.
        max_batch_tokens: Tokens per CTranslate2 batch (``batch_type="tokens"``).
        compute_type: CTranslate2 compute type (``int8`` on CPU).
    """

    source: str = "en"
    target: str = "ht"
    beam_size: int = 4
    max_input_tokens: int = 200
    max_decoding_length: int = 256
    max_batch_tokens: int = 4096
    compute_type: str = "int8"

    def cache_parts(self) -> dict[str, Any]:
        parts = asdict(self)
        parts.pop("max_batch_tokens")  # batching does not change results
        return parts


@dataclass
class SentenceResult:
    """One translated sentence, for ``--format jsonl``, review files and reports.

    Attributes:
        source: The source sentence.
        translation: Its Creole.
        cached: Whether it came from the cache or the translation memory.
        origin: ``model``, ``cache`` or ``memory`` (a person's correction).
        glossary: The glossary terms matched in the source.
        missed: Those the translation could not honour.
    """

    source: str
    translation: str
    cached: bool
    origin: str = "model"
    glossary: tuple = ()
    missed: tuple = ()


@dataclass
class Translator:
    """A loaded CTranslate2 model and its tokenizer.

    Built by ``Translator.load``; tests may build one around fakes.
    """

    model: ResolvedModel
    options: TranslateOptions
    engine: Any
    tokenizer: Any
    prefix_tokens: list[str] = field(default_factory=list)
    suffix_tokens: list[str] = field(default_factory=list)
    target_prefix: list[str] | None = None
    #: Calls to the engine (batches) and sentences sent: tests assert on them.
    history: list[int] = field(default_factory=list)

    @staticmethod
    def load(model: ResolvedModel, options: TranslateOptions, threads: int = 0) -> Translator:
        """Load the engine and the tokenizer of a converted model directory.

        Raises:
            CorruptModelError: The directory cannot be loaded.
            LanguageError: A multilingual model lacks a language code.
        """
        import ctranslate2

        # kreyol uses transformers for tokenizers only: its "PyTorch was not found"
        # advice (printed at import when torch is absent, i.e. always for users)
        # is noise on stderr.
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        path = str(model.path)
        try:
            engine = ctranslate2.Translator(
                path, device="cpu", compute_type=options.compute_type,
                inter_threads=1, intra_threads=max(0, threads),
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise CorruptModelError(
                f"cannot load model {model.spec.name!r} from {path} ({_first_line(exc)}): "
                f"pull or convert it again"
            ) from None
        tokenizer = _load_tokenizer(model)
        translator = Translator(model, options, engine, tokenizer)
        translator._set_languages()
        return translator

    def _set_languages(self) -> None:
        family = self.model.spec.family
        tok = self.tokenizer
        if family in ("nllb", "m2m100"):
            codes = self.model.spec.lang_codes or _default_codes(family)
            try:
                src, tgt = codes[self.options.source], codes[self.options.target]
            except KeyError as exc:
                raise LanguageError(
                    f"model {self.model.spec.name!r} has no language code for {exc.args[0]!r}"
                ) from None
            vocabulary = _model_vocabulary(self.model.path)
            for code in (src, tgt):
                token = f"__{code}__" if family == "m2m100" else code
                # An unknown code must not silently become <unk>: that is garbage out.
                known = tok.convert_tokens_to_ids(token) not in (None, tok.unk_token_id)
                if not known or (vocabulary is not None and token not in vocabulary):
                    raise LanguageError(
                        f"model {self.model.spec.name!r} does not know language {code!r} "
                        f"(no token {token!r} in its "
                        f"{'tokenizer' if not known else 'vocabulary'}); check lang_codes in "
                        f"models.toml or convert the model again"
                    )
            tok.src_lang = src
            tgt_token = f"__{tgt}__" if family == "m2m100" else tgt
            self.target_prefix = [tgt_token]
        # Where the specials go around a sequence: compare a probe encoded with and
        # without them (fast tokenizers have no build_inputs_with_special_tokens).
        plain = tok.encode(_PROBE, add_special_tokens=False)
        full = tok.encode(_PROBE)
        at = next((i for i in range(len(full) - len(plain) + 1)
                   if full[i:i + len(plain)] == plain), None)
        if not plain or at is None:
            raise CorruptModelError(
                f"the tokenizer of {self.model.spec.name!r} at {self.model.path} does not "
                f"round-trip text: convert the model again"
            )
        self.prefix_tokens = tok.convert_ids_to_tokens(full[:at])
        self.suffix_tokens = tok.convert_ids_to_tokens(full[at + len(plain):])

    def tokenize(self, sentence: str) -> list[list[str]]:
        """A sentence as one or more token windows, specials included."""
        pieces = self.tokenizer.tokenize(sentence)
        windows = split_long(pieces, self.options.max_input_tokens)
        return [self.prefix_tokens + w + self.suffix_tokens for w in windows]

    def detokenize(self, tokens: list[str]) -> str:
        if self.target_prefix and tokens[:1] == self.target_prefix:
            tokens = tokens[1:]
        return self.tokenizer.decode(target_ids(self.tokenizer, tokens),
                                     skip_special_tokens=True).strip()

    def translate(self, sentences: list[str]) -> list[str]:
        """Translate sentences; one output per input, in order."""
        if not sentences:
            return []
        batch: list[list[str]] = []
        owners: list[tuple[int, int]] = []  # (sentence, window within it)
        for i, sentence in enumerate(sentences):
            for w, window in enumerate(self.tokenize(sentence)):
                batch.append(window)
                owners.append((i, w))
        # Sorted by length, each token batch holds similar lengths: little padding.
        order = sorted(range(len(batch)), key=lambda k: len(batch[k]))
        batch = [batch[k] for k in order]
        owners = [owners[k] for k in order]
        prefixes = [self.target_prefix] * len(batch) if self.target_prefix else None
        self.history.append(len(batch))
        results = self.engine.translate_batch(
            batch,
            target_prefix=prefixes,
            beam_size=self.options.beam_size,
            max_batch_size=self.options.max_batch_tokens,
            batch_type="tokens",
            max_decoding_length=self.options.max_decoding_length,
            return_scores=False,
        )
        outputs: list[dict[int, str]] = [{} for _ in sentences]
        for (owner, window), result in zip(owners, results, strict=True):
            outputs[owner][window] = self.detokenize(result.hypotheses[0])
        return [" ".join(p for _, p in sorted(parts.items()) if p) for parts in outputs]


def _load_tokenizer(model: ResolvedModel):
    """The model family's tokenizer, from the files beside ``model.bin``.

    Raises:
        CorruptModelError: A file is missing or unreadable; the message names
            it and the command that fixes it.
    """
    from kreyol_cli.tokenizers import load_tokenizer, missing_file, needs

    family, name, path = model.spec.family, model.spec.name, model.path
    fix = (f"run `kreyol models pull {name} --force`" if model.spec.repo and not model.spec.path else
           "copy it from the original checkpoint, or convert that again with "
           "`kreyol models convert`")
    missing = missing_file(path, family)
    if missing:
        raise CorruptModelError(
            f"model {name!r} at {path} lacks {missing} ({needs(family)}): {fix}")
    try:
        return load_tokenizer(path, family)
    except Exception as exc:  # noqa: BLE001 - transformers raises many types here
        raise CorruptModelError(
            f"cannot load the {family} tokenizer of {name!r} from {path} "
            f"({_first_line(exc)}): {fix}"
        ) from None


def _model_vocabulary(directory) -> set[str] | None:
    """The target tokens a CTranslate2 model can emit, or ``None`` if unknown."""
    for name in ("target_vocabulary", "shared_vocabulary"):
        for suffix, load in ((".json", json.loads), (".txt", str.splitlines)):
            path = Path(directory) / (name + suffix)
            if path.is_file():
                try:
                    return set(load(path.read_text("utf-8")))
                except (OSError, ValueError):
                    return None
    return None


def _default_codes(family: str) -> dict[str, str]:
    if family == "nllb":
        return {"en": "eng_Latn", "fr": "fra_Latn", "ht": "hat_Latn"}
    return {"en": "en", "fr": "fr", "ht": "ht"}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


_LOADED: dict[tuple, Translator] = {}


def cached_translator(model: ResolvedModel, options: TranslateOptions, threads: int) -> Translator:
    """One Translator per process and configuration (workers load it once)."""
    key = (str(model.path), model.revision, options, threads)
    translator = _LOADED.get(key)
    if translator is None:
        if len(_LOADED) >= 2:  # a worker rarely needs more; keep memory bounded
            _LOADED.pop(next(iter(_LOADED)))
        translator = _LOADED[key] = Translator.load(model, options, threads)
    return translator


@dataclass(frozen=True)
class TranslationService:
    """What to translate with; loads the model only when a sentence misses the
    cache. Picklable: this, not a loaded model, is what workers receive.

    Attributes:
        model: The resolved model directory.
        options: Translation options.
        threads: CTranslate2 intra-op threads (0: all cores).
    """

    model: ResolvedModel
    options: TranslateOptions
    threads: int = 0
    #: Protected terms and required renderings (see :mod:`kreyol_cli.glossary`).
    glossary: Glossary | None = None

    @property
    def translator(self) -> Translator:
        return cached_translator(self.model, self.options, self.threads)

    @functools.cached_property
    def _key_parts(self) -> dict[str, Any]:
        # Computed once: asdict() per sentence was half the time of a cached run.
        return {**self.model.cache_id, **self.options.cache_parts()}

    def terms(self, sentence: str) -> tuple:
        """The glossary terms matched in a sentence."""
        return self.glossary.matches(sentence) if self.glossary else ()

    def key(self, sentence: str, terms: tuple = ()) -> str:
        if not terms:
            return make_key("translate", sentence, **self._key_parts)
        # Only the entries that matched: editing an unrelated glossary line
        # leaves this sentence's cached translation valid.
        return make_key("translate", sentence, **self._key_parts,
                        glossary=[t.as_dict() for t in terms])


def translate_with_cache(service: TranslationService, sentences: list[str], cache: Cache
                         ) -> list[SentenceResult]:
    """Translate sentences: the translation memory first, then the cache, then
    the model (with the glossary enforced).

    Each distinct sentence is looked up and translated once per batch
    (repeated lines, refrains and headers are common in real documents).
    """
    from kreyol_cli import memory

    src, tgt = service.options.source, service.options.target
    unique = list(dict.fromkeys(sentences))
    remembered = {s: memory.lookup(cache, src, tgt, s) for s in unique}
    todo = [s for s in unique if remembered[s] is None]
    terms = {s: service.terms(s) for s in todo}
    keys = {s: service.key(s, terms[s]) for s in todo}
    found: dict[str, dict | None] = {}
    for s in todo:
        value = cache.get(NAMESPACE, keys[s])
        found[s] = {"text": value, "missed": []} if isinstance(value, str) else value
    misses = [s for s in todo if found[s] is None]
    if misses:
        translator = service.translator
        for sentence, text in zip(misses, translator.translate(misses), strict=True):
            missed: list[dict] = []
            if terms[sentence]:
                from kreyol_cli.glossary import enforce

                outcome = enforce(translator, sentence, text, terms[sentence])
                text, missed = outcome.text, [t.as_dict() for t in outcome.missed]
            found[sentence] = {"text": text, "missed": missed}
            cache.set(NAMESPACE, keys[sentence], text if not terms[sentence]
                      else found[sentence])
    fresh = set(misses)
    results = []
    for s in sentences:
        if remembered[s] is not None:
            results.append(SentenceResult(s, remembered[s], True, "memory"))
            continue
        entry = found[s]
        origin = "model" if s in fresh else "cache"
        results.append(SentenceResult(s, entry["text"], s not in fresh, origin,
                                      tuple(t.as_dict() for t in terms[s]),
                                      tuple(entry["missed"])))
        fresh.discard(s)  # a repeat within the batch was served by the first one
    return results


def translate_units(units: Iterable[Unit], service: TranslationService, cache: Cache, *,
                    batch_sentences: int = 64, batch_chars: int = 16_000, on_batch=None
                    ) -> Iterator[tuple[Unit, list[SentenceResult]]]:
    """Stream units through the translator in batches; yields in input order.

    Memory is bounded by one batch. ``on_batch(n_sentences)`` is called after
    each batch (progress).
    """
    pending: list[tuple[Unit, list[str]]] = []
    n_sentences = n_chars = 0

    def flush() -> Iterator[tuple[Unit, list[SentenceResult]]]:
        nonlocal pending, n_sentences, n_chars
        flat = [s for _, sentences in pending for s in sentences]
        results = translate_with_cache(service, flat, cache)
        at = 0
        for unit, sentences in pending:
            yield unit, results[at:at + len(sentences)]
            at += len(sentences)
        if on_batch is not None:
            on_batch(len(flat))
        pending, n_sentences, n_chars = [], 0, 0

    for unit in units:
        sentences = split_sentences(unit.text)
        pending.append((unit, sentences))
        n_sentences += len(sentences)
        n_chars += len(unit.text)
        if n_sentences >= batch_sentences or n_chars >= batch_chars:
            yield from flush()
    if pending:
        yield from flush()
