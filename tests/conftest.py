"""Shared fixtures: every test gets its own KREYOL_HOME (no test touches the
real one), and helpers to run the CLI in-process or as a real subprocess."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TINY_MARIAN = FIXTURES / "models" / "tiny-marian-en-ht"
TINY_NLLB = FIXTURES / "models" / "tiny-nllb"
TINY_M2M = FIXTURES / "models" / "tiny-m2m100"
CORPUS = ROOT / "scripts" / "fixture_corpus.tsv"
EXAMPLES = ROOT / "examples"


def corpus_pairs() -> list[tuple[str, str]]:
    """The (English, Creole) sentence pairs the tiny Marian model was trained on."""
    pairs = []
    for line in CORPUS.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            en, ht = line.split("\t")[:2]
            pairs.append((en.strip(), ht.strip()))
    return pairs


@pytest.fixture(autouse=True)
def kreyol_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "kreyol-home"
    monkeypatch.setenv("KREYOL_HOME", str(home))
    for var in ("KREYOL_CACHE_DIR", "KREYOL_MODELS_DIR", "KREYOL_CACHE_TTL",
                "KREYOL_CACHE_SIZE_LIMIT", "KREYOL_JOBS", "KREYOL_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    return home


@pytest.fixture
def cli():
    """Run ``kreyol ARGS`` in-process; returns the click Result (stdout/stderr apart)."""
    from kreyol_cli.commands import app

    def run(*args: str, input: str | bytes | None = None):
        runner = CliRunner()
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


def run_kreyol(*args: str, input: bytes | None = None, env: dict | None = None,
               timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m kreyol_cli ARGS`` as a real subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "kreyol_cli", *map(str, args)], input=input,
                          capture_output=True, env=full_env, timeout=timeout, **kwargs)


def leftovers(directory: Path) -> list[str]:
    """What a run left in ``directory`` (besides the test's KREYOL_HOME)."""
    return sorted(p.name for p in directory.iterdir() if p.name != "kreyol-home")


def one_line_error(result, code) -> str:
    """The error message, after checking it is one line with the right exit code."""
    assert result.exit_code == int(code), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines
    return lines[0]


@contextlib.contextmanager
def tmpfs(folder: Path, options: str):
    """Mount a tmpfs (``size=200k``: a small disk; ``ro``: read-only even for root)
    on ``folder`` for the duration; skips the test where that needs root or fails."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
            capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)
