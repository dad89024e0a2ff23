"""Audio files: every format decodes back to the audio that was spoken, the
format comes from the extension or ``--format``, and a failed write leaves
nothing behind."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from audio_utils import decode, read_wav, rms

from kreyol_cli.audio import check_output, choose_format, open_sink, wav_header
from kreyol_cli.errors import ExitCode, OutputError, UsageError

CREOLE = "Bonjou zanmi mwen. Jodi a se yon bèl jounen."
RATE = 22050
MAGIC = {"wav": b"RIFF", "flac": b"fLaC", "ogg": b"OggS"}


def is_format(data: bytes, fmt: str) -> bool:
    if fmt == "mp3":  # an ID3 tag or an MPEG frame sync
        return data[:3] == b"ID3" or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0)
    if fmt in ("m4a", "m4b"):
        return data[4:8] == b"ftyp"
    return data.startswith(MAGIC[fmt])


def tone(seconds: float, rate: int = RATE) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * 220 * t) * 12000).astype("<i2").tobytes()


def seconds_of(samples: np.ndarray, rate: int = RATE) -> float:
    return len(samples) / rate


# ----------------------------------------------------- through `kreyol tts` --


def test_compressed_formats_decode_to_the_spoken_duration(cli, tmp_path):
    wav = tmp_path / "speech.wav"
    assert cli("tts", CREOLE, "-o", wav).exit_code == 0
    _, reference = read_wav(wav)
    expected = seconds_of(reference)
    outputs = {  # chosen by the extension, or by --format whatever the name says
        "mp3": ["-o", tmp_path / "speech.mp3"],
        "ogg": ["-o", tmp_path / "speech.ogg"],
        "flac": ["-o", tmp_path / "speech.flac"],
        "m4a": ["-o", tmp_path / "speech.m4a"],
        "ogg-by-option": ["-o", tmp_path / "speech.mp3.tmp", "--format", "ogg"],
        "flac-by-option": ["-o", tmp_path / "named.wav", "--format", "flac"],
    }
    for name, args in outputs.items():
        result = cli("tts", CREOLE, *args)
        assert result.exit_code == 0, (name, result.stderr)
        path = args[1]
        fmt = name.split("-")[0]
        assert is_format(path.read_bytes(), fmt), (name, path.read_bytes()[:8])
        samples = decode(path)
        got = seconds_of(samples)
        assert got == pytest.approx(expected, abs=max(0.2, 0.05 * expected)), name
        assert rms(samples) > 0.5 * rms(reference), name
    # FLAC is lossless: the very same samples come back.
    assert np.array_equal(decode(tmp_path / "speech.flac"), reference)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_raw_file_by_extension(cli, tmp_path):
    assert cli("tts", CREOLE, "-o", tmp_path / "speech.wav").exit_code == 0
    assert cli("tts", CREOLE, "-o", tmp_path / "speech.pcm").exit_code == 0
    _, reference = read_wav(tmp_path / "speech.wav")
    assert (tmp_path / "speech.pcm").read_bytes() == reference.tobytes()


# --------------------------------------------------------- format choice --


@pytest.mark.parametrize(("output", "fmt", "expected"), [
    ("a.wav", None, "wav"), ("a.MP3", None, "mp3"), ("a.ogg", None, "ogg"),
    ("a.flac", None, "flac"), ("a.pcm", None, "raw"), ("a.raw", None, "raw"),
    ("a.m4b", None, "m4b"), ("-", None, "wav"), ("-", "raw", "raw"),
    ("a.wav", "mp3", "mp3"), ("a.xyz", "flac", "flac"), ("a", ".OGG", "ogg"),
])
def test_choose_format(output, fmt, expected):
    assert choose_format(output, fmt) == expected


@pytest.mark.parametrize(("output", "fmt"), [
    ("a.xyz", None), ("noextension", None), ("a.wav", "aiff"), ("a.wav", "opus"),
])
def test_choose_format_refuses_unknown_formats(output, fmt):
    with pytest.raises(UsageError) as info:
        choose_format(output, fmt)
    assert info.value.exit_code == ExitCode.USAGE


def test_check_output(tmp_path):
    check_output(str(tmp_path / "ok.wav"))
    (tmp_path / "dir.wav").mkdir()
    with pytest.raises(OutputError, match="folder"):
        check_output(str(tmp_path / "dir.wav"))
    with pytest.raises(OutputError, match="does not exist"):
        check_output(str(tmp_path / "missing" / "a.wav"))
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="does not exist"):
        check_output(str(tmp_path / "file" / "a.wav"))


# ---------------------------------------------------------------- sinks --


def test_wav_header_is_read_by_the_wave_module(tmp_path):
    pcm = tone(0.5)
    path = tmp_path / "h.wav"
    path.write_bytes(wav_header(RATE, len(pcm)) + pcm)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        assert w.getnframes() == len(pcm) // 2
        assert w.readframes(w.getnframes()) == pcm
    assert len(wav_header(RATE)) == 44


@pytest.mark.parametrize("fmt", ["wav", "raw", "flac", "ogg", "mp3"])
def test_sink_writes_blocks_into_one_file(tmp_path, fmt):
    path = tmp_path / f"tone.{'pcm' if fmt == 'raw' else fmt}"
    blocks = [tone(0.3), tone(0.7), b"", tone(1.0)]
    with open_sink(str(path), fmt, RATE) as sink:
        for block in blocks:
            sink.write(block)
        # Written to a temporary name beside the target until it is complete.
        assert not path.exists()
        assert len([p for p in tmp_path.iterdir() if p.name.endswith(".part")]) == 1
    assert sink.bytes_written == sum(map(len, blocks))
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    if fmt == "raw":
        assert path.read_bytes() == b"".join(blocks)
        return
    samples = decode(path)
    assert seconds_of(samples) == pytest.approx(2.0, abs=0.1)
    if fmt in ("wav", "flac"):
        assert samples.tobytes() == b"".join(blocks)


@pytest.mark.parametrize("fmt", ["wav", "raw", "mp3"])
def test_an_error_while_writing_leaves_no_file(tmp_path, fmt):
    path = tmp_path / f"broken.{fmt}"
    with pytest.raises(KeyboardInterrupt), open_sink(str(path), fmt, RATE) as sink:
        sink.write(tone(0.5))
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_failing_encoder_is_an_output_error(tmp_path, monkeypatch):
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho 'Unknown encoder libmp3lame' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("KREYOL_FFMPEG", str(fake))
    out = tmp_path / "out" / "a.mp3"
    out.parent.mkdir()
    with pytest.raises(OutputError, match="Unknown encoder"), \
            open_sink(str(out), "mp3", RATE) as sink:
        sink.write(tone(0.2))
    assert list(out.parent.iterdir()) == []


def test_a_missing_encoder_is_an_output_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KREYOL_FFMPEG", str(tmp_path / "no-ffmpeg"))
    with pytest.raises(OutputError, match="ffmpeg"):  # noqa: SIM117
        with open_sink(str(tmp_path / "a.ogg"), "ogg", RATE):
            pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["wav", "raw", "flac"])
def test_sink_streams_to_stdout(tmp_path, capfdbinary, fmt):
    pcm = tone(1.0)
    with open_sink("-", fmt, RATE) as sink:
        sink.write(pcm[:1000])
        sink.write(pcm[1000:])
    out = capfdbinary.readouterr().out
    if fmt == "raw":
        assert out == pcm
        return
    if fmt == "wav":
        assert out[:44] == wav_header(RATE) and out[44:] == pcm
        return
    stream = tmp_path / f"stream.{fmt}"
    stream.write_bytes(out)
    assert is_format(out, fmt)
    assert decode(stream).tobytes() == pcm
