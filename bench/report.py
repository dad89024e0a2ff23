"""The results as rich tables on stdout (the JSON holds everything)."""

from __future__ import annotations

from typing import Any


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _rows(results: dict) -> list[tuple[str, str, Any, str]]:
    """(section, metric, value, target) for the summary table."""
    rows: list[tuple[str, str, Any, str]] = []

    def add(section: str, metric: str, key: str, target: str = "", data=None) -> None:
        data = results.get(section, {}) if data is None else data
        rows.append((section, metric, data.get(key), target))

    mt = results.get("translation", {})
    if "skipped" in mt or "error" in mt:
        rows.append(("translation", "skipped", mt.get("skipped") or mt.get("error"), ""))
    else:
        head = mt.get("headline", {})
        where = f" ({head.get('threads')} thr, batch {head.get('batch')})"
        add("translation", "kreyol tok/s" + where, "kreyol_tok_s")
        add("translation", "transformers tok/s" + where, "transformers_tok_s")
        add("translation", "ctranslate2 tok/s" + where, "ctranslate2_tok_s")
        add("translation", "ratio kreyol / transformers", "ratio", ">= 3")
        add("translation", "kreyol overhead vs ctranslate2", "kreyol_overhead", "< 0.10")
        cli = mt.get("cli", {})
        if "cli_seconds" in cli:
            add("translation", "kreyol translate CLI extra s", "end_to_end_overhead_s", data=cli)
    if "tts" in results and "error" not in results["tts"]:
        add("tts", "kreyol tts RTF (en)", "kreyol_rtf")
        add("tts", "piper CLI RTF (en)", "piper_rtf")
        add("tts", "ratio piper time / kreyol time", "ratio", ">= 1")
        add("tts", "ratio, long input (>= 10 min audio)", "ratio_long", ">= 1.25")
        add("tts", "kreyol tts RTF (ht)", "kreyol_ht_rtf")
        add("tts", "kreyol first audio s (-o -)", "first_audio_s")
        add("tts", "piper first audio s (--output-raw)", "piper_first_audio_s")
        plan = results["tts"].get("plan_for_2") or {}
        rows.append(("tts", "plan on 2 cores (workers x ONNX threads)",
                     f"{plan.get('workers')} x {plan.get('threads')} ({plan.get('executor')})", ""))
    if "audiobook" in results and "error" not in results["audiobook"]:
        ab = results["audiobook"]
        add("audiobook", f"pages/min ({ab.get('pages_small')} pages)", "pages_per_min_small")
        add("audiobook", f"pages/min ({ab.get('pages_large')} pages)", "pages_per_min_large")
        add("audiobook", "pages/min (Creole, --source ht)", "pages_per_min_ht")
        add("audiobook", "peak RSS MB small", "peak_rss_small_mb")
        add("audiobook", "peak RSS MB large", "peak_rss_large_mb")
        add("audiobook", "RSS ratio large / small", "rss_ratio", "~1")
        add("audiobook", "first chapter file s", "first_chapter_s")
        add("audiobook", "warm speedup (cold / redo)", "warm_speedup", ">= 20")
        add("audiobook", "cold audio s per wall s (Creole book)", "throughput_audio_s_per_s")
        add("audiobook", "steady-state audio s per wall s", "steady_audio_s_per_s")
    if "startup" in results and "error" not in results["startup"]:
        add("startup", "kreyol --help s (minus python)", "help_s", "<= 0.15")
        add("startup", "kreyol cache stats s (minus python)", "cache_stats_s", "<= 0.3")
    cache = results.get("cache", {})
    for kind in ("text", "audio"):
        if kind in cache:
            d = cache[kind]
            rows.append(("cache", f"{kind}: get us kreyol / diskcache",
                         f"{_fmt(d['kreyol_get_us'])} / {_fmt(d['diskcache_get_us'])}", ""))
            rows.append(("cache", f"{kind}: set us kreyol / diskcache",
                         f"{_fmt(d['kreyol_set_us'])} / {_fmt(d['diskcache_set_us'])}", ""))
    for section in ("translation", "tts", "audiobook", "startup", "cache"):
        if "error" in results.get(section, {}):
            rows.append((section, "ERROR", results[section]["error"][:80], ""))
    return rows


def print_report(results: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    m = results.get("machine", {})
    table = Table(title=f"kreyol benchmarks ({results.get('profile')} profile, {m.get('cores')} "
                        f"cores, {m.get('cpu')}, {results.get('total_s')} s)")
    for col in ("section", "metric", "value", "target"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for section, metric, value, target in _rows(results):
        table.add_row(section, metric, _fmt(value), target)
    console.print(table)
    sweep = results.get("translation", {}).get("sweep")
    if sweep:
        t = Table(title="translation sweep (tokens/s, beam 4)")
        for col in ("threads", "batch", "kreyol", "ctranslate2", "transformers", "ratio",
                    "overhead"):
            t.add_column(col, justify="right")
        for r in sweep:
            t.add_row(*(_fmt(r[k]) for k in ("threads", "batch", "kreyol_tok_s",
                                             "ctranslate2_tok_s", "transformers_tok_s",
                                             "ratio", "kreyol_overhead")))
        console.print(t)
    tts = results.get("tts", {})
    if tts.get("jobs_scaling") or tts.get("executor_scaling"):
        t = Table(title="tts scaling (RTF, lower is better)")
        for col in ("setting", "seconds", "RTF"):
            t.add_column(col, justify="right")
        for r in tts.get("jobs_scaling", []):
            t.add_row(f"kreyol tts --jobs {r['jobs']}", _fmt(r["seconds"]), _fmt(r["rtf"]))
        for r in tts.get("executor_scaling", []):
            label = f"{r['workers']} worker x {r['threads']} thread ({r['executor']})"
            t.add_row(label + " cold", _fmt(r["cold_seconds"]), _fmt(r["cold_rtf"]))
            t.add_row(label + " warm", _fmt(r["warm_seconds"]), _fmt(r["warm_rtf"]))
            if "cold_first_s" in r:
                t.add_row(label + " first result s", _fmt(r["cold_first_s"]), "")
        console.print(t)
