"""A timed voice-over: each cue spoken from its start time, on one track.

Each cue's words are synthesized (in parallel, through the cache), trimmed
of the voice's leading and trailing silence, and mixed into the track at
the cue's start sample, so speech begins on the cue's start time to the
sample. Speech longer than its cue is synthesized again faster (Piper's
length scale, which keeps the pitch) up to ``max_speedup``; what still does
not fit runs on into the gap after the cue and is reported. The track lasts
until the last cue ends, so it lines up with the video in any editor.

The track is written as it is built: everything before the current cue's
start is final, so memory holds only the audio that cues still overlap.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kreyol_cli.cache import Cache
from kreyol_cli.errors import UsageError
from kreyol_cli.executor import Executor
from kreyol_cli.subtitles.cues import Cue
from kreyol_cli.subtitles.markup import take_apart
from kreyol_cli.synthesize import AudioPart, VoiceService, synthesize_chunk

#: Default cap on how much shorter speech may be made to fit its cue (speech
#: 1.3 times faster, as a listener hears it). See the README.
MAX_SPEEDUP = 1.3
#: Samples quieter than this (of 32767, about -50 dBFS) before the first
#: and after the last word are the voice's padding, not speech.
_QUIET = 100
#: The fastest Piper speed setting tried when fitting speech.
_MAX_PIPER_SPEED = 2.5
_PAD_SECONDS = 0.002


@dataclass(frozen=True)
class SpokenCue:
    """How one cue was voiced.

    Attributes:
        cue: The cue.
        seconds: Length of its speech as placed.
        speedup: How much faster its speech was made to fit (1.0: not at all):
            natural length over placed length.
        overrun: Seconds its speech runs past the cue's end (0: it fits).
        overlaps: Name of a later cue its speech runs into, if any.
    """

    cue: Cue
    seconds: float
    speedup: float = 1.0
    overrun: float = 0.0
    overlaps: str | None = None


@dataclass
class Voiceover:
    """What ``render_voiceover`` did.

    Attributes:
        spoken: One entry per cue that had words to say, in time order.
        seconds: Length of the track written.
        substitutions: Phonemes the voice lacks and what replaced them.
    """

    spoken: list[SpokenCue]
    seconds: float
    substitutions: dict[str, str]

    @property
    def sped_up(self) -> list[SpokenCue]:
        return [s for s in self.spoken if s.speedup > 1.0 and not s.overrun]

    @property
    def overruns(self) -> list[SpokenCue]:
        return [s for s in self.spoken if s.overrun > 0]


def speech_texts(cues: list[Cue], fmt: str = "srt") -> list[str]:
    """What is said for each cue: its words without markup, speaker labels,
    sound descriptions ("[door slams]") or song lyrics."""
    return [take_apart(cue.text, fmt).speech for cue in cues]


def render_voiceover(cues: list[Cue], service: VoiceService, cache: Cache, executor: Executor,
                     write: Callable[[bytes], None], *, fmt: str = "srt",
                     max_speedup: float = MAX_SPEEDUP,
                     on_part: Callable[[AudioPart], None] | None = None,
                     on_cue: Callable[[], None] | None = None) -> Voiceover:
    """Synthesize the cues and write the timed track as 16-bit PCM through ``write``.

    Args:
        cues: The cues (any order; overlapping cues are mixed).
        service: The voice and its options (``speed`` is the base rate).
        cache: Audio cache.
        executor: Runs the synthesis of the cues in parallel.
        write: Receives the track's PCM, in order.
        fmt: The cues' format (markup differs).
        max_speedup: Fastest speed-up used to fit a cue (1.0: never).
        on_part: Called with each synthesized part (cache statistics).
        on_cue: Called when a cue is placed on the track (progress).

    Raises:
        UsageError: ``max_speedup`` outside 1 to 2.
    """
    if not 1.0 <= max_speedup <= 2.0:
        raise UsageError(f"--max-speedup {max_speedup}: use a value from 1.0 (never speed up) "
                         f"to 2.0")
    rate = service.sample_rate
    ordered = sorted(cues, key=lambda c: c.start)
    texts = speech_texts(ordered, fmt)
    todo = [(cue, text) for cue, text in zip(ordered, texts, strict=True) if text]
    parts = executor.map(_task(service, cache), [text for _, text in todo])
    track = _Track(write)
    spoken: list[SpokenCue] = []
    substitutions: dict[str, str] = {}
    for n, ((cue, text), part) in enumerate(zip(todo, parts, strict=True)):
        if on_part is not None:
            on_part(part)
        substitutions.update(part.substitutions)
        audio = _trim(part, rate)
        slot = _sample(cue.end, rate) - _sample(cue.start, rate)
        audio, speedup = _fit(audio, slot, text, service, cache, max_speedup, on_part)
        start = _sample(cue.start, rate)
        track.add(start, audio)
        overrun = max(0, len(audio) - slot) / rate
        later = todo[n + 1][0] if n + 1 < len(todo) else None  # sorted by start
        overlaps = (later.name if later is not None and overrun
                    and _sample(later.start, rate) < start + len(audio) else None)
        spoken.append(SpokenCue(cue, len(audio) / rate, speedup, overrun, overlaps))
        if on_cue is not None:
            on_cue()
    end = max([_sample(c.end, rate) for c in cues], default=0)
    total = track.finish(end)
    return Voiceover(spoken, total / rate, substitutions)


def _task(service: VoiceService, cache: Cache):
    """The picklable per-cue task (workers get a partial, not a closure)."""
    import functools

    return functools.partial(synthesize_chunk, service, cache=cache)


def _fit(audio: np.ndarray, slot: int, text: str, service: VoiceService, cache: Cache,
         max_speedup: float, on_part) -> tuple[np.ndarray, float]:
    """Speech re-synthesized faster until it fits ``slot`` samples or is
    ``max_speedup`` times shorter. Returns the audio and the speed-up heard.

    Piper's speed does not shorten speech in proportion (each phoneme lasts
    at least a frame): 1.3 gives about 1.16x shorter speech. So the speed is
    searched, at most four more syntheses, in steps of 0.05 (cacheable).
    """
    natural = len(audio)
    speed, too_fast = 1.0, _MAX_PIPER_SPEED + 1
    for _ in range(4):
        achieved = natural / max(len(audio), 1)
        if len(audio) <= slot or achieved >= max_speedup - 0.005:
            break
        wanted = min(max_speedup, natural / max(slot, 1))
        faster = min(_MAX_PIPER_SPEED, math.ceil(speed * wanted / achieved * 20 - 1e-6) / 20,
                     round(too_fast - 0.05, 2))
        if faster <= speed:
            break
        part = synthesize_chunk(_faster(service, faster), text, cache)
        if on_part is not None:
            on_part(part)
        candidate = _trim(part, service.sample_rate)
        if natural / max(len(candidate), 1) > max_speedup + 0.01:
            too_fast = faster  # overshot the cap: try between
            continue
        speed, audio = faster, candidate
    return audio, round(natural / max(len(audio), 1), 2)


def _faster(service: VoiceService, speedup: float) -> VoiceService:
    options = dataclasses.replace(service.options,
                                  speed=round(service.options.speed * speedup, 4))
    return dataclasses.replace(service, options=options)


def _sample(ms: int, rate: int) -> int:
    return (ms * rate + 500) // 1000


def _trim(part: AudioPart, rate: int) -> np.ndarray:
    """The part's speech without the silence the voice puts around it."""
    pcm = np.frombuffer(part.pcm, dtype="<i2")
    if part.silence:
        pcm = pcm[: len(pcm) - part.silence]
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > _QUIET)
    if not loud.size:
        return pcm[:0]
    pad = int(_PAD_SECONDS * rate)
    return pcm[max(0, loud[0] - pad): loud[-1] + 1 + pad]


class _Track:
    """A mono track written front to back while later cues may still mix in."""

    def __init__(self, write: Callable[[bytes], None]) -> None:
        self.write = write
        self.pending = np.zeros(0, dtype=np.int32)
        self.base = 0  # track sample of pending[0]

    def add(self, start: int, audio: np.ndarray) -> None:
        self._emit(start)
        offset = start - self.base
        need = offset + len(audio)
        if need > len(self.pending):
            self.pending = np.concatenate([self.pending,
                                           np.zeros(need - len(self.pending), np.int32)])
        self.pending[offset:need] += audio

    def finish(self, end: int) -> int:
        end = max(end, self.base + len(self.pending))
        self._emit(end)
        return end

    def _emit(self, until: int) -> None:
        """Write the track up to sample ``until`` (no later cue starts before it)."""
        count = until - self.base
        if count <= 0:
            return
        block = 1 << 20
        ready = min(count, len(self.pending))
        for at in range(0, ready, block):
            chunk = self.pending[at:min(ready, at + block)]
            self.write(np.clip(chunk, -32768, 32767).astype("<i2").tobytes())
        # A long gap (a cue an hour in) is silence written a block at a time,
        # never an hour of samples held at once.
        silence = np.zeros(min(block, count - ready), "<i2").tobytes()
        for at in range(ready, count, block):
            self.write(silence[:2 * min(block, count - at)])
        self.pending = self.pending[count:]
        self.base = until
