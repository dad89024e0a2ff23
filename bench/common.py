"""Shared pieces: run profiles, timing, subprocesses and the machine record."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass(frozen=True)
class Profile:
    """How big each section runs. ``full`` fits in 15 minutes on 2 cores,
    ``quick`` in 3, ``tiny`` (tests) in well under one.

    Attributes:
        name: ``full``, ``quick`` or ``tiny``.
        repeats: Timed repetitions (best-of for throughput, median for latency).
        mt_batches: Batch sizes of the translation sweep.
        mt_threads: Thread counts of the translation sweep.
        mt_length: Tokens decoded per sentence (fixed on every side).
        mt_cli_sentences: Sentences sent through ``kreyol translate`` (each
            decodes kreyol's default 256 tokens).
        tts_files: Input files for the ``kreyol tts`` vs ``piper`` comparison.
        tts_sentences: Sentences per input file.
        book_pages: Page counts of the English audiobook runs (small, large).
        book_distinct: Distinct sentences in the books (one per page, repeating).
        startup_runs: Runs per startup command (median).
        cache_ops: get/set operations per cache measurement.
        warm_sentences: Distinct Creole sentences of the book that measures
            the cold/cached rerun speedup (0: measure it on the small book).
        tts_long_sentences: Sentences of the long ``tts`` input (about 4 s of
            audio each: 160 give over 10 minutes).
    """

    name: str
    repeats: int
    mt_batches: tuple[int, ...]
    mt_threads: tuple[int, ...]
    mt_length: int
    mt_cli_sentences: int
    tts_files: int
    tts_sentences: int
    book_pages: tuple[int, int]
    book_distinct: int
    startup_runs: int
    cache_ops: int
    warm_sentences: int = 0
    tts_long_sentences: int = 0


PROFILES = {
    "full": Profile("full", 3, (1, 16), (1, 2), 24, 2, 2, 6, (100, 1000), 75, 7, 500, 240, 160),
    "quick": Profile("quick", 1, (1, 8), (1, 2), 16, 1, 1, 4, (30, 300), 25, 5, 200, 60, 160),
    "tiny": Profile("tiny", 1, (2,), (1,), 4, 0, 1, 1, (3, 10), 3, 2, 20),
}


def env(**extra: str) -> dict[str, str]:
    """The environment for subprocesses: kreyol importable from the checkout,
    no telemetry, no network."""
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), out.get("PYTHONPATH", "")) if p)
    out.update({"HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
                "TOKENIZERS_PARALLELISM": "false", "PYTHONUNBUFFERED": "1"})
    out.update(extra)
    return out


def kreyol_cmd(*args: Any) -> list[str]:
    """``kreyol ARGS`` as a command line (the package's ``python -m`` entry)."""
    return [PYTHON, "-m", "kreyol_cli", *map(str, args)]


def run(cmd: Sequence[str], *, timeout: float = 600, check: bool = True, **kwargs
        ) -> tuple[float, subprocess.CompletedProcess]:
    """Run a command; return (wall seconds, completed process)."""
    kwargs.setdefault("env", env())
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), capture_output=True, timeout=timeout, **kwargs)
    seconds = time.perf_counter() - start
    if check and proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace")[-1500:]
        raise RuntimeError(f"{' '.join(map(str, cmd[:6]))} ... exited {proc.returncode}: {tail}")
    return seconds, proc


def run_json(cmd: Sequence[str], **kwargs) -> Any:
    """Run a worker that prints one JSON document as its last stdout line."""
    _, proc = run(cmd, **kwargs)
    return json.loads(proc.stdout.decode("utf-8").strip().splitlines()[-1])


def best_of(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Fastest of ``repeats`` timed calls (throughput: the least disturbed run)."""
    best, result = float("inf"), None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def median_time(func: Callable[[], Any], repeats: int) -> float:
    """Median of ``repeats`` timed calls (latency)."""
    times = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def load() -> float:
    """The 1-minute load average (other engineers' jobs share the machine)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return -1.0


def machine() -> dict[str, Any]:
    """Cores, CPU model, RAM, Python and library versions."""
    from importlib import metadata

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram = 0
    with contextlib.suppress(ValueError, OSError, AttributeError):
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    versions = {}
    for dist in ("ctranslate2", "torch", "transformers", "onnxruntime", "piper-tts",
                 "diskcache", "pymupdf", "numpy", "joblib"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu, "ram_gb": round(ram / 2**30, 1), "python": platform.python_version(),
        "platform": platform.platform(), "versions": versions, "load_at_start": load(),
    }
