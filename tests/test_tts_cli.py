"""``kreyol tts`` as a user runs it: files, streams, the cache, parallel
backends, and every way the input or the output can be wrong."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from audio_utils import inner_pauses, parse_wav, read_wav, rms
from conftest import leftovers, one_line_error

from kreyol_cli.errors import ExitCode

CREOLE = "Bonjou zanmi mwen. Jodi a se yon bèl jounen."
RATE = 22050
VOICE_JSON = "en_US-joe-medium.onnx.json"


def kreyol_popen(*args: str, **kwargs) -> subprocess.Popen:
    # A user's Ctrl-C arrives with SIGINT at its default action, even when
    # this test runs in the background with SIGINT ignored.
    return subprocess.Popen([sys.executable, "-m", "kreyol_cli", *args],
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
                            **kwargs)


def bundled_voice_file() -> Path:
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings

    return Registry.load(Settings.load()).resolve_voice(None, "ht").path


# ------------------------------------------------------------------ success --


def test_tts_writes_a_wav_file(cli, tmp_path):
    out = tmp_path / "bonjou.wav"
    result = cli("tts", CREOLE, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # the payload went to the file
    rate, samples = read_wav(out)
    assert rate == RATE
    seconds = len(samples) / rate
    assert 0.04 * len(CREOLE) <= seconds <= 0.2 * len(CREOLE)
    assert rms(samples) > 500
    pauses = inner_pauses(samples, rate)
    assert pauses and 0.35 <= max(pauses) <= 0.65
    assert leftovers(tmp_path) == ["bonjou.wav"]


def test_sentence_silence_option_changes_the_pause(cli, tmp_path):
    pauses = {}
    for silence in ("0.35", "1.2"):
        out = tmp_path / f"s{silence}.wav"
        result = cli("tts", CREOLE, "-o", out, "--sentence-silence", silence)
        assert result.exit_code == 0, result.stderr
        rate, samples = read_wav(out)
        pauses[silence] = max(inner_pauses(samples, rate))
    assert pauses["1.2"] - pauses["0.35"] == pytest.approx(0.85, abs=0.02)


def test_speed_option_changes_the_length(cli, tmp_path):
    seconds = {}
    for speed in ("0.75", "1.5"):
        out = tmp_path / f"speed{speed}.wav"
        result = cli("tts", CREOLE, "-o", out, "--speed", speed, "--sentence-silence", "0")
        assert result.exit_code == 0, result.stderr
        rate, samples = read_wav(out)
        seconds[speed] = len(samples) / rate
    assert seconds["1.5"] < seconds["0.75"] / 1.5


def test_english_text(cli, tmp_path):
    out = tmp_path / "hello.wav"
    text = "Hello, how are you? I am fine, thank you."
    result = cli("tts", "--lang", "en", text, "-o", out)
    assert result.exit_code == 0, result.stderr
    rate, samples = read_wav(out)
    assert 0.04 * len(text) <= len(samples) / rate <= 0.2 * len(text)
    assert rms(samples) > 500


def test_text_from_a_file_and_from_stdin_give_the_same_audio(cli, tmp_path):
    source = tmp_path / "fraz.txt"
    source.write_text(CREOLE + "\n", "utf-8")
    assert cli("tts", "-i", source, "-o", tmp_path / "a.wav").exit_code == 0
    assert cli("tts", "-o", tmp_path / "b.wav", input=CREOLE + "\n").exit_code == 0
    # `kreyol tts - -o out.wav`: a lone - is stdin, not a text to speak.
    assert cli("tts", "-", "-o", tmp_path / "c.wav", input=CREOLE + "\n").exit_code == 0
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    assert (tmp_path / "c.wav").read_bytes() == (tmp_path / "a.wav").read_bytes()


def test_raw_format_is_headerless_pcm_and_names_its_rate(cli, tmp_path):
    wav = tmp_path / "ref.wav"
    assert cli("tts", CREOLE, "-o", wav).exit_code == 0
    result = cli("tts", CREOLE, "-o", "-", "--format", "raw")
    assert result.exit_code == 0, result.stderr
    assert "22050 Hz" in result.stderr and "16-bit" in result.stderr
    raw = result.stdout_bytes
    assert not raw.startswith(b"RIFF")
    _, samples = read_wav(wav)
    assert len(raw) == 2 * len(samples)
    assert raw == samples.tobytes()


def test_stream_to_stdout_starts_before_the_input_ends(tmp_path):
    """The WAV header and the first sentence's audio reach stdout while the
    rest of a 60-sentence text has not even been written to stdin yet."""
    sentences = ["Bonjou tout moun.", "Nou la ankò jodi a.", "Mèsi pou pasyans nou."]
    proc = kreyol_popen("tts", "-o", "-", "--quiet", stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    chunks: list[bytes] = []

    def read_stdout():
        while block := proc.stdout.read1(65536):
            chunks.append(block)

    reader = threading.Thread(target=read_stdout, daemon=True)
    try:
        proc.stdin.write((sentences[0] + "\n\n").encode())
        proc.stdin.flush()
        reader.start()
        deadline = time.monotonic() + 120
        while sum(map(len, chunks)) < 44 + 4096 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        head = b"".join(chunks)
        assert len(head) >= 44 + 4096, "no audio before the input ended"
        assert proc.poll() is None  # still running: it is waiting for more text
        rate, first = parse_wav(head)
        assert rate == RATE and first.any()

        rest = [sentences[i % 3] for i in range(1, 60)]
        proc.stdin.write(("\n".join(rest) + "\n").encode())
        proc.stdin.close()
        assert proc.wait(timeout=240) == 0, proc.stderr.read().decode()
        reader.join(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    _, samples = parse_wav(b"".join(chunks))
    # Every sentence is in the stream: 60 sentences, each followed by its pause.
    pauses = inner_pauses(samples, RATE, min_seconds=0.3)
    assert len(pauses) == 59, len(pauses)
    assert len(samples) / RATE >= 60 * (0.35 + 0.3)


def test_compressed_stream_to_a_reader_that_leaves_early(tmp_path):
    """`kreyol tts -o - --format mp3 | head -c 200`: not an error, like WAV."""
    sentences = ["Bonjou tout moun.", "Nou la ankò jodi a.", "Mèsi pou pasyans nou."] * 40
    source = tmp_path / "long.txt"
    source.write_text("\n".join(sentences), "utf-8")
    proc = kreyol_popen("tts", "-i", source, "-o", "-", "--format", "mp3",
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        head = proc.stdout.read(200)
        proc.stdout.close()  # minutes of mp3 are still to come
        _, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(head) == 200 and (head[:3] == b"ID3" or head[0] == 0xFF)
    assert proc.returncode == 0, err.decode()
    assert "error" not in err.decode() and "Traceback" not in err.decode()


def test_audio_to_a_terminal_is_refused():
    master, slave = pty.openpty()
    try:
        proc = kreyol_popen("tts", CREOLE, "-o", "-", stdout=slave, stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=120)
        os.close(slave)
        slave = -1
        assert proc.returncode == ExitCode.OUTPUT
        text = err.decode()
        assert "terminal" in text and "Traceback" not in text
        assert len(text.strip().splitlines()) == 1
        written = b""
        while select.select([master], [], [], 0)[0]:
            try:
                block = os.read(master, 4096)
            except OSError:  # EIO: the other side is closed and nothing is left
                break
            if not block:
                break
            written += block
        assert b"RIFF" not in written
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)


def test_ctrl_c_exits_130_and_leaves_no_file(tmp_path):
    text = "\n".join(f"Fraz nimewo {i} pale de yon bèl jounen nan lakou a." for i in range(60))
    source = tmp_path / "long.txt"
    source.write_text(text, "utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "long.wav"
    proc = kreyol_popen("tts", "-i", source, "-o", out, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        # Wait until audio is being written (the temporary file exists).
        while not any(out_dir.iterdir()) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        assert [p.name.endswith(".part") for p in out_dir.iterdir()] == [True]
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == ExitCode.INTERRUPTED, err.decode()
    assert "Traceback" not in err.decode()
    assert "interrupted: run the same command again to resume" in err.decode()
    assert list(out_dir.iterdir()) == []


@pytest.mark.slow
def test_a_5000_letter_word_is_spoken_in_bounded_pieces(cli, tmp_path):
    from kreyol_cli.synthesize import _VOICES, MAX_PHONEMES

    word = "Ayiti" * 1000
    out = tmp_path / "word.wav"
    calls_before = sum(len(v.history) for v in _VOICES.values())
    result = cli("tts", word, "-o", out, "--sentence-silence", "0", "--no-cache")
    assert result.exit_code == 0, result.stderr
    rate, samples = read_wav(out)
    assert 0.01 * len(word) <= len(samples) / rate <= 0.2 * len(word)
    assert rms(samples) > 500
    # The voice was called on pieces of at most MAX_PHONEMES, not on 5,000 at once.
    calls = sum(len(v.history) for v in _VOICES.values()) - calls_before
    assert calls >= len(word) // MAX_PHONEMES


def test_models_list_shows_the_bundled_voice(cli):
    result = cli("models", "list", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    joe = rows["joe-medium"]
    assert joe["kind"] == "voice" and joe["installed"] is True
    assert {"ht", "en"} <= set(joe["languages"]) and {"ht", "en"} <= set(joe["default_for"])
    assert joe["voice_language"] == "en_US"
    assert joe["quality"] == "medium"
    assert joe["sample_rate"] == RATE
    assert Path(joe["path"]).is_file() and joe["path"].endswith(".onnx")


# -------------------------------------------------------------------- cache --


def audio_stats(cli) -> dict:
    result = cli("cache", "stats", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {r["namespace"]: r for r in json.loads(result.stdout)["namespaces"]}
    return rows.get("audio", {"entries": 0, "hits": 0, "misses": 0})


def test_second_run_is_served_from_the_cache(cli, tmp_path):
    first, second = tmp_path / "1.wav", tmp_path / "2.wav"
    assert cli("tts", CREOLE, "-o", first).exit_code == 0
    stats = audio_stats(cli)
    assert stats["entries"] == 2 and stats["hits"] == 0  # one per sentence
    assert cli("tts", CREOLE, "-o", second).exit_code == 0
    stats = audio_stats(cli)
    assert stats["hits"] >= 2 and stats["entries"] == 2
    assert first.read_bytes() == second.read_bytes()


def test_no_cache_writes_nothing_to_the_cache(cli, tmp_path):
    out = tmp_path / "a.wav"
    assert cli("tts", CREOLE, "-o", out, "--no-cache").exit_code == 0
    assert out.exists()
    stats = audio_stats(cli)
    assert stats["entries"] == 0 and stats["hits"] == 0


# ----------------------------------------------------------------- parallel --


def test_every_backend_gives_the_same_bytes_as_serial(cli, tmp_path):
    from kreyol_cli.executor import Plan, plan_for

    sentences = ["Bonjou.", "Mwen rele Pyè.", "Kijan ou ye?", "Mèsi anpil.", "Orevwa."]
    # --jobs 2 is two sentences at a time on one ONNX thread each: threads of
    # one process (auto) or two processes; all give the serial bytes.
    assert plan_for(2) == Plan(2, 1)
    runs = {}
    for backend in ("serial", "auto", "processes"):
        out = tmp_path / f"{backend}.wav"
        result = cli("tts", "-o", out, "--backend", backend, "--jobs", "2", "--no-cache",
                     input="\n".join(sentences))
        assert result.exit_code == 0, result.stderr
        runs[backend] = out.read_bytes()
    assert runs["processes"] == runs["serial"]
    assert runs["auto"] == runs["serial"]
    _, samples = parse_wav(runs["processes"])
    assert len(inner_pauses(samples, RATE, min_seconds=0.3)) == 4  # 5 sentences


# ---------------------------------------------------------------- bad input --


@pytest.mark.parametrize("text", ["", "   \n\n", "... !!! ???", "😀 🎉 👍", "« — … »"])
def test_nothing_to_say_warns_and_writes_nothing(cli, tmp_path, text):
    out = tmp_path / "out" / "empty.wav"
    out.parent.mkdir()
    result = cli("tts", "-o", out, input=text)
    assert result.exit_code == ExitCode.OK
    # Empty input is nothing to do (a note --quiet silences); text with nothing
    # speakable in it is worth a warning.
    assert ("warning:" in result.stderr) == (text != "") and "nothing to say" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(out.parent.iterdir()) == []


def test_unknown_voice_lists_the_known_ones(cli, tmp_path):
    message = one_line_error(cli("tts", CREOLE, "-o", tmp_path / "a.wav", "--voice", "nobody"),
                             ExitCode.MODEL)
    assert "nobody" in message and "joe-medium" in message
    assert not (tmp_path / "a.wav").exists()


def test_corrupt_voice_file(cli, tmp_path):
    voice = tmp_path / "voice" / "broken.onnx"
    voice.parent.mkdir()
    voice.write_bytes(os.urandom(4096))
    shutil.copy(bundled_voice_file().with_name(VOICE_JSON), voice.with_name("broken.onnx.json"))
    out = tmp_path / "a.wav"
    message = one_line_error(cli("tts", CREOLE, "-o", out, "--voice", voice), ExitCode.MODEL)
    assert "broken.onnx" in message and "cannot be loaded" in message
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_voice_without_its_json_config(cli, tmp_path):
    voice = tmp_path / "voice" / "lonely.onnx"
    voice.parent.mkdir()
    voice.write_bytes(b"\x08\x07" * 100)
    for target in (voice, voice.parent):  # the file, or the folder holding it
        message = one_line_error(cli("tts", CREOLE, "-o", tmp_path / "a.wav", "--voice", target),
                                 ExitCode.MODEL)
        assert "lonely.onnx.json" in message and "missing" in message


def test_voice_that_does_not_exist(cli, tmp_path):
    message = one_line_error(cli("tts", CREOLE, "-o", tmp_path / "a.wav",
                                 "--voice", tmp_path / "nope.onnx"), ExitCode.MODEL)
    assert "nope.onnx" in message


@pytest.mark.parametrize(("args", "expected"), [
    (["-o", "{tmp}/speech.xyz"], "cannot tell the audio format"),
    (["-o", "{tmp}/speech.wav", "--format", "aiff"], "--format 'aiff'"),
    (["-o", "-", "--format", "m4b"], "cannot be streamed"),
    (["-o", "{tmp}/speech.wav", "--speed", "9"], "--speed"),
    (["-o", "{tmp}/speech.wav", "--backend", "threads"], "--backend"),
])
def test_usage_errors(cli, tmp_path, args, expected):
    args = [a.format(tmp=tmp_path) for a in args]
    message = one_line_error(cli("tts", CREOLE, *args), ExitCode.USAGE)
    assert expected in message
    assert leftovers(tmp_path) == []


def test_missing_output_option(cli):
    assert "-o" in one_line_error(cli("tts", CREOLE), ExitCode.USAGE)


def test_unknown_language(cli, tmp_path):
    message = one_line_error(cli("tts", CREOLE, "-o", tmp_path / "a.wav", "--lang", "de"),
                             ExitCode.LANGUAGE)
    assert "'de'" in message


def test_output_in_a_missing_folder(cli, tmp_path):
    message = one_line_error(cli("tts", CREOLE, "-o", tmp_path / "no" / "such" / "a.wav"),
                             ExitCode.OUTPUT)
    assert "does not exist" in message
    assert leftovers(tmp_path) == []


def test_output_path_taken_by_a_folder(cli, tmp_path):
    taken = tmp_path / "taken.wav"
    taken.mkdir()
    message = one_line_error(cli("tts", CREOLE, "-o", taken), ExitCode.OUTPUT)
    assert "taken.wav" in message
    assert leftovers(tmp_path) == ["taken.wav"]
    assert list(taken.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_output_in_a_read_only_folder(cli, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        message = one_line_error(cli("tts", CREOLE, "-o", folder / "a.wav"), ExitCode.OUTPUT)
    finally:
        folder.chmod(0o755)
    assert "a.wav" in message
    assert list(folder.iterdir()) == []


def test_output_that_cannot_be_renamed_into_place_leaves_nothing(cli, tmp_path, monkeypatch):
    """A failure at the very end (the rename into place) still cleans up."""
    out = tmp_path / "speech.wav"

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("kreyol_cli.audio.os.replace", refuse)
    message = one_line_error(cli("tts", CREOLE, "-o", out), ExitCode.OUTPUT)
    assert "speech.wav" in message and "Permission denied" in message
    assert leftovers(tmp_path) == []


def test_missing_input_file(cli, tmp_path):
    message = one_line_error(cli("tts", "-i", tmp_path / "absent.txt", "-o", tmp_path / "a.wav"),
                             ExitCode.INPUT)
    assert "absent.txt" in message


def test_errors_in_a_real_process_are_one_line_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kreyol_cli", "tts", CREOLE, "-o",
                           tmp_path / "a.wav", "--voice", "nobody"],
                          capture_output=True, timeout=120)
    assert proc.returncode == ExitCode.MODEL
    err = proc.stderr.decode()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert proc.stdout == b""
