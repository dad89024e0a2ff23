"""The model registry: ``models.toml`` entries resolved to files on disk.

Anywhere a model or voice name is accepted, a path works too: a directory
(or, for voices, an ``.onnx`` file) is used as is; a known name resolves to
``$KREYOL_HOME/models/NAME`` (or to the Python package that ships it).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from kreyol_cli.errors import (
    CorruptModelError,
    LanguageError,
    ModelNotInstalledError,
    UnknownModelError,
    UsageError,
)
from kreyol_cli.settings import Settings

MANIFEST = "kreyol-manifest.json"
FAMILIES = {"translation": ("marian", "nllb", "m2m100"), "voice": ("piper",)}
# Tokenizer classes that identify a family in a bare CTranslate2 directory.
_TOKENIZER_FAMILY = {
    "MarianTokenizer": "marian",
    "NllbTokenizer": "nllb",
    "NllbTokenizerFast": "nllb",
    "M2M100Tokenizer": "m2m100",
}


@dataclass(frozen=True)
class ModelSpec:
    """One registry entry. Picklable: workers receive specs, not models.

    Attributes:
        name: Registry name (or the path for an unregistered directory).
        kind: ``translation`` or ``voice``.
        family: ``marian``, ``nllb``, ``m2m100`` or ``piper``.
        repo: Hugging Face Hub repository to pull from.
        revision: Branch, tag or commit to pull.
        format: ``transformers`` (converted on pull) or ``ctranslate2``.
        languages: ``src-tgt`` pairs (translation) or language codes (voice).
        lang_codes: Language tokens of multilingual models, e.g. ``ht: hat_Latn``.
        license: The model's license.
        size_mb: Approximate size once pulled.
        quantization: CTranslate2 weight type produced by conversion.
        default_for: Pairs (translation) or languages (voice) served by default.
        description: One line for ``models list``.
        files: Voice: the ``.onnx`` path inside the repo.
        package: Voice: a Python package shipping the voice files.
        path: A local directory or file used as is.
        voice_language: Voice: the language its training data speaks.
        quality: Voice: Piper quality level.
        sample_rate: Voice: output sample rate in Hz.
    """

    name: str
    kind: str
    family: str
    repo: str = ""
    revision: str = "main"
    format: str = "transformers"
    languages: tuple[str, ...] = ()
    lang_codes: dict[str, str] = field(default_factory=dict)
    license: str = "unknown"
    size_mb: float = 0
    quantization: str = "int8"
    default_for: tuple[str, ...] = ()
    description: str = ""
    files: str = ""
    package: str = ""
    path: str = ""
    voice_language: str = ""
    quality: str = ""
    sample_rate: int = 0

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> ModelSpec:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise UsageError(f"models.toml entry {name!r}: unknown field(s) {', '.join(sorted(unknown))}")
        values = dict(data)
        for key in ("languages", "default_for"):
            if key in values:
                values[key] = tuple(values[key])
        try:
            spec = cls(name=name, **values)
        except TypeError as exc:
            raise UsageError(f"models.toml entry {name!r} is incomplete: {exc}") from None
        if spec.kind not in FAMILIES or spec.family not in FAMILIES[spec.kind]:
            raise UsageError(
                f"models.toml entry {name!r}: kind/family {spec.kind}/{spec.family} is not "
                f"one of {', '.join(f'{k}/{f}' for k, fs in FAMILIES.items() for f in fs)}"
            )
        return spec

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ResolvedModel:
    """A model or voice located on disk.

    Attributes:
        spec: Its registry entry (synthesized for a bare path).
        path: The model directory (translation) or ``.onnx`` file (voice).
        revision: What the files are: the pulled commit, or the directory's
            manifest revision, or ``"local"``. Part of every cache key.
    """

    spec: ModelSpec
    path: Path
    revision: str

    @property
    def config_path(self) -> Path:
        """Voices: the ``.onnx.json`` next to the model."""
        return self.path.with_name(self.path.name + ".json")

    @property
    def cache_id(self) -> dict[str, str]:
        return {"model": self.spec.name, "revision": self.revision}


class Registry:
    """Registry entries: the shipped models.toml overlaid with the user's."""

    def __init__(self, settings: Settings, entries: dict[str, ModelSpec]) -> None:
        self.settings = settings
        self.entries = entries

    @classmethod
    def load(cls, settings: Settings) -> Registry:
        shipped = resources.files("kreyol_cli").joinpath("models.toml").read_text("utf-8")
        data = tomllib.loads(shipped).get("models", {})
        user_file = settings.home / "models.toml"
        if user_file.is_file():
            try:
                user = tomllib.loads(user_file.read_text("utf-8")).get("models", {})
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise UsageError(f"{user_file} is not valid TOML ({exc}): fix it") from None
            for name, entry in user.items():
                data[name] = {**data.get(name, {}), **entry}
                if "path" in entry:  # relative paths are relative to the user file
                    data[name]["path"] = str((user_file.parent / entry["path"]).expanduser())
        return cls(settings, {name: ModelSpec.from_dict(name, e) for name, e in data.items()})

    # -- lookups ------------------------------------------------------------

    def names(self, kind: str | None = None) -> list[str]:
        return sorted(n for n, s in self.entries.items() if kind is None or s.kind == kind)

    def get(self, name: str, kind: str | None = None, *, pulling: bool = False) -> ModelSpec:
        """The registry entry ``name``.

        Raises:
            UnknownModelError: No such entry (of ``kind``); the message lists the
                known names and what else the user can pass.
        """
        spec = self.entries.get(name)
        if spec is None or (kind and spec.kind != kind):
            what = {"translation": "translation model", "voice": "voice"}.get(kind or "", "model")
            known = ", ".join(self.names(kind)) or "none"
            if pulling:  # they ran `models pull NAME` already: say what NAME can be
                hint = "see `kreyol models list`"
            else:
                path = {"translation": "a model directory", "voice": "a voice's .onnx file"
                        }.get(kind or "", "a path")
                hint = (f"see `kreyol models list`, install one with `kreyol models pull NAME`, "
                        f"or pass {path}")
            raise UnknownModelError(
                f"unknown {what} {name!r}; known: {known} ({hint})"
            )
        return spec

    def default_for(self, kind: str, key: str) -> ModelSpec | None:
        for name in self.names(kind):
            if key in self.entries[name].default_for:
                return self.entries[name]
        return None

    def install_dir(self, spec: ModelSpec) -> Path:
        return Path(spec.path) if spec.path else self.settings.models_dir / spec.name

    # -- translation models ---------------------------------------------------

    def resolve_translation(self, name_or_path: str | None, source: str, target: str
                            ) -> ResolvedModel:
        """Find the model that translates ``source`` to ``target``.

        Raises:
            LanguageError: No model (or not this one) serves the pair.
            UnknownModelError, ModelNotInstalledError, CorruptModelError.
        """
        pair = f"{source}-{target}"
        if name_or_path is None:
            spec = self.default_for("translation", pair)
            if spec is None:
                pairs = sorted({p for s in self.entries.values() if s.kind == "translation"
                                for p in s.languages})
                raise LanguageError(
                    f"no default model translates {source} to {target}; supported pairs: "
                    f"{', '.join(pairs)} (or pick one with --model)"
                )
        elif _looks_like_path(name_or_path):
            return self._translation_dir(Path(name_or_path), source, target)
        else:
            spec = self.get(name_or_path, "translation")
        if pair not in spec.languages:
            raise LanguageError(
                f"model {spec.name!r} does not translate {source} to {target}; it supports "
                f"{', '.join(spec.languages)}"
            )
        directory = self.install_dir(spec)
        if not directory.exists():
            raise ModelNotInstalledError(
                f"model {spec.name!r} is not installed: run `kreyol models pull {spec.name}`"
            )
        manifest = check_translation_dir(directory, spec.name)
        return ResolvedModel(spec, directory, str(manifest.get("revision") or spec.revision))

    def _translation_dir(self, directory: Path, source: str, target: str) -> ResolvedModel:
        if not directory.exists():
            raise UnknownModelError(
                f"model directory {str(directory)!r} does not exist; known models: "
                f"{', '.join(self.names('translation'))}"
            )
        manifest = check_translation_dir(directory, str(directory))
        family = manifest.get("family") or _detect_family(directory)
        codes = manifest.get("lang_codes") or {}
        languages = tuple(manifest.get("languages") or ())
        if not languages and manifest.get("source_lang"):
            languages = (f"{manifest['source_lang']}-{manifest['target_lang']}",)
        pair = f"{source}-{target}"
        if languages and pair not in languages:
            raise LanguageError(
                f"model {str(directory)!r} does not translate {source} to {target}; "
                f"it supports {', '.join(languages)}"
            )
        spec = ModelSpec(
            name=str(manifest.get("name") or directory.name), kind="translation",
            family=family, languages=languages or (pair,), lang_codes=dict(codes),
            license=manifest.get("license", "unknown"), path=str(directory),
            quantization=manifest.get("quantization", ""),
        )
        return ResolvedModel(spec, directory, str(manifest.get("revision") or "local"))

    # -- voices -----------------------------------------------------------------

    def resolve_voice(self, name_or_path: str | None, language: str) -> ResolvedModel:
        """Find a Piper voice by name, ``.onnx`` path or directory.

        Raises:
            UnknownModelError, ModelNotInstalledError, CorruptModelError.
        """
        if name_or_path is None:
            spec = self.default_for("voice", language)
            if spec is None:
                raise LanguageError(
                    f"no default voice for language {language!r}; pick one with --voice "
                    f"(known: {', '.join(self.names('voice'))})"
                )
        elif _looks_like_path(name_or_path) or name_or_path.endswith(".onnx"):
            return _voice_from_path(Path(name_or_path))
        else:
            spec = self.get(name_or_path, "voice")
        onnx = self.voice_file(spec)
        if onnx is None:
            raise ModelNotInstalledError(
                f"voice {spec.name!r} is not installed: run `kreyol models pull {spec.name}`"
            )
        resolved = _voice_from_path(onnx)
        # Registry voices are identified by their revision and file size (which
        # changes with the weights), not mtime, so a reinstall keeps the cache.
        return ResolvedModel(spec, resolved.path, f"{spec.revision}-{onnx.stat().st_size}")

    def voice_file(self, spec: ModelSpec) -> Path | None:
        """The voice's ``.onnx`` file if it is on disk (pulled or packaged)."""
        basename = Path(spec.files).name if spec.files else f"{spec.name}.onnx"
        if spec.path:
            p = Path(spec.path)
            return p if p.suffix == ".onnx" else p / basename
        candidate = self.settings.models_dir / spec.name / basename
        if candidate.exists():
            return candidate
        if spec.package:
            try:
                root = resources.files(spec.package)
            except ModuleNotFoundError:
                return None
            for candidate in (root.joinpath("data", basename), root.joinpath(basename)):
                if candidate.is_file():
                    return Path(str(candidate))
        return None

    def is_installed(self, spec: ModelSpec) -> bool:
        if spec.kind == "voice":
            return self.voice_file(spec) is not None
        return (self.install_dir(spec) / "model.bin").exists()


def _looks_like_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.startswith(".") or Path(value).exists()


def read_manifest(directory: Path) -> dict[str, Any]:
    try:
        return json.loads((directory / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CorruptModelError(
            f"{directory / MANIFEST} is unreadable ({exc}): pull or convert the model again"
        ) from None


def check_translation_dir(directory: Path, name: str) -> dict[str, Any]:
    """Validate a CTranslate2 model directory; return its manifest (maybe empty)."""
    if not directory.is_dir():
        raise CorruptModelError(f"model {name!r}: {directory} is not a directory")
    missing = [f for f in ("model.bin", "config.json") if not (directory / f).is_file()]
    if missing:
        fix = ("convert it again with `kreyol models convert`" if name == str(directory)
               else f"run `kreyol models pull {name} --force` or convert it again")
        raise CorruptModelError(
            f"model {name!r} at {directory} is incomplete (missing {', '.join(missing)}): {fix}"
        )
    tokenizer_files = ("tokenizer_config.json", "tokenizer.json", "source.spm",
                       "sentencepiece.bpe.model", "vocab.json")
    if not any((directory / f).is_file() for f in tokenizer_files):
        raise CorruptModelError(
            f"model {name!r} at {directory} has no tokenizer files: pull or convert it again"
        )
    return read_manifest(directory)


def _detect_family(directory: Path) -> str:
    try:
        config = json.loads((directory / "tokenizer_config.json").read_text("utf-8"))
    except (OSError, ValueError):
        config = {}
    family = _TOKENIZER_FAMILY.get(str(config.get("tokenizer_class", "")))
    if family:
        return family
    # Converted by ct2-transformers-converter --copy_files: the tokenizer files tell.
    if (directory / "source.spm").is_file():
        return "marian"
    if (directory / "sentencepiece.bpe.model").is_file() and (directory / "vocab.json").is_file():
        return "m2m100"
    if (directory / "tokenizer.json").is_file():
        return "nllb"
    raise CorruptModelError(
        f"cannot tell the model family of {directory} (no kreyol-manifest.json and no "
        f"known tokenizer_config.json): convert it with `kreyol models convert`"
    )


def _voice_from_path(path: Path) -> ResolvedModel:
    if path.is_dir():
        onnx = sorted(path.glob("*.onnx"))
        if len(onnx) != 1:
            raise CorruptModelError(
                f"voice directory {path} must hold exactly one .onnx file (found {len(onnx)})"
            )
        path = onnx[0]
    if not path.exists():
        raise UnknownModelError(f"voice file {str(path)!r} does not exist")
    config = path.with_name(path.name + ".json")
    if not config.is_file():
        raise CorruptModelError(
            f"voice {path.name}: its config {config.name} is missing; put the voice's "
            f".onnx.json next to the .onnx file"
        )
    try:
        data = json.loads(config.read_text("utf-8"))
        sample_rate = int(data["audio"]["sample_rate"])
        _ = data["phoneme_id_map"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorruptModelError(
            f"voice config {config} is not a Piper voice config ({type(exc).__name__}: {exc})"
        ) from None
    language = (data.get("language") or {}).get("code") or (data.get("espeak") or {}).get("voice", "")
    spec = ModelSpec(
        name=path.name.removesuffix(".onnx"), kind="voice", family="piper", path=str(path),
        voice_language=str(language), quality=str((data.get("audio") or {}).get("quality", "")),
        sample_rate=sample_rate, languages=("ht", str(language).split("_")[0].split("-")[0]),
    )
    stat = path.stat()
    return ResolvedModel(spec, path, f"local-{stat.st_size}-{int(stat.st_mtime)}")
