"""Audiobook: ``kreyol audiobook`` on generated PDFs, the tiny fixture model.

Books have one corpus sentence per page (the tiny model translates those
well), taken in turn from ``profile.book_distinct`` distinct sentences, and
a chapter every 10 pages. kreyol caches per sentence, so within one run each
distinct sentence is translated and synthesized once and its repeats are
cache hits: the large book does the same model work as the small one and ten
times the extraction, segmentation, cache lookups, assembly and MP3 encoding.
That isolates what must not grow with the book (memory, per-page cost) and
keeps the suite inside its time budget. Each cold run gets an empty cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, Profile, env, kreyol_cmd, load
from bench.pdfgen import distinct_creole_sentences, make_creole_book, make_pdf

TINY_MODEL = ROOT / "tests" / "fixtures" / "models" / "tiny-marian-en-ht"


def audiobook(pdf: Path, out: Path, home: Path, *, source: str = "en", mode: str = "skip"
              ) -> dict:
    """One ``kreyol audiobook`` run: wall time, time to the first chapter file,
    peak RSS of the kreyol process, report.

    Peak RSS is the process's ``VmHWM``, polled from ``/proc``: ``ru_maxrss``
    from ``wait4`` also counts the memory of this benchmark process at the
    fork (Linux folds the pre-exec high-water mark in), which made every run
    look as big as the benchmark once it had built the translation model.
    """
    cmd = kreyol_cmd("audiobook", pdf, "-o", out, "--source", source, "--split", "chapters",
                     "--format", "mp3", "--progress", "json", "--mode", mode)
    if source != "ht":
        cmd += ["--model", str(TINY_MODEL)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env(KREYOL_HOME=str(home)))
    hwm = _watch_hwm(proc.pid)
    first_chapter = first_sentence = None
    tail: list[str] = []
    for raw in proc.stderr:
        line = raw.decode("utf-8", "replace")
        tail = (tail + [line])[-20:]
        if first_chapter is None and '"chapter_done"' in line:
            first_chapter = time.perf_counter() - start
        if first_sentence is None and '"synthesize"' in line:
            with contextlib.suppress(ValueError):
                if json.loads(line).get("done", 0) >= 1:
                    first_sentence = time.perf_counter() - start
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    peak_kb = hwm() or usage.ru_maxrss
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"kreyol audiobook exited {proc.returncode}: {''.join(tail)[-1500:]}")
    report = json.loads((out / "report.json").read_text("utf-8"))
    return {"seconds": seconds, "first_chapter_s": first_chapter,
            "first_sentence_s": first_sentence,
            "peak_rss_mb": peak_kb / 1024, "report": report}


def _watch_hwm(pid: int):
    """Poll ``/proc/PID/status`` for ``VmHWM`` (kB) until the process ends;
    returns a function giving the highest value seen (0 if none)."""
    import threading

    peak = [0]

    def poll() -> None:
        path = f"/proc/{pid}/status"
        while True:
            try:
                with open(path) as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            peak[0] = max(peak[0], int(line.split()[1]))
                            break
                    else:
                        return  # a zombie: the memory is gone
            except (OSError, ValueError):
                return
            time.sleep(0.05)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()

    def result() -> int:
        thread.join(timeout=1)
        return peak[0]

    return result


def _summary(run: dict, pages: int) -> dict:
    report = run["report"]
    return {
        "pages": pages, "seconds": round(run["seconds"], 2),
        "pages_per_min": round(pages / run["seconds"] * 60, 1),
        "first_chapter_s": round(run["first_chapter_s"] or -1, 2),
        "peak_rss_mb": round(run["peak_rss_mb"], 1),
        "audio_s": report.get("audio_duration_s"), "chapters": len(report.get("chapters", ())),
        "cache": report.get("cache"), "stages_s": report.get("stages_s"),
    }


def run_section(profile: Profile, log) -> dict:
    """Measure; returns the ``audiobook`` section of the JSON."""
    small, large = profile.book_pages
    load_before = load()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        books = {
            "en_small": (make_pdf(tmpdir / "small.en.pdf", small, sentences_per_page=1,
                                  distinct=profile.book_distinct), small, "en"),
            "en_large": (make_pdf(tmpdir / "large.en.pdf", large, sentences_per_page=1,
                                  distinct=profile.book_distinct), large, "en"),
            "ht_small": (make_pdf(tmpdir / "small.ht.pdf", small, lang="ht",
                                  sentences_per_page=1, distinct=profile.book_distinct),
                         small, "ht"),
        }
        if profile.name == "tiny":  # tests: one small book, cold and warm
            books = {"en_small": books["en_small"]}
        runs = {}
        for name, (pdf, pages, source) in books.items():
            log(f"audiobook: {name} ({pages} pages), cold cache")
            home = tmpdir / f"home-{name}"
            runs[name] = audiobook(pdf, tmpdir / f"out-{name}", home, source=source)
            if name == "en_small":
                log("audiobook: en_small again, --mode redo (served from the cache)")
                runs["en_small_warm"] = audiobook(pdf, tmpdir / f"out-{name}", home,
                                                  source=source, mode="redo")
        if profile.warm_sentences:
            # The rerun speedup on a book whose sentences are all different, so the
            # cold run does real synthesis work for every one (the books above
            # repeat a few sentences, which the cache already serves on the
            # first run).
            sentences = distinct_creole_sentences(profile.warm_sentences)
            pdf = make_creole_book(tmpdir / "warm.ht.pdf", sentences)
            home = tmpdir / "home-warm"
            log(f"audiobook: {len(sentences)} distinct Creole sentences, cold then --mode redo")
            runs["ht_distinct"] = audiobook(pdf, tmpdir / "out-warm", home, source="ht")
            runs["ht_distinct_warm"] = audiobook(pdf, tmpdir / "out-warm", home, source="ht",
                                                 mode="redo")
            books["ht_distinct"] = (pdf, -(-len(sentences) // 6), "ht")
    out = {name: _summary(run, books[name.removesuffix("_warm")][1]) for name, run in runs.items()}
    throughput = steady = None
    if "ht_distinct" in runs:
        cold = runs["ht_distinct"]
        audio_s = cold["report"]["audio_duration_s"]
        throughput = round(audio_s / cold["seconds"], 2)
        # Steady state: from the first sentence's audio on (start-up, voice load
        # and the first sentence are behind; the last file's encoding is in).
        if cold["first_sentence_s"] and cold["seconds"] > cold["first_sentence_s"]:
            steady = round(audio_s / (cold["seconds"] - cold["first_sentence_s"]), 2)
    small_run = runs["en_small"]
    large_run = runs.get("en_large", small_run)
    for name in ("en_large", "ht_small"):
        out.setdefault(name, {"pages_per_min": None, "peak_rss_mb": None,
                              "first_chapter_s": None, "skipped": "tiny profile"})
    return {
        "model": "tiny-marian-en-ht (test fixture); voice joe-medium; --split chapters "
                 "--format mp3; default --jobs (all cores)",
        "pages_small": small, "pages_large": large, "distinct_sentences": profile.book_distinct,
        "sentences_per_page": 1,
        "pages_per_min_small": out["en_small"]["pages_per_min"],
        "pages_per_min_large": out["en_large"]["pages_per_min"],
        "pages_per_min_ht": out["ht_small"]["pages_per_min"],
        "peak_rss_small_mb": out["en_small"]["peak_rss_mb"],
        "peak_rss_large_mb": out["en_large"]["peak_rss_mb"],
        "rss_ratio": round(large_run["peak_rss_mb"] / small_run["peak_rss_mb"], 3)
        if "en_large" in runs else None,
        "first_chapter_s": out["en_small"]["first_chapter_s"],
        "first_chapter_large_s": out["en_large"]["first_chapter_s"],
        "warm_speedup": round(runs["ht_distinct"]["seconds"] / runs["ht_distinct_warm"]["seconds"], 2)
        if "ht_distinct" in runs else
        round(small_run["seconds"] / runs["en_small_warm"]["seconds"], 2),
        "warm_speedup_repetitive_book": round(small_run["seconds"]
                                              / runs["en_small_warm"]["seconds"], 2),
        "warm_sentences": profile.warm_sentences,
        "throughput_audio_s_per_s": throughput,
        "steady_audio_s_per_s": steady,
        "runs": out, "load": [load_before, load()],
    }
