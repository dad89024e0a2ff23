"""`kreyol --help` and `kreyol cache stats` start fast: no heavy import at CLI start."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

HEAVY = ("ctranslate2", "transformers", "torch", "piper", "onnxruntime", "fitz", "pymupdf",
         "pydub", "joblib", "numpy", "huggingface_hub", "sentencepiece", "safetensors", "scipy",
         # document readers load only when their format is met
         "lxml", "ebooklib", "mammoth", "readability", "charset_normalizer", "py3langid")

PROBE = """
import json, sys
from kreyol_cli.commands import app
try:
    app(args=sys.argv[1:], prog_name="kreyol")
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\\nPROBE " + json.dumps({"code": code, "modules": sorted(sys.modules)}) + "\\n")
"""


def probe(*args: str) -> tuple[int, set[str], str]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    line = [x for x in result.stderr.splitlines() if x.startswith("PROBE ")][-1]
    data = json.loads(line[len("PROBE "):])
    return data["code"], {m.split(".")[0] for m in data["modules"]}, result.stdout


@pytest.mark.parametrize("args", [["--help"], ["cache", "stats"], ["cache", "stats", "--json"],
                                  ["models", "--help"], ["translate", "--help"],
                                  ["extract", "--help"], ["audiobook", "--help"]])
def test_no_heavy_import_at_start(args):
    code, modules, stdout = probe(*args)
    assert code in (0, None)
    assert stdout.strip()
    assert sorted(modules & set(HEAVY)) == []


def test_cache_stats_on_an_existing_cache_stays_light(kreyol_home):
    import diskcache

    with diskcache.Cache(str(kreyol_home / "cache" / "translation")) as db:
        db.set("k", "v")
    code, modules, stdout = probe("cache", "stats", "--json")
    assert code in (0, None)
    stats = {n["namespace"]: n for n in json.loads(stdout)["namespaces"]}
    assert stats["translation"]["entries"] == 1
    assert sorted(modules & set(HEAVY)) == []
