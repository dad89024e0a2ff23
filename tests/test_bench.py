"""The benchmark harness starts and writes its JSON (numbers are not checked:
timings depend on the machine and its load). ``KREYOL_BENCH_TINY=1`` shrinks
every section to a harness check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

KEYS = ("translation", "tts", "audiobook", "startup", "cache")


@pytest.mark.timeout(300)
def test_bench_quick_tiny_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    env = {**os.environ, "KREYOL_BENCH_TINY": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--json", str(out)],
                          cwd=ROOT, env=env, capture_output=True, timeout=280)
    assert out.exists(), proc.stderr.decode()[-2000:]
    data = json.loads(out.read_text("utf-8"))
    assert data["profile"] == "tiny"
    for key in KEYS:
        assert key in data, key
        assert "error" not in data[key], data[key].get("error")
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    mt = data["translation"]
    if "skipped" not in mt:
        for key in ("kreyol_tok_s", "transformers_tok_s", "ratio", "ctranslate2_tok_s",
                    "kreyol_overhead", "sweep"):
            assert key in mt, key
    for key in ("kreyol_rtf", "piper_rtf", "ratio", "first_audio_s"):
        assert key in data["tts"], key
    for key in ("pages_per_min_small", "peak_rss_small_mb", "first_chapter_s", "warm_speedup"):
        assert key in data["audiobook"], key
    assert {"help_s", "cache_stats_s"} <= set(data["startup"])
    assert {"text", "audio"} <= set(data["cache"])


def test_kreyol_does_not_import_bench():
    code = "import sys, kreyol_cli.commands; print(any(m == 'bench' or m.startswith('bench.') " \
           "for m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert proc.stdout.strip() == "False"


def test_translation_skips_without_torch(monkeypatch):
    import importlib.util

    monkeypatch.syspath_prepend(str(ROOT))

    from bench import translation
    from bench.common import PROFILES

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real(name, *a))
    result = translation.run_section(PROFILES["tiny"], lambda _msg: None)
    assert result == {"skipped": "torch not installed: pip install 'kreyol[torch]'"}


@pytest.mark.timeout(300)
def test_bench_conversion_tiny_writes_json(tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "conversion.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "bench.conversion", "--tiny", "--json", str(out)],
                          cwd=ROOT, env=env, capture_output=True, timeout=280)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    data = json.loads(out.read_text("utf-8"))
    run = data["tiny-opus-mt"]
    assert run["converted_mb"]["kreyol"] == run["converted_mb"]["official"]
    for key in ("kreyol_seconds", "official_seconds", "kreyol_peak_rss_mb",
                "official_peak_rss_mb", "time_ratio", "rss_ratio"):
        assert run[key] > 0, key
    assert data["pull"]["default"]["hf_cache_mb"] == 0
    assert data["pull"]["keep_download"]["hf_cache_mb"] >= data["pull"]["checkpoint_mb"]
