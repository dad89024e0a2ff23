"""Synthesis with the bundled Piper voice (joe-medium), checked by ear's proxies:
how long the audio is, how loud, where the pauses are, and that it is the
same every time."""

from __future__ import annotations

import pytest
from audio_utils import inner_pauses, pcm_samples, quiet_runs, rms

from kreyol_cli.cache import Cache
from kreyol_cli.errors import LanguageError, UsageError
from kreyol_cli.registry import Registry
from kreyol_cli.settings import Settings
from kreyol_cli.synthesize import (
    MAX_PHONEMES,
    AudioPart,
    SynthesisOptions,
    VoiceService,
    load_voice,
    sentence_phonemes,
    synthesize_chunk,
)

CREOLE = "Bonjou zanmi mwen. Jodi a se yon bèl jounen."
RATE = 22050
#: Speech, peak-normalized to int16, is far louder than this; silence is ~0.
LOUDNESS_FLOOR = 500


@pytest.fixture
def voice():
    return Registry.load(Settings.load()).resolve_voice(None, "ht")


def synth(voice, text: str, cache: Cache | None = None, **options) -> AudioPart:
    return synthesize_chunk(VoiceService(voice, SynthesisOptions(**options)), text, cache)


def speech_only(part: AudioPart):
    """The samples with the pauses cut out."""
    samples = pcm_samples(part.pcm)
    keep = samples.copy()
    for start, length in quiet_runs(samples, part.sample_rate, min_seconds=0.05):
        keep[int(start * RATE):int((start + length) * RATE)] = 0
    return keep[keep != 0]


def test_bundled_voice_is_the_default_for_creole_and_english():
    registry = Registry.load(Settings.load())
    for lang in ("ht", "en"):
        resolved = registry.resolve_voice(None, lang)
        assert resolved.spec.name == "joe-medium"
        assert resolved.path.name == "en_US-joe-medium.onnx"
        assert resolved.config_path.is_file()


def test_creole_sentence_gives_audible_speech_of_plausible_length(voice):
    part = synth(voice, CREOLE)
    assert part.sample_rate == RATE
    assert len(part.pcm) % 2 == 0
    # Audio is roughly proportional to the text: 0.04-0.2 s per character.
    assert 0.04 * len(CREOLE) <= part.duration <= 0.2 * len(CREOLE), part.duration
    assert rms(speech_only(part)) > LOUDNESS_FLOOR
    assert rms(pcm_samples(part.pcm)) > LOUDNESS_FLOOR / 2
    # Both sentences were spoken, and their timing adds up to the whole.
    assert [s for s, _ in part.sentences] == ["Bonjou zanmi mwen.", "Jodi a se yon bèl jounen."]
    assert sum(n for _, n in part.sentences) == part.samples


def test_sentence_silence_is_the_pause_between_sentences(voice):
    pauses = {}
    for silence in (0.35, 1.0):
        part = synth(voice, CREOLE, sentence_silence=silence)
        samples = pcm_samples(part.pcm)
        inner = inner_pauses(samples, RATE)
        assert len(inner) >= 1, quiet_runs(samples, RATE)
        # The longest pause inside is the one between the sentences: the
        # requested silence plus the voice's own short trailing breath.
        pauses[silence] = max(inner)
        assert silence <= pauses[silence] <= silence + 0.3, (silence, inner)
        # Every sentence ends with the silence, so the audio also ends with it.
        assert part.silence == round(silence * RATE)
        assert not samples[-part.silence:].any()
    assert pauses[1.0] - pauses[0.35] == pytest.approx(0.65, abs=0.01)


def test_no_sentence_silence_means_no_added_pause(voice):
    with_pause = synth(voice, CREOLE, sentence_silence=0.35)
    without = synth(voice, CREOLE, sentence_silence=0)
    assert with_pause.duration - without.duration == pytest.approx(2 * 0.35, abs=0.01)


def test_faster_speed_gives_shorter_audio(voice):
    text = "Pitit la ap jwe nan lakou a ak zanmi li yo."
    slow = synth(voice, text, speed=0.75, sentence_silence=0)
    normal = synth(voice, text, speed=1.0, sentence_silence=0)
    fast = synth(voice, text, speed=1.5, sentence_silence=0)
    assert fast.duration < normal.duration < slow.duration
    # length_scale = 1/speed: the speech stretches about in proportion.
    assert slow.duration / fast.duration == pytest.approx(2.0, rel=0.25)
    assert rms(pcm_samples(fast.pcm)) > LOUDNESS_FLOOR / 2


def test_english_through_espeak(voice):
    text = "Good morning, my friend. Today is a beautiful day."
    part = synth(voice, text, lang="en")
    assert 0.04 * len(text) <= part.duration <= 0.2 * len(text), part.duration
    assert rms(speech_only(part)) > LOUDNESS_FLOOR
    assert len(part.sentences) == 2
    assert part.substitutions == ()  # an English voice has every English phoneme


def test_synthesis_is_deterministic_by_default(voice):
    first = synth(voice, CREOLE)
    again = synth(voice, CREOLE)
    assert first.pcm == again.pcm
    # With Piper's own noise the voice varies from run to run.
    noisy = synth(voice, CREOLE, noise_scale=0.667, noise_w=0.8)
    assert noisy.pcm != first.pcm


def test_the_cache_serves_the_second_synthesis(voice):
    cache = Cache(Settings.load())
    try:
        loaded = load_voice(voice, 1)
        before = len(loaded.history)
        first = synth(voice, CREOLE, cache)
        asked = len(loaded.history) - before
        assert not first.cached and asked == 2
        second = synth(voice, CREOLE, cache)
        assert second.cached and second.pcm == first.pcm
        assert second.sentences == first.sentences and second.silence == first.silence
        assert len(loaded.history) - before == asked  # the voice was not asked again
        # Other options are other audio: not served from this entry.
        assert not synth(voice, CREOLE, cache, speed=1.25).cached
    finally:
        cache.close()


def test_cache_key_changes_with_everything_that_changes_the_audio(voice):
    base = VoiceService(voice, SynthesisOptions())
    keys = {base.key(CREOLE), base.key(CREOLE + " Mèsi."),
            VoiceService(voice, SynthesisOptions(speed=1.1)).key(CREOLE),
            VoiceService(voice, SynthesisOptions(sentence_silence=0.5)).key(CREOLE),
            VoiceService(voice, SynthesisOptions(lang="en")).key(CREOLE),
            VoiceService(voice, SynthesisOptions(noise_scale=0.5)).key(CREOLE)}
    assert len(keys) == 6
    # One ONNX thread is what every plan uses; another count can change the
    # last bits of the audio, so it is another entry.
    assert VoiceService(voice, SynthesisOptions(), threads=1).key(CREOLE) == base.key(CREOLE)
    # Audio is keyed by the phonemes sent to the voice, not by the spelling.
    assert base.key(CREOLE + "  ") == base.key(CREOLE)
    assert base.key("Mwen rele Jan.") == base.key("Mwen  rele Jan.")
    assert VoiceService(voice, SynthesisOptions(), threads=2).key(CREOLE) != base.key(CREOLE)


def test_a_huge_word_is_cut_into_bounded_pieces(voice):
    word = "bonjoulakay" * 455  # 5,005 letters, no space
    pieces = sentence_phonemes(word, "ht")
    assert len(pieces) > 1
    assert all(0 < len(p) <= MAX_PHONEMES for p in pieces)
    assert sum(len(p) for p in pieces) >= len(word) * 0.6  # nothing was dropped


def test_text_without_words_gives_no_audio(voice):
    for text in ("...", "!!! ???", "😀 🎉 👍", "— « » …"):
        part = synth(voice, text)
        assert part.pcm == b"" and part.sentences == (), text


@pytest.mark.parametrize(("options", "error"), [
    ({"speed": 0}, UsageError),
    ({"speed": 5}, UsageError),
    ({"sentence_silence": -1}, UsageError),
    ({"lang": "de"}, LanguageError),
])
def test_bad_options_are_refused(options, error):
    with pytest.raises(error):
        SynthesisOptions(**options)


def test_one_long_line_is_spoken_in_bounded_pieces():
    """A 50,000-character line without a full stop used to be one chunk (1.1 GB of
    memory for its audio); now no chunk sent to the voice exceeds SPEECH_CHARS."""
    from kreyol_cli.segment import SPEECH_CHARS
    from kreyol_cli.speech import iter_sentences

    phrase = "bonjou tout moun lekòl la louvri mèsi anpil timoun yo ap jwe, nan lakou a "
    line = (phrase * 700)[:50_000] + "\n"
    chunks = list(iter_sentences([line]))
    assert max(len(c) for c in chunks) <= SPEECH_CHARS
    assert len(chunks) >= 50_000 // SPEECH_CHARS
    assert "".join(chunks).replace(" ", "") == line.replace(" ", "").strip()
    # a clause mark in the second half of a piece is where it is cut
    assert sum(c.endswith(",") for c in chunks) > len(chunks) // 2


@pytest.mark.slow
def test_peak_memory_does_not_depend_on_line_length(tmp_path):
    """Real runs: the same 6,000 characters as one line without a full stop peak
    at the memory of the same words as sentences of ordinary length, one per line
    (before, the line was spoken in 400-phoneme pieces: 0.75 GB against 0.4 GB;
    1.1 GB for a 50,000-character line)."""
    import subprocess
    import sys

    words = ("bonjou tout moun lekòl la louvri mèsi anpil timoun yo ap jwe nan lakou a "
             * 500).split()[:1000]
    one_line = " ".join(words)[:6000] + "\n"
    sentences = "".join(" ".join(words[i:i + 28]) + ".\n" for i in range(0, len(words), 28))
    peaks = {}
    for name, text in (("one line", one_line), ("sentences", sentences)):
        src = tmp_path / "text.txt"
        src.write_text(text, "utf-8")
        code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "kreyol_cli",
                              "tts", "-i", str(src), "-o", str(tmp_path / "a.wav"), "-j", "1",
                              "--no-cache", "-q"], capture_output=True, text=True, check=True)
        peaks[name] = int(out.stdout.split()[-1])
    assert peaks["one line"] < 1.15 * peaks["sentences"], peaks


def _phoneme_ids(voice, texts: list[tuple[str, str]]) -> list[list[int]]:
    from piper.phoneme_ids import phonemes_to_ids

    from kreyol_cli.creole import map_to_voice

    loaded = load_voice(voice, 1, optimized=False)
    out = []
    for text, lang in texts:
        for phonemes in sentence_phonemes(text, lang):
            out.append(phonemes_to_ids(map_to_voice(phonemes, loaded.id_map)[0], loaded.id_map))
    return out


def test_optimized_voice_gives_the_same_audio(voice, kreyol_home, monkeypatch):
    """The cached optimized graph loads faster; the samples must not change.

    (Measured while writing this: the ONNX thread count *does* change a few
    float samples by ~1e-6, which is why synthesis always runs on one thread
    and a different count is part of the cache key.)"""
    import numpy as np
    from piper.config import SynthesisConfig

    from kreyol_cli import synthesize

    monkeypatch.setattr(synthesize, "_VOICES", {})
    ids = _phoneme_ids(voice, [(CREOLE, "ht"), ("Mwen rele Pyè, m ap vini demen maten.", "ht"),
                               ("Good morning, my friend. How are you today?", "en")])
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False)

    def audio(loaded) -> list[bytes]:
        return [np.asarray(loaded.piper.phoneme_ids_to_audio(i, config)).tobytes() for i in ids]

    reference = audio(load_voice(voice, 1, optimized=False))
    assert not list((kreyol_home / "cache" / ".voices").glob("*.onnx"))
    assert audio(load_voice(voice, 1)) == reference
    assert audio(load_voice(voice, 2)) == audio(load_voice(voice, 2, optimized=False))
    cached = list((kreyol_home / "cache" / ".voices").glob("*.onnx"))
    assert len(cached) == 1 and cached[0].stat().st_size > 1_000_000

    # A damaged copy is dropped and the voice still loads, with the same audio.
    cached[0].write_bytes(b"not an onnx graph")
    monkeypatch.setattr(synthesize, "_VOICES", {})
    assert audio(load_voice(voice, 1)) == reference
