"""Checkpoint conversion: ``kreyol models convert`` vs ``ct2-transformers-converter``.

``python -m bench.conversion [--nllb] [--tiny] [--json FILE]``

Both convert the same full-size, random-weight stand-ins of published
checkpoints to CTranslate2 int8, each in its own process; we record wall
time and peak RSS (``ru_maxrss`` of the child, which counts memory-mapped
file pages it touched). The stand-ins are laid out as the real repositories
are: ``pytorch_model.bin`` written by ``torch.save(model.state_dict())``
(tied embeddings stored once), the real tokenizer files.

* ``opus-mt-en-ht``: MarianMT, 6+6 layers, d_model 512, 60k shared vocabulary
  (about 300 MB of float32 weights).
* ``nllb-200-distilled-600M`` (``--nllb``): M2M-100 architecture, 12+12
  layers, d_model 1024, FFN 4096, 256,206 tokens (about 2.5 GB; the build
  and each conversion take minutes and a few GB of RAM).

Then ``kreyol models pull`` of the opus-mt stand-in from the fake hub of the
test suite: what is on disk afterwards (the model, the Hugging Face cache).
Stand-ins are built under ``bench/.cache/conversion`` (gitignored) and reused.
``--tiny`` shrinks the models to check the harness; its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import PYTHON, ROOT, env, kreyol_cmd, load, machine

CACHE = Path(__file__).resolve().parent / ".cache" / "conversion"
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"
RECIPE = "v1"
SEED = 1234

SHAPES = {
    "opus-mt-en-ht": {"d_model": 512, "layers": 6, "heads": 8, "ffn": 2048, "vocab": 60_000},
    "nllb-200-distilled-600M": {"d_model": 1024, "layers": 12, "heads": 16, "ffn": 4096,
                                "vocab": 256_206},
    "tiny-opus-mt": {"d_model": 32, "layers": 2, "heads": 4, "ffn": 64, "vocab": 2_000},
    "tiny-nllb": {"d_model": 32, "layers": 2, "heads": 4, "ffn": 64, "vocab": 2_000},
}
COPY = {"marian": ["source.spm", "target.spm", "vocab.json", "tokenizer_config.json"],
        "nllb": ["tokenizer.json", "sentencepiece.bpe.model", "tokenizer_config.json"]}


def family_of(name: str) -> str:
    return "nllb" if "nllb" in name else "marian"


def standin(name: str, log=print) -> Path:
    """Build (once) the stand-in repository ``name``; return its directory."""
    out = CACHE / f"{name}-{RECIPE}"
    if (out / "pytorch_model.bin").is_file():
        return out
    shutil.rmtree(out, ignore_errors=True)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    log(f"building the {name} stand-in in {out} (once)")
    build = _marian if family_of(name) == "marian" else _nllb
    model = build(tmp, SHAPES[name])
    import torch

    # As published repositories hold them: the state dict, tied tensors stored once.
    torch.save(model.state_dict(), tmp / "pytorch_model.bin")
    model.config.to_json_file(tmp / "config.json")
    del model
    tmp.rename(out)
    return out


def _marian(out: Path, shape: dict[str, int]):
    import torch
    import transformers

    src = LAYOUTS / "opus-mt-2020-legacy-bin"
    pieces = [p for p in json.loads((src / "vocab.json").read_text("utf-8")) if p != "<pad>"]
    pieces += [f"\u2581w{i}" for i in range(shape["vocab"] - 1 - len(pieces))]
    pieces.append("<pad>")
    (out / "vocab.json").write_text(json.dumps({p: i for i, p in enumerate(pieces)}), "utf-8")
    for name in ("source.spm", "target.spm", "tokenizer_config.json"):
        shutil.copyfile(src / name, out / name)  # 2020 layout: no tokenizer_class
    pad = shape["vocab"] - 1
    config = transformers.MarianConfig(
        vocab_size=shape["vocab"], decoder_vocab_size=shape["vocab"], d_model=shape["d_model"],
        encoder_layers=shape["layers"], decoder_layers=shape["layers"],
        encoder_attention_heads=shape["heads"], decoder_attention_heads=shape["heads"],
        encoder_ffn_dim=shape["ffn"], decoder_ffn_dim=shape["ffn"], max_position_embeddings=512,
        activation_function="swish", scale_embedding=True, pad_token_id=pad, eos_token_id=0,
        decoder_start_token_id=pad, share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
    )
    torch.manual_seed(SEED)
    return transformers.MarianMTModel(config).eval()


def _nllb(out: Path, shape: dict[str, int]):
    import torch
    import transformers

    src = LAYOUTS / "nllb-bin"
    tok = json.loads((src / "tokenizer.json").read_text("utf-8"))
    special = {a["content"] for a in tok["added_tokens"]} - {"<s>", "<pad>", "</s>", "<unk>"}
    vocab = {t: i for t, i in tok["model"]["vocab"].items() if t not in special}
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m)
              for m in tok["model"]["merges"]]
    filler = shape["vocab"] - len(vocab) - len(special)
    for i in range(max(0, filler)):
        vocab[f"\u2581w{i}"] = len(vocab)
    tokenizer = transformers.NllbTokenizer(vocab=vocab, merges=merges, src_lang="eng_Latn",
                                           tgt_lang="hat_Latn")
    tokenizer.save_pretrained(out)
    shutil.copyfile(src / "sentencepiece.bpe.model", out / "sentencepiece.bpe.model")
    config = transformers.M2M100Config(
        vocab_size=len(tokenizer), d_model=shape["d_model"], encoder_layers=shape["layers"],
        decoder_layers=shape["layers"], encoder_attention_heads=shape["heads"],
        decoder_attention_heads=shape["heads"], encoder_ffn_dim=shape["ffn"],
        decoder_ffn_dim=shape["ffn"], max_position_embeddings=1024, scale_embedding=True,
        activation_function="relu", pad_token_id=1, bos_token_id=0, eos_token_id=2,
        decoder_start_token_id=2, tie_word_embeddings=True, tokenizer_class="NllbTokenizer",
    )
    torch.manual_seed(SEED)
    return transformers.M2M100ForConditionalGeneration(config).eval()


# Linux keeps the high-water mark of the image a process replaces (exec_mmap),
# and subprocess spawns with vfork: a child run straight from this (big)
# process would report our own peak. A small launcher process runs it instead.
_LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps({"seconds": time.perf_counter() - start, "maxrss_kb": usage.ru_maxrss,
                  "code": os.waitstatus_to_exitcode(status),
                  "stderr": err[-1500:].decode("utf-8", "replace")}))
"""


def measured(cmd: list[str]) -> dict[str, Any]:
    """Run ``cmd``; its wall time and peak RSS (MB), from the child's own rusage."""
    proc = subprocess.run([PYTHON, "-c", _LAUNCHER, *cmd], env=env(), capture_output=True,
                          check=True, timeout=3600)
    result = json.loads(proc.stdout)
    if result["code"] != 0:
        raise RuntimeError(f"{' '.join(cmd[:5])} ... exited {result['code']}: {result['stderr']}")
    return {"seconds": round(result["seconds"], 1), "peak_rss_mb": round(result["maxrss_kb"] / 1024)}


def dir_mb(path: Path) -> float:
    """Bytes on disk under ``path`` (symlinks, such as HF snapshots, not followed)."""
    files = [f for f in path.rglob("*") if f.is_file() and not f.is_symlink()]
    return round(sum(f.stat().st_size for f in files) / 1e6, 1)


def compare(name: str, repeats: int, log=print) -> dict[str, Any]:
    """Both converters on one stand-in, interleaved (A B B A ...), best time and peak."""
    src = standin(name, log)
    family = family_of(name)
    runs: dict[str, list[dict[str, Any]]] = {"kreyol": [], "official": []}
    sizes = {}
    with tempfile.TemporaryDirectory(prefix="kreyol-bench-convert-") as tmp:
        for i in range(repeats):
            order = ("kreyol", "official") if i % 2 == 0 else ("official", "kreyol")
            for who in order:
                out = Path(tmp) / f"{who}-{i}"
                if who == "kreyol":
                    cmd = kreyol_cmd("models", "convert", src, out, "--quantization", "int8",
                                     "--family", family)
                else:
                    cmd = [str(Path(PYTHON).with_name("ct2-transformers-converter")),
                           "--model", str(src), "--output_dir", str(out),
                           "--quantization", "int8", "--copy_files", *COPY[family]]
                result = measured(cmd)
                log(f"  {name} {who}: {result['seconds']} s, peak {result['peak_rss_mb']} MB")
                runs[who].append(result)
                sizes[who] = dir_mb(out)
                shutil.rmtree(out)
    best = {who: {"seconds": min(r["seconds"] for r in rs),
                  "peak_rss_mb": max(r["peak_rss_mb"] for r in rs)} for who, rs in runs.items()}
    return {
        "checkpoint_mb": dir_mb(src), "converted_mb": sizes, "runs": runs, **{
            f"{who}_{k}": v for who, b in best.items() for k, v in b.items()},
        "time_ratio": round(best["kreyol"]["seconds"] / best["official"]["seconds"], 2),
        "rss_ratio": round(best["kreyol"]["peak_rss_mb"] / best["official"]["peak_rss_mb"], 2),
    }


def pull_disk(name: str, log=print) -> dict[str, Any]:
    """``kreyol models pull`` of a stand-in from the fake hub: what stays on disk."""
    sys.path.insert(0, str(ROOT / "tests"))
    from fakehub import FakeHub

    src = standin(name, log)
    out: dict[str, Any] = {"checkpoint_mb": dir_mb(src)}
    with tempfile.TemporaryDirectory(prefix="kreyol-bench-pull-") as tmp, FakeHub() as hub:
        hub.add_repo("Helsinki-NLP/opus-mt-en-ht", src)
        for label, extra in (("default", []), ("keep_download", ["--keep-download"])):
            home, hf = Path(tmp) / label / "home", Path(tmp) / label / "hf"
            proc = subprocess.run(
                kreyol_cmd("models", "pull", "opus-mt-en-ht", "-q", *extra), capture_output=True,
                env=env(KREYOL_HOME=str(home), HF_HOME=str(hf), HF_ENDPOINT=hub.url,
                        HF_HUB_OFFLINE="0"), timeout=1800)
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr.decode("utf-8", "replace")[-1500:])
            out[label] = {"model_mb": dir_mb(home / "models"),
                          "hf_cache_mb": dir_mb(hf) if hf.exists() else 0.0}
            log(f"  pull ({label}): model {out[label]['model_mb']} MB, "
                f"HF cache {out[label]['hf_cache_mb']} MB")
    return out


def run(nllb: bool, tiny: bool, log=print) -> dict[str, Any]:
    marian, big = ("tiny-opus-mt", "tiny-nllb") if tiny else (
        "opus-mt-en-ht", "nllb-200-distilled-600M")
    results: dict[str, Any] = {"load_before": load()}
    results[marian] = compare(marian, 1 if tiny else 3, log)
    if nllb:
        results[big] = compare(big, 1, log)
    results["pull"] = pull_disk(marian, log)
    results["load_after"] = load()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.conversion",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--nllb", action="store_true", help="also the NLLB-600M stand-in")
    parser.add_argument("--tiny", action="store_true", help="harness check only (tests)")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    args = parser.parse_args(argv)
    results = {"machine": machine(), **run(args.nllb, args.tiny,
                                           lambda m: print(m, file=sys.stderr, flush=True))}
    text = json.dumps(results, indent=2)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n", "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
