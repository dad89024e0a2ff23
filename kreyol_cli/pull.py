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

import json
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from kreyol_cli.errors import CorruptModelError, NetworkError, UsageError
from kreyol_cli.hub import bar_class, call, downloads_removed, interruptible
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
    spec = registry.get(name, pulling=True)
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
        with downloads_removed(spec.repo, keep=keep_download):
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


def _replace_dir(staging: Path, destination: Path) -> None:
    if destination.exists():
        old = destination.with_name(f".{destination.name}.old-{time.time_ns()}")
        destination.rename(old)
        staging.rename(destination)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(destination)


def _weights_in_repo(spec: ModelSpec) -> list[str]:
    """Patterns of the weight files to fetch: one file, or an index and its shards."""
    from huggingface_hub import HfApi

    # model_info is one request without retries; list_repo_files retries a refused
    # connection for ~25 s before failing.
    try:
        info = call(f"looking up {spec.repo}", HfApi().model_info, spec.repo,
                         revision=spec.revision)
    except NetworkError:
        # Offline or unreachable: take whatever the local HF cache holds;
        # snapshot_download reports a clear error if it holds nothing.
        return [pattern for layout in _WEIGHT_LAYOUTS for pattern in layout]
    files = [s.rfilename for s in info.siblings] if info.siblings is not None else \
        call(f"listing {spec.repo}", HfApi().list_repo_files, spec.repo,
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
        bar = bar_class(display)
        with interruptible(bar):
            return Path(call(f"downloading {spec.repo}", snapshot_download, spec.repo,
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
    bar = bar_class(display)  # one for both files: the display shows the .onnx
    for filename in (spec.files, spec.files + ".json"):
        with interruptible(bar):  # progress every 256 KiB, not every 10 MiB
            local = Path(call(f"downloading {filename}", hf_hub_download, spec.repo,
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
