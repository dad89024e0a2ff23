"""Fetching models and voices from the Hugging Face Hub, and converting them.

``pull`` downloads with ``huggingface_hub`` (so ``HF_ENDPOINT``, ``HF_HOME``,
``HF_TOKEN`` and ``HF_HUB_OFFLINE`` behave as everywhere else), converts
translation checkpoints to CTranslate2 int8 without needing PyTorch, writes a
manifest recording where the files came from, and moves the result into
``$KREYOL_HOME/models/NAME`` in one rename: a failed pull never leaves a
half-installed model behind.

The download goes through the Hugging Face cache, so a checkpoint already
there is used (offline too); what the pull added to it is removed again once
the model is installed (unless ``keep_download``) and always when it fails:
only the converted model stays on disk.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kreyol_cli.errors import CorruptModelError, NetworkError, OutputError, UsageError
from kreyol_cli.registry import MANIFEST, ModelSpec, Registry

# Files a tokenizer may need; copied next to the converted weights.
TOKENIZER_FILES = (
    "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json", "vocab.json",
    "source.spm", "target.spm", "sentencepiece.bpe.model", "spm.model", "added_tokens.json",
    "generation_config.json",
)
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
# (single file, shard index, shard pattern), in order of preference: safetensors
# cannot run code and loads faster.
_WEIGHT_LAYOUTS = (
    ("model.safetensors", "model.safetensors.index.json", "model-*-of-*.safetensors"),
    ("pytorch_model.bin", "pytorch_model.bin.index.json", "pytorch_model-*-of-*.bin"),
)


def pull(registry: Registry, name: str, *, force: bool = False, quiet: bool = False,
         keep_download: bool = False, note=print, display=None) -> Path:
    """Install a registry entry. Idempotent: an installed entry is left as is.

    Args:
        registry: Where the entry is defined and installed.
        name: The registry name.
        force: Download and convert again even if installed.
        quiet: No progress output.
        keep_download: Leave the downloaded checkpoint in the Hugging Face cache.
        note: Prints one informational line.
        display: A ``progress.StepDisplay`` for the download and conversion steps.

    Returns:
        The installed directory (translation) or ``.onnx`` file (voice).

    Raises:
        UnknownModelError, NetworkError, CorruptModelError, UsageError.
    """
    spec = registry.get(name)
    if spec.path:
        raise UsageError(f"{name!r} is a local model ({spec.path}): there is nothing to pull")
    if not spec.repo:
        raise UsageError(f"{name!r} has no hub repository in models.toml: nothing to pull")
    if registry.is_installed(spec) and not force:
        where = registry.voice_file(spec) if spec.kind == "voice" else registry.install_dir(spec)
        note(f"{name} is already installed at {where} (use --force to pull it again)")
        return Path(where)
    from huggingface_hub.utils import disable_progress_bars, logging

    disable_progress_bars()  # kreyol draws its own display (huggingface_hub's garbles it)
    # Its warnings ("not enough free disk space", "ignored error while writing
    # ...") print source lines mid-display; the failure they announce comes
    # back as one error line instead.
    logging.set_verbosity_error()
    warnings.filterwarnings("ignore", category=UserWarning, module="huggingface_hub")
    destination = registry.settings.models_dir / spec.name
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{spec.name}.", dir=destination.parent))
    try:
        with _downloads_removed(spec.repo, keep=keep_download):
            if spec.kind == "voice":
                manifest = _fetch_voice(spec, staging, force, display)
            else:
                manifest = _fetch_translation(spec, staging, force, display)
        manifest.update({"name": spec.name, "kind": spec.kind, "family": spec.family,
                         "license": spec.license, "pulled_at": int(time.time())})
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), "utf-8")
        staging.chmod(0o777 & ~_umask())  # mkdtemp made it private
        _replace_dir(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if display is not None:
            display.close()
    note(f"installed {name} at {destination}")
    if spec.kind == "voice":
        return destination / Path(spec.files).name
    return destination


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _downloads_removed(repo_id: str, *, keep: bool) -> Iterator[None]:
    """Remove what the block adds to the Hugging Face cache for ``repo_id``.

    Files that were there before (a user's own cached copy) stay. With
    ``keep``, a successful block keeps its downloads; a failed or interrupted
    one never does.
    """
    from huggingface_hub import constants
    from huggingface_hub.file_download import repo_folder_name

    cache = Path(constants.HF_HUB_CACHE)
    folder = repo_folder_name(repo_id=repo_id, repo_type="model")
    roots = [cache / folder, cache / ".locks" / folder]
    created = [d for d in (cache, cache / ".locks", *roots) if not d.exists()]
    before = {p for root in roots if root.exists() for p in root.rglob("*")}
    succeeded = False
    try:
        yield
        succeeded = True
    finally:
        if not (succeeded and keep):
            for root in roots:
                if not root.exists():
                    continue
                for path in sorted(root.rglob("*"), reverse=True):  # children first
                    if path in before:
                        continue
                    if path.is_dir() and not path.is_symlink():
                        with contextlib.suppress(OSError):
                            path.rmdir()
                    else:
                        path.unlink(missing_ok=True)
            for directory in reversed(created):
                with contextlib.suppress(OSError):
                    # huggingface_hub tags a cache it creates; an empty one goes.
                    if {p.name for p in directory.iterdir()} <= {"CACHEDIR.TAG"}:
                        (directory / "CACHEDIR.TAG").unlink(missing_ok=True)
                    directory.rmdir()  # only if empty


class _Cancelled(Exception):
    """Raised in huggingface_hub's download threads once the pull is interrupted."""


def _hub_bar_class(display):
    """A tqdm stand-in that feeds huggingface_hub's byte counts to ``display``.

    Its ``cancelled`` flag (set by :func:`_interruptible`) makes the next
    progress update of a download thread raise, which ends that download.
    """
    bars: list = []

    class HubBar:
        cancelled = False

        def __init__(self, *args, total=None, initial=0, unit="it", **kwargs) -> None:
            self.total, self.n, self.unit = total, initial, unit
            self.format_dict: dict[str, Any] = {"rate": None}
            if unit == "B":
                bars.append(self)

        def update(self, n=1) -> None:
            if HubBar.cancelled:
                raise _Cancelled("interrupted")
            self.n += n or 0
            if self.unit == "B" and display is not None:
                display.update(max(b.n for b in bars), max((b.total or 0) for b in bars) or None)

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            pass

        def refresh(self, *args, **kwargs) -> None:
            pass

        close = set_description = set_description_str = set_postfix_str = refresh

    return HubBar


#: Bytes huggingface_hub reads between two progress updates (its own default
#: is 10 MiB: a minute on a slow line before an interrupted download notices).
_CHUNK = 256 * 1024


@contextlib.contextmanager
def _interruptible(bar_class) -> Iterator[None]:
    """Let Ctrl-C and SIGTERM stop a download now, not when its files are done.

    ``snapshot_download`` fetches files in worker threads, and the main thread,
    interrupted, still waits for them to finish: minutes for a 300 MB
    checkpoint on a slow line. The signal handler also sets the bar class's
    ``cancelled`` flag, so each thread stops at its next chunk.
    """
    import signal

    from huggingface_hub import constants

    previous: dict[int, Any] = {}

    def handler(signum, frame):
        old = previous[signum]
        if old is signal.SIG_IGN:
            return
        bar_class.cancelled = True
        if callable(old):
            return old(signum, frame)
        raise KeyboardInterrupt

    chunk = constants.DOWNLOAD_CHUNK_SIZE
    constants.DOWNLOAD_CHUNK_SIZE = min(chunk, _CHUNK)
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):  # not the main thread: leave signals be
                previous[sig] = signal.signal(sig, handler)
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        constants.DOWNLOAD_CHUNK_SIZE = chunk


def _replace_dir(staging: Path, destination: Path) -> None:
    if destination.exists():
        old = destination.with_name(f".{destination.name}.old-{time.time_ns()}")
        destination.rename(old)
        staging.rename(destination)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(destination)


def _hub_call(what: str, func, *args, **kwargs):
    """Run a huggingface_hub call, turning its network failures into NetworkError."""
    from huggingface_hub.errors import (
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        return func(*args, **kwargs)
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        raise CorruptModelError(
            f"{what}: the hub has no such repository or revision ({type(exc).__name__}); "
            f"check repo/revision in models.toml"
        ) from None
    except (OfflineModeIsEnabled, LocalEntryNotFoundError) as exc:
        raise NetworkError(
            f"{what}: not downloaded yet and the Hugging Face Hub is unreachable or offline "
            f"({_short(exc)}); connect to the internet and retry, or copy a converted model "
            f"directory here and pass it with --model PATH"
        ) from None
    except (HfHubHTTPError, OSError) as exc:
        disk = _disk_error(exc)
        if disk is not None:
            from huggingface_hub import constants

            raise OutputError(
                f"{what}: cannot write to the Hugging Face cache {constants.HF_HUB_CACHE} "
                f"({disk.strerror or disk}); free space there, or set HF_HOME to a writable "
                f"folder with room"
            ) from None
        raise NetworkError(
            f"{what}: download failed ({_short(exc)}); check your connection (and HF_ENDPOINT) "
            f"and retry"
        ) from None
    except Exception as exc:
        if type(exc).__module__.startswith(("httpx", "httpcore", "requests", "urllib3")):
            raise NetworkError(
                f"{what}: cannot reach the Hugging Face Hub ({_short(exc)}); connect to the "
                f"internet and retry"
            ) from None
        raise


#: Errors of the local disk, not of the network (sockets never carry these).
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def _disk_error(exc: BaseException | None) -> OSError | None:
    """The local file-system error behind ``exc`` (a full or read-only disk, a
    file where a folder should be), if that is what it is."""
    for _ in range(4):
        if exc is None:
            return None
        if isinstance(exc, OSError) and (exc.errno in _DISK_ERRNOS or exc.filename):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]


def _weights_in_repo(spec: ModelSpec) -> list[str]:
    """Patterns of the weight files to fetch: one file, or an index and its shards."""
    from huggingface_hub import HfApi

    # model_info is one request without retries; list_repo_files retries a refused
    # connection for ~25 s before failing.
    try:
        info = _hub_call(f"looking up {spec.repo}", HfApi().model_info, spec.repo,
                         revision=spec.revision)
    except NetworkError:
        # Offline or unreachable: take whatever the local HF cache holds;
        # snapshot_download reports a clear error if it holds nothing.
        return [pattern for layout in _WEIGHT_LAYOUTS for pattern in layout]
    files = [s.rfilename for s in info.siblings] if info.siblings is not None else \
        _hub_call(f"listing {spec.repo}", HfApi().list_repo_files, spec.repo,
                  revision=spec.revision)
    for single, index, shards in _WEIGHT_LAYOUTS:
        if single in files:
            return [single]
        if index in files:
            return [index, shards]
    raise CorruptModelError(
        f"{spec.repo} has no model.safetensors or pytorch_model.bin (single or sharded)")


def _fetch_translation(spec: ModelSpec, staging: Path, force: bool = False, display=None
                       ) -> dict[str, Any]:
    from huggingface_hub import snapshot_download

    def download(patterns: list[str] | None) -> Path:
        if display is not None:
            display.step("download", f"downloading {spec.repo}", "bytes")
        bar = _hub_bar_class(display)
        with _interruptible(bar):
            return Path(_hub_call(f"downloading {spec.repo}", snapshot_download, spec.repo,
                                  revision=spec.revision, allow_patterns=patterns,
                                  force_download=force, tqdm_class=bar))

    if spec.format == "ctranslate2":
        snapshot = download(None)
        for item in snapshot.iterdir():
            if item.is_file() and not item.name.startswith("."):
                shutil.copy2(item, staging / item.name)
        if not (staging / "model.bin").exists():
            raise CorruptModelError(f"{spec.repo} is marked format=ctranslate2 but has no model.bin")
        return {"source_repo": spec.repo, "revision": snapshot.name, "format": "ctranslate2"}

    weights = _weights_in_repo(spec)
    snapshot = download(["config.json", *TOKENIZER_FILES, "target_vocab.json", *weights])
    if not any((snapshot / w).exists() for layout in _WEIGHT_LAYOUTS for w in layout[:2]):
        raise NetworkError(f"{spec.repo}: weights are not in the local cache and the hub is "
                           f"offline; connect to the internet and retry")
    if display is not None:
        display.step("convert", f"converting to CTranslate2 {spec.quantization}", "tensors")
    from kreyol_cli.convert import convert_checkpoint

    copy = [f for f in TOKENIZER_FILES if (snapshot / f).exists()]
    info = convert_checkpoint(snapshot, staging / "ct2", quantization=spec.quantization,
                              family=spec.family, copy_files=copy,
                              progress=display.update if display is not None else None)
    for item in (staging / "ct2").iterdir():
        item.rename(staging / item.name)
    (staging / "ct2").rmdir()
    manifest = {"source_repo": spec.repo, "revision": snapshot.name, "format": "ctranslate2",
                "quantization": spec.quantization, "languages": list(spec.languages),
                "lang_codes": spec.lang_codes}
    manifest["conversion"] = info if isinstance(info, dict) else {}
    return manifest


def _fetch_voice(spec: ModelSpec, staging: Path, force: bool = False, display=None
                 ) -> dict[str, Any]:
    from huggingface_hub import hf_hub_download

    if not spec.files.endswith(".onnx"):
        raise UsageError(f"voice {spec.name!r}: `files` in models.toml must name an .onnx file")
    if display is not None:  # a voice is ~60 MB: show the bytes, as for a model
        display.step("download", f"downloading {Path(spec.files).name}", "bytes")
    revision = spec.revision
    bar = _hub_bar_class(display)  # one for both files: the display shows the .onnx
    for filename in (spec.files, spec.files + ".json"):
        with _interruptible(bar):  # progress every 256 KiB, not every 10 MiB
            local = Path(_hub_call(f"downloading {filename}", hf_hub_download, spec.repo,
                                   filename, revision=spec.revision, force_download=force,
                                   tqdm_class=bar))
        shutil.copy2(local, staging / Path(filename).name)
        # hf_hub_download returns .../snapshots/<commit>/<path>: record <commit>.
        parts = local.parts
        if "snapshots" in parts:
            revision = parts[parts.index("snapshots") + 1]
    onnx = staging / Path(spec.files).name
    try:
        config = json.loads((staging / (onnx.name + ".json")).read_text("utf-8"))
        config["phoneme_id_map"]  # noqa: B018 - a voice config must have it
    except (OSError, ValueError, KeyError) as exc:
        raise CorruptModelError(f"voice {spec.name!r}: downloaded config is invalid ({exc})") from None
    return {"source_repo": spec.repo, "revision": revision, "files": [spec.files]}
