"""kreyol_cli.convert: torch-free conversion must match ctranslate2's own converter.

The committed ``tests/fixtures/models/*`` were written by the official
``TransformersConverter`` from the ``tests/fixtures/hub/*`` checkpoints (see
scripts/build_fixtures.py); converting those checkpoints again here must give
the same weights and the same translations.
"""

from __future__ import annotations

import json
import os
import pickle
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from kreyol_cli.checkpoint import load_torch_checkpoint
from kreyol_cli.convert import FAMILIES, convert_checkpoint
from kreyol_cli.errors import CorruptModelError, OutputError

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "tests" / "fixtures" / "hub"
MODELS = ROOT / "tests" / "fixtures" / "models"
CORPUS = ROOT / "scripts" / "fixture_corpus.tsv"

MARIAN_FILES = ["source.spm", "target.spm", "vocab.json", "tokenizer_config.json"]
CASES = {
    "tiny-opus-mt-en-ht": ("tiny-marian-en-ht", "marian", MARIAN_FILES),
    "tiny-opus-mt-en-ht-bin": ("tiny-marian-en-ht", "marian", MARIAN_FILES),
    "tiny-nllb": ("tiny-nllb", "nllb", ["tokenizer.json", "tokenizer_config.json"]),
    "tiny-m2m100": (
        "tiny-m2m100",
        "m2m100",
        ["vocab.json", "sentencepiece.bpe.model", "added_tokens.json", "tokenizer_config.json"],
    ),
}


def read_ct2_model(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Variables and aliases of a CTranslate2 model.bin (binary format v6)."""
    data = path.read_bytes()
    pos = 0

    def unpack(fmt: str):
        nonlocal pos
        (value,) = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return value

    def string() -> str:
        nonlocal pos
        size = unpack("H")
        value = data[pos : pos + size - 1].decode()
        pos += size
        return value

    dtypes = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
    unpack("I"), string(), unpack("I")  # version, spec name, spec revision
    variables = {}
    for _ in range(unpack("I")):
        name = string()
        shape = [unpack("I") for _ in range(unpack("B"))]
        dtype, size = unpack("B"), unpack("I")
        raw = data[pos : pos + size]
        pos += size
        variables[name] = np.frombuffer(raw, dtype=dtypes.get(dtype, np.uint8)).reshape(
            shape if dtype in dtypes else -1
        )
    aliases = {string(): string() for _ in range(unpack("I"))}
    return variables, aliases


def corpus() -> list[tuple[str, str]]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line.strip()]


def translate(model_dir: Path, sources, prefix=None, beam_size=1, src_lang=None):
    """Return (first hypothesis tokens per source, tokenizer)."""
    import ctranslate2
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    if src_lang:
        tokenizer.src_lang = src_lang
    translator = ctranslate2.Translator(str(model_dir), device="cpu")
    batch = [tokenizer.convert_ids_to_tokens(tokenizer.encode(s)) for s in sources]
    results = translator.translate_batch(
        batch,
        beam_size=beam_size,
        target_prefix=[[prefix]] * len(batch) if prefix else None,
        max_decoding_length=16 if prefix else 64,
    )
    return [r.hypotheses[0] for r in results], tokenizer


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("converted")
    dirs = {}
    for hub, (_, _, files) in CASES.items():
        dirs[hub] = out / hub
        info = convert_checkpoint(HUB / hub, dirs[hub], copy_files=files)
        assert info["quantization"] == "int8"
        assert info["family"] == CASES[hub][1]
        assert info["converter"].startswith("ctranslate2 ")
    return dirs


@pytest.mark.parametrize("hub", list(CASES))
def test_weights_match_the_official_converter(converted, hub):
    official_dir = MODELS / CASES[hub][0]
    ours, our_aliases = read_ct2_model(converted[hub] / "model.bin")
    theirs, their_aliases = read_ct2_model(official_dir / "model.bin")
    assert our_aliases == their_aliases
    assert ours.keys() == theirs.keys()
    for name, value in ours.items():
        if name.endswith("position_encodings/encodings") and CASES[hub][1] != "marian":
            # torch's float32 sin/cos round differently (see _m2m_sinusoids).
            np.testing.assert_allclose(value, theirs[name], rtol=0, atol=1e-6)
        else:
            assert value.dtype == theirs[name].dtype, name
            np.testing.assert_array_equal(value, theirs[name], err_msg=name)
    for name in ("config.json", "shared_vocabulary.json"):
        assert (converted[hub] / name).read_bytes() == (official_dir / name).read_bytes()
    for name in CASES[hub][2]:
        assert (converted[hub] / name).read_bytes() == (HUB / hub / name).read_bytes()


@pytest.mark.parametrize("hub", ["tiny-opus-mt-en-ht", "tiny-opus-mt-en-ht-bin"])
@pytest.mark.parametrize("beam_size", [1, 4])
def test_marian_conversion_translates_the_corpus_exactly(converted, hub, beam_size):
    pairs = corpus()
    hypotheses, tokenizer = translate(converted[hub], [s for s, _ in pairs], beam_size=beam_size)
    outputs = [
        tokenizer.decode(tokenizer.convert_tokens_to_ids(h), skip_special_tokens=True)
        for h in hypotheses
    ]
    assert outputs == [t for _, t in pairs]


@pytest.mark.parametrize(
    ("hub", "src_lang", "prefix"),
    [("tiny-nllb", "eng_Latn", "hat_Latn"), ("tiny-m2m100", "en", "__ht__")],
)
def test_multilingual_conversion_translates_like_the_official_one(converted, hub, src_lang, prefix):
    sources = ["Good morning.", "Where is the school?", "I am tired, I want to rest."]
    ours, _ = translate(converted[hub], sources, prefix=prefix, src_lang=src_lang)
    theirs, _ = translate(MODELS / CASES[hub][0], sources, prefix=prefix, src_lang=src_lang)
    assert ours == theirs
    assert all(h[0] == prefix for h in ours)


def test_conversion_never_imports_torch(tmp_path):
    # A fresh interpreter: in this one other tests may have imported
    # transformers, which pulls torch in whenever it is installed.
    code = (
        "import sys; from pathlib import Path\n"
        "from kreyol_cli.convert import convert_checkpoint\n"
        f"for name in ('tiny-opus-mt-en-ht-bin', 'tiny-nllb', 'tiny-m2m100'):\n"
        f"    convert_checkpoint(Path({str(HUB)!r}) / name, Path({str(tmp_path)!r}) / name)\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "assert 'transformers' not in sys.modules, 'transformers was imported'\n"
        "print('ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_family_override_and_guess(tmp_path):
    info = convert_checkpoint(HUB / "tiny-nllb", tmp_path / "a", quantization="float32")
    assert info["family"] == "nllb" and info["quantization"] == "float32"
    with pytest.raises(CorruptModelError, match="marian, nllb, m2m100"):
        convert_checkpoint(HUB / "tiny-nllb", tmp_path / "b", family="marian")


def copy_hub(src: Path, dst: Path, skip=()) -> Path:
    dst.mkdir()
    for f in src.iterdir():
        if f.name not in skip:
            (dst / f.name).write_bytes(f.read_bytes())
    return dst


def test_missing_weights_is_a_corrupt_model(tmp_path):
    src = copy_hub(HUB / "tiny-opus-mt-en-ht", tmp_path / "src", skip={"model.safetensors"})
    with pytest.raises(CorruptModelError, match="no weights"):
        convert_checkpoint(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_truncated_weights_are_a_corrupt_model(tmp_path):
    src = copy_hub(HUB / "tiny-opus-mt-en-ht-bin", tmp_path / "src")
    blob = (src / "pytorch_model.bin").read_bytes()
    (src / "pytorch_model.bin").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(CorruptModelError) as err:
        convert_checkpoint(src, tmp_path / "out")
    assert "\n" not in str(err.value)
    assert not (tmp_path / "out").exists()


def test_unsupported_architecture_names_the_families(tmp_path):
    src = copy_hub(HUB / "tiny-opus-mt-en-ht", tmp_path / "src")
    config = json.loads((src / "config.json").read_text())
    (src / "config.json").write_text(json.dumps({**config, "model_type": "bert"}))
    with pytest.raises(CorruptModelError, match="'bert'.*" + ", ".join(FAMILIES)):
        convert_checkpoint(src, tmp_path / "out")


def test_existing_destination_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(OutputError):
        convert_checkpoint(HUB / "tiny-opus-mt-en-ht", tmp_path / "out")


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > pwned.txt",))


def test_pickles_that_run_code_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "pytorch_model.bin"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"w": _Evil()}, protocol=2))
    with pytest.raises(CorruptModelError, match="refusing to load"):
        load_torch_checkpoint(path)
    assert not (tmp_path / "pwned.txt").exists()


def test_bin_reader_matches_safetensors():
    from safetensors.numpy import load_file

    bin_weights = load_torch_checkpoint(HUB / "tiny-opus-mt-en-ht-bin" / "pytorch_model.bin")
    st_weights = load_file(str(HUB / "tiny-opus-mt-en-ht" / "model.safetensors"))
    for name, value in st_weights.items():
        np.testing.assert_array_equal(bin_weights[name], value, err_msg=name)
