"""Render a results JSON as the Markdown tables of docs/BENCHMARKS.md:
``python -m bench.markdown bench/results/latest.json``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.report import _fmt, _rows


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def render(results: dict) -> str:
    out = [table(["section", "metric", "value", "target"],
                 [list(r) for r in _rows(results)])]
    mt = results.get("translation", {})
    if mt.get("sweep"):
        out.append(table(["threads", "batch", "kreyol tok/s", "ctranslate2 tok/s",
                          "transformers tok/s", "ratio", "kreyol overhead"],
                         [[r["threads"], r["batch"], r["kreyol_tok_s"], r["ctranslate2_tok_s"],
                           r["transformers_tok_s"], r["ratio"], r["kreyol_overhead"]]
                          for r in mt["sweep"]]))
    tts = results.get("tts", {})
    rows = [[f"kreyol tts --jobs {r['jobs']}", r["seconds"], r["rtf"]]
            for r in tts.get("jobs_scaling", [])]
    for r in tts.get("executor_scaling", []):
        label = f"executor {r['workers']} worker(s) x {r['threads']} thread(s), {r['executor']}"
        rows.append([label + ", cold", r["cold_seconds"], r["cold_rtf"], r.get("cold_first_s")])
        rows.append([label + ", warm", r["warm_seconds"], r["warm_rtf"], None])
    if rows:
        for row in rows:
            row += [None] * (4 - len(row))
        out.append(table(["setting", "seconds", "RTF", "first result s"], rows))
    ab = results.get("audiobook", {}).get("runs", {})
    if ab:
        rows = []
        for name, r in ab.items():
            if "skipped" in r:
                continue
            stages = r.get("stages_s") or {}
            cache = r.get("cache") or {}
            hits = "/".join(str((cache.get(ns) or {}).get("hits", "-")) for ns in
                            ("translation", "audio", "encoded"))
            rows.append([name, r["pages"], r["seconds"], r["pages_per_min"],
                         r["first_chapter_s"], r["peak_rss_mb"], r["audio_s"],
                         " ".join(f"{k} {v}" for k, v in stages.items()), hits])
        out.append(table(["run", "pages", "s", "pages/min", "first chapter s", "peak RSS MB",
                          "audio s", "stages s", "cache hits tr/audio/encoded"], rows))
    return "\n\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(json.loads(Path(sys.argv[1]).read_text("utf-8"))))
