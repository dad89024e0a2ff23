"""``kreyol models``: list, pull, convert and locate models and voices."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kreyol_cli.commands.edge import handle_errors, table_console

models_app = typer.Typer(help="List, pull, convert and locate models and voices.",
                         no_args_is_help=True, rich_markup_mode=None)


def _registry():
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings

    return Registry.load(Settings.load())


def _dir_size(path) -> int:
    from pathlib import Path

    p = Path(path)
    if p.is_file():
        total = p.stat().st_size
        config = p.with_name(p.name + ".json")
        return total + (config.stat().st_size if config.exists() else 0)
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


@models_app.command("list")
@handle_errors
def list_models(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    kind: Annotated[str | None, typer.Option("--kind", help="translation or voice.")] = None,
) -> None:
    """Every model and voice in the registry, installed or not."""
    if kind is not None and kind not in ("translation", "voice"):
        from kreyol_cli.errors import UsageError

        raise UsageError(f"--kind {kind!r}: use translation or voice")
    registry = _registry()
    rows = []
    for name in registry.names(kind):
        spec = registry.entries[name]
        installed = registry.is_installed(spec)
        where = registry.voice_file(spec) if spec.kind == "voice" else registry.install_dir(spec)
        size = _dir_size(where) if installed and where else None
        rows.append({
            "name": name, "kind": spec.kind, "family": spec.family,
            "languages": list(spec.languages), "default_for": list(spec.default_for),
            "installed": installed, "path": str(where) if where else None,
            "size_mb": round(size / 1e6, 1) if size is not None else spec.size_mb,
            "license": spec.license, "repo": spec.repo, "revision": spec.revision,
            "quality": spec.quality or None, "sample_rate": spec.sample_rate or None,
            "voice_language": spec.voice_language or None, "description": spec.description,
        })
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title="kreyol models and voices")
    for col in ("name", "kind", "languages", "default", "installed", "size", "license",
                "voice"):
        table.add_column(col)
    for r in rows:
        voice = (f"{r['voice_language']} {r['quality']} {r['sample_rate']} Hz"
                 if r["kind"] == "voice" else "")
        table.add_row(r["name"], f"{r['kind']}/{r['family']}", " ".join(r["languages"]),
                      " ".join(r["default_for"]), "yes" if r["installed"] else "no",
                      f"{'' if r['installed'] else '~'}{r['size_mb']:g} MB", r["license"], voice)
    table_console().print(table)


@models_app.command("pull")
@handle_errors
def pull_model(
    names: Annotated[list[str], typer.Argument(help="Registry names to fetch.")],
    force: Annotated[bool, typer.Option("--force", help="Download and convert again.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    keep_download: Annotated[bool, typer.Option(
        "--keep-download", help="Keep the downloaded checkpoint in the Hugging Face cache "
                                "(removed by default: only the converted model stays).")] = False,
) -> None:
    """Download from the Hugging Face Hub and convert to CTranslate2 int8."""
    from kreyol_cli.progress import Reporter, StepDisplay
    from kreyol_cli.pull import pull

    registry = _registry()
    reporter = Reporter("auto", quiet=quiet)
    for name in names:
        pull(registry, name, force=force, quiet=quiet, keep_download=keep_download,
             note=reporter.note, display=None if quiet else StepDisplay(reporter))


@models_app.command("path")
@handle_errors
def model_path(
    name: Annotated[str, typer.Argument(help="Registry name.")],
) -> None:
    """Print where a model or voice is (or will be) installed."""
    registry = _registry()
    spec = registry.get(name)
    if spec.kind == "voice":
        where = registry.voice_file(spec) or registry.settings.models_dir / spec.name
    else:
        where = registry.install_dir(spec)
    print(where)


@models_app.command("convert")
@handle_errors
def convert_model(
    source: Annotated[str, typer.Argument(help="A Hugging Face checkpoint directory.")],
    destination: Annotated[str, typer.Argument(help="Output directory (must not exist).")],
    quantization: Annotated[str, typer.Option("--quantization", help="int8, int8_float32, "
                                                                     "float16 or float32.")
                            ] = "int8",
    family: Annotated[str | None, typer.Option("--family", help="marian, nllb or m2m100 "
                                                                "(default: detected).")] = None,
) -> None:
    """Convert a local MarianMT/NLLB/M2M-100 checkpoint to a kreyol model directory."""
    import shutil
    import tempfile
    from pathlib import Path

    from kreyol_cli.convert import convert_checkpoint
    from kreyol_cli.errors import InputError, OutputError, from_os_error
    from kreyol_cli.progress import Reporter, StepDisplay
    from kreyol_cli.pull import TOKENIZER_FILES
    from kreyol_cli.registry import MANIFEST

    src, dst = Path(source), Path(destination)
    if not src.exists():
        raise InputError(f"{source}: no such directory")
    if not src.is_dir():
        raise InputError(f"{source} is a file: give the checkpoint's directory")
    if not (src / "config.json").is_file():
        raise InputError(f"{source} is not a Hugging Face checkpoint (no config.json)")
    if dst.exists():
        raise OutputError(f"{destination} already exists: choose a new directory")
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", dir=dst.parent))
    except OSError as exc:
        from kreyol_cli.errors import DiskFullError

        if isinstance(from_os_error(exc), DiskFullError):
            raise DiskFullError() from None
        raise OutputError(f"cannot write {destination}: {exc.strerror} (choose another "
                          f"directory)") from None
    try:
        out = staging / "model"
        copy = [f for f in TOKENIZER_FILES if (src / f).exists()]
        reporter = Reporter("auto")  # a bar on a terminal; off one, just the last line
        display = StepDisplay(reporter) if reporter.mode == "auto" else None
        if display is not None:
            display.step("convert", f"converting {source} to CTranslate2 {quantization}",
                         "tensors")
        try:
            info = convert_checkpoint(src, out, quantization=quantization, family=family,
                                      copy_files=copy,
                                      progress=display.update if display else None)
        finally:
            if display is not None:
                display.close()
        manifest = {"name": dst.name, "source_repo": str(src.resolve()), "revision": "local",
                    "quantization": quantization, "conversion": info}
        if isinstance(info, dict) and info.get("family"):
            manifest["family"] = info["family"]
        (out / MANIFEST).write_text(json.dumps(manifest, indent=2), "utf-8")
        out.rename(dst)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    typer.echo(f"converted {source} -> {destination}", err=True)
