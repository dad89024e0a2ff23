"""Reading checkpoint weights as numpy arrays, without PyTorch.

Weights are memory-mapped, not read: a tensor costs memory only once the
converter touches it, and ``release`` hands its pages back once it has been
copied or quantized. Tensors that share a storage (tied embeddings, written
once by ``torch.save``) come back as the same array, never as copies.

``read_safetensors`` parses the safetensors layout (a JSON header, then raw
little-endian buffers). ``load_torch_checkpoint`` reads ``pytorch_model.bin``
(zip or pre-1.6 format) through a restricted unpickler that rebuilds only
state dicts, tensors and storages: no code from the file ever runs.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import pickle
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from kreyol_cli.errors import CorruptModelError

_SAFETENSORS_DTYPES = {
    "F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4", "I16": "<i2",
    "I8": "i1", "U8": "u1", "BOOL": "?",
}  # fmt: skip

# Every mapping opened here, by start address: ``release`` finds an array's pages.
_MAPS: dict[int, mmap.mmap] = {}


def _map(path: Path) -> tuple[mmap.mmap, np.ndarray]:
    # Copy-on-write: ctranslate2 scales weights in place before quantizing them;
    # those writes stay private to this process and the file is never changed.
    with path.open("rb") as f:
        if f.seek(0, 2) == 0:
            raise EOFError("empty file")
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    raw = np.frombuffer(mm, dtype=np.uint8)
    _MAPS[raw.__array_interface__["data"][0]] = mm
    return mm, raw


def forget_maps() -> None:
    """Stop tracking the mappings opened so far (they close with their arrays)."""
    _MAPS.clear()


def release_all() -> None:
    """Drop every mapped page not needed any more (mapped arrays stay readable).

    Only call it while nothing has been written to the mapped arrays: private
    changes are discarded with the pages.
    """
    for mm in _MAPS.values():
        with contextlib.suppress(OSError, ValueError, AttributeError):
            mm.madvise(mmap.MADV_DONTNEED)


def release(array: np.ndarray) -> None:
    """Drop the resident pages of a memory-mapped array.

    It stays readable (the pages are read again from the file), but changes
    made to it in memory are lost: call it once the array is done with.
    """
    start = array.__array_interface__["data"][0]
    for base, mm in _MAPS.items():
        if base <= start < base + len(mm):
            first = (start - base) // mmap.PAGESIZE * mmap.PAGESIZE
            end = min(start - base + array.nbytes, len(mm))
            with contextlib.suppress(OSError, ValueError, AttributeError):  # not everywhere
                mm.madvise(mmap.MADV_DONTNEED, first, end - first)
            return


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Map a safetensors file; bf16 (which numpy lacks) is widened to float32."""
    _, raw = _map(path)
    if raw.size < 8:
        raise CorruptModelError(f"{path}: not a safetensors file (too short)")
    (header_size,) = struct.unpack("<Q", raw[:8].tobytes())
    if header_size > raw.size - 8:
        raise CorruptModelError(f"{path}: not a safetensors file (bad header size)")
    header = json.loads(raw[8 : 8 + header_size].tobytes())
    data = raw[8 + header_size :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        if not 0 <= begin <= end <= data.size:
            raise CorruptModelError(f"{path}: tensor {name} lies outside the file (truncated?)")
        out[name] = from_raw(data[begin:end], info["dtype"]).reshape(info["shape"])
    return out


def from_raw(buffer: np.ndarray | bytes, dtype: str) -> np.ndarray:
    """View a little-endian buffer as safetensors dtype ``dtype`` (BF16 -> a float32 copy)."""
    if dtype == "BF16":
        # bfloat16 is the top half of a float32.
        return (np.frombuffer(buffer, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    if dtype not in _SAFETENSORS_DTYPES:
        raise CorruptModelError(f"unsupported tensor type {dtype}")
    return np.frombuffer(buffer, dtype=_SAFETENSORS_DTYPES[dtype])


# ------------------------------------------------- pytorch_model.bin, no torch

_STORAGE_DTYPES = {
    "FloatStorage": "<f4", "HalfStorage": "<f2", "BFloat16Storage": "bf16",
    "DoubleStorage": "<f8", "LongStorage": "<i8", "IntStorage": "<i4",
    "ShortStorage": "<i2", "CharStorage": "i1", "ByteStorage": "u1", "BoolStorage": "?",
}  # fmt: skip
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class _Storage:
    """A storage the pickle refers to; its bytes are attached once located."""

    def __init__(self, dtype: str, numel: int) -> None:
        self.dtype, self.numel = dtype, numel
        self.array: np.ndarray | None = None

    def attach(self, buffer: np.ndarray) -> None:
        if self.dtype == "bf16":
            self.array = from_raw(buffer, "BF16")
        else:
            self.array = np.frombuffer(buffer, dtype=self.dtype)


class _Tensor:
    """``torch._utils._rebuild_tensor_v2``'s arguments, materialized later."""

    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple) -> None:
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def key(self) -> tuple:
        return id(self.storage), self.offset, self.size, self.stride

    def numpy(self) -> np.ndarray:
        base = self.storage.array
        if base is None:
            raise CorruptModelError("pytorch_model.bin refers to a storage it does not hold")
        if not self.size:
            return base[self.offset : self.offset + 1].reshape(())
        extent = self.offset + 1 + sum((n - 1) * s for n, s in zip(self.size, self.stride, strict=True))
        if extent > base.size or any(s < 0 for s in self.stride):
            raise CorruptModelError("pytorch_model.bin holds a tensor outside its storage")
        return np.lib.stride_tricks.as_strided(
            base[self.offset :], shape=self.size, strides=[s * base.itemsize for s in self.stride]
        )


def _rebuild_tensor(storage, offset, size, stride, *_ignored) -> _Tensor:
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError("a tensor without a storage")
    return _Tensor(storage, int(offset), tuple(size), tuple(stride))


def _rebuild_parameter(tensor, *_ignored) -> _Tensor:
    return tensor


class _StateDict(dict):
    """``collections.OrderedDict`` as ``torch.save(model.state_dict())`` writes it.

    The pickle sets a ``_metadata`` attribute on it (module versions); a plain
    dict cannot take attributes, this one can.
    """


class _StorageType:
    def __init__(self, name: str) -> None:
        self.dtype = _STORAGE_DTYPES[name]


class _SafeUnpickler(pickle.Unpickler):
    """Unpickle a torch state dict and nothing else: no code runs from the file.

    Allowed globals: ordered dicts (with their ``_metadata``), tensor and
    parameter rebuilds, storage types. Any other global means the file is not
    a plain checkpoint, and it is refused.
    """

    _ALLOWED = {
        ("collections", "OrderedDict"): _StateDict,
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
    """Map a ``torch.save``d state dict (zip or legacy format) as numpy arrays.

    Tensors viewing the same part of one storage are the same array.

    Raises:
        CorruptModelError: Not a plain state dict, or truncated.
    """
    storages: dict[str, _Storage] = {}
    try:
        load = _load_zip if zipfile.is_zipfile(path) else _load_legacy
        state = load(path, storages)
        if not isinstance(state, dict):
            raise pickle.UnpicklingError("not a state dict")
        if "state_dict" in state and isinstance(state["state_dict"], dict):
            state = state["state_dict"]
        arrays: dict[tuple, np.ndarray] = {}
        out = {}
        for name, tensor in state.items():
            if isinstance(tensor, _Tensor):
                key = tensor.key()
                if key not in arrays:
                    arrays[key] = tensor.numpy()
                out[str(name)] = arrays[key]
        return out
    except (pickle.UnpicklingError, EOFError, KeyError, ValueError, TypeError, AttributeError,
            IndexError, struct.error, zipfile.BadZipFile) as exc:
        raise CorruptModelError(f"{path}: not a readable PyTorch checkpoint ({exc})") from exc


def _load_zip(path: Path, storages: dict[str, _Storage]) -> Any:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pkl = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise pickle.UnpicklingError("no single data.pkl in the archive")
        root = pkl[0][: -len("data.pkl")]
        byteorder = root + "byteorder"
        if byteorder in names and archive.read(byteorder).strip() != b"little":
            raise pickle.UnpicklingError("big-endian checkpoints are not supported")
        with archive.open(pkl[0]) as f:
            state = _SafeUnpickler(f, storages).load()
        members = {info.filename: info for info in archive.infolist()}
    _, raw = _map(path)
    for key, storage in storages.items():
        info = members[f"{root}data/{key}"]
        if info.compress_type != zipfile.ZIP_STORED:
            raise pickle.UnpicklingError("compressed storages are not supported")
        # The local header: 30 bytes, then the name and extra field, then the data.
        header = raw[info.header_offset : info.header_offset + 30].tobytes()
        if len(header) < 30:
            raise EOFError("truncated archive")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = info.header_offset + 30 + name_len + extra_len
        if start + info.file_size > raw.size:
            raise EOFError("truncated storage")
        storage.attach(raw[start : start + info.file_size])
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
        offset = f.tell()
    _, raw = _map(path)
    for key in keys:
        storage = storages[str(key)]
        if offset + 8 > raw.size:
            raise EOFError("truncated storage")
        (numel,) = struct.unpack("<q", raw[offset : offset + 8].tobytes())
        itemsize = 2 if storage.dtype == "bf16" else np.dtype(storage.dtype).itemsize
        offset += 8
        if offset + numel * itemsize > raw.size:
            raise EOFError("truncated storage")
        storage.attach(raw[offset : offset + numel * itemsize])
        offset += numel * itemsize
    return state
