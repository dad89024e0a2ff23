"""Piper synthesis: Creole through kreyol's own front end, other languages
through espeak-ng, both ending as phoneme ids for a Piper voice.

The unit of work is a chunk of one or more sentences. ``synthesize_chunk``
is a plain module-level function of picklable arguments, so it runs the
same in-process, in a joblib worker or on a dask worker; each process loads
a voice once and keeps it.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kreyol_cli.cache import Cache, make_key
from kreyol_cli.creole.lexicon import Lexicon
from kreyol_cli.errors import CorruptModelError, UsageError
from kreyol_cli.registry import ResolvedModel
from kreyol_cli.segment import split_sentences

NAMESPACE = "audio"
#: Bump when the layout of a cached audio entry changes. Front-end changes
#: need no bump: audio is keyed by the phonemes sent to the voice, so a rules
#: or lexicon change re-renders exactly the sentences whose phonemes changed.
ENTRY_VERSION = "2"
#: Longest phoneme sequence sent to the voice in one call; longer ones (a
#: 5,000-letter "word") are split so memory and latency stay bounded.
MAX_PHONEMES = 400
ESPEAK_VOICES = {"en": "en-us", "fr": "fr", "ht": "ht"}


@dataclass(frozen=True)
class SynthesisOptions:
    """Options that change the audio; recorded in cache keys and reports.

    Attributes:
        lang: Language of the text: ``ht`` uses kreyol's Creole front end,
            ``en``/``fr`` use espeak-ng through Piper.
        speed: Speaking rate; 1.2 is 20% faster (Piper ``length_scale = 1/speed``).
        sentence_silence: Seconds of silence after each sentence.
        noise_scale: Piper's generator noise. 0 (the default) makes the audio
            a pure function of the text: reruns, resumed runs and parallel
            runs give identical files. Piper's own default is 0.667.
        noise_w: Piper's phoneme-duration noise (Piper's default 0.8).
        speaker: Speaker id for multi-speaker voices.
    """

    lang: str = "ht"
    speed: float = 1.0
    sentence_silence: float = 0.35
    noise_scale: float = 0.0
    noise_w: float = 0.0
    speaker: int | None = None

    def __post_init__(self) -> None:
        if self.lang not in ESPEAK_VOICES:
            from kreyol_cli.errors import LanguageError

            raise LanguageError(f"--lang {self.lang!r}: use one of {', '.join(ESPEAK_VOICES)}")
        if not 0.25 <= self.speed <= 4:
            raise UsageError(f"--speed {self.speed}: use a value between 0.25 and 4")
        if not 0 <= self.sentence_silence <= 10:
            raise UsageError(f"--sentence-silence {self.sentence_silence}: use 0 to 10 seconds")
        for name, value in (("--noise-scale", self.noise_scale), ("--noise-w", self.noise_w)):
            if not 0 <= value <= 2:
                raise UsageError(f"{name} {value}: use a value between 0 and 2")


@dataclass(frozen=True)
class AudioPart:
    """Synthesized audio of one chunk: 16-bit mono PCM plus sentence timing.

    Attributes:
        pcm: Little-endian int16 samples.
        sample_rate: Samples per second.
        sentences: ``(text, samples)`` per sentence, silence after it included.
        cached: Whether it came from the cache.
        substitutions: Phonemes the voice lacks and what replaced them.
        seconds: Time spent synthesizing it (0 when cached).
        silence: Samples of silence at its end.
    """

    pcm: bytes
    sample_rate: int
    sentences: tuple[tuple[str, int], ...] = ()
    cached: bool = False
    substitutions: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0
    silence: int = 0

    @property
    def samples(self) -> int:
        return len(self.pcm) // 2

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0

    @property
    def characters(self) -> int:
        return sum(len(text) for text, _ in self.sentences)


@dataclass(frozen=True)
class VoiceService:
    """What to synthesize with. Picklable: workers get this, not a session.

    Attributes:
        voice: The resolved voice (``.onnx`` path and identity).
        options: Synthesis options.
        threads: ONNX Runtime intra-op threads per task. ``executor.plan_for``
            always plans 1 (parallelism comes from tasks side by side), which
            also keeps the audio independent of the plan: the thread count
            changes the last bits of some samples.
    """

    voice: ResolvedModel
    options: SynthesisOptions
    threads: int = 1
    #: The user's pronunciation lexicon (Creole only).
    lexicon: Lexicon | None = None

    @property
    def sample_rate(self) -> int:
        return self.voice.spec.sample_rate or _read_config(self.voice)["audio"]["sample_rate"]

    def key(self, text: str) -> str:
        """The audio cache key of a chunk of text (see :meth:`plan_key`)."""
        return self.plan_key(plan_chunk(self, text)[0])

    def plan_key(self, plan: list[tuple[str, list[list[str]]]]) -> str:
        """The cache key of planned phonemes: the voice, the options that change
        the sound, and the phonemes sent to the voice, nothing else (not the
        text, nor a version of the rules or lexicon)."""
        phonemes = json.dumps([pieces for _, pieces in plan], ensure_ascii=False)
        options = asdict(self.options)
        options.pop("lang")  # it changes the audio only through the phonemes
        # The ONNX thread count can change the last bits of the audio (measured).
        return make_key("tts", phonemes, **self.voice.cache_id, entry=ENTRY_VERSION,
                        onnx_threads=self.threads, **options)


@dataclass
class LoadedVoice:
    """A Piper voice with its ONNX session; one per process."""

    piper: Any
    id_map: dict[str, list[int]]
    sample_rate: int
    espeak: Any = None
    #: The latest sentences synthesized (tests assert on what the pipeline asked
    #: for); bounded, since a worker lives for a whole book.
    history: deque[str] = field(default_factory=lambda: deque(maxlen=1000))


_VOICES: dict[tuple, LoadedVoice] = {}
_LOCK = threading.Lock()
#: Bump to drop every cached optimized voice graph.
OPTIMIZED_VERSION = "1"


def _read_config(voice: ResolvedModel) -> dict[str, Any]:
    try:
        return json.loads(voice.config_path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise CorruptModelError(f"voice config {voice.config_path} is unreadable ({exc})") from None


def voice_inventory(voice: ResolvedModel) -> set[str]:
    """The phonemes a voice knows (its ``phoneme_id_map`` keys)."""
    return set(_read_config(voice)["phoneme_id_map"])


def user_lexicon(home, files, voice: ResolvedModel) -> Lexicon | None:
    """``$KREYOL_HOME/lexicon.tsv`` plus ``--lexicon`` files, checked against
    the voice's phonemes; ``None`` when there is none.

    Raises:
        LexiconError: A malformed line, or an IPA symbol the voice cannot say.
    """
    from kreyol_cli.creole import lexicon as lexicons

    lexicon = lexicons.load(home, files or ())
    if not lexicon:
        return None
    lexicons.check_for_voice(lexicon, voice_inventory(voice), voice.spec.name)
    return lexicon


def load_voice(voice: ResolvedModel, threads: int = 1, *, optimized: bool = True) -> LoadedVoice:
    """Load (once per process) a Piper voice with ``threads`` ONNX threads.

    Thread-safe: threads of one process share the voice (ONNX Runtime
    sessions may run concurrently). With ``optimized`` the session is built
    from a cached copy of the graph that ONNX Runtime already optimized (see
    ``optimized_model``), which loads faster and gives the same audio.

    Raises:
        CorruptModelError: The ``.onnx`` file cannot be loaded.
    """
    key = (str(voice.path), voice.revision, threads, optimized)
    with _LOCK:
        loaded = _VOICES.get(key)
        if loaded is not None:
            return loaded
        from piper import PiperVoice
        from piper.config import PiperConfig

        config = _read_config(voice)
        try:
            session = _session(voice, threads, optimized)
            piper = PiperVoice(session=session, config=PiperConfig.from_dict(config))
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own exception types
            raise CorruptModelError(
                f"voice {voice.path.name} cannot be loaded ({str(exc).splitlines()[0][:120]}): "
                f"download it again (`kreyol models pull NAME --force`)"
            ) from None
        loaded = LoadedVoice(piper, dict(config["phoneme_id_map"]),
                             int(config["audio"]["sample_rate"]))
        if len(_VOICES) >= 2:
            _VOICES.pop(next(iter(_VOICES)))
        _VOICES[key] = loaded
        return loaded


def _session(voice: ResolvedModel, threads: int, optimized: bool):
    import onnxruntime

    def options():
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = max(1, threads)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        return opts

    path = optimized_model(voice) if optimized else None
    if path is not None:
        try:
            return onnxruntime.InferenceSession(str(path), sess_options=options(),
                                                providers=["CPUExecutionProvider"])
        except Exception:  # noqa: BLE001 - a broken cached copy: drop it, use the original
            with contextlib.suppress(OSError):
                path.unlink()
    return onnxruntime.InferenceSession(str(voice.path), sess_options=options(),
                                        providers=["CPUExecutionProvider"])


def optimized_model(voice: ResolvedModel) -> Path | None:
    """The voice's graph as ONNX Runtime optimizes it, cached on disk.

    Loading the already optimized graph skips ONNX Runtime's portable
    optimization passes (``ORT_ENABLE_EXTENDED``: fusions, constant
    folding; the hardware-specific layout passes still run at load): 0.87
    instead of 1.00 s of CPU for the bundled voice, and the same audio. The copy is keyed by
    the voice file, the runtime's version and the CPU architecture, so an
    upgrade or another machine never reuses a stale graph. The first load of
    a voice pays one extra optimization pass to write it. ``None`` when the
    copy cannot be made (read-only cache, full disk): the original is used.
    """
    import hashlib
    import os
    import platform

    import onnxruntime

    try:
        from kreyol_cli.settings import Settings

        stat = voice.path.stat()
        ident = json.dumps([str(voice.path.resolve()), voice.revision, stat.st_size,
                            stat.st_mtime_ns, onnxruntime.__version__, platform.machine(),
                            OPTIMIZED_VERSION])
        digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:20]
        target = Settings.load().cache_dir / ".voices" / f"{voice.path.stem}-{digest}.onnx"
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.stem}-{os.getpid()}-{threading.get_ident()}.onnx")
        opts = onnxruntime.SessionOptions()
        opts.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        opts.optimized_model_filepath = str(tmp)
        opts.log_severity_level = 3
        try:
            onnxruntime.InferenceSession(str(voice.path), sess_options=opts,
                                         providers=["CPUExecutionProvider"])
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        return target
    except Exception:  # noqa: BLE001 - an accelerator only: any failure means "use the original"
        return None


def sentence_phonemes(sentence: str, lang: str, lexicon: Lexicon | None = None
                      ) -> list[list[str]]:
    """Phonemes of one sentence for the voice (may be several pieces if long)."""
    if lang == "ht":
        from kreyol_cli.creole import sentence_phonemes as creole_phonemes

        pieces = [creole_phonemes(sentence, lexicon)]
    else:
        from kreyol_cli import espeak

        pieces = espeak.phonemize(ESPEAK_VOICES[lang], sentence)
    out: list[list[str]] = []
    for phonemes in pieces:
        out.extend(_split_phonemes(phonemes))
    return [p for p in out if any(ch.strip(" ,.;:!?'\"-") for ch in p)]


_ID_MAPS: dict[tuple, dict[str, list[int]]] = {}


def _id_map(voice: ResolvedModel) -> dict[str, list[int]]:
    key = (str(voice.path), voice.revision)
    if key not in _ID_MAPS:
        _ID_MAPS[key] = dict(_read_config(voice)["phoneme_id_map"])
    return _ID_MAPS[key]


def plan_chunk(service: VoiceService, text: str
               ) -> tuple[list[tuple[str, list[list[str]]]], dict[str, str]]:
    """The phonemes a chunk sends to the voice: ``[(sentence, [piece, ...])]``
    (sentences with nothing to say left out), and the substitutions made to fit
    the voice. Cheap: no voice is loaded."""
    from kreyol_cli.creole import map_to_voice

    id_map = _id_map(service.voice)
    plan: list[tuple[str, list[list[str]]]] = []
    substitutions: dict[str, str] = {}
    lang = service.options.lang
    # With a lexicon, keys match the text as written (COVID-19): normalize later.
    speech = text if service.lexicon and lang == "ht" else _normalize_for_speech(text, lang)
    for sentence in split_sentences(speech):
        pieces = []
        for phonemes in sentence_phonemes(sentence, lang, service.lexicon):
            mapped, subs = map_to_voice(phonemes, id_map)
            substitutions.update(subs)
            pieces.append(mapped)
        if pieces:
            plan.append((sentence, pieces))
    return plan, substitutions


def _split_phonemes(phonemes: list[str]) -> list[list[str]]:
    if len(phonemes) <= MAX_PHONEMES:
        return [phonemes]
    pieces, start = [], 0
    while start < len(phonemes):
        end = min(start + MAX_PHONEMES, len(phonemes))
        if end < len(phonemes):
            # Cut at the last word break in the window, if there is one.
            space = max((i for i in range(start + MAX_PHONEMES // 2, end) if phonemes[i] == " "),
                        default=None)
            end = space + 1 if space is not None else end
        pieces.append(phonemes[start:end])
        start = end
    return pieces


def _normalize_for_speech(text: str, lang: str) -> str:
    if lang == "ht":
        from kreyol_cli.creole import normalize

        return normalize(text)
    return text


def synthesize_chunk(service: VoiceService, text: str, cache: Cache | None = None) -> AudioPart:
    """Synthesize one chunk (served from the cache when possible).

    This is the task workers run: module-level, picklable arguments. The
    cache is looked up by the phonemes the chunk produces, so text whose
    pronunciation did not change is served even if rules, lexicon or
    spelling around it did.
    """
    plan, substitutions = plan_chunk(service, text)
    subs = tuple(sorted(substitutions.items()))
    key = service.plan_key(plan)
    if cache is not None:
        hit = cache.get(NAMESPACE, key, count=False)  # the caller records the outcome
        if hit is not None and len(hit["samples"]) == len(plan):
            sentences = tuple((sentence, n) for (sentence, _), n in zip(plan, hit["samples"],
                                                                        strict=True))
            return AudioPart(hit["pcm"], hit["sample_rate"], sentences, True, subs,
                             silence=hit.get("silence", 0))
    part = _synthesize(service, plan, subs)
    if cache is not None:
        cache.set(NAMESPACE, key, {"pcm": part.pcm, "sample_rate": part.sample_rate,
                                   "samples": [n for _, n in part.sentences],
                                   "silence": part.silence})
    return part


def _synthesize(service: VoiceService, plan: list[tuple[str, list[list[str]]]],
                substitutions: tuple[tuple[str, str], ...]) -> AudioPart:
    from piper.config import SynthesisConfig
    from piper.phoneme_ids import phonemes_to_ids

    started = time.perf_counter()
    voice = load_voice(service.voice, service.threads)
    opts = service.options
    config = SynthesisConfig(
        speaker_id=opts.speaker, length_scale=1.0 / opts.speed, noise_scale=opts.noise_scale,
        noise_w_scale=opts.noise_w, normalize_audio=False,
    )
    silence = np.zeros(int(round(opts.sentence_silence * voice.sample_rate)), dtype=np.int16)
    blocks: list[np.ndarray] = []
    sentences: list[tuple[str, int]] = []
    for sentence, pieces in plan:
        samples = 0
        for mapped in pieces:
            voice.history.append(sentence)
            audio = voice.piper.phoneme_ids_to_audio(phonemes_to_ids(mapped, voice.id_map), config)
            if isinstance(audio, tuple):
                audio = audio[0]
            pcm = _to_int16(np.asarray(audio, dtype=np.float32).reshape(-1))
            blocks.append(pcm)
            samples += len(pcm)
        blocks.append(silence)
        sentences.append((sentence, samples + len(silence)))
    pcm = np.concatenate(blocks).tobytes() if blocks else b""
    return AudioPart(pcm, voice.sample_rate, tuple(sentences), False, substitutions,
                     time.perf_counter() - started, len(silence) if blocks else 0)


def _to_int16(audio: np.ndarray) -> np.ndarray:
    # Peak-normalize per sentence like Piper does, but never amplify near-silence
    # into noise: a floor keeps quiet sentences quiet.
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    scale = 1.0 / max(peak, 0.1)
    return (np.clip(audio * scale, -1.0, 1.0) * 32767).astype("<i2")
