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
import io
import json
import math
import mmap
import pickle
import pickletools
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from kreyol_cli.errors import CorruptModelError, one_line

_SAFETENSORS_DTYPES = {
    "F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4", "I16": "<i2",
    "I8": "i1", "U8": "u1", "BOOL": "?",
}  # fmt: skip

# What a checkpoint's pickle may make kreyol do (docs/SECURITY.md). A real
# state dict's pickle is a few hundred KB (NLLB-1.3B: 0.3 MB, ~40 opcodes a
# tensor); these bounds are far above any published one.
MAX_PICKLE_BYTES = 64 << 20
MAX_PICKLE_OPS = 2_000_000
MAX_TENSOR_DIMS = 8
MAX_JSON_HEADER = 100 << 20

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
    if header_size > min(raw.size - 8, MAX_JSON_HEADER):
        raise CorruptModelError(f"{path}: not a safetensors file (bad header size)")
    try:
        header = json.loads(raw[8 : 8 + header_size].tobytes())
    except (ValueError, RecursionError) as exc:
        raise CorruptModelError(f"{path}: not a safetensors file (bad header)") from exc
    if not isinstance(header, dict):
        raise CorruptModelError(f"{path}: not a safetensors file (bad header)")
    data = raw[8 + header_size :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end, shape, dtype = _safetensors_entry(path, name, info)
        if not 0 <= begin <= end <= data.size:
            raise CorruptModelError(f"{path}: tensor {name:.80} lies outside the file (truncated?)")
        array = from_raw(data[begin:end], dtype)
        if math.prod(shape) != array.size:
            raise CorruptModelError(f"{path}: tensor {name:.80} has a shape its bytes do not fill")
        out[name] = array.reshape(shape)
    return out


def _safetensors_entry(path: Path, name: str, info: Any) -> tuple[int, int, tuple, str]:
    """``(begin, end, shape, dtype)`` of one header entry, checked for types and ranges."""
    try:
        begin, end = info["data_offsets"]
        shape, dtype = tuple(info["shape"]), info["dtype"]
    except (TypeError, KeyError, ValueError) as exc:
        raise CorruptModelError(f"{path}: tensor {name:.80} has a malformed header entry") from exc
    if not (_is_count(begin) and _is_count(end) and isinstance(dtype, str)
            and len(shape) <= MAX_TENSOR_DIMS and all(_is_count(n) for n in shape)):
        raise CorruptModelError(f"{path}: tensor {name:.80} has a malformed header entry")
    return begin, end, shape, dtype


def _is_count(value: Any) -> bool:
    """A non-negative whole number (``True`` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


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
        """The tensor as a view of its storage, once every index it can reach is
        known to lie inside that storage (Python integers: no overflow)."""
        base = self.storage.array
        if base is None:
            raise CorruptModelError("it refers to a storage it does not hold")
        numel = math.prod(self.size)
        if numel == 0:
            if self.offset > base.size:
                raise CorruptModelError("it holds a tensor outside its storage")
            return np.zeros(self.size, dtype=base.dtype)
        extent = self.offset + 1 + sum((n - 1) * s for n, s in zip(self.size, self.stride, strict=True))
        # A tensor never has more elements than its storage: a zero stride that
        # repeats one element 2**64 times is refused, not materialized.
        if extent > base.size or numel > base.size:
            raise CorruptModelError("it holds a tensor outside its storage")
        return np.lib.stride_tricks.as_strided(
            base[self.offset :], shape=self.size, strides=[s * base.itemsize for s in self.stride]
        )


def _rebuild_tensor(storage, offset, size, stride, *_ignored) -> _Tensor:
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError("a tensor without a storage")
    if not (_is_count(offset) and isinstance(size, tuple | list) and isinstance(stride, tuple | list)):
        raise pickle.UnpicklingError("a tensor with a malformed offset, size or stride")
    size, stride = tuple(size), tuple(stride)
    if (len(size) != len(stride) or len(size) > MAX_TENSOR_DIMS
            or not all(_is_count(n) for n in size + stride)):
        raise pickle.UnpicklingError("a tensor with a negative or malformed size or stride")
    return _Tensor(storage, offset, size, stride)


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
        # Never repr() what the file holds: a memo DAG's repr is exponential.
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError("unexpected persistent id")
        storage_type, key, numel = pid[1], pid[2], pid[4]
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError("unexpected storage type")
        if not (isinstance(key, str | int) and not isinstance(key, bool) and len(str(key)) < 64
                and _is_count(numel)):
            raise pickle.UnpicklingError("malformed storage key or size")
        key = str(key)
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
                if not isinstance(name, str):
                    raise pickle.UnpicklingError("a tensor name that is not a string")
                key = tensor.key()
                if key not in arrays:
                    arrays[key] = tensor.numpy()
                out[name] = arrays[key]
        return out
    except CorruptModelError as exc:
        raise CorruptModelError(f"{path}: not a readable PyTorch checkpoint ({exc})") from exc
    except (pickle.UnpicklingError, EOFError, KeyError, ValueError, TypeError, AttributeError,
            IndexError, OverflowError, RecursionError, MemoryError, struct.error,
            zipfile.BadZipFile, NotImplementedError) as exc:
        raise CorruptModelError(f"{path}: not a readable PyTorch checkpoint ({one_line(exc)})") from exc


# Opcodes a torch state dict's pickle uses (protocol 2, as torch.save writes it,
# and the later framing ones). Anything else (object construction, extension
# codes, out-of-band buffers, text-protocol INT/LONG/STRING) is refused.
_ALLOWED_OPS = frozenset((
    "PROTO", "FRAME", "STOP", "MARK", "POP", "POP_MARK", "DUP",
    "NONE", "NEWTRUE", "NEWFALSE", "BININT", "BININT1", "BININT2", "LONG1", "BINFLOAT",
    "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "SHORT_BINSTRING", "BINSTRING",
    "SHORT_BINBYTES", "BINBYTES", "BINBYTES8", "EMPTY_DICT", "DICT", "SETITEM", "SETITEMS",
    "EMPTY_LIST", "LIST", "APPEND", "APPENDS", "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3",
    "BINPUT", "LONG_BINPUT", "MEMOIZE", "BINGET", "LONG_BINGET",
    "GLOBAL", "STACK_GLOBAL", "REDUCE", "BUILD", "BINPERSID",
))  # fmt: skip


def checked_pickle(data: bytes) -> io.BytesIO:
    """The pickle at the start of ``data``, up to its STOP, as a stream for the
    unpickler, once it is known to be shaped like a state dict's.

    It is run first on a stack of kinds (``str``, ``int``, ``tuple``...):
    every opcode must be one a state dict uses, every length it declares must
    fit in ``data`` (``pickletools.genops`` reads lengths without allocating
    them, so a BINBYTES8 claiming 2**60 bytes fails here), and every dict key
    must be a string or an integer: a tuple key built as a memo DAG would take
    2**N steps to hash inside the C unpickler, which never checks for signals.
    The opcode count bounds the time any accepted pickle can take.
    """
    stream = io.BytesIO(data)
    stack: list[str] = []
    memo: dict[int, str] = {}
    for count, (op, arg, _pos) in enumerate(pickletools.genops(stream), 1):
        if count > MAX_PICKLE_OPS:
            raise pickle.UnpicklingError("a pickle larger than any checkpoint's")
        if op.name not in _ALLOWED_OPS:
            raise pickle.UnpicklingError(f"a pickle opcode checkpoints do not use ({op.name})")
        if op.name == "LONG1" and arg is not None and abs(arg) >= 1 << 128:
            raise pickle.UnpicklingError("an integer larger than any checkpoint's")
        if op.name == "STOP":
            return io.BytesIO(data[: stream.tell()])
        _simulate(op, arg, stack, memo)
    raise EOFError("a truncated pickle")


def _simulate(op: Any, arg: Any, stack: list[str], memo: dict[int, str]) -> None:
    """Apply ``op`` to a stack that holds the kinds of the unpickler's objects."""
    if not stack and op.stack_before and op.name not in ("MARK",):
        raise pickle.UnpicklingError("a malformed pickle (stack underflow)")
    if op.name in ("BINPUT", "LONG_BINPUT", "MEMOIZE"):
        memo[len(memo) if op.name == "MEMOIZE" else arg] = stack[-1]
        return
    if op.name in ("BINGET", "LONG_BINGET"):
        stack.append(memo.get(arg, "any"))
        return
    if op.name == "DUP":
        stack.append(stack[-1])
        return
    before = [s.name for s in op.stack_before]
    items: list[str] = []
    if "mark" in before:
        if "mark" not in stack:
            raise pickle.UnpicklingError("a malformed pickle (no mark)")
        at = len(stack) - 1 - stack[::-1].index("mark")
        items, stack[at:] = stack[at + 1 :], []
        before = before[: before.index("mark")]
    if len(stack) < len(before):
        raise pickle.UnpicklingError("a malformed pickle (stack underflow)")
    popped = stack[len(stack) - len(before) :] if before else []
    del stack[len(stack) - len(before) :]
    keys = popped[1:2] if op.name == "SETITEM" else items[0::2] if op.name == "SETITEMS" else []
    if any(k not in ("str", "int", "bytes_or_str") for k in keys):
        raise pickle.UnpicklingError("a dict key that is not a string")
    stack.extend(s.name for s in op.stack_after)


def _read_bounded(handle, limit: int, what: str) -> bytes:
    """At most ``limit`` bytes of ``handle``, read in chunks (never trusting a
    header's size); more is a corrupt checkpoint."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise pickle.UnpicklingError(f"{what} is larger than any checkpoint's")
    return data


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
            data = _read_bounded(f, MAX_PICKLE_BYTES, "data.pkl")
        state = _SafeUnpickler(checked_pickle(data), storages).load()
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
        # Five pickles in a row, then the raw storages: the pickles must lie
        # in the first MAX_PICKLE_BYTES; each is checked, then unpickled.
        head = f.read(MAX_PICKLE_BYTES)
    offset, loads = 0, []
    for _ in range(5):
        checked = checked_pickle(head[offset:])
        loads.append(_SafeUnpickler(checked, storages).load())
        offset += len(checked.getbuffer())
    magic, _version, _sys_info, state, keys = loads
    if magic != _LEGACY_MAGIC:
        raise pickle.UnpicklingError("not a PyTorch checkpoint")
    if not isinstance(keys, list) or not all(isinstance(k, str | int) for k in keys):
        raise pickle.UnpicklingError("malformed storage list")
    _, raw = _map(path)
    for key in keys:
        storage = storages[str(key)]
        if offset + 8 > raw.size:
            raise EOFError("truncated storage")
        (numel,) = struct.unpack("<q", raw[offset : offset + 8].tobytes())
        itemsize = 2 if storage.dtype == "bf16" else np.dtype(storage.dtype).itemsize
        offset += 8
        if numel < 0 or offset + numel * itemsize > raw.size:
            raise EOFError("truncated storage")
        storage.attach(raw[offset : offset + numel * itemsize])
        offset += numel * itemsize
    return state
