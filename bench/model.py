"""The benchmark translation model: the opus-mt-en-ht architecture, random weights.

The real Helsinki-NLP weights cannot be fetched here, and speed does not
depend on the weights, only on the shapes: 6 encoder + 6 decoder layers,
d_model 512, 8 heads, FFN 2048, a shared vocabulary of ~60k pieces. The
tokenizer is the tiny test fixture's SentencePiece models with its vocab
padded to the full size, so kreyol's real code path (tokenize, translate,
detokenize) runs unchanged.

The end-of-sentence logit gets a large negative bias, so every runtime
decodes exactly ``max_decoding_length`` tokens and all sides do the same
work. Built once with transformers and converted to CTranslate2 int8 under
``bench/.cache``; later runs reuse it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
FIXTURE = ROOT / "tests" / "fixtures" / "hub" / "tiny-opus-mt-en-ht"
CORPUS = ROOT / "scripts" / "fixture_corpus.tsv"
VOCAB_SIZE = 60_000
#: Bump when the recipe below changes, so stale caches are rebuilt.
RECIPE = "opus-mt-arch-v1"
SEED = 1234
EOS_BIAS = -1e4


def model_dirs() -> tuple[Path, Path]:
    """(transformers directory, CTranslate2 int8 directory)."""
    base = CACHE / RECIPE
    return base / "hf", base / "ct2-int8"


def english_sentences() -> list[str]:
    """The English side of the fixture corpus."""
    out = []
    for line in CORPUS.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append(line.split("\t")[0].strip())
    return out


def ensure_model(log=print) -> tuple[Path, Path]:
    """Build (first run) or reuse the benchmark model; return its directories."""
    hf_dir, ct2_dir = model_dirs()
    if (ct2_dir / "model.bin").is_file() and (hf_dir / "config.json").is_file():
        return hf_dir, ct2_dir
    log(f"building the opus-mt-en-ht-shaped model in {hf_dir.parent} (once)")
    shutil.rmtree(hf_dir.parent, ignore_errors=True)
    _build_hf(hf_dir)
    _convert(hf_dir, ct2_dir)
    return hf_dir, ct2_dir


def _build_hf(out: Path) -> None:
    import torch
    import transformers

    out.mkdir(parents=True)
    pieces = [p for p in json.loads((FIXTURE / "vocab.json").read_text("utf-8"))
              if p != "<pad>"]
    # Filler pieces up to the real vocabulary size; <pad> stays last (the
    # opus-mt layout: HF starts decoding from it, CTranslate2 drops it).
    pieces += [f"\u2581w{i}" for i in range(VOCAB_SIZE - 1 - len(pieces))]
    pieces.append("<pad>")
    (out / "vocab.json").write_text(json.dumps({p: i for i, p in enumerate(pieces)}), "utf-8")
    for name in ("source.spm", "target.spm"):
        shutil.copyfile(FIXTURE / name, out / name)
    tokenizer = transformers.MarianTokenizer(
        str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json"),
        source_lang="en", target_lang="ht", model_max_length=512,
    )
    tokenizer.save_pretrained(out)

    pad = VOCAB_SIZE - 1
    config = transformers.MarianConfig(
        vocab_size=VOCAB_SIZE, decoder_vocab_size=VOCAB_SIZE, d_model=512,
        encoder_layers=6, decoder_layers=6, encoder_attention_heads=8,
        decoder_attention_heads=8, encoder_ffn_dim=2048, decoder_ffn_dim=2048,
        max_position_embeddings=512, activation_function="swish", scale_embedding=True,
        share_encoder_decoder_embeddings=True, tie_word_embeddings=True,
        pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad,
        forced_eos_token_id=None, dropout=0.0, attention_dropout=0.0, activation_dropout=0.0,
    )
    torch.manual_seed(SEED)
    model = transformers.MarianMTModel(config).eval()
    with torch.no_grad():
        # CTranslate2 starts the decoder from a zero vector; HF from <pad>'s row.
        model.get_input_embeddings().weight[pad].zero_()
        model.final_logits_bias[0, config.eos_token_id] = EOS_BIAS
    model.save_pretrained(out)


def _convert(hf_dir: Path, ct2_dir: Path) -> None:
    import ctranslate2

    files = ["source.spm", "target.spm", "vocab.json", "tokenizer_config.json"]
    converter = ctranslate2.converters.TransformersConverter(str(hf_dir), copy_files=files)
    converter.convert(str(ct2_dir), quantization="int8", force=True)
    manifest = {"name": "opus-mt-en-ht-arch (random weights)", "family": "marian",
                "revision": RECIPE, "quantization": "int8", "source_lang": "en",
                "target_lang": "ht"}
    (ct2_dir / "kreyol-manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")


def bench_sentences(count: int) -> list[str]:
    """``count`` English sentences of 20-30 SentencePiece tokens, like real prose.

    Corpus sentences are short greetings; three at a time are joined with
    commas into one sentence (so kreyol's splitter keeps it whole).
    """
    base = [s.rstrip(".!?") for s in english_sentences()]
    out = []
    for i in range(count):
        parts = [base[(3 * i + k) % len(base)] for k in range(3)]
        text = ", ".join([parts[0]] + [p[:1].lower() + p[1:] for p in parts[1:]])
        out.append(text + ".")
    return out
