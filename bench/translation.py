"""Translation: kreyol (CTranslate2 int8) vs transformers (PyTorch fp32).

Both run the opus-mt-en-ht architecture (``bench.model``) with the same
beam, the same threads and the same number of decoded tokens. A raw
``ctranslate2.Translator.translate_batch`` run measures kreyol's own
overhead, and one ``kreyol translate`` subprocess its end-to-end cost.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

from bench.common import PYTHON, ROOT, Profile, env, kreyol_cmd, load, run, run_json
from bench.model import bench_sentences, ensure_model

#: The tiny profile (tests) times the small fixture models instead: same code
#: paths, no 300 MB model to build.
TINY_DIRS = (ROOT / "tests" / "fixtures" / "hub" / "tiny-opus-mt-en-ht",
             ROOT / "tests" / "fixtures" / "models" / "tiny-marian-en-ht")

SKIP_TORCH = "torch not installed: pip install 'kreyol[torch]'"
BEAM = 4


def run_section(profile: Profile, log) -> dict:
    """Measure; returns the ``translation`` section of the JSON."""
    if importlib.util.find_spec("torch") is None:
        return {"skipped": SKIP_TORCH}
    if profile.name == "tiny":
        dirs, model = TINY_DIRS, "tiny fixture (tiny-opus-mt-en-ht): tiny profile only"
    else:
        dirs = ensure_model(log)
        model = ("opus-mt-en-ht architecture (6+6 layers, d_model 512, 8 heads, FFN 2048, "
                 "vocab 60k), random weights; kreyol/CTranslate2 int8, transformers fp32")
    load_before = load()
    cmd = [PYTHON, "-m", "bench.translation_worker",
           "--threads", ",".join(map(str, profile.mt_threads)),
           "--batches", ",".join(map(str, profile.mt_batches)),
           "--length", str(profile.mt_length), "--repeats", str(profile.repeats),
           "--beam", str(BEAM), "--cli-reference", str(profile.mt_cli_sentences)]
    log("translation: kreyol vs CTranslate2 vs transformers (interleaved)")
    data = run_json(cmd, timeout=900, env=env(BENCH_MT_DIRS=os.pathsep.join(map(str, dirs))))
    rows = data["rows"]
    by = {(r["engine"], r["threads"], r["batch"]): r for r in rows}
    threads, batch = max(profile.mt_threads), max(profile.mt_batches)
    # kreyol vs raw CTranslate2 differ by a few percent, less than the noise of
    # a shared 2-core machine: time that pair again alone (no PyTorch in the
    # process) with more rounds, at the headline setting.
    log("translation: kreyol overhead vs raw CTranslate2 (no PyTorch loaded)")
    pair = run_json([PYTHON, "-m", "bench.translation_worker", "--no-torch",
                     "--threads", str(threads), "--batches", str(batch),
                     "--length", str(profile.mt_length), "--repeats", str(profile.repeats + 2),
                     "--beam", str(BEAM)],
                    timeout=900, env=env(BENCH_MT_DIRS=os.pathsep.join(map(str, dirs))))
    alone = {r["engine"]: r["tok_s"] for r in pair["rows"]}
    kreyol = by["kreyol", threads, batch]["tok_s"]
    hf = by["transformers", threads, batch]["tok_s"]
    ct2 = by["ctranslate2", threads, batch]["tok_s"]
    sweep = []
    for t in profile.mt_threads:
        for b in profile.mt_batches:
            k, h, c = (by[e, t, b]["tok_s"] for e in ("kreyol", "transformers", "ctranslate2"))
            sweep.append({"threads": t, "batch": b, "kreyol_tok_s": k, "transformers_tok_s": h,
                          "ctranslate2_tok_s": c, "ratio": round(k / h, 2),
                          "kreyol_overhead": round(1 - k / c, 3)})
    result = {
        "model": model,
        "beam": BEAM, "decoded_tokens_per_sentence": profile.mt_length,
        "headline": {"threads": threads, "batch": batch},
        "kreyol_tok_s": kreyol, "transformers_tok_s": hf, "ctranslate2_tok_s": ct2,
        "ratio": round(kreyol / hf, 2),
        "kreyol_overhead": round(1 - alone["kreyol"] / alone["ctranslate2"], 3),
        "kreyol_overhead_interleaved": round(1 - kreyol / ct2, 3),
        "overhead_run": {**alone, "rounds": profile.repeats + 2},
        "sweep": sweep, "rows": rows, "load": [load_before, load()],
    }
    if profile.mt_cli_sentences:
        result["cli"] = _cli(data["cli_reference"], log)
    else:
        result["cli"] = {"skipped": "tiny profile"}
    return result


def _cli(reference: dict, log) -> dict:
    """One `kreyol translate` subprocess on the sentences the reference timed."""
    from bench.model import model_dirs

    _, ct2_dir = model_dirs()
    log("translation: kreyol translate subprocess")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.txt"
        src.write_text("\n".join(bench_sentences(reference["sentences"])) + "\n", "utf-8")
        seconds, proc = run(kreyol_cmd("translate", "--model", ct2_dir, "--beam", BEAM,
                                       "--jobs", reference["threads"], "--no-cache", "--quiet",
                                       "--format", "jsonl", "-i", src))
    records = [line for line in proc.stdout.decode("utf-8").splitlines() if line.strip()]
    if len(records) != reference["sentences"]:
        raise RuntimeError(f"kreyol translate returned {len(records)} sentences, expected "
                           f"{reference['sentences']}")
    tokens = reference["tokens"]
    return {
        "sentences": reference["sentences"], "threads": reference["threads"],
        "decoded_tokens": tokens, "cli_seconds": round(seconds, 3),
        "inprocess_seconds": reference["seconds"],
        "cli_tok_s": round(tokens / seconds, 1),
        "inprocess_tok_s": round(tokens / reference["seconds"], 1),
        "end_to_end_overhead_s": round(seconds - reference["seconds"], 3),
        "note": "each sentence decodes kreyol's default max_decoding_length (256) tokens; "
                "the overhead is process start, imports and model load",
    }
