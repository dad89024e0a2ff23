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
import json
from pathlib import Path
from typing import Any

from kreyol_cli.errors import CorruptModelError, one_line

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

# transformers' M2M100Tokenizer puts these language tokens right after
# vocab.json, in this order ("m2m100" language_codes).
M2M100_LANG_CODES = (
    "af am ar ast az ba be bg bn br bs ca ceb cs cy da de el en es et fa ff fi fr fy ga gd gl "
    "gu ha he hi hr ht hu hy id ig ilo is it ja jv ka kk km kn ko lb lg ln lo lt lv mg mk ml "
    "mn mr ms my ne nl no ns oc or pa pl ps pt ro ru sd si sk sl so sq sr ss su sv sw ta th tl "
    "tn tr uk ur uz vi wo xh yi yo zh zu"
)
M2M100_LANGS = tuple(M2M100_LANG_CODES.split())


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


# The largest JSON file a checkpoint holds is NLLB's tokenizer.json (17 MB).
MAX_JSON_BYTES = 256 << 20


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object file of a checkpoint; missing, too large, unreadable or
    not an object is a CorruptModelError."""
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise CorruptModelError(f"{path}: larger than any checkpoint's {path.name}")
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorruptModelError(f"{path.parent}: {path.name} is missing") from None
    except (OSError, ValueError, RecursionError) as exc:
        raise CorruptModelError(f"{path}: unreadable ({one_line(exc)})") from exc
    if not isinstance(value, dict):
        raise CorruptModelError(f"{path}: not a JSON object")
    return value


class Vocabulary:
    """The slice of a transformers tokenizer ctranslate2's loaders use, read from the
    files (transformers' tokenizer classes are not imported for conversion)."""

    def __init__(self, vocab: dict[str, int], specials: dict[str, str], madeup: int | None):
        self._vocab = vocab
        self._by_id = {i: t for t, i in vocab.items()}
        self.bos_token = specials.get("bos_token", "<s>")
        self.eos_token = specials.get("eos_token", "</s>")
        self.unk_token = specials.get("unk_token", "<unk>")
        self.unk_token_id = vocab.get(self.unk_token)
        self.special_tokens_map: dict[str, Any] = {}
        if madeup is not None:
            self.num_madeup_words = madeup

    def get_vocab(self) -> dict[str, int]:
        return dict(self._vocab)

    def convert_ids_to_tokens(self, index: int) -> str:
        return self._by_id.get(index, self.unk_token)

    @classmethod
    def read(cls, src: Path, family: str) -> Vocabulary:
        config = read_json(src / "tokenizer_config.json") if (
            src / "tokenizer_config.json").exists() else {}  # fmt: skip
        if (src / "special_tokens_map.json").exists():
            config = {**read_json(src / "special_tokens_map.json"), **config}
        specials = {k: _content(v) for k, v in config.items() if k.endswith("_token") and v}
        if family == "marian":
            return cls(read_json(src / "vocab.json"), specials, None)
        if family == "nllb":
            tok = read_json(src / "tokenizer.json")
            vocab = dict(tok["model"]["vocab"])
            if isinstance(tok["model"]["vocab"], list):  # unigram: [piece, score] pairs
                vocab = {piece: i for i, (piece, _) in enumerate(tok["model"]["vocab"])}
            vocab.update({a["content"]: a["id"] for a in tok.get("added_tokens", [])})
            return cls(vocab, specials, None)
        if config.get("language_codes", "m2m100") != "m2m100":
            raise CorruptModelError(f"{src}: only M2M-100's own language codes are supported")
        vocab = dict(read_json(src / "vocab.json"))
        base = len(vocab)
        for i, lang in enumerate(M2M100_LANGS):
            vocab.setdefault(f"__{lang}__", base + i)
        return cls(vocab, specials, int(config.get("num_madeup_words", 8)))


def _content(value: Any) -> str:
    return value["content"] if isinstance(value, dict) else str(value)
