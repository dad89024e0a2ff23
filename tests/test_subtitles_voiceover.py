"""``kreyol tts film.srt``: a timed voice-over, checked by listening the way a
machine can: where speech starts, where it is silent, how long the track is."""

from __future__ import annotations

import numpy as np
import pytest
from audio_utils import QUIET, decode, parse_wav, quiet_runs, read_wav
from conftest import ROOT, run_kreyol

from kreyol_cli.errors import ExitCode

RATE = 22050
ENV = {"PYTHONPATH": str(ROOT)}

# Cue 2 is too long for its 2.6 s at the natural rate (about 3 s): it is
# sped up to fit. Cue 3 is a sound description: not spoken.
FILM = """\
1
00:00:00,500 --> 00:00:02,500
{\\an8}Bonjou zanmi mwen.

2
00:00:03,000 --> 00:00:05,600
Jodi a se yon bèl jounen,
nou pral lekòl ansanm ak tout timoun yo.

3
00:00:06,200 --> 00:00:08,000
[mizik]

4
00:00:08,000 --> 00:00:10,000
- <i>Mèsi anpil.</i>
- Orevwa.
"""
SPOKEN_STARTS = [0.5, 3.0, 8.0]
LONG = "Jodi a se yon bèl jounen, nou pral lekòl ansanm ak tout timoun yo."


def onsets(samples: np.ndarray, rate: int = RATE) -> list[float]:
    """Where sound starts after at least 0.15 s of silence."""
    end = len(samples) / rate
    return [start + length for start, length in quiet_runs(samples, rate, min_seconds=0.15)
            if start + length < end - 1e-9]


def assert_starts_on_time(samples: np.ndarray, starts: list[float]) -> None:
    found = onsets(samples)
    for start in starts:
        nearest = min(found, key=lambda t: abs(t - start))
        assert abs(nearest - start) <= 0.050, (start, found)


def silent(samples: np.ndarray, start: float, end: float) -> bool:
    part = samples[int(start * RATE):int(end * RATE)]
    return bool(part.size) and int(np.max(np.abs(part.astype(np.int32)))) <= QUIET


def speech_seconds(samples: np.ndarray) -> float:
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > QUIET)
    return (loud[-1] - loud[0]) / RATE


@pytest.fixture
def film(tmp_path):
    path = tmp_path / "film.ht.srt"
    path.write_text(FILM, "utf-8")
    return path


def test_each_cue_starts_on_time_and_the_track_lasts_until_the_last_cue(cli, tmp_path, film):
    out = tmp_path / "voiceover.wav"
    result = cli("tts", film, "-o", out)  # a lone TEXT argument naming a subtitle file
    assert result.exit_code == 0, result.stderr
    rate, samples = read_wav(out)
    assert rate == RATE
    assert len(samples) == 10 * RATE  # until cue 4 ends, to the sample
    assert_starts_on_time(samples, SPOKEN_STARTS)
    assert silent(samples, 0, 0.49)  # nothing before the first cue
    assert silent(samples, 5.61, 7.99)  # cue 2 fitted its end; "[mizik]" is not read out
    assert "sped up to fit their time: cue 2 (" in result.stderr
    assert "run past" not in result.stderr


def test_input_option_gives_the_same_track(cli, tmp_path, film):
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    assert cli("tts", film, "-o", a).exit_code == 0
    result = cli("tts", "-i", film, "-o", b)
    assert result.exit_code == 0, result.stderr
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("fmt", ["flac", "mp3", "ogg"])
def test_every_audio_format(cli, tmp_path, film, fmt):
    out = tmp_path / f"voiceover.{fmt}"
    result = cli("tts", film, "-o", out)
    assert result.exit_code == 0, result.stderr
    samples = decode(out)
    if fmt == "flac":
        assert len(samples) == 10 * RATE
    else:  # lossy encoders pad a little
        assert abs(len(samples) / RATE - 10.0) < 0.1
    assert_starts_on_time(samples, SPOKEN_STARTS)


def test_streamed_to_stdout(tmp_path, film):
    proc = run_kreyol("tts", film, "-o", "-", env=ENV)
    assert proc.returncode == 0, proc.stderr
    rate, samples = parse_wav(proc.stdout)
    assert len(samples) == 10 * rate
    assert_starts_on_time(samples, SPOKEN_STARTS)


def test_speech_that_cannot_fit_runs_into_the_gap_and_is_listed(cli, tmp_path):
    path = tmp_path / "tight.srt"
    path.write_text(f"1\n00:00:00,500 --> 00:00:01,200\n{LONG}\n\n"
                    "2\n00:00:05,000 --> 00:00:06,000\nMèsi.\n", "utf-8")
    lengths = {}
    for cap in ("1.0", "1.3"):
        out = tmp_path / f"{cap}.wav"
        result = cli("tts", path, "-o", out, "--max-speedup", cap)
        assert result.exit_code == 0, result.stderr
        assert f"1 cue(s) run past their end even at {float(cap):g}x: 1 (+" in result.stderr
        _, samples = read_wav(out)
        assert len(samples) == 6 * RATE
        assert_starts_on_time(samples, [0.5, 5.0])  # cue 2 on time all the same
        lengths[cap] = speech_seconds(samples[: int(4.9 * RATE)])
    # At most 1.3 times faster, as heard.
    assert 1.25 <= lengths["1.0"] / lengths["1.3"] <= 1.31, lengths


def test_overlap_into_the_next_cue_is_named(cli, tmp_path):
    path = tmp_path / "overlap.vtt"
    path.write_text(f"WEBVTT\n\n00:00.500 --> 00:01.000\n{LONG}\n\n"
                    "00:01.500 --> 00:02.500\nMèsi.\n", "utf-8")
    out = tmp_path / "o.wav"
    result = cli("tts", "-i", path, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "into cue 2)" in result.stderr
    _, samples = read_wav(out)
    assert len(samples) > int(2.5 * RATE)  # the overrun is not cut off at the last cue's end


def test_utf16_and_cp1252_subtitles(cli, tmp_path, film):
    expected = tmp_path / "expected.wav"
    assert cli("tts", film, "-o", expected).exit_code == 0
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("cp1252", b"")):
        path = tmp_path / f"film.{codec}.srt"
        path.write_bytes(bom + FILM.replace("\n", "\r\n").encode(codec))
        out = tmp_path / f"{codec}.wav"
        result = cli("tts", path, "-o", out)
        assert result.exit_code == 0, result.stderr
        assert ("read it as" in result.stderr) == (not bom)  # a BOM is no guess
        assert out.read_bytes() == expected.read_bytes()


def test_processes_backend_gives_the_same_track(cli, tmp_path, film):
    runs = {}
    for backend in ("serial", "processes"):
        out = tmp_path / f"{backend}.wav"
        result = cli("tts", film, "-o", out, "--backend", backend, "--jobs", "2", "--no-cache")
        assert result.exit_code == 0, result.stderr
        runs[backend] = out.read_bytes()
    assert runs["serial"] == runs["processes"]


def test_nothing_to_say(cli, tmp_path):
    path = tmp_path / "music.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:03,000\n♪ ♪\n\n"
                    "2\n00:00:04,000 --> 00:00:05,000\n[door slams]\n", "utf-8")
    result = cli("tts", path, "-o", tmp_path / "o.wav")
    assert result.exit_code == 0
    assert "nothing to say" in result.stderr
    assert not (tmp_path / "o.wav").exists()


def test_broken_subtitles_exit_3_and_write_nothing(cli, tmp_path):
    path = tmp_path / "bad.srt"
    path.write_text("1\n00:00:04,000 --> 00:00:02,000\nBonjou.\n", "utf-8")
    result = cli("tts", path, "-o", tmp_path / "o.mp3")
    assert result.exit_code == int(ExitCode.INPUT)
    assert result.stderr.strip() == (f"error: {path} line 2: the cue ends before it starts "
                                     f"(00:00:04,000 --> 00:00:02,000): fix its timing")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "kreyol-home") == ["bad.srt"]


def test_max_speedup_out_of_range(cli, tmp_path, film):
    result = cli("tts", film, "-o", tmp_path / "o.wav", "--max-speedup", "3")
    assert result.exit_code == int(ExitCode.USAGE)
    assert "--max-speedup 3.0: use a value from 1.0" in result.stderr
    assert not (tmp_path / "o.wav").exists()


def test_a_lone_word_that_is_not_a_file_is_still_spoken(cli, tmp_path):
    out = tmp_path / "o.wav"
    result = cli("tts", "film.srt", "-o", out)  # no such file: the words are spoken
    assert result.exit_code == 0, result.stderr
    assert out.exists()


def test_a_cue_long_after_the_last_does_not_hold_the_gap_in_memory(cli, tmp_path):
    """A film's second half (first cue 20 minutes in): the silence before it is
    written as it goes, not built as 26 million samples at once (~160 MB)."""
    import tracemalloc

    late = tmp_path / "part2.ht.srt"
    late.write_text("1\n00:00:01,000 --> 00:00:02,000\nBonjou.\n\n"
                    "2\n00:20:00,000 --> 00:20:02,000\nOrevwa.\n", "utf-8")
    out = tmp_path / "part2.wav"
    tracemalloc.start()
    try:
        result = cli("tts", late, "-o", out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size == 44 + 2 * (20 * 60 + 2) * RATE  # 16-bit mono until the end
    assert peak < 40 * 2**20, f"{peak / 2**20:.0f} MB"
