"""Clean failures: read-only places, wrong options, and hints that say the right thing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import TINY_MARIAN, tmpfs

from kreyol_cli.errors import ExitCode


@pytest.fixture
def read_only(tmp_path) -> Path:
    """A read-only folder: a read-only tmpfs for root (who ignores modes), else mode 0555."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    with tmpfs(folder, "ro,size=1m"):
        yield folder


def test_read_only_kreyol_home_is_one_line(cli, read_only, monkeypatch, tmp_path):
    monkeypatch.setenv("KREYOL_HOME", str(read_only))
    result = cli("translate", "-m", TINY_MARIAN, "Good morning.")
    assert result.exit_code == 0
    assert result.stdout == "Bonjou.\n"
    assert result.stderr == "warning: cache is read-only: not caching\n"
    out = tmp_path / "b.wav"
    spoken = cli("tts", "Bonjou.", "-o", out)
    assert spoken.exit_code == 0 and out.exists()
    assert spoken.stderr == "warning: cache is read-only: not caching\n"


def test_models_convert_into_a_read_only_folder(cli, read_only, tmp_path):
    checkpoint = tmp_path / "ckpt"
    checkpoint.mkdir()
    (checkpoint / "config.json").write_text("{}", "utf-8")
    result = cli("models", "convert", checkpoint, read_only / "model")
    assert result.exit_code == ExitCode.OUTPUT, result.stderr
    assert result.stderr.startswith(f"error: cannot write {read_only / 'model'}: ")
    assert "choose another directory" in result.stderr


def test_models_convert_of_a_missing_directory(cli, tmp_path):
    result = cli("models", "convert", "/nonexistent", tmp_path / "out")
    assert result.exit_code == ExitCode.INPUT
    assert result.stderr == "error: /nonexistent: no such directory\n"


def test_models_list_unknown_kind_is_a_usage_error(cli):
    result = cli("models", "list", "--kind", "bogus")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == "error: --kind 'bogus': use translation or voice\n"
    assert result.stdout == ""


def test_models_pull_unknown_name_does_not_suggest_pull(cli):
    result = cli("models", "pull", "nosuch")
    assert result.exit_code == ExitCode.MODEL
    assert "unknown model 'nosuch'" in result.stderr and "see `kreyol models list`" in result.stderr
    assert "models pull NAME" not in result.stderr


def test_unknown_voice_hint_names_an_onnx_file(cli, tmp_path):
    result = cli("tts", "-v", "nosuch", "Bonjou.", "-o", tmp_path / "a.wav")
    assert result.exit_code == ExitCode.MODEL
    assert "or pass a voice's .onnx file" in result.stderr
    assert "directory" not in result.stderr
    model = cli("translate", "-m", "nosuch", "Good morning.")
    assert model.exit_code == ExitCode.MODEL and "or pass a model directory" in model.stderr


def test_cache_clear_answered_no_exits_0(cli, monkeypatch):
    from kreyol_cli.commands import cache

    monkeypatch.setattr(cache, "_interactive", lambda: True)
    result = cli("cache", "clear", input="n\n")
    assert result.exit_code == 0
    assert "Aborted" not in result.stderr and "nothing cleared" in result.stderr


def test_debug_after_the_subcommand(cli):
    result = cli("extract", "/nonexistent/book.pdf", "--debug")
    assert result.exit_code == ExitCode.INPUT
    assert "Traceback" in result.stderr and "error: /nonexistent/book.pdf: no such file" in \
        result.stderr
    plain = cli("extract", "/nonexistent/book.pdf")
    assert plain.stderr == "error: /nonexistent/book.pdf: no such file\n"


@pytest.fixture(autouse=True)
def _no_debug_leak():
    from kreyol_cli.commands.edge import state

    before = state["debug"]
    yield
    state["debug"] = before
