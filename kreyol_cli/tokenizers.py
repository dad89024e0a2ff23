"""Tokenizer files and loading, by model family.

A converted model directory holds CTranslate2's ``config.json``, not the
Hugging Face one, so transformers' ``AutoTokenizer`` cannot tell what it is.
And 2020-era OPUS-MT repositories ship ``tokenizer_config.json`` as just
``{"target_lang": ..., "source_lang": ...}``. So the family (from the
registry or the manifest) decides, and the family's own files are read:

* Marian: ``source.spm``, ``target.spm`` and ``vocab.json`` (and
  ``target_vocab.json`` with separate vocabularies);
* NLLB: ``tokenizer.json`` or ``sentencepiece.bpe.model``;
* M2M-100: ``sentencepiece.bpe.model`` and ``vocab.json``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from kreyol_cli.errors import CorruptModelError

# Each entry: files the tokenizer needs (a tuple of alternatives: one of them).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "marian": (("source.spm",), ("target.spm",), ("vocab.json",)),
    "nllb": (("tokenizer.json", "sentencepiece.bpe.model"),),
    "m2m100": (("sentencepiece.bpe.model",), ("vocab.json",)),
}
# Read when present: special tokens, language codes, added tokens.
OPTIONAL: dict[str, tuple[str, ...]] = {
    "marian": ("target_vocab.json", "tokenizer_config.json", "special_tokens_map.json"),
    "nllb": ("tokenizer.json", "sentencepiece.bpe.model", "tokenizer_config.json",
             "special_tokens_map.json"),
    "m2m100": ("tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"),
}
_CLASSES = {
    "marian": ("transformers.models.marian.tokenization_marian", "MarianTokenizer"),
    "nllb": ("transformers.models.nllb.tokenization_nllb", "NllbTokenizer"),
    "m2m100": ("transformers.models.m2m_100.tokenization_m2m_100", "M2M100Tokenizer"),
}
_NAMES = {"marian": "Marian", "nllb": "NLLB", "m2m100": "M2M-100"}


def missing_file(directory: Path, family: str) -> str | None:
    """The first tokenizer file ``family`` needs that ``directory`` lacks, or None."""
    for alternatives in REQUIRED[family]:
        if not any((Path(directory) / name).is_file() for name in alternatives):
            return " or ".join(alternatives)
    return None


def tokenizer_files(directory: Path, family: str) -> list[str]:
    """The tokenizer files of ``directory`` a converted model needs beside it.

    Raises:
        CorruptModelError: A file the family's tokenizer needs is missing.
    """
    missing = missing_file(directory, family)
    if missing:
        raise CorruptModelError(f"{directory}: {missing} is missing; {needs(family)}")
    names = [n for group in REQUIRED[family] for n in group] + list(OPTIONAL[family])
    return [n for n in dict.fromkeys(names) if (Path(directory) / n).is_file()]


def needs(family: str) -> str:
    """'the Marian tokenizer needs source.spm, target.spm and vocab.json'."""
    groups = [" or ".join(g) for g in REQUIRED[family]]
    listed = groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]
    return f"the {_NAMES[family]} tokenizer needs {listed}"


def load_tokenizer(directory: Path, family: str):
    """The transformers tokenizer of ``family`` over the files in ``directory``.

    The class is imported from its own module: transformers' Auto machinery
    imports PyTorch when it is installed (seconds of start-up for nothing).
    """
    module, name = _CLASSES[family]
    cls = getattr(importlib.import_module(module), name)
    return cls.from_pretrained(str(directory), local_files_only=True)


def target_ids(tokenizer, tokens: list[str]) -> list[int]:
    """Ids of generated (target-side) tokens.

    Marian models with separate vocabularies number target tokens in
    ``target_vocab.json``; ``convert_tokens_to_ids`` would use the source one.
    """
    if getattr(tokenizer, "separate_vocabs", False):
        vocab = tokenizer.target_encoder
        unk = vocab.get(tokenizer.unk_token, 0)
        return [vocab.get(t, unk) for t in tokens]
    return tokenizer.convert_tokens_to_ids(tokens)
