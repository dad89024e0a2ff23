"""The translation engines, timed in one process: ``python -m bench.translation_worker``.

All three engines are loaded once and their calls interleaved (engine order
rotating every round), so a burst of load from other jobs on the machine
hits them alike; each result is the best of its rounds. PyTorch and
CTranslate2 each bring their own OpenMP runtime; a short pause between
engines lets one pool go idle before the other starts. Model loading stays
out of the timings. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from bench.model import bench_sentences
from bench.model import model_dirs as _default_dirs


def model_dirs():
    """The model pair to time: ``BENCH_MT_DIRS=hf_dir:ct2_dir`` or the benchmark model."""
    value = os.environ.get("BENCH_MT_DIRS")
    return tuple(Path(p) for p in value.split(os.pathsep)) if value else _default_dirs()


def _resolved():
    from kreyol_cli.registry import ModelSpec, ResolvedModel

    _, ct2_dir = model_dirs()
    spec = ModelSpec(name="opus-mt-en-ht-arch", kind="translation", family="marian",
                     languages=("en-ht",))
    return ResolvedModel(spec, ct2_dir, "bench")


def kreyol_engine(threads: int, beam: int, length: int):
    """kreyol's CLI code path minus file I/O: lines -> units -> sentences ->
    cache lookups (disabled, as with --no-cache) -> Translator -> text."""
    from kreyol_cli.cache import Cache
    from kreyol_cli.segment import iter_units
    from kreyol_cli.settings import Settings
    from kreyol_cli.translate import TranslateOptions, TranslationService, translate_units

    options = TranslateOptions(beam_size=beam, max_decoding_length=length)
    service = TranslationService(_resolved(), options, threads=threads)
    cache = Cache(Settings.load(), enabled=False)
    translator = service.translator  # loaded here, outside the timings

    counted: dict[tuple, int] = {}

    def translate(sentences: list[str]) -> int:
        lines = [s + "\n" for s in sentences]
        for _ in translate_units(iter_units(lines), service, cache, batch_sentences=len(lines)):
            pass
        key = tuple(sentences)
        if key not in counted:
            counted[key] = count(sentences)
        return counted[key]

    def count(sentences: list[str]) -> int:
        # kreyol returns text; decode the same batch with the same arguments
        # (untimed) to count tokens. The benchmark model never emits </s>, so
        # this is len(sentences) * length; the tiny fixture model may stop early.
        batch = [w for s in sentences for w in translator.tokenize(s)]
        results = translator.engine.translate_batch(
            batch, beam_size=beam, max_batch_size=options.max_batch_tokens, batch_type="tokens",
            max_decoding_length=length)
        return sum(len(r.hypotheses[0]) for r in results)

    return translate, translator.engine


def ct2_engine(threads: int, beam: int, length: int, engine):
    """ctranslate2.Translator.translate_batch on pre-tokenized input (the same
    loaded engine kreyol uses, so the difference is kreyol's own work)."""
    from transformers import AutoTokenizer

    _, ct2_dir = model_dirs()
    tokenizer = AutoTokenizer.from_pretrained(str(ct2_dir))
    memo: dict[tuple, list] = {}

    def translate(sentences: list[str]) -> int:
        key = tuple(sentences)
        if key not in memo:
            memo[key] = [tokenizer.convert_ids_to_tokens(tokenizer.encode(s)) for s in sentences]
        results = engine.translate_batch(memo[key], beam_size=beam,
                                         min_decoding_length=length, max_decoding_length=length)
        return sum(len(r.hypotheses[0]) for r in results)

    return translate


def hf_engine(threads: int, beam: int, length: int, model, tokenizer):
    """transformers MarianMTModel.generate, PyTorch fp32, pre-tokenized input."""
    import torch

    memo: dict[tuple, dict] = {}

    def translate(sentences: list[str]) -> int:
        torch.set_num_threads(threads)
        key = tuple(sentences)
        if key not in memo:
            memo[key] = tokenizer(sentences, return_tensors="pt", padding=True)
        with torch.inference_mode():
            out = model.generate(**memo[key], num_beams=beam, do_sample=False,
                                 max_new_tokens=length, min_new_tokens=length)
        return int(out.shape[0] * (out.shape[1] - 1))  # minus the decoder start token

    return translate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--length", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--cli-reference", type=int, default=0,
                        help="also time N sentences with kreyol's default options (2 threads)")
    args = parser.parse_args()
    os.environ.setdefault("KREYOL_HOME", tempfile.mkdtemp(prefix="kreyol-bench-"))
    threads_list = [int(t) for t in args.threads.split(",")]
    batches = [int(b) for b in args.batches.split(",")]

    hf = None
    if not args.no_torch:
        import torch
        from transformers import MarianMTModel, MarianTokenizer

        torch.set_num_interop_threads(1)
        hf_dir, _ = model_dirs()
        hf = (MarianMTModel.from_pretrained(str(hf_dir)).eval(),
              MarianTokenizer.from_pretrained(str(hf_dir)))
    engines: dict[tuple[str, int], object] = {}
    for threads in threads_list:
        translate, engine = kreyol_engine(threads, args.beam, args.length)
        engines["kreyol", threads] = translate
        engines["ctranslate2", threads] = ct2_engine(threads, args.beam, args.length, engine)
        if hf is not None:
            engines["transformers", threads] = hf_engine(threads, args.beam, args.length, *hf)

    best: dict[tuple[str, int, int], tuple[float, int]] = {}
    names = sorted({name for name, _ in engines})
    for translate in engines.values():  # warm-up: allocators, thread pools
        translate(bench_sentences(1))
    for round_ in range(args.repeats):
        for threads in threads_list:
            for batch in batches:
                sentences = bench_sentences(batch)
                order = names[round_ % len(names):] + names[:round_ % len(names)]
                for name in order:
                    time.sleep(0.2)  # let the other runtime's OpenMP threads go idle
                    start = time.perf_counter()
                    tokens = engines[name, threads](sentences)
                    seconds = time.perf_counter() - start
                    old = best.get((name, threads, batch))
                    if old is None or seconds < old[0]:
                        best[name, threads, batch] = (seconds, tokens)
    rows = [{"engine": name, "threads": threads, "batch": batch, "seconds": round(s, 4),
             "tokens": tokens, "tok_s": round(tokens / s, 1)}
            for (name, threads, batch), (s, tokens) in sorted(best.items())]
    result = {"rows": rows}
    if args.cli_reference:
        result["cli_reference"] = _cli_reference(max(threads_list), args.beam, args.cli_reference)
    print(json.dumps(result))


def _cli_reference(threads: int, beam: int, count: int) -> dict:
    """In-process time of what `kreyol translate` does with its default options."""
    from kreyol_cli.translate import TranslateOptions, TranslationService

    service = TranslationService(_resolved(), TranslateOptions(beam_size=beam), threads=threads)
    translator = service.translator
    sentences = bench_sentences(count)
    start = time.perf_counter()
    translator.translate(sentences)
    seconds = time.perf_counter() - start
    return {"sentences": count, "threads": threads, "seconds": round(seconds, 4),
            "tokens": count * service.options.max_decoding_length}


if __name__ == "__main__":
    main()
