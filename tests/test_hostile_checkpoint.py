"""Crafted checkpoints: no memory outside a file is read, no code runs, nothing
hangs, and every one is refused in one line (exit 4), never exit 1 or a signal.

The files are written opcode by opcode, as an attacker would, in the zip layout
``torch.save`` uses (``archive/data.pkl``, ``archive/data/0``); torch is not
needed.
"""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from kreyol_cli.checkpoint import load_torch_checkpoint
from kreyol_cli.errors import CorruptModelError
from tests.conftest import run_kreyol

HUB = Path(__file__).parent / "fixtures" / "hub"
OPUS_BIN = HUB / "tiny-opus-mt-en-ht-bin"


def _unicode(text: str) -> bytes:
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def _int(value: int) -> bytes:
    if -(1 << 31) <= value < 1 << 31:
        return b"J" + struct.pack("<i", value)
    raw = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(raw)]) + raw


def _tuple(items: list[bytes]) -> bytes:
    return b"(" + b"".join(items) + b"t"


def tensor_pickle(offset: int, size: list[int], stride: list[int], numel: int = 16,
                  name: str = "model.shared.weight") -> bytes:
    """``{name: _rebuild_tensor_v2(storage(numel floats), offset, size, stride)}``."""
    storage = _tuple([_unicode("storage"), b"ctorch\nFloatStorage\n", _unicode("0"),
                      _unicode("cpu"), _int(numel)]) + b"Q"
    args = _tuple([storage, _int(offset), _tuple([_int(n) for n in size]),
                   _tuple([_int(s) for s in stride]), b"\x89",
                   b"ccollections\nOrderedDict\n)R"])
    tensor = b"ctorch._utils\n_rebuild_tensor_v2\n" + args + b"R"
    return (b"\x80\x02ccollections\nOrderedDict\n)R(" + _unicode(name) + tensor + b"u.")


def write_checkpoint(path: Path, pickle_bytes: bytes, storage: bytes = b"\x00" * 64) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", pickle_bytes)
        archive.writestr("archive/byteorder", "little")
        archive.writestr("archive/data/0", storage)
    return path


def test_the_pickle_builder_makes_a_checkpoint_kreyol_reads(tmp_path):
    # The control: a well-formed 4x4 float tensor is read with its values.
    values = np.arange(16, dtype="<f4")
    path = write_checkpoint(tmp_path / "ok.bin", tensor_pickle(0, [4, 4], [4, 1]), values.tobytes())
    weights = load_torch_checkpoint(path)
    assert list(weights) == ["model.shared.weight"]
    assert weights["model.shared.weight"].tolist() == values.reshape(4, 4).tolist()


@pytest.mark.parametrize(("offset", "size", "stride"), [
    (-4096, [16], [1]),        # before the storage: as_strided would read kreyol's heap
    (-1, [1], [1]),
    (12, [16], [1]),           # past its end
    (0, [4, 4], [8, 1]),       # a stride that walks out
    (0, [1 << 64], [0]),       # 2**64 copies of one element
    (0, [1 << 40, 1 << 40], [0, 0]),
    (0, [4], [-1]),            # a negative stride
    (0, [4, 4], [4]),          # size and stride disagree
    (0, [-4], [1]),
    (1 << 70, [1], [1]),
], ids=["negative-offset", "offset-minus-one", "past-end", "stride-out", "zero-stride-2e64",
        "zero-stride-2d", "negative-stride", "rank-mismatch", "negative-size", "huge-offset"])
def test_a_tensor_outside_its_storage_is_refused_before_any_view(tmp_path, offset, size, stride):
    path = write_checkpoint(tmp_path / "bad.bin", tensor_pickle(offset, size, stride))
    with pytest.raises(CorruptModelError, match="not a readable PyTorch checkpoint"):
        load_torch_checkpoint(path)


def test_a_bytes8_length_bomb_is_refused_without_allocating(tmp_path):
    bomb = b"\x80\x04\x8e" + struct.pack("<Q", 1 << 60) + b"\x00" * 16 + b"."
    with pytest.raises(CorruptModelError):
        load_torch_checkpoint(write_checkpoint(tmp_path / "bomb.bin", bomb))


def test_a_memo_dag_key_is_refused_before_it_is_hashed(tmp_path):
    # t0 = (); t(n+1) = (tn, tn): 200 levels, 2**200 steps to hash or repr.
    dag = b")r" + struct.pack("<I", 0)
    for level in range(1, 201):
        get = b"j" + struct.pack("<I", level - 1)
        dag += get + get + b"\x86r" + struct.pack("<I", level)
    pickle_bytes = b"\x80\x02}" + dag + b"J\x00\x00\x00\x00s."
    with pytest.raises(CorruptModelError, match="not a string"):
        load_torch_checkpoint(write_checkpoint(tmp_path / "dag.bin", pickle_bytes))


def test_objects_other_than_a_state_dict_are_refused(tmp_path):
    evil = b"\x80\x02cos\nsystem\n" + _unicode("touch " + str(tmp_path / "pwned")) + b"\x85R."
    with pytest.raises(CorruptModelError, match="refusing to load os.system"):
        load_torch_checkpoint(write_checkpoint(tmp_path / "evil.bin", evil))
    assert not (tmp_path / "pwned").exists()
    newobj = b"\x80\x02ccollections\nOrderedDict\n)\x81."  # NEWOBJ
    with pytest.raises(CorruptModelError, match="opcode checkpoints do not use"):
        load_torch_checkpoint(write_checkpoint(tmp_path / "newobj.bin", newobj))


def _checkpoint_dir(tmp_path: Path) -> Path:
    src = tmp_path / "ckpt"
    shutil.copytree(OPUS_BIN, src)
    return src


def _convert(src: Path, tmp_path: Path):
    return run_kreyol("models", "convert", src, tmp_path / "out", timeout=120)


def _refused(result) -> str:
    assert result.returncode == 4, (result.returncode, result.stderr[-2000:])
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr and "unexpected" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def test_models_convert_refuses_an_out_of_bounds_tensor_with_exit_4_and_leaves_nothing(tmp_path):
    src = _checkpoint_dir(tmp_path)
    write_checkpoint(src / "pytorch_model.bin", tensor_pickle(-4096, [16], [1]))
    (src / "model.safetensors").unlink(missing_ok=True)
    line = _refused(_convert(src, tmp_path))
    assert "pytorch_model.bin" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt", "hf-home", "kreyol-home"] or \
        not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out.*"))


@pytest.mark.parametrize(("field", "value"), [
    ("d_model", "512"), ("d_model", None), ("d_model", -8), ("d_model", 8.5), ("d_model", [8]),
    ("max_position_embeddings", 10**9), ("encoder_layers", True), ("vocab_size", {"a": 1}),
    ("pad_token_id", 10**12), ("scale_embedding", "yes"), ("activation_function", 3),
])
def test_a_config_with_a_wrong_type_or_range_is_refused(tmp_path, field, value):
    src = _checkpoint_dir(tmp_path)
    config = json.loads((src / "config.json").read_text())
    config[field] = value
    (src / "config.json").write_text(json.dumps(config))
    line = _refused(_convert(src, tmp_path))
    assert f"invalid {field}" in line


@pytest.mark.parametrize("content", ["[1, 2]", "null", "\"text\"", "[" * 100_000 + "]" * 100_000])
def test_a_config_that_is_not_an_object_is_refused(tmp_path, content):
    src = _checkpoint_dir(tmp_path)
    (src / "config.json").write_text(content)
    _refused(_convert(src, tmp_path))


@pytest.mark.parametrize("shard", ["../outside.bin", "/etc/passwd", "sub/pytorch_model.bin", ".."])
def test_a_shard_index_cannot_reach_outside_the_checkpoint(tmp_path, shard):
    src = _checkpoint_dir(tmp_path)
    (tmp_path / "outside.bin").write_bytes((src / "pytorch_model.bin").read_bytes())
    (src / "pytorch_model.bin").unlink()
    (src / "model.safetensors").unlink(missing_ok=True)
    (src / "pytorch_model.bin.index.json").write_text(json.dumps({"weight_map": {"w": shard}}))
    line = _refused(_convert(src, tmp_path))
    assert "is not a file of the checkpoint" in line
