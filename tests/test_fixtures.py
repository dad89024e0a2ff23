"""Sanity checks of the committed model fixtures (rebuilt by scripts/build_fixtures.py).

Other tests rely on these properties, above all that the int8 Marian model
gives real, exact translations of the fixture corpus. Loading goes through
ctranslate2 and ``AutoTokenizer`` only, as the product does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "tests" / "fixtures" / "models"
HUB = ROOT / "tests" / "fixtures" / "hub"
CORPUS = ROOT / "scripts" / "fixture_corpus.tsv"

MANIFEST_KEYS = {
    "name", "family", "source_repo", "revision", "quantization", "converter",
    "source_lang", "target_lang",
}  # fmt: skip


def corpus() -> list[tuple[str, str]]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line.strip()]


def load(name: str):
    import ctranslate2
    from transformers import AutoTokenizer

    model_dir = MODELS / name
    return ctranslate2.Translator(str(model_dir), device="cpu"), AutoTokenizer.from_pretrained(
        model_dir
    )


def translate(translator, tokenizer, sources, beam_size=1, prefix=None, max_len=64):
    batch = [tokenizer.convert_ids_to_tokens(tokenizer.encode(s)) for s in sources]
    return translator.translate_batch(
        batch,
        beam_size=beam_size,
        target_prefix=[[prefix]] * len(batch) if prefix else None,
        max_decoding_length=max_len,
    )


def test_corpus_is_well_formed():
    pairs = corpus()
    assert 60 <= len(pairs) <= 80
    assert all(src.strip() and tgt.strip() for src, tgt in pairs)
    assert len({src for src, _ in pairs}) == len(pairs)


@pytest.mark.parametrize(
    ("name", "family"),
    [("tiny-marian-en-ht", "marian"), ("tiny-nllb", "nllb"), ("tiny-m2m100", "m2m100")],
)
def test_manifest(name, family):
    manifest = json.loads((MODELS / name / "kreyol-manifest.json").read_text())
    assert set(manifest) == MANIFEST_KEYS
    assert manifest["name"] == name
    assert manifest["family"] == family
    assert manifest["quantization"] == "int8"
    assert manifest["converter"].startswith("ctranslate2 ")
    assert manifest["target_lang"] == "ht"


@pytest.mark.parametrize("beam_size", [1, 4])
def test_marian_int8_reproduces_every_corpus_target(beam_size):
    translator, tokenizer = load("tiny-marian-en-ht")
    pairs = corpus()
    results = translate(translator, tokenizer, [s for s, _ in pairs], beam_size=beam_size)
    outputs = [
        tokenizer.decode(tokenizer.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True)
        for r in results
    ]
    assert outputs == [t for _, t in pairs]


@pytest.mark.parametrize(
    ("name", "src_lang", "tgt_token"),
    [("tiny-nllb", "eng_Latn", "hat_Latn"), ("tiny-m2m100", "en", "__ht__")],
)
@pytest.mark.parametrize("beam_size", [1, 4])
def test_multilingual_target_language_prefix(name, src_lang, tgt_token, beam_size):
    translator, tokenizer = load(name)
    tokenizer.src_lang = src_lang
    sources = ["Good morning.", "Where is the school?", "I am tired, I want to rest."]
    # The language codes are real special tokens, not pieces split by the model.
    assert tokenizer.convert_ids_to_tokens(tokenizer.encode(sources[0]))[0] != tokenizer.unk_token
    assert tokenizer.convert_tokens_to_ids(tgt_token) != tokenizer.unk_token_id
    results = translate(
        translator, tokenizer, sources, beam_size=beam_size, prefix=tgt_token, max_len=8
    )
    assert len(results) == len(sources)
    for result in results:
        tokens = result.hypotheses[0]
        assert tokens[0] == tgt_token
        text = tokenizer.decode(tokenizer.convert_tokens_to_ids(tokens), skip_special_tokens=True)
        assert tgt_token not in text


def test_source_language_token_is_encoded():
    _, nllb = load("tiny-nllb")
    nllb.src_lang = "fra_Latn"
    assert "fra_Latn" in nllb.convert_ids_to_tokens(nllb.encode("Bonjour."))
    _, m2m = load("tiny-m2m100")
    m2m.src_lang = "fr"
    assert "__fr__" in m2m.convert_ids_to_tokens(m2m.encode("Bonjour."))


def test_fixture_sizes_stay_small():
    dirs = [p for base in (HUB, MODELS) for p in base.iterdir() if p.is_dir()]
    sizes = {p.name: sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) for p in dirs}
    assert all(size < 1.5 * 2**20 for size in sizes.values()), sizes
    assert sum(sizes.values()) < 6 * 2**20
