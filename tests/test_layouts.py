"""Checkpoints laid out the way published repositories hold them.

``tests/fixtures/layouts/NAME`` are repositories shaped like real ones
(2020-era opus-mt with a legacy ``pytorch_model.bin`` and a
``tokenizer_config.json`` without ``tokenizer_class``, zip state dicts with
``_metadata``, fp16/bf16, shards, unshared embeddings without
``lm_head.weight``, NLLB and M2M-100 as facebook/* ship them), built by
scripts/build_fixtures.py. ``NAME.expected.json`` holds transformers' own
greedy ``generate`` output for them, which the official converter reproduces.
kreyol must give the same text token for token at float32.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT
from fakehub import FakeHub

from kreyol_cli.errors import ExitCode

LAYOUTS = FIXTURES / "layouts"
EXPECTED = {p.name[: -len(".expected.json")]: json.loads(p.read_text("utf-8"))
            for p in sorted(LAYOUTS.glob("*.expected.json"))}
# What `kreyol models pull` fetches for each family, under the registry's own names.
REGISTRY = {"marian": ("opus-mt-en-ht", "Helsinki-NLP/opus-mt-en-ht"),
            "nllb": ("nllb-200-distilled-600M", "facebook/nllb-200-distilled-600M"),
            "m2m100": ("m2m100-418M", "facebook/m2m100_418M")}


def translations(cli, sources: list[str], *args: str) -> list[str]:
    result = cli("translate", "--beam", "1", "--format", "jsonl", "--no-cache", *args,
                 input="\n".join(sources) + "\n")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line)["translation"] for line in result.stdout.splitlines()]


def test_the_matrix_is_complete():
    assert set(EXPECTED) == {
        "opus-mt-2020-legacy-bin", "opus-mt-zip-bin", "opus-mt-fp16", "opus-mt-bf16",
        "opus-mt-sharded", "opus-mt-unshared-no-lm-head", "opus-mt-untied-bias",
        "opus-mt-separate-vocabs", "nllb-bin", "nllb-sharded-bin", "m2m100-bin"}
    for name, record in EXPECTED.items():
        # ctranslate2's converter registers the source vocabulary on the target
        # side of separate-vocabulary models: wrong output, no error.
        official = name != "opus-mt-separate-vocabs"
        assert record["official_converter_agrees"] is official, name
        assert len(set(record["greedy"])) > len(record["greedy"]) // 2, name  # input-dependent
        size = sum(f.stat().st_size for f in (LAYOUTS / name).iterdir())
        assert size < 1.3e6, name


def test_2020_opus_mt_layout_is_what_the_hub_serves():
    # As in Helsinki-NLP/opus-mt-en-ht: languages only, no tokenizer_class.
    layout = LAYOUTS / "opus-mt-2020-legacy-bin"
    assert json.loads((layout / "tokenizer_config.json").read_text()) == {
        "target_lang": "ht", "source_lang": "en"}
    assert not (layout / "pytorch_model.bin").read_bytes().startswith(b"PK")  # legacy format
    assert (LAYOUTS / "opus-mt-zip-bin" / "pytorch_model.bin").read_bytes().startswith(b"PK")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_float32_conversion_translates_token_for_token(cli, tmp_path, name):
    record = EXPECTED[name]
    out = tmp_path / "model"
    result = cli("models", "convert", LAYOUTS / name, out, "--quantization", "float32")
    assert result.exit_code == 0, result.stderr
    assert translations(cli, record["sources"], "-m", out) == record["greedy"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_int8_conversion_stays_close(cli, tmp_path, name):
    record = EXPECTED[name]
    out = tmp_path / "model"
    assert cli("models", "convert", LAYOUTS / name, out).exit_code == 0
    ours = translations(cli, record["sources"], "-m", out)
    same = sum(a == b for a, b in zip(ours, record["greedy"], strict=True))
    assert same >= 0.8 * len(ours), (ours, record["greedy"])


def test_separate_vocabularies_of_different_sizes_are_refused_in_one_line(cli, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(LAYOUTS / "opus-mt-separate-vocabs", src)
    target = json.loads((src / "target_vocab.json").read_text("utf-8"))
    target.pop(next(t for t in target if t not in ("</s>", "<unk>", "<pad>")))
    (src / "target_vocab.json").write_text(json.dumps(target), "utf-8")
    result = cli("models", "convert", src, tmp_path / "out")
    assert result.exit_code == ExitCode.MODEL
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "separate source and target vocabularies" in lines[0]
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def kreyol(*args, env: dict) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "kreyol_cli", *map(str, args)],
                          capture_output=True, text=True, env=full, timeout=300)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pull_each_layout_then_translate_by_registry_name(cli, kreyol_home, tmp_path, name):
    record = EXPECTED[name]
    registry_name, repo = REGISTRY[record["family"]]
    with FakeHub() as hub:
        hub.add_repo(repo, LAYOUTS / name)
        result = kreyol("models", "pull", registry_name, env={"HF_ENDPOINT": hub.url})
    assert result.returncode == 0, result.stderr
    installed = kreyol_home / "models" / registry_name
    assert [p.name for p in installed.parent.iterdir()] == [registry_name]
    assert (installed / "model.bin").is_file()
    # Only the converted model stays: nothing left in the Hugging Face cache.
    assert not (tmp_path / "hf-home" / "hub").exists()
    model_args = [] if record["family"] == "marian" else ["-m", registry_name]
    ours = translations(cli, record["sources"], *model_args)
    same = sum(a == b for a, b in zip(ours, record["greedy"], strict=True))
    assert same >= 0.8 * len(ours), (ours, record["greedy"])


def test_readme_english_quick_start(kreyol_home, tmp_path):
    """README: `kreyol models pull opus-mt-en-ht` then `kreyol audiobook
    examples/little-book.en.pdf`, the hub serving a 2020-layout opus-mt repo."""
    with FakeHub() as hub:
        hub.add_repo("Helsinki-NLP/opus-mt-en-ht", LAYOUTS / "opus-mt-2020-legacy-bin")
        pulled = kreyol("models", "pull", "opus-mt-en-ht", env={"HF_ENDPOINT": hub.url})
    assert pulled.returncode == 0, pulled.stderr
    work = tmp_path / "work"
    work.mkdir()
    full = {**os.environ, "PYTHONPATH": str(ROOT)}
    book = subprocess.run([sys.executable, "-m", "kreyol_cli", "audiobook",
                           str(ROOT / "examples" / "little-book.en.pdf")],
                          capture_output=True, text=True, env=full, timeout=1200, cwd=work)
    assert book.returncode == 0, book.stderr
    [out] = [p for p in work.iterdir() if p.is_dir()]
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["status"] == "complete"
    assert report["models"]["translation"]["name"] == "opus-mt-en-ht"
    assert len(report["chapters"]) == 3
    assert sorted(report["outputs"]) == sorted(p.name for p in out.iterdir()
                                               if not p.name.startswith("."))
    assert "little-book.m4b" in report["outputs"]
    assert report["audio_duration_s"] > 10


def test_tied_tensors_of_a_state_dict_are_read_once():
    from kreyol_cli.checkpoint import load_torch_checkpoint

    for name in ("opus-mt-zip-bin", "opus-mt-2020-legacy-bin"):
        weights = load_torch_checkpoint(LAYOUTS / name / "pytorch_model.bin")
        tied = ["model.shared.weight", "model.encoder.embed_tokens.weight",
                "model.decoder.embed_tokens.weight", "lm_head.weight"]
        assert len({id(weights[k]) for k in tied}) == 1, name  # one array, not four copies


@pytest.mark.parametrize("name", ["opus-mt-2020-legacy-bin", "opus-mt-separate-vocabs",
                                  "nllb-bin", "m2m100-bin"])
def test_a_directory_without_kreyol_manifest_still_loads(cli, tmp_path, name):
    # What ct2-transformers-converter --copy_files (or an older kreyol) leaves:
    # model.bin, config.json, vocabulary and the tokenizer files, no manifest.
    record = EXPECTED[name]
    out = tmp_path / "model"
    assert cli("models", "convert", LAYOUTS / name, out, "--quantization", "float32"
               ).exit_code == 0
    (out / "kreyol-manifest.json").unlink()
    assert translations(cli, record["sources"], "-m", out) == record["greedy"]


def test_a_missing_tokenizer_file_is_named_with_the_fix(cli, kreyol_home):
    with FakeHub() as hub:
        hub.add_repo("Helsinki-NLP/opus-mt-en-ht", LAYOUTS / "opus-mt-2020-legacy-bin")
        assert kreyol("models", "pull", "opus-mt-en-ht", "-q",
                      env={"HF_ENDPOINT": hub.url}).returncode == 0
    (kreyol_home / "models" / "opus-mt-en-ht" / "target.spm").unlink()
    result = cli("translate", "Good morning.")
    assert result.exit_code == ExitCode.MODEL
    [line] = result.stderr.strip().splitlines()
    assert "lacks target.spm" in line
    assert "kreyol models pull opus-mt-en-ht --force" in line
