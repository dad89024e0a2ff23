"""Rebuild the tiny translation models committed under ``tests/fixtures``.

The model hubs are unreachable from CI, so the tests run on models we build
here and commit:

* ``tests/fixtures/hub/tiny-opus-mt-en-ht`` -- a MarianMT model trained until it
  reproduces every pair of ``scripts/fixture_corpus.tsv`` exactly (safetensors),
  and ``tiny-opus-mt-en-ht-bin``, the same weights as ``pytorch_model.bin`` the
  way older opus-mt repos ship them (without the sinusoidal position tables).
* ``tests/fixtures/hub/tiny-nllb`` and ``tiny-m2m100`` -- random NLLB and
  M2M-100 models with real tokenizers (language codes are special tokens).
* ``tests/fixtures/models/tiny-*`` -- the same models converted to CTranslate2
  int8 by ctranslate2's own ``TransformersConverter``, with the tokenizer files
  next to ``model.bin`` and a ``kreyol-manifest.json``.
* ``tests/fixtures/layouts/NAME`` -- repositories laid out as published ones
  are (2020 opus-mt with a legacy ``pytorch_model.bin`` and a
  ``tokenizer_config.json`` without ``tokenizer_class``, zip state dicts,
  fp16/bf16, shards, unshared or untied embeddings, separate vocabularies,
  NLLB and M2M-100 as facebook/* ship them), each with ``NAME.expected.json``:
  transformers' greedy ``generate`` output (near ties left out) and whether
  the official converter reproduces it. docs/MODELS.md describes them.

Every step is seeded and single-threaded, so a rebuild gives the same models.
The script finishes by checking that ``kreyol_cli.convert`` (our torch-free
converter) writes the same ``model.bin`` as the official converter.

Run it from the repository root (needs the ``torch`` extra; about 5 minutes on
one CPU core, most of it training Marian)::

    pip install -e '.[torch]'
    python scripts/build_fixtures.py            # everything
    python scripts/build_fixtures.py --only nllb m2m100
    python scripts/build_fixtures.py --only layouts   # after marian (uses its weights)
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import ctranslate2
import numpy as np
import sentencepiece as spm
import torch
import transformers
from sentencepiece import sentencepiece_model_pb2

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "scripts" / "fixture_corpus.tsv"
HUB = ROOT / "tests" / "fixtures" / "hub"
MODELS = ROOT / "tests" / "fixtures" / "models"
SEED = 1234
REVISION = "fixture-v1"

MARIAN_FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json")
NLLB_FILES = ("tokenizer.json", "tokenizer_config.json")
M2M_FILES = (
    "vocab.json", "sentencepiece.bpe.model", "added_tokens.json", "tokenizer_config.json"
)


def read_corpus(path: Path = CORPUS) -> list[tuple[str, str]]:
    """Return the (English, Haitian Creole) pairs of the fixture corpus."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            source, target = line.split("\t")
            pairs.append((source, target))
    return pairs


def seed_everything() -> None:
    """Make sentencepiece, torch and numpy repeatable on one CPU thread."""
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def train_spm(lines: list[str], path: Path, vocab_size: int, model_type: str) -> None:
    """Train a SentencePiece model on ``lines`` and write it to ``path``.

    The special ids follow the fairseq/Marian layout (unk 0, bos 1, eos 2), which
    is what the NLLB and M2M-100 tokenizer converters expect to find.
    """
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "spm"
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines),
            model_prefix=str(prefix),
            vocab_size=vocab_size,
            model_type=model_type,
            character_coverage=1.0,
            # A tiny corpus cannot fill a fixed vocabulary; take what it has.
            hard_vocab_limit=False,
            unk_id=0,
            bos_id=1,
            eos_id=2,
            pad_id=-1,
            num_threads=1,
            minloglevel=2,
            # The default NFKC rules embed a ~240 KB table in every model file.
            normalization_rule_name="identity",
        )
        proto = sentencepiece_model_pb2.ModelProto()
        proto.ParseFromString(prefix.with_suffix(".model").read_bytes())
    # The trainer records its (temporary) output path; drop it so rebuilds
    # give byte-identical files.
    proto.trainer_spec.model_prefix = ""
    path.write_bytes(proto.SerializeToString())


def spm_pieces(path: Path) -> list[str]:
    """Return the normal (non-control) pieces of a SentencePiece model."""
    proc = spm.SentencePieceProcessor(model_file=str(path))
    return [
        proc.id_to_piece(i)
        for i in range(proc.get_piece_size())
        if not (proc.is_control(i) or proc.is_unknown(i))
    ]


def write_json(path: Path, data: object) -> None:
    """Write ``data`` as stable, readable JSON."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- Marian


def build_marian_tokenizer(pairs: list[tuple[str, str]], out: Path) -> transformers.MarianTokenizer:
    """Write source.spm, target.spm and a shared vocab.json the way opus-mt does."""
    out.mkdir(parents=True, exist_ok=True)
    train_spm([s for s, _ in pairs], out / "source.spm", 250, "unigram")
    train_spm([t for _, t in pairs], out / "target.spm", 250, "unigram")
    # opus-mt layout: </s> 0, <unk> 1, the pieces of both languages, <pad> last
    # (HF starts the decoder from <pad>; ctranslate2 drops it again).
    pieces = ["</s>", "<unk>"]
    for piece in spm_pieces(out / "source.spm") + spm_pieces(out / "target.spm"):
        if piece not in pieces:
            pieces.append(piece)
    pieces.append("<pad>")
    write_json(out / "vocab.json", {piece: i for i, piece in enumerate(pieces)})
    tokenizer = transformers.MarianTokenizer(
        str(out / "source.spm"),
        str(out / "target.spm"),
        str(out / "vocab.json"),
        source_lang="en",
        target_lang="ht",
        model_max_length=512,
    )
    tokenizer.save_pretrained(out)
    return transformers.MarianTokenizer.from_pretrained(out)


def marian_config(vocab_size: int) -> transformers.MarianConfig:
    """The tiny MarianMT architecture (opus-mt layout, much smaller)."""
    return transformers.MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=256,
        decoder_ffn_dim=256,
        max_position_embeddings=256,
        activation_function="swish",
        dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        pad_token_id=vocab_size - 1,
        eos_token_id=0,
        decoder_start_token_id=vocab_size - 1,
        forced_eos_token_id=0,
        bad_words_ids=[[vocab_size - 1]],
        num_beams=4,
        max_length=64,
    )


def train_marian(
    tokenizer: transformers.MarianTokenizer, pairs: list[tuple[str, str]], steps: int = 1500
) -> transformers.MarianMTModel:
    """Train full-batch (warm-up, then linear decay) until every token wins by far.

    Greedy decoding is exact once each teacher-forced argmax is right. Beam
    search needs more: ctranslate2 stops once ``beam_size`` hypotheses have
    ended, so the losing beams of a peaked model must not stop early. Each
    step therefore also trains on a copy whose decoder inputs have random
    tokens swapped in, with the gold labels kept: a beam that took a wrong
    token goes on translating instead of ending, and gets scored below gold.
    """
    seed_everything()
    vocab_size = len(tokenizer.get_vocab())
    model = transformers.MarianMTModel(marian_config(vocab_size))
    pad = tokenizer.pad_token_id
    batch = tokenizer(
        [s for s, _ in pairs], text_target=[t for _, t in pairs], padding=True, return_tensors="pt"
    )
    labels = batch["labels"].masked_fill(batch["labels"] == pad, -100)
    decoder_inputs = torch.cat(
        [torch.full_like(labels[:, :1], pad), labels[:, :-1].masked_fill(labels[:, :-1] == -100, pad)],
        dim=1,
    )
    input_ids = batch["input_ids"].repeat(2, 1)
    attention_mask = batch["attention_mask"].repeat(2, 1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / 100, (steps - step) / (steps - 100))
    )
    generator = torch.Generator().manual_seed(SEED)
    model.train()
    for step in range(1, steps + 1):
        swap = (torch.rand(decoder_inputs.shape, generator=generator) < 0.15) & (decoder_inputs != pad)
        noise = torch.randint(0, vocab_size - 1, decoder_inputs.shape, generator=generator)
        noisy = torch.where(swap, noise, decoder_inputs)
        out = model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            decoder_input_ids=torch.cat([decoder_inputs, noisy]),
            labels=labels.repeat(2, 1),
        )
        optimizer.zero_grad()
        out.loss.backward()
        optimizer.step()
        schedule.step()
        # The decoder starts from <pad>, which ctranslate2 replaces by a zero
        # vector (start_from_zero_embedding). The row is tied to lm_head, so it
        # gets gradient; pin it at zero or the two runtimes disagree.
        with torch.no_grad():
            model.get_input_embeddings().weight[pad].zero_()
        if step % 100 == 0:
            with torch.no_grad():
                clean = out.logits[: len(pairs)].softmax(-1)
                mask = labels != -100
                gold = clean.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)[mask]
            print(f"  step {step}: loss {out.loss.item():.5f} min p(gold) {gold.min().item():.4f}")
    model.eval()
    return model


def save_marian_hub(model: transformers.MarianMTModel, tok_dir: Path) -> None:
    """Write the safetensors repo and the pytorch_model.bin repo."""
    for name in ("tiny-opus-mt-en-ht", "tiny-opus-mt-en-ht-bin"):
        shutil.rmtree(HUB / name, ignore_errors=True)
    dst = HUB / "tiny-opus-mt-en-ht"
    model.save_pretrained(dst)
    model.generation_config.save_pretrained(dst)
    for name in (*MARIAN_FILES, "special_tokens_map.json"):
        if (tok_dir / name).exists():
            shutil.copyfile(tok_dir / name, dst / name)

    # Older opus-mt repos hold pytorch_model.bin without the position tables
    # (transformers listed them in _keys_to_ignore_on_save); keep that shape
    # so the converter's "compute them like HF does" path is exercised.
    bin_dst = HUB / "tiny-opus-mt-en-ht-bin"
    shutil.copytree(dst, bin_dst)
    (bin_dst / "model.safetensors").unlink()
    state = {k: v for k, v in model.state_dict().items() if "embed_positions" not in k}
    torch.save(state, bin_dst / "pytorch_model.bin")


# ----------------------------------------------------------------- NLLB / M2M-100


def build_nllb_tokenizer(pairs: list[tuple[str, str]], out: Path) -> transformers.NllbTokenizer:
    """An NLLB tokenizer over a tiny BPE model; the 202 language codes are special.

    Built from vocab + merges in the fairseq order NLLB uses (<s> <pad> </s>
    <unk>, then the pieces), so the language codes and <mask> follow as added
    special tokens exactly as in facebook/nllb-200-*.
    """
    from transformers.convert_slow_tokenizer import SentencePieceExtractor
    from transformers.tokenization_utils_base import generate_merges

    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "sentencepiece.bpe.model"
        train_spm([s for s, _ in pairs] + [t for _, t in pairs], model, 200, "bpe")
        pieces = [p.piece for p in SentencePieceExtractor(str(model)).proto.pieces[3:]]
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    tokenizer = transformers.NllbTokenizer(
        vocab=vocab,
        merges=generate_merges(vocab),
        src_lang="eng_Latn",
        tgt_lang="hat_Latn",
        model_max_length=1024,
    )
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(out)
    return transformers.AutoTokenizer.from_pretrained(out)


def build_m2m_tokenizer(pairs: list[tuple[str, str]], out: Path) -> transformers.M2M100Tokenizer:
    """An M2M-100 tokenizer: fairseq vocab.json + sentencepiece.bpe.model.

    The language tokens (__en__ ...) are listed as special tokens in
    tokenizer_config.json, as in facebook/m2m100_418M; without that,
    transformers 5 leaves them out of get_vocab() and converters drop them.
    """
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    out.mkdir(parents=True, exist_ok=True)
    lines = [s for s, _ in pairs] + [t for _, t in pairs]
    train_spm(lines, out / "sentencepiece.bpe.model", 200, "bpe")
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for piece in spm_pieces(out / "sentencepiece.bpe.model"):
        vocab.setdefault(piece, len(vocab))
    write_json(out / "vocab.json", vocab)
    tokenizer = transformers.M2M100Tokenizer(
        str(out / "vocab.json"),
        str(out / "sentencepiece.bpe.model"),
        src_lang="en",
        tgt_lang="ht",
        model_max_length=1024,
        extra_special_tokens=[f"__{code}__" for code in FAIRSEQ_LANGUAGE_CODES["m2m100"]],
    )
    tokenizer.save_pretrained(out)
    return transformers.AutoTokenizer.from_pretrained(out)


def random_m2m(vocab_size: int) -> transformers.M2M100ForConditionalGeneration:
    """A random M2M-100 model (NLLB uses the same architecture and config class)."""
    seed_everything()
    config = transformers.M2M100Config(
        vocab_size=vocab_size,
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=256,
        scale_embedding=True,
        dropout=0.0,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        tie_word_embeddings=True,
    )
    model = transformers.M2M100ForConditionalGeneration(config)
    model.eval()
    return model


def save_hub(model: transformers.PreTrainedModel, tok_dir: Path, name: str, files) -> Path:
    """Write an HF-format repo (safetensors + tokenizer files) under ``HUB``."""
    dst = HUB / name
    shutil.rmtree(dst, ignore_errors=True)
    model.save_pretrained(dst)
    for file in (*files, "special_tokens_map.json"):
        if (tok_dir / file).exists():
            shutil.copyfile(tok_dir / file, dst / file)
    return dst


# ------------------------------------------------------------------- conversion


def convert_official(src: Path, name: str, family: str, files, source_lang: str) -> Path:
    """Convert with ctranslate2's TransformersConverter and write the manifest."""
    dst = MODELS / name
    shutil.rmtree(dst, ignore_errors=True)
    converter = ctranslate2.converters.TransformersConverter(
        str(src), copy_files=[f for f in files if (src / f).exists()]
    )
    converter.convert(str(dst), quantization="int8")
    manifest = {
        "name": name,
        "family": family,
        "source_repo": f"kreyol-fixtures/{src.name}",
        "revision": REVISION,
        "quantization": "int8",
        "converter": f"ctranslate2 {ctranslate2.__version__}",
        "source_lang": source_lang,
        "target_lang": "ht",
    }
    write_json(dst / "kreyol-manifest.json", manifest)
    return dst


def ct2_translate(model_dir: Path, sources: list[str], beam_size: int, prefix=None) -> list[str]:
    """Translate with CTranslate2 exactly the way the product does."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)
    translator = ctranslate2.Translator(str(model_dir), device="cpu", inter_threads=1)
    batch = [tokenizer.convert_ids_to_tokens(tokenizer.encode(s)) for s in sources]
    results = translator.translate_batch(
        batch,
        beam_size=beam_size,
        target_prefix=[prefix] * len(batch) if prefix else None,
        max_decoding_length=64,
    )
    outputs = []
    for result in results:
        ids = tokenizer.convert_tokens_to_ids(result.hypotheses[0])
        outputs.append(tokenizer.decode(ids, skip_special_tokens=True))
    return outputs


def check_marian(model_dir: Path, pairs: list[tuple[str, str]]) -> list[str]:
    """Return the corpus pairs the int8 model gets wrong (greedy or beam 4)."""
    sources = [s for s, _ in pairs]
    wrong = []
    for beam in (1, 4):
        for (src, tgt), out in zip(pairs, ct2_translate(model_dir, sources, beam), strict=True):
            if out != tgt:
                wrong.append(f"beam {beam}: {src!r} -> {out!r} (want {tgt!r})")
    return wrong


def cross_check(hub_name: str, model_name: str, files) -> None:
    """Check kreyol_cli.convert against the official converter, torch-free.

    It runs in a fresh interpreter because this one has imported torch, and
    the point is that the product's path never does. The weights must match
    exactly, except M2M-100's sinusoid table: torch's float32 sin/cos round
    differently from numpy's, by at most an ulp.
    """
    sys.path.insert(0, str(ROOT / "tests"))
    from test_convert import read_ct2_model

    code = (
        "import sys; from pathlib import Path;"
        "from kreyol_cli.convert import convert_checkpoint;"
        f"convert_checkpoint(Path({str(HUB / hub_name)!r}), Path(sys.argv[1]),"
        f" copy_files={list(files)!r});"
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run([sys.executable, "-c", code, str(out)], check=True, cwd=ROOT)
        ours, our_aliases = read_ct2_model(out / "model.bin")
        theirs, their_aliases = read_ct2_model(MODELS / model_name / "model.bin")
        if our_aliases != their_aliases or ours.keys() != theirs.keys():
            raise SystemExit(f"convert_checkpoint({hub_name}): different variables")
        worst = 0.0
        for name, value in ours.items():
            if name.endswith("position_encodings/encodings"):
                worst = max(worst, float(np.abs(value - theirs[name]).max()))
            elif value.dtype != theirs[name].dtype or not np.array_equal(value, theirs[name]):
                raise SystemExit(f"convert_checkpoint({hub_name}): {name} differs")
        if worst > 1e-6:
            raise SystemExit(f"convert_checkpoint({hub_name}): position table off by {worst}")
        for vocab in MODELS.joinpath(model_name).glob("*vocabulary*"):
            if vocab.read_bytes() != (out / vocab.name).read_bytes():
                raise SystemExit(f"convert_checkpoint({hub_name}): {vocab.name} differs")
    print(f"  convert_checkpoint({hub_name}) == official converter (positions within {worst:.1e})")


# ------------------------------------------------------- real repository layouts

LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"
# Keys a 2020-era opus-mt config.json carries (transformers 2.x/3.x wrote them).
OPUS_2020_KEYS = {
    "_name_or_path": "/tmp/Helsinki-NLP/opus-mt-en-ht", "add_bias_logits": False,
    "add_final_layer_norm": False, "normalize_before": False, "normalize_embedding": False,
    "static_position_embeddings": True, "gradient_checkpointing": False,
    "classif_dropout": 0.0, "num_hidden_layers": 2, "transformers_version": "4.11.0.dev0",
}  # fmt: skip
NLLB_LAYOUT_FILES = ("tokenizer.json", "sentencepiece.bpe.model", "tokenizer_config.json",
                     "special_tokens_map.json")
M2M_LAYOUT_FILES = ("vocab.json", "sentencepiece.bpe.model", "tokenizer_config.json",
                    "special_tokens_map.json", "added_tokens.json")


MIN_MARGIN = 0.1  # logits: closer calls flip with batch padding or int8, not with conversion


def greedy(model, tokenizer, sources: list[str], forced_bos: str | None = None
           ) -> tuple[list[str], list[float]]:
    """transformers' own greedy decoding, decoded the way kreyol decodes.

    Also returns, per source, the smallest gap between the best and the
    second-best logit over its steps: near ties are left out of the tests.
    """
    outputs, margins = [], []
    kwargs = {"num_beams": 1, "do_sample": False, "max_new_tokens": 64,
              "output_logits": True, "return_dict_in_generate": True}
    if forced_bos:
        kwargs["forced_bos_token_id"] = tokenizer.convert_tokens_to_ids(forced_bos)
    for source in sources:  # one at a time: no padding in play
        ids = tokenizer(source, return_tensors="pt")
        with torch.no_grad():
            out = model.generate(**ids, **kwargs)
        gaps = [float(top[0, 0] - top[0, 1]) for top in
                (logits.topk(2, dim=-1).values for logits in out.logits[1 if forced_bos else 0:])]
        margins.append(min(gaps) if gaps else 0.0)
        outputs.append(tokenizer.decode(out.sequences[0], skip_special_tokens=True).strip())
    return outputs, margins


def official_greedy(src: Path, files, sources: list[str], prefix: str | None,
                    src_lang: str | None) -> list[str]:
    """ct2-transformers-converter at float32, then ctranslate2 greedy decoding."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ct2"
        converter = ctranslate2.converters.TransformersConverter(
            str(src), copy_files=[f for f in files if (src / f).exists()])
        converter.convert(str(out), quantization="float32")
        tokenizer = transformers.AutoTokenizer.from_pretrained(src)
        if src_lang:
            tokenizer.src_lang = src_lang
        translator = ctranslate2.Translator(str(out), device="cpu")
        batch = [tokenizer.convert_ids_to_tokens(tokenizer.encode(s)) for s in sources]
        results = translator.translate_batch(
            batch, beam_size=1, target_prefix=[[prefix]] * len(batch) if prefix else None)
        texts = []
        for r in results:
            tokens = r.hypotheses[0][1:] if prefix else r.hypotheses[0]
            ids = tokenizer.convert_tokens_to_ids(tokens)
            texts.append(tokenizer.decode(ids, skip_special_tokens=True).strip())
        return texts


def write_layout(name: str, model, tokenizer, files: dict[str, object], family: str,
                 sources: list[str], *, forced_bos=None, src_lang=None, official=True) -> None:
    """Record transformers' greedy output next to a layout (not inside it)."""
    expected, margins = greedy(model, tokenizer, sources, forced_bos)
    kept = [i for i, m in enumerate(margins) if m >= MIN_MARGIN]
    if len(kept) < len(sources):
        ties = [sources[i] for i in range(len(sources)) if i not in kept]
        print(f"  {name}: left out near ties: {ties}")
    sources, expected = [sources[i] for i in kept], [expected[i] for i in kept]
    record = {"family": family, "source_lang": "en", "sources": sources, "greedy": expected,
              "files": sorted(p.name for p in (LAYOUTS / name).iterdir())}
    if official:
        theirs = official_greedy(LAYOUTS / name, list(files), sources, forced_bos, src_lang)
        record["official_converter_agrees"] = theirs == expected
        if theirs != expected:
            print(f"  {name}: the official converter differs:\n    {theirs}\n    {expected}")
    write_json(LAYOUTS / f"{name}.expected.json", record)
    size = sum(p.stat().st_size for p in (LAYOUTS / name).iterdir())
    print(f"  {name}: {size / 1024:.0f} KiB, official agrees: {record.get('official_converter_agrees')}")


def opus_2020_dir(name: str, config: dict) -> Path:
    """A repo dir with the 2020 opus-mt config.json and tokenizer_config.json."""
    dst = LAYOUTS / name
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    for f in ("source.spm", "target.spm", "vocab.json", "generation_config.json"):
        shutil.copyfile(HUB / "tiny-opus-mt-en-ht" / f, dst / f)
    # As in Helsinki-NLP/opus-mt-en-ht: no tokenizer_class, nothing but the languages.
    write_json(dst / "tokenizer_config.json", {"target_lang": "ht", "source_lang": "en"})
    write_json(dst / "config.json", config)
    return dst


def build_marian_layouts(pairs) -> None:
    """The trained tiny Marian, saved the ways published opus-mt repos hold it."""
    from collections import OrderedDict

    base = transformers.MarianMTModel.from_pretrained(HUB / "tiny-opus-mt-en-ht").eval()
    tokenizer = transformers.MarianTokenizer.from_pretrained(HUB / "tiny-opus-mt-en-ht")
    sources = [s for s, _ in pairs[:12]] + ["The children go to school.", "Thank you, my friend."]
    cfg = base.config.to_dict()
    cfg.pop("dtype", None)
    old = {**cfg, **OPUS_2020_KEYS, "extra_pos_embeddings": cfg["vocab_size"]}
    old.pop("decoder_vocab_size", None)
    old.pop("share_encoder_decoder_embeddings", None)
    files = {f: None for f in MARIAN_FILES}
    state = base.state_dict()
    assert isinstance(state, OrderedDict) and hasattr(state, "_metadata")

    # 1. 2020-era: legacy (pre-1.6) torch.save of the state dict.
    dst = opus_2020_dir("opus-mt-2020-legacy-bin", {**old, "torch_dtype": "float32"})
    torch.save(state, dst / "pytorch_model.bin", _use_new_zipfile_serialization=False)
    write_layout(dst.name, base, tokenizer, files, "marian", sources)

    # 2. The same state dict in the zip format (torch >= 1.6).
    dst = opus_2020_dir("opus-mt-zip-bin", {**old, "torch_dtype": "float32"})
    torch.save(state, dst / "pytorch_model.bin")
    write_layout(dst.name, base, tokenizer, files, "marian", sources)

    # 3. float16 and bfloat16 safetensors.
    for dtype, label in ((torch.float16, "fp16"), (torch.bfloat16, "bf16")):
        dst = opus_2020_dir(f"opus-mt-{label}", {**old, "torch_dtype": str(dtype)[6:]})
        half = {k: v.to(dtype).contiguous() for k, v in state.items()
                if k != "lm_head.weight" and "embed_positions" not in k}
        from safetensors.torch import save_file

        save_file({k: v.clone() for k, v in half.items() if k not in (
            "model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight")},
            dst / "model.safetensors", metadata={"format": "pt"})
        reference = transformers.MarianMTModel.from_pretrained(dst, dtype=torch.float32).eval()
        write_layout(dst.name, reference, tokenizer, files, "marian", sources)

    # 4. Sharded safetensors with an index, as save_pretrained writes big models.
    dst = LAYOUTS / "opus-mt-sharded"
    shutil.rmtree(dst, ignore_errors=True)
    base.save_pretrained(dst, max_shard_size="400KB")
    for f in (*MARIAN_FILES, "special_tokens_map.json"):
        if (HUB / "tiny-opus-mt-en-ht" / f).exists():
            shutil.copyfile(HUB / "tiny-opus-mt-en-ht" / f, dst / f)
    assert (dst / "model.safetensors.index.json").exists()
    write_layout(dst.name, base, tokenizer, files, "marian", sources)

    # 5. Unshared encoder/decoder embeddings; lm_head tied to the decoder's and
    #    so not saved. The encoder's differ, so using them for lm_head shows.
    seed_everything()
    unshared = transformers.MarianMTModel(transformers.MarianConfig(
        **{**cfg, "share_encoder_decoder_embeddings": False})).eval()
    sd = {k: v for k, v in state.items() if k != "model.shared.weight"}
    sd["model.encoder.embed_tokens.weight"] = state["model.shared.weight"] * 1.3 + 0.05 * torch.randn(
        state["model.shared.weight"].shape)
    sd["model.decoder.embed_tokens.weight"] = state["model.shared.weight"].clone()
    sd.pop("lm_head.weight", None)
    missing, _ = unshared.load_state_dict(sd, strict=False)
    unshared.tie_weights()
    dst = LAYOUTS / "opus-mt-unshared-no-lm-head"
    shutil.rmtree(dst, ignore_errors=True)
    unshared.save_pretrained(dst)
    from safetensors import safe_open

    with safe_open(dst / "model.safetensors", "pt") as f:
        keys = set(f.keys())
    assert "lm_head.weight" not in keys and "model.encoder.embed_tokens.weight" in keys, keys
    for f in MARIAN_FILES:
        shutil.copyfile(HUB / "tiny-opus-mt-en-ht" / f, dst / f)
    reloaded = transformers.MarianMTModel.from_pretrained(dst).eval()
    write_layout(dst.name, reloaded, tokenizer, files, "marian", sources)

    build_separate_vocabs_layout(base, tokenizer, sources)


def build_separate_vocabs_layout(base, tokenizer, sources) -> None:
    """Separate source and target vocabularies (``separate_vocabs``, opus-mt-tc-* style).

    The trained model with its target side renumbered: target_vocab.json
    lists the same pieces in another order, and the decoder's embeddings
    (so lm_head) are permuted to match. It translates exactly as before, but
    only through the target vocabulary: reading the source one there shows.
    """
    dst = LAYOUTS / "opus-mt-separate-vocabs"
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    vocab = json.loads((HUB / "tiny-opus-mt-en-ht" / "vocab.json").read_text("utf-8"))
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda item: item[1])]
    # </s> <unk> stay first and <pad> last (transformers' Marian layout); the rest reversed.
    order = [0, 1, *range(len(tokens) - 2, 1, -1), len(tokens) - 1]
    write_json(dst / "target_vocab.json", {tokens[old]: new for new, old in enumerate(order)})
    for f in ("source.spm", "target.spm"):
        shutil.copyfile(HUB / "tiny-opus-mt-en-ht" / f, dst / f)
    separate = transformers.MarianTokenizer(
        str(dst / "source.spm"), str(dst / "target.spm"), str(HUB / "tiny-opus-mt-en-ht" / "vocab.json"),
        target_vocab_file=str(dst / "target_vocab.json"), separate_vocabs=True,
        source_lang="en", target_lang="ht", model_max_length=512)
    separate.save_pretrained(dst)
    cfg = {**base.config.to_dict(), "share_encoder_decoder_embeddings": False}
    model = transformers.MarianMTModel(transformers.MarianConfig(**cfg)).eval()
    state = dict(base.state_dict())
    shared = state.pop("model.shared.weight")
    state["model.encoder.embed_tokens.weight"] = shared.clone()
    state["model.decoder.embed_tokens.weight"] = shared[order].clone()
    state["final_logits_bias"] = state["final_logits_bias"][:, order].clone()
    state.pop("lm_head.weight", None)
    model.load_state_dict(state, strict=False)
    model.tie_weights()
    model.save_pretrained(dst)
    reloaded = transformers.MarianMTModel.from_pretrained(dst).eval()
    tokenizer = transformers.MarianTokenizer.from_pretrained(dst)
    assert tokenizer.separate_vocabs
    write_layout(dst.name, reloaded, tokenizer, {f: None for f in MARIAN_FILES}, "marian",
                 sources)


def build_untied_layout(pairs) -> None:
    """tie_word_embeddings false: an lm_head of its own, and a non-zero
    final_logits_bias (both differ from the embeddings, so using either wrongly shows)."""
    base = transformers.MarianMTModel.from_pretrained(HUB / "tiny-opus-mt-en-ht").eval()
    tokenizer = transformers.MarianTokenizer.from_pretrained(HUB / "tiny-opus-mt-en-ht")
    sources = [s for s, _ in pairs[:12]] + ["The children go to school.", "Thank you, my friend."]
    cfg = base.config.to_dict()
    seed_everything()
    untied = transformers.MarianMTModel(transformers.MarianConfig(
        **{**cfg, "tie_word_embeddings": False})).eval()
    state = dict(base.state_dict())
    state["lm_head.weight"] = state["model.shared.weight"] * 1.2 + 0.05 * torch.randn(
        state["model.shared.weight"].shape)
    state["final_logits_bias"] = 0.5 * torch.randn(state["final_logits_bias"].shape)
    state["final_logits_bias"][0, cfg["pad_token_id"]] = 0.0
    untied.load_state_dict(state, strict=False)
    dst = LAYOUTS / "opus-mt-untied-bias"
    shutil.rmtree(dst, ignore_errors=True)
    untied.save_pretrained(dst)
    for f in MARIAN_FILES:
        shutil.copyfile(HUB / "tiny-opus-mt-en-ht" / f, dst / f)
    reloaded = transformers.MarianMTModel.from_pretrained(dst).eval()
    assert not torch.equal(reloaded.lm_head.weight, reloaded.model.shared.weight)
    assert reloaded.final_logits_bias.abs().sum() > 0
    write_layout(dst.name, reloaded, tokenizer, {f: None for f in MARIAN_FILES}, "marian",
                 sources)


def train_multilingual(model, tokenizer, pairs, src_lang, tgt_lang, steps=300):
    """A few hundred full-batch steps: short, input-dependent outputs, not a good model."""
    seed_everything()
    tokenizer.src_lang, tokenizer.tgt_lang = src_lang, tgt_lang
    batch = tokenizer([s for s, _ in pairs], text_target=[t for _, t in pairs], padding=True,
                      return_tensors="pt")
    labels = batch["labels"].masked_fill(batch["labels"] == tokenizer.pad_token_id, -100)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                    labels=labels)
        optimizer.zero_grad()
        out.loss.backward()
        optimizer.step()
    print(f"  loss {out.loss.item():.3f}")
    return model.eval()


def build_multilingual_layouts(pairs) -> None:
    """NLLB and M2M-100 as facebook/nllb-200-* and facebook/m2m100_* ship them."""
    sources = [s for s, _ in pairs[:8]] + ["The children go to school."]
    for family in ("nllb", "m2m100"):
        with tempfile.TemporaryDirectory() as tmp:
            tok_dir = Path(tmp) / "tok"
            if family == "nllb":
                tokenizer = build_nllb_tokenizer(pairs, tok_dir)
                train_spm([s for s, _ in pairs] + [t for _, t in pairs],
                          tok_dir / "sentencepiece.bpe.model", 200, "bpe")
                files, langs = NLLB_LAYOUT_FILES, ("eng_Latn", "hat_Latn")
            else:
                tokenizer = build_m2m_tokenizer(pairs, tok_dir)
                files, langs = M2M_LAYOUT_FILES, ("en", "ht")
            vocab_size = len(tokenizer) + (8 if family == "m2m100" else 0)
            model = train_multilingual(random_m2m(vocab_size), tokenizer, pairs, *langs)
            if family == "nllb":
                model.config.tokenizer_class = "NllbTokenizer"
            tgt_token = langs[1] if family == "nllb" else f"__{langs[1]}__"
            names = [f"{family}-bin"] + (["nllb-sharded-bin"] if family == "nllb" else [])
            for name in names:
                dst = LAYOUTS / name
                shutil.rmtree(dst, ignore_errors=True)
                dst.mkdir(parents=True)
                model.config.to_json_file(dst / "config.json")
                model.generation_config.save_pretrained(dst)
                for f in files:
                    if (tok_dir / f).exists():
                        shutil.copyfile(tok_dir / f, dst / f)
                state = model.state_dict()
                if name.endswith("sharded-bin"):
                    keys = list(state)
                    half = len(keys) // 2
                    weight_map = {}
                    for i, part in enumerate((keys[:half], keys[half:]), 1):
                        shard = f"pytorch_model-0000{i}-of-00002.bin"
                        sub = type(state)((k, state[k]) for k in part)
                        sub._metadata = state._metadata
                        torch.save(sub, dst / shard)
                        weight_map.update({k: shard for k in part})
                    total = sum(v.numel() * v.element_size() for v in state.values())
                    write_json(dst / "pytorch_model.bin.index.json",
                               {"metadata": {"total_size": total}, "weight_map": weight_map})
                else:
                    torch.save(state, dst / "pytorch_model.bin")
                tokenizer.src_lang = langs[0]
                write_layout(name, model, tokenizer, {f: None for f in files}, family, sources,
                             forced_bos=tgt_token, src_lang=langs[0])


# ------------------------------------------------------------------------ main


def build_marian(pairs: list[tuple[str, str]]) -> None:
    """Tokenizer, training, hub repos, int8 conversion and the exactness check."""
    with tempfile.TemporaryDirectory() as tmp:
        tok_dir = Path(tmp) / "tok"
        tokenizer = build_marian_tokenizer(pairs, tok_dir)
        print(f"marian: vocab {len(tokenizer.get_vocab())}")
        model = train_marian(tokenizer, pairs)
        save_marian_hub(model, tok_dir)
    dst = convert_official(HUB / "tiny-opus-mt-en-ht", "tiny-marian-en-ht", "marian",
                           MARIAN_FILES, "en")
    wrong = check_marian(dst, pairs)
    if wrong:
        raise SystemExit("int8 Marian misses corpus targets:\n" + "\n".join(wrong))
    print(f"  int8 greedy and beam 4 reproduce all {len(pairs)} targets")


def build_multilingual(pairs: list[tuple[str, str]], family: str) -> None:
    """A random NLLB or M2M-100 model, its hub repo and its int8 conversion."""
    with tempfile.TemporaryDirectory() as tmp:
        tok_dir = Path(tmp) / "tok"
        if family == "nllb":
            tokenizer, files, name = build_nllb_tokenizer(pairs, tok_dir), NLLB_FILES, "tiny-nllb"
        else:
            tokenizer, files, name = build_m2m_tokenizer(pairs, tok_dir), M2M_FILES, "tiny-m2m100"
        # M2M-100 reserves 8 "madeupword" ids after the language codes.
        vocab_size = len(tokenizer) + (8 if family == "m2m100" else 0)
        print(f"{family}: vocab {vocab_size}")
        src = save_hub(random_m2m(vocab_size), tok_dir, name, files)
    convert_official(src, name, family, files, "en")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+",
                        choices=["marian", "nllb", "m2m100", "check", "layouts"])
    args = parser.parse_args(argv)
    todo = set(args.only or ["marian", "nllb", "m2m100", "check", "layouts"])
    pairs = read_corpus()
    if "marian" in todo:
        build_marian(pairs)
    for family in ("nllb", "m2m100"):
        if family in todo:
            build_multilingual(pairs, family)
    if "layouts" in todo:
        LAYOUTS.mkdir(parents=True, exist_ok=True)
        build_marian_layouts(pairs)
        build_untied_layout(pairs)
        build_multilingual_layouts(pairs)
    if "check" in todo:
        cross_check("tiny-opus-mt-en-ht", "tiny-marian-en-ht", MARIAN_FILES)
        cross_check("tiny-opus-mt-en-ht-bin", "tiny-marian-en-ht", MARIAN_FILES)
        cross_check("tiny-nllb", "tiny-nllb", NLLB_FILES)
        cross_check("tiny-m2m100", "tiny-m2m100", M2M_FILES)
    sizes = {p.name: sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
             for base in (HUB, MODELS, LAYOUTS) if base.exists()
             for p in sorted(base.iterdir()) if p.is_dir()}
    for name, size in sizes.items():
        print(f"  {name}: {size / 1024:.0f} KiB")
    print(f"  total: {sum(sizes.values()) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
