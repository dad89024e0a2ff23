"""Reading checkpoint weights as numpy arrays, without PyTorch.

``read_safetensors`` parses the safetensors layout (a JSON header, then raw
little-endian buffers). ``load_torch_checkpoint`` reads ``pytorch_model.bin``
(zip or pre-1.6 format) through a restricted unpickler that rebuilds only
tensors and storages: no code from the file ever runs.
"""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from kreyol_cli.errors import CorruptModelError


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read a safetensors file; bf16 (which numpy lacks) is widened to float32."""
    header_size = int.from_bytes(path.open("rb").read(8), "little")
    with path.open("rb") as f:
        f.seek(8)
        header = json.loads(f.read(header_size))
    if not any(v.get("dtype") == "BF16" for k, v in header.items() if k != "__metadata__"):
        from safetensors.numpy import load_file

        return load_file(str(path))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_size)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = np.asarray(data[begin:end])
        out[name] = from_raw(raw.tobytes(), info["dtype"]).reshape(info["shape"])
    return out


def from_raw(buffer: bytes, dtype: str) -> np.ndarray:
    """Decode a little-endian buffer of safetensors dtype ``dtype`` (BF16 -> float32)."""
    if dtype == "BF16":
        # bfloat16 is the top half of a float32.
        return (np.frombuffer(buffer, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    names = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4"}
    return np.frombuffer(buffer, dtype=names[dtype]).copy()  # writable, see _Tensor.numpy


# ------------------------------------------------- pytorch_model.bin, no torch

_STORAGE_DTYPES = {
    "FloatStorage": "<f4", "HalfStorage": "<f2", "BFloat16Storage": "bf16",
    "DoubleStorage": "<f8", "LongStorage": "<i8", "IntStorage": "<i4",
    "ShortStorage": "<i2", "CharStorage": "i1", "ByteStorage": "u1", "BoolStorage": "?",
}  # fmt: skip
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class _Storage:
    """A storage the pickle refers to; its bytes are attached once read."""

    def __init__(self, dtype: str, numel: int) -> None:
        self.dtype, self.numel = dtype, numel
        self.array: np.ndarray | None = None

    def attach(self, buffer: bytes) -> None:
        if self.dtype == "bf16":
            self.array = from_raw(buffer, "BF16")
        else:
            self.array = np.frombuffer(buffer, dtype=self.dtype)


class _Tensor:
    """``torch._utils._rebuild_tensor_v2``'s arguments, materialized later."""

    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple) -> None:
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def numpy(self) -> np.ndarray:
        base = self.storage.array
        if base is None:
            raise CorruptModelError("pytorch_model.bin refers to a storage it does not hold")
        if not self.size:
            return base[self.offset : self.offset + 1].reshape(()).copy()
        extent = self.offset + 1 + sum((n - 1) * s for n, s in zip(self.size, self.stride, strict=True))
        if extent > base.size or any(s < 0 for s in self.stride):
            raise CorruptModelError("pytorch_model.bin holds a tensor outside its storage")
        view = np.lib.stride_tricks.as_strided(
            base[self.offset :],
            shape=self.size,
            strides=[s * base.itemsize for s in self.stride],
            writeable=False,
        )
        return np.array(view)  # a writable copy: ct2 quantizes in place


def _rebuild_tensor(storage, offset, size, stride, *_ignored) -> _Tensor:
    return _Tensor(storage, int(offset), tuple(size), tuple(stride))


def _rebuild_parameter(tensor, *_ignored) -> _Tensor:
    return tensor


class _StorageType:
    def __init__(self, name: str) -> None:
        self.dtype = _STORAGE_DTYPES[name]


class _SafeUnpickler(pickle.Unpickler):
    """Unpickle a torch state dict and nothing else: no code runs from the file.

    Only an ordered dict, tensor rebuilds and storage types may appear; any
    other global means the file is not a plain checkpoint, and it is refused.
    """

    _ALLOWED = {
        ("collections", "OrderedDict"): dict,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    }

    def __init__(self, file, storages: dict[str, _Storage]) -> None:
        super().__init__(file)
        self._storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return self._ALLOWED[module, name]
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")

    def persistent_load(self, pid: Any) -> _Storage:
        # ("storage", storage_type, key, location, numel[, view_metadata])
        if not (isinstance(pid, tuple) and pid[0] == "storage" and len(pid) >= 5):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r:.60}")
        storage_type, key, numel = pid[1], str(pid[2]), int(pid[4])
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError("unexpected storage type")
        if key not in self._storages:
            self._storages[key] = _Storage(storage_type.dtype, numel)
        return self._storages[key]


def load_torch_checkpoint(path: Path) -> dict[str, np.ndarray]:
    """Read a ``torch.save``d state dict (zip or legacy format) as numpy arrays.

    Raises:
        CorruptModelError: Not a plain state dict, or truncated.
    """
    storages: dict[str, _Storage] = {}
    try:
        load = _load_zip if zipfile.is_zipfile(path) else _load_legacy
        state = load(path, storages)
        if not isinstance(state, dict):
            raise pickle.UnpicklingError("not a state dict")
        return {str(k): v.numpy() for k, v in state.items() if isinstance(v, _Tensor)}
    except (pickle.UnpicklingError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise CorruptModelError(f"{path}: not a readable PyTorch checkpoint ({exc})") from exc


def _load_zip(path: Path, storages: dict[str, _Storage]) -> Any:
    with zipfile.ZipFile(path) as archive:
        pkl = [n for n in archive.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise pickle.UnpicklingError("no single data.pkl in the archive")
        root = pkl[0][: -len("data.pkl")]
        byteorder = root + "byteorder"
        if byteorder in archive.namelist() and archive.read(byteorder).strip() != b"little":
            raise pickle.UnpicklingError("big-endian checkpoints are not supported")
        with archive.open(pkl[0]) as f:
            state = _SafeUnpickler(f, storages).load()
        for key, storage in storages.items():
            storage.attach(archive.read(f"{root}data/{key}"))
    return state


def _load_legacy(path: Path, storages: dict[str, _Storage]) -> Any:
    """The pre-1.6 format: magic, version, sys info, the pickle, then raw storages."""
    with path.open("rb") as f:
        header = _SafeUnpickler(f, storages)
        if header.load() != _LEGACY_MAGIC:
            raise pickle.UnpicklingError("not a PyTorch checkpoint")
        header.load()  # protocol version
        header.load()  # sys info: endianness, type sizes
        state = _SafeUnpickler(f, storages).load()
        keys = _SafeUnpickler(f, storages).load()
        for key in keys:
            storage = storages[str(key)]
            numel = int.from_bytes(f.read(8), "little")
            itemsize = 2 if storage.dtype == "bf16" else np.dtype(storage.dtype).itemsize
            buffer = f.read(numel * itemsize)
            if len(buffer) != numel * itemsize:
                raise EOFError("truncated storage")
            storage.attach(buffer)
    return state
