"""Convert a Hugging Face checkpoint to CTranslate2 without PyTorch.

ctranslate2's ``TransformersConverter`` loads the model with
``transformers.*.from_pretrained``, which needs torch (gigabytes). Its loaders,
though, only read attributes (``model.model.encoder.layers[0].fc1.weight``,
``model.config``) and its specs accept numpy arrays. So we read the weights
as numpy (``model.safetensors``, or ``pytorch_model.bin`` through a restricted
unpickler), hang them on a light tree shaped like the HF modules, and hand
that to the very loader the official converter uses. ``build_fixtures.py``
checks that both write the same ``model.bin``, and that both translate the
real repository layouts of ``tests/fixtures/layouts`` as transformers does.

Memory: weights are memory-mapped and tied tensors are one array (see
``checkpoint``); peak RSS is below the official converter's
(docs/BENCHMARKS.md).

transformers' config and tokenizer classes are not used either: in
transformers 5 importing them imports torch whenever it is installed.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from kreyol_cli import checkpoint
from kreyol_cli.checkpoint import load_torch_checkpoint, read_safetensors
from kreyol_cli.errors import CorruptModelError, OutputError, one_line
from kreyol_cli.tokenizers import Vocabulary, read_json, tokenizer_files

FAMILIES = ("marian", "nllb", "m2m100")

# Defaults of transformers' MarianConfig / M2M100Config for the fields the
# loaders read; checkpoints normally spell them all out.
_CONFIG_DEFAULTS: dict[str, dict[str, Any]] = {
    "marian": {
        "vocab_size": 58101, "max_position_embeddings": 1024, "d_model": 1024,
        "encoder_layers": 12, "decoder_layers": 12, "encoder_attention_heads": 16,
        "decoder_attention_heads": 16, "activation_function": "gelu", "scale_embedding": False,
        "pad_token_id": 58100, "eos_token_id": 0, "decoder_start_token_id": 58100,
        "share_encoder_decoder_embeddings": True, "tie_word_embeddings": True,
    },
    "m2m_100": {
        "vocab_size": 128112, "max_position_embeddings": 1024, "d_model": 1024,
        "encoder_layers": 12, "decoder_layers": 12, "encoder_attention_heads": 16,
        "decoder_attention_heads": 16, "activation_function": "relu", "scale_embedding": True,
        "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2, "decoder_start_token_id": 2,
        "tie_word_embeddings": True,
    },
}  # fmt: skip

def convert_checkpoint(
    src: Path,
    dst: Path,
    *,
    quantization: str = "int8",
    family: str | None = None,
    copy_files: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Convert the HF checkpoint in ``src`` to a CTranslate2 model in ``dst``.

    Args:
        src: Directory with ``config.json``, the weights (``model.safetensors``
            or ``pytorch_model.bin``, possibly sharded) and the tokenizer files.
        dst: Output directory; must not exist. It appears only once complete.
        quantization: CTranslate2 weight type (``int8``, ``float16``, ...).
        family: ``marian``, ``nllb`` or ``m2m100``; guessed from the files if None.
        copy_files: Files of ``src`` to copy next to ``model.bin`` (tokenizer).
        progress: Called as ``progress(done, total)`` while tensors are converted.

    Returns:
        Manifest-ready facts: family, quantization, converter, source_format,
        vocabulary_size.

    Raises:
        CorruptModelError: Missing or unreadable config/weights/tokenizer files,
            or an architecture that is not one of ``FAMILIES``.
        OutputError: ``dst`` exists already.
    """
    src, dst = Path(src), Path(dst)
    if dst.exists():
        raise OutputError(f"{dst} already exists; remove it or choose another directory")
    config = _read_config(src)
    family = family or _guess_family(src, config)
    if family not in FAMILIES or config.model_type != _MODEL_TYPES[family]:
        raise CorruptModelError(
            f"{src}: cannot convert a {config.model_type!r} model as {family!r}; "
            f"supported families: {', '.join(FAMILIES)}"
        )
    try:
        spec, source_format = _convert(src, config, family, quantization, copy_files, progress)
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", dir=dst.parent))
        try:
            spec.save(str(tmp))
            tmp.chmod(0o777 & ~_umask())
            tmp.rename(dst)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        checkpoint.forget_maps()
    import ctranslate2

    return {
        "family": family,
        "quantization": quantization,
        "converter": f"ctranslate2 {ctranslate2.__version__}",
        "source_format": source_format,
        "vocabulary_size": len(spec._vocabularies["source"][0]),
    }


_MODEL_TYPES = {"marian": "marian", "nllb": "m2m_100", "m2m100": "m2m_100"}


def _convert(src: Path, config: SimpleNamespace, family: str, quantization: str,
             copy_files: Sequence[str], progress: Callable[[int, int], None] | None) -> tuple[Any, str]:
    """The optimized ctranslate2 spec of ``src``, not saved yet, and its weights' format.

    Whatever the files hold, a checkpoint that does not fit together is a
    CorruptModelError, never an unexpected error.
    """
    try:
        target_tokens = _target_vocabulary(src, config) if family == "marian" else None
        weights, source_format = _read_weights(src)
        model = _build_model(config, weights)
        del weights
        vocab = Vocabulary.read(src, family)

        with _torch_blocked():
            from ctranslate2.converters import transformers as ct2_transformers

        loader = _loader(ct2_transformers, family, target_tokens)()
        spec = loader(model, vocab)
        del model
        for name in dict.fromkeys([*copy_files, *tokenizer_files(src, family)]):
            spec.register_file(str(src / name))
        spec.validate()
        # Nothing was written to the mapped weights yet: what the loader read
        # (fused attention weights are copies) can leave memory now.
        checkpoint.release_all()
        _count_tensors(spec, progress)
        spec.optimize(quantization=quantization)
        return spec, source_format
    except (ValueError, KeyError, AttributeError, IndexError, TypeError, OverflowError) as exc:
        raise CorruptModelError(f"{src}: cannot convert this checkpoint ({one_line(exc)})") from exc


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _target_vocabulary(src: Path, config: SimpleNamespace) -> list[str] | None:
    """The target tokens of a Marian model with separate vocabularies, else None.

    ``separate_vocabs`` models (some opus-mt-tc-*) have ``target_vocab.json``
    and decoder embeddings of their own. ctranslate2's converter registers the
    source vocabulary on both sides there (wrong output, no error); kreyol
    registers each side's own. Supported when both vocabularies have the same
    size and end with ``<pad>`` (the row ctranslate2 drops); refused otherwise.
    """
    tok_config = {}
    if (src / "tokenizer_config.json").exists():
        tok_config = read_json(src / "tokenizer_config.json")
    decoder_vocab = getattr(config, "decoder_vocab_size", None) or config.vocab_size
    separate = bool(tok_config.get("separate_vocabs")) or (src / "target_vocab.json").exists()
    if not separate:
        if decoder_vocab != config.vocab_size:
            raise CorruptModelError(
                f"{src}: decoder_vocab_size {decoder_vocab} differs from vocab_size "
                f"{config.vocab_size} but there is no target_vocab.json: an incomplete checkpoint")
        return None
    target = read_json(src / "target_vocab.json")
    source = read_json(src / "vocab.json")
    tokens = [t for t, _ in sorted(target.items(), key=lambda item: item[1])]
    pad = config.vocab_size - 1
    if (len(target) != len(source) or decoder_vocab != config.vocab_size or tokens[-1:] != ["<pad>"]
            or target.get("<pad>") != pad or source.get("<pad>") != pad):
        raise CorruptModelError(
            f"{src}: separate source and target vocabularies of different sizes (or without "
            f"<pad> last) are not supported; pick a model with one shared vocabulary.json")
    return tokens[:-1]  # <pad> goes, as on the source side


def _count_tensors(spec: Any, progress: Callable[[int, int], None] | None) -> None:
    """Report each tensor as ctranslate2 converts it, and drop its mapped pages.

    ``optimize`` (aliasing, then quantization) visits every variable through
    ``spec._visit``; wrapping that one method is the only hook it offers.
    """
    from ctranslate2.specs.model_spec import visit_spec

    total = len(spec.variables())
    done = 0
    if progress is not None:
        progress(0, total)

    def visit(fn):
        if getattr(fn, "__name__", "") != "_quantize":
            return visit_spec(spec, fn)

        def counted(layer, name, value):
            nonlocal done
            fn(layer, name, value)
            array = getattr(value, "array", None)
            if isinstance(array, np.ndarray):
                checkpoint.release(array)  # quantized: the mapped copy is not needed
            done += 1
            if progress is not None:
                progress(done, total)

        return visit_spec(spec, counted)

    spec._visit = visit


@contextlib.contextmanager
def _torch_blocked() -> Iterator[None]:
    """Make ``import torch`` fail while ctranslate2's converter modules load.

    They try it (``try: import torch``) and fall back to numpy; letting it
    succeed would cost seconds and hundreds of MB for nothing. Only when torch
    is not imported already: then the process has paid that price anyway.
    """
    if "torch" in sys.modules:
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes import raise
    try:
        yield
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


def _loader(ct2_transformers: Any, family: str, target_tokens: list[str] | None = None) -> type:
    """The official loader class, minus its one torch-only line.

    ``target_tokens``: a Marian target vocabulary of its own, registered
    instead of the source one on the target side.
    """
    base = ct2_transformers.MarianMTLoader if family == "marian" else ct2_transformers.M2M100Loader

    class NumpyLoader(base):
        def set_linear(self, spec, module, quant_type=None):
            # The base checks isinstance(module, transformers.Conv1D); these
            # architectures have none, and that name needs torch.
            spec.weight = module.weight
            if getattr(module, "bias", None) is not None:
                spec.bias = module.bias

        def set_vocabulary(self, spec, tokens):
            if target_tokens is None:
                return super().set_vocabulary(spec, tokens)
            spec.register_source_vocabulary(tokens)
            spec.register_target_vocabulary(target_tokens)

    return NumpyLoader


# --------------------------------------------------------------------- reading


# Ranges of the config fields conversion computes with: far above any published
# model (NLLB-3.3B: d_model 2048, 24 layers, 256k vocabulary), low enough that
# no config can make kreyol allocate gigabytes for tables it makes itself.
_CONFIG_RANGES = {
    "vocab_size": (1, 1_000_000), "max_position_embeddings": (1, 32_768), "d_model": (1, 16_384),
    "encoder_layers": (1, 128), "decoder_layers": (1, 128), "encoder_attention_heads": (1, 256),
    "decoder_attention_heads": (1, 256), "encoder_ffn_dim": (1, 131_072),
    "decoder_ffn_dim": (1, 131_072),
}  # fmt: skip
_TOKEN_IDS = ("pad_token_id", "eos_token_id", "bos_token_id", "decoder_start_token_id")


def _read_config(src: Path) -> SimpleNamespace:
    raw = read_json(src / "config.json")
    model_type = raw.get("model_type")
    if not isinstance(model_type, str) or model_type not in _CONFIG_DEFAULTS:
        raise CorruptModelError(
            f"{src}: unsupported architecture {str(model_type)[:40]!r}; "
            f"supported families: {', '.join(FAMILIES)}"
        )
    config = {**_CONFIG_DEFAULTS[model_type], **raw}
    for name, value in config.items():
        _check_field(src, name, value, config)
    return SimpleNamespace(**config)


def _check_field(src: Path, name: str, value: Any, config: dict[str, Any]) -> None:
    """Refuse a config field of the wrong type or out of range (a CorruptModelError)."""
    default = _CONFIG_DEFAULTS[config["model_type"]].get(name)
    whole = isinstance(value, int) and not isinstance(value, bool)
    if name in _CONFIG_RANGES:
        low, high = _CONFIG_RANGES[name]
        ok = whole and low <= value <= high
    elif name in _TOKEN_IDS:
        ok = value is None or (whole and 0 <= value < config["vocab_size"])
    elif isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, str):
        ok = isinstance(value, str)
    else:
        return
    if not ok:
        raise CorruptModelError(f"{src}: config.json has an invalid {name} ({str(value)[:40]})")


def _guess_family(src: Path, config: SimpleNamespace) -> str:
    if config.model_type == "marian":
        return "marian"
    tokenizer_class = ""
    if (src / "tokenizer_config.json").exists():
        tokenizer_class = str(read_json(src / "tokenizer_config.json").get("tokenizer_class") or "")
    if tokenizer_class.startswith("Nllb"):
        return "nllb"
    if tokenizer_class.startswith("M2M100") or (src / "vocab.json").exists():
        return "m2m100"
    return "nllb" if (src / "tokenizer.json").exists() else "m2m100"


def _read_weights(src: Path) -> tuple[dict[str, np.ndarray], str]:
    """All tensors of the checkpoint as numpy arrays, and which format held them.

    safetensors wins when a repo has both (it cannot run code and loads faster).
    """
    for fmt, single in (("safetensors", "model.safetensors"), ("pytorch_model.bin", "pytorch_model.bin")):
        index = src / f"{single}.index.json"
        if index.exists():
            shards = _shard_names(src, index)
        elif (src / single).exists():
            shards = [single]
        else:
            continue
        weights: dict[str, np.ndarray] = {}
        for shard in shards:
            path = src / shard
            if not path.is_file():
                raise CorruptModelError(f"{src}: the weight shard {shard} is missing")
            try:
                if fmt == "safetensors":
                    weights.update(read_safetensors(path))
                else:
                    weights.update(load_torch_checkpoint(path))
            except CorruptModelError:
                raise
            except Exception as exc:  # any parse error means the same to the user
                raise CorruptModelError(f"{path}: unreadable weights ({exc})") from exc
        return weights, fmt
    raise CorruptModelError(f"{src}: no weights (model.safetensors or pytorch_model.bin) found")


def _shard_names(src: Path, index: Path) -> list[str]:
    """The shard files an index names, each a plain file name inside ``src``.

    A name with a folder, ``..`` or an absolute path is refused: a repository
    must not make kreyol read files from outside its own folder.
    """
    weight_map = read_json(index).get("weight_map", {})
    if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
        raise CorruptModelError(f"{index}: weight_map must map tensor names to shard files")
    shards = sorted(set(weight_map.values()))
    for shard in shards:
        if Path(shard).name != shard or shard in ("", ".", "..") or "\\" in shard:
            raise CorruptModelError(f"{index}: shard {shard[:60]!r} is not a file of the checkpoint")
    return shards


# ------------------------------------------------------------ the module tree


def _build_model(config: SimpleNamespace, weights: dict[str, np.ndarray]) -> SimpleNamespace:
    """An object tree with the attribute paths the ct2 loaders read from HF models.

    Tensors missing from the checkpoint are filled the way transformers ties
    them on load: encoder and decoder embeddings share ``model.shared`` when
    ``share_encoder_decoder_embeddings`` (always for M2M-100/NLLB), and
    ``lm_head`` is the decoder's embeddings when ``tie_word_embeddings``.
    """
    dtype = _target_dtype(config)
    casts: dict[int, np.ndarray] = {}

    def cast(array: np.ndarray) -> np.ndarray:
        # One cast per array: tensors that share memory keep sharing it.
        if id(array) not in casts:
            casts[id(array)] = _cast(array, dtype)
        return casts[id(array)]

    w = {_strip_prefix(k): cast(v) for k, v in weights.items()}
    shared_embeddings = config.model_type != "marian" or config.share_encoder_decoder_embeddings
    embed = {side: w.get(f"model.{side}.embed_tokens.weight") for side in ("encoder", "decoder")}
    shared = w.get("model.shared.weight")
    if shared_embeddings:
        shared = next((e for e in (shared, embed["encoder"], embed["decoder"]) if e is not None),
                      None)
        embed = {side: shared if e is None else e for side, e in embed.items()}
    lm_head = w.get("lm_head.weight")
    if config.tie_word_embeddings:
        if embed["decoder"] is None:
            embed["decoder"] = lm_head
        if lm_head is None:
            lm_head = embed["decoder"]
    elif lm_head is None:
        raise CorruptModelError(
            "the checkpoint has no lm_head.weight and tie_word_embeddings is false: "
            "transformers would use random output weights; this checkpoint cannot be used"
        )
    for side, value in embed.items():
        if value is None:
            raise CorruptModelError(
                f"the checkpoint has no {side} token embeddings (model.{side}.embed_tokens.weight)"
            )

    def linear(prefix: str) -> SimpleNamespace:
        return SimpleNamespace(weight=_need(w, prefix + ".weight"), bias=w.get(prefix + ".bias"))

    def layer_norm(prefix: str) -> SimpleNamespace:
        return SimpleNamespace(weight=_need(w, prefix + ".weight"), bias=_need(w, prefix + ".bias"))

    def attention(prefix: str) -> SimpleNamespace:
        return SimpleNamespace(
            **{p: linear(f"{prefix}.{p}") for p in ("q_proj", "k_proj", "v_proj", "out_proj")}
        )

    def stack(side: str) -> SimpleNamespace:
        prefix = f"model.{side}"
        layers = []
        for i in range(getattr(config, f"{side}_layers")):
            lp = f"{prefix}.layers.{i}"
            layer = SimpleNamespace(
                self_attn=attention(lp + ".self_attn"),
                self_attn_layer_norm=layer_norm(lp + ".self_attn_layer_norm"),
                fc1=linear(lp + ".fc1"),
                fc2=linear(lp + ".fc2"),
                final_layer_norm=layer_norm(lp + ".final_layer_norm"),
            )
            if side == "decoder":
                layer.encoder_attn = attention(lp + ".encoder_attn")
                layer.encoder_attn_layer_norm = layer_norm(lp + ".encoder_attn_layer_norm")
            layers.append(layer)
        module = SimpleNamespace(
            config=config,
            layers=layers,
            embed_tokens=SimpleNamespace(weight=embed[side]),
            embed_scale=math.sqrt(config.d_model) if config.scale_embedding else 1.0,
            embed_positions=_positions(config, w.get(prefix + ".embed_positions.weight"), dtype),
        )
        if prefix + ".layer_norm.weight" in w:  # M2M-100 and NLLB (pre-norm)
            module.layer_norm = layer_norm(prefix + ".layer_norm")
        return module

    model = SimpleNamespace(
        config=config,
        model=SimpleNamespace(encoder=stack("encoder"), decoder=stack("decoder")),
        lm_head=SimpleNamespace(weight=lm_head, bias=None),
    )
    bias = w.get("final_logits_bias")
    if bias is not None and np.any(bias):
        model.final_logits_bias = _TorchLikeBias(bias)
    return model


def _strip_prefix(name: str) -> str:
    # Some exports drop the "model." of the base model or nest it differently.
    if name.startswith(("encoder.", "decoder.", "shared.")):
        return "model." + name
    return name


def _need(weights: dict[str, np.ndarray], name: str) -> np.ndarray:
    try:
        return weights[name]
    except KeyError:
        raise CorruptModelError(f"the checkpoint lacks the tensor {name}") from None


def _target_dtype(config: SimpleNamespace) -> np.dtype:
    # from_pretrained(dtype=config.dtype) is what the official converter does;
    # bfloat16 has no numpy type, so it stays float32 here.
    name = getattr(config, "dtype", None) or getattr(config, "torch_dtype", None)
    return np.dtype(np.float16) if name == "float16" else np.dtype(np.float32)


def _cast(array: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if array.dtype.kind == "f" and array.dtype != dtype:
        return array.astype(dtype)
    return array


class _TorchLikeBias:
    """``final_logits_bias`` with the two torch methods BartLoader calls on it."""

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def nonzero(self) -> SimpleNamespace:
        count = int(np.count_nonzero(self._array))
        return SimpleNamespace(numel=lambda: count)

    def squeeze(self) -> np.ndarray:
        return self._array.squeeze()


def _positions(
    config: SimpleNamespace, stored: np.ndarray | None, dtype: np.dtype
) -> SimpleNamespace:
    """Sinusoidal position tables, computed as transformers does when not stored."""
    n, dim = config.max_position_embeddings, config.d_model
    if config.model_type == "marian":
        if stored is None:
            stored = _marian_sinusoids(n, dim).astype(dtype)
        return SimpleNamespace(weight=stored, offset=0)
    offset = 2  # M2M100SinusoidalPositionalEmbedding keeps two rows for padding
    table = _m2m_sinusoids(n + offset, dim, config.pad_token_id).astype(dtype)
    return SimpleNamespace(weights=table, offset=offset)


def _marian_sinusoids(n_pos: int, dim: int) -> np.ndarray:
    """MarianSinusoidalPositionalEmbedding.create_weight: sin half, then cos half."""
    position_enc = np.array(
        [[pos / np.power(10000, 2 * (j // 2) / dim) for j in range(dim)] for pos in range(n_pos)]
    )
    out = np.empty((n_pos, dim), dtype=np.float32)
    sentinel = dim // 2 if dim % 2 == 0 else dim // 2 + 1
    out[:, :sentinel] = np.sin(position_enc[:, 0::2])
    out[:, sentinel:] = np.cos(position_enc[:, 1::2])
    return out


def _m2m_sinusoids(n_pos: int, dim: int, padding_idx: int | None) -> np.ndarray:
    """M2M100SinusoidalPositionalEmbedding.get_embedding.

    torch rounds its float32 exp/sin/cos its own way; computing them in float64
    and rounding once lands within one float32 ulp of it (bit-exact is not
    possible without torch), far below what int8 decoding can notice.
    """
    half = dim // 2
    steps = np.arange(half, dtype=np.float32) * np.float32(-math.log(10000) / (half - 1))
    freqs = np.exp(steps.astype(np.float64)).astype(np.float32)
    angles = (np.arange(n_pos, dtype=np.float32)[:, None] * freqs[None, :]).astype(np.float64)
    table = np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(np.float32)
    if dim % 2 == 1:
        table = np.concatenate([table, np.zeros((n_pos, 1), dtype=np.float32)], axis=1)
    if padding_idx is not None:
        table[padding_idx] = 0
    return table
