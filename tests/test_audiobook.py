"""End-to-end tests of `kreyol audiobook`: real extraction, the tiny translation
model, the bundled Piper voice, real ffmpeg encoding."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from audio_utils import duration as audio_duration
from conftest import EXAMPLES, TINY_MARIAN, corpus_pairs
from pdf_factory import Heading, Image, Para, Spec, make_pdf

from kreyol_cli.audio import ffmpeg_exe
from kreyol_cli.errors import ExitCode

REPORT_KEYS = {"status", "pages", "chapters", "chunks", "characters", "audio_duration_s",
               "cache", "stages_s", "models", "warnings", "outputs", "title", "author"}


def chapters_of(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, title) of each chapter marker, read back with ffmpeg."""
    out = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
                         capture_output=True, check=True).stdout.decode()
    marks = []
    for block in out.split("[CHAPTER]")[1:]:
        fields = dict(line.split("=", 1) for line in block.strip().splitlines() if "=" in line)
        num, den = map(int, fields["TIMEBASE"].split("/"))
        marks.append((int(fields["START"]) * num / den, int(fields["END"]) * num / den,
                      fields["title"]))
    return marks


def srt_cues(path: Path) -> list[tuple[float, float, str]]:
    def secs(stamp: str) -> float:
        h, m, rest = stamp.split(":")
        s, ms = rest.split(",")
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000

    cues = []
    for block in path.read_text("utf-8").strip().split("\n\n"):
        lines = block.splitlines()
        start, end = lines[1].split(" --> ")
        cues.append((secs(start), secs(end), " ".join(lines[2:])))
    return cues


def english_book(path: Path, chapters: int = 2, per_chapter: int = 4) -> tuple[Path, list]:
    """A PDF with an outline whose text is corpus sentences the tiny model knows."""
    pairs = [p for p in corpus_pairs() if len(p[0]) > 12]
    pages, toc, expected = [], [], []
    for c in range(chapters):
        chunk = pairs[c * per_chapter:(c + 1) * per_chapter]
        title = f"Chapter {c + 1}"
        pages.append([Heading(title), Para(" ".join(en for en, _ in chunk))])
        toc.append((1, title, c + 1))
        expected.append([ht for _, ht in chunk])
    make_pdf(path, pages, Spec(title="Test Book", author="Kreyol Tests", toc=toc))
    return path, expected


def test_creole_example_end_to_end(cli, tmp_path):
    """The README's main job: the bundled Creole booklet, no translation."""
    out = tmp_path / "book"
    result = cli("audiobook", EXAMPLES / "ti-liv-kreyol.ht.pdf", "-o", out, "--quiet")
    assert result.exit_code == 0, result.stderr
    m4b = out / "ti-liv-kreyol.m4b"
    report = json.loads((out / "report.json").read_text())
    assert report.keys() >= REPORT_KEYS and report["status"] == "complete"
    assert report["outputs"] == ["ti-liv-kreyol.m4b", "ti-liv-kreyol.ht.md", "ti-liv-kreyol.srt",
                                 "report.json"]
    assert "translation" not in report["models"]  # Creole input is not translated

    marks = chapters_of(m4b)
    assert [t for _, _, t in marks] == ["Jaden lekòl la", "Jou mache", "Sezon lapli"]
    duration = audio_duration(m4b)
    assert duration == pytest.approx(report["audio_duration_s"], abs=0.3)
    # ~2,200 characters of Creole: plausible reading time is 1.5-4 minutes.
    assert 90 < duration < 240
    assert marks[0][0] == 0 and marks[-1][1] == pytest.approx(duration, abs=0.3)
    for (_, end, _), (start, _, _) in zip(marks, marks[1:], strict=False):
        assert start == pytest.approx(end, abs=0.01)

    cues = srt_cues(out / "ti-liv-kreyol.srt")
    assert len(cues) == report["subtitles"] == report["chunks"]
    # The book opens with its title and author, then the first chapter's title.
    assert [c[2] for c in cues[:3]] == ["Ti Liv Kreyòl.", "Pa Ekip kreyol.", "Jaden lekòl la"]
    assert all(a[1] <= b[0] for a, b in zip(cues, cues[1:], strict=False))  # ordered, no overlap
    assert cues[-1][1] == pytest.approx(duration, abs=0.6)  # the subtitles cover the audio

    text = (out / "ti-liv-kreyol.ht.md").read_text()
    assert text.startswith("# Ti Liv Kreyòl")
    assert text.count("\n## ") == 3
    assert not list(out.glob(".*.part")) and not list(out.glob(".*.m4a"))


def test_english_pdf_is_translated_and_split_into_mp3_chapters(cli, tmp_path):
    pdf, expected = english_book(tmp_path / "story.en.pdf")
    out = tmp_path / "out"
    result = cli("audiobook", pdf, "-o", out, "--model", TINY_MARIAN, "--split", "chapters",
                 "--format", "mp3", "--progress", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["models"]["translation"]["family"] == "marian"
    text = (out / "story.ht.md").read_text()
    for sentences in expected:  # the exact Creole the tiny model was trained to give
        assert " ".join(sentences) in text
    files = [c["file"] for c in report["chapters"]]
    assert len(files) == 2 and all(f.endswith(".mp3") for f in files)
    for chapter in report["chapters"]:
        assert audio_duration(out / chapter["file"]) == pytest.approx(
            chapter["end_s"] - chapter["start_s"], abs=0.3)
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    progress = [e for e in events if e["event"] == "progress"]
    assert progress and {"stage", "done", "total", "chapter", "elapsed_s", "eta_s"} <= progress[0].keys()
    assert [e["file"] for e in events if e["event"] == "chapter_done"] == files


def test_modes_skip_redo_force(cli, tmp_path):
    src = tmp_path / "kout.ht.md"
    src.write_text("# Premye\n\nBonjou tout moun.\n\n# Dezyèm\n\nMèsi anpil.\n", "utf-8")
    out = tmp_path / "out"
    assert cli("audiobook", src, "-o", out, "-q").exit_code == 0
    again = cli("audiobook", src, "-o", out, "-q")
    assert again.exit_code == ExitCode.ALREADY_DONE
    assert again.stderr == ""  # "already done" is not an error: cron mails nothing
    noted = cli("audiobook", src, "-o", out)
    assert noted.exit_code == ExitCode.ALREADY_DONE
    assert noted.stderr.startswith("note: ") and "--mode redo" in noted.stderr
    assert "error" not in noted.stderr

    first = (out / "kout.m4b").read_bytes()
    assert cli("audiobook", src, "-o", out, "-q", "--mode", "redo").exit_code == 0
    redo = json.loads((out / "report.json").read_text())
    assert redo["cache"]["audio"] == {"hits": redo["chunks"], "misses": 0}
    assert (out / "kout.m4b").read_bytes() == first

    assert cli("audiobook", src, "-o", out, "-q", "--mode", "force").exit_code == 0
    forced = json.loads((out / "report.json").read_text())
    assert forced["cache"]["audio"]["hits"] == 0
    assert (out / "kout.m4b").read_bytes() == first  # deterministic synthesis

    src.write_text("# Premye\n\nBonswa.\n", "utf-8")  # a changed input is not "done"
    assert cli("audiobook", src, "-o", out, "-q").exit_code == 0


def test_locked_output_folder(cli, tmp_path):
    from filelock import FileLock

    src = tmp_path / "a.ht.txt"
    src.write_text("Bonjou.\n", "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(str(out / ".kreyol.lock")):
        result = subprocess.run([sys.executable, "-m", "kreyol_cli", "audiobook", str(src), "-o",
                                 str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == ExitCode.LOCKED
    assert "another kreyol run" in result.stderr and "Traceback" not in result.stderr


def _start(args: list, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kreyol_cli", "audiobook", *map(str, args),
                             "--progress", "json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, **env}, text=True)


def _wait_for_synthesized(proc: subprocess.Popen, n: int) -> None:
    spoken: dict[int, int] = {}  # sentences done per chapter
    for line in proc.stderr:
        if line.startswith("{"):
            event = json.loads(line)
            if event["event"] == "progress" and event["chapter"]:
                spoken[event["chapter"]["index"]] = event["chapter"]["done"]
                if sum(spoken.values()) >= n:
                    return
    raise AssertionError(f"run ended before {n} sentences were synthesized: {proc.wait()}")


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("resume.m4b", "resume.srt",
                                                          "resume.ht.md")}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_run_resumes_to_identical_output(tmp_path, sig):
    pdf, _ = english_book(tmp_path / "resume.en.pdf", chapters=3, per_chapter=5)
    env = {"KREYOL_HOME": str(tmp_path / "home")}
    out = tmp_path / "out"
    args = [pdf, "-o", out, "--model", TINY_MARIAN]

    proc = _start(args, env)
    _wait_for_synthesized(proc, 4)
    proc.send_signal(sig)
    code = proc.wait(timeout=60)
    if sig == signal.SIGINT:
        assert code == ExitCode.INTERRUPTED
    assert not (out / "report.json").exists() and not (out / "resume.m4b").exists()

    resumed = subprocess.run([sys.executable, "-m", "kreyol_cli", "audiobook", *map(str, args),
                              "-q"], env={**os.environ, **env}, capture_output=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["cache"]["audio"]["hits"] >= 4
    assert report["cache"]["translation"]["hits"] > 0
    assert not list(out.glob(".*.part"))

    # An uninterrupted run with its own, empty cache gives the same files.
    fresh_out = tmp_path / "fresh"
    fresh = subprocess.run([sys.executable, "-m", "kreyol_cli", "audiobook", str(pdf), "-o",
                            str(fresh_out), "--model", str(TINY_MARIAN), "-q"],
                           env={**os.environ, "KREYOL_HOME": str(tmp_path / "home2")},
                           capture_output=True, timeout=300)
    assert fresh.returncode == 0, fresh.stderr
    fresh_report = json.loads((fresh_out / "report.json").read_text())
    assert fresh_report["cache"]["audio"]["misses"] > report["cache"]["audio"]["misses"]
    assert _outputs(out) == _outputs(fresh_out)


@pytest.mark.parametrize("case,code,words", [
    ("empty", ExitCode.INPUT, "empty"),
    ("truncated", ExitCode.INPUT, ""),
    ("not_pdf", ExitCode.INPUT, "not a PDF"),
    ("encrypted", ExitCode.ENCRYPTED, "--password"),
    ("image_only", ExitCode.NO_TEXT, "OCRmyPDF"),
    ("missing", ExitCode.INPUT, "no such file"),
])
def test_bad_inputs(cli, tmp_path, case, code, words):
    path = tmp_path / f"{case}.ht.pdf"
    if case == "empty":
        path.write_bytes(b"")
    elif case == "truncated":
        good = make_pdf(tmp_path / "good.pdf", [[Para("Bonjou tout moun. " * 50)]] * 3)
        data = good.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif case == "not_pdf":
        path.write_text("this is not a pdf at all\n" * 20)
    elif case == "encrypted":
        make_pdf(path, [[Para("Bonjou tout moun.")]], Spec(password="sekrè"))
    elif case == "image_only":
        make_pdf(path, [[Image()], [Image()]])
    result = cli("audiobook", path, "-o", tmp_path / "out", "-q")
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert words.lower() in result.stderr.lower()
    assert not (tmp_path / "out").exists()  # no empty folder holding .kreyol.lock


def test_encrypted_pdf_with_password(cli, tmp_path):
    path = make_pdf(tmp_path / "lock.ht.pdf", [[Heading("Tit"), Para("Bonjou tout moun.")]],
                    Spec(password="sekrè"))
    result = cli("audiobook", path, "-o", tmp_path / "out", "-q", "--password", "sekrè")
    assert result.exit_code == 0, result.stderr


def test_pdf_without_outline_gets_heading_chapters(cli, tmp_path):
    path = make_pdf(tmp_path / "san-tab.ht.pdf", [
        [Heading("Premye pati"), Para("Timoun yo ap jwe nan lakou a.")],
        [Heading("Dezyèm pati"), Para("Manman an ap prepare manje a.")],
    ])
    result = cli("audiobook", path, "-o", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [c["title"] for c in report["chapters"]] == ["Premye pati", "Dezyèm pati"]


def test_unwritable_output_folder(cli, tmp_path):
    if os.geteuid() == 0:
        target = Path("/proc/kreyol-cannot-write-here")  # root ignores permissions
    else:
        locked = tmp_path / "ro"
        locked.mkdir(mode=0o500)
        target = locked / "out"
    result = cli("audiobook", EXAMPLES / "ti-liv-kreyol.ht.pdf", "-o", target, "-q")
    assert result.exit_code == ExitCode.OUTPUT
    assert "Traceback" not in result.stderr and re.search(r"cannot write", result.stderr)


def test_memory_stays_flat_as_the_book_grows(tmp_path):
    """Peak Python memory of the pipeline for 100 vs 1,000 pages (synthesis faked:
    this is about the streaming stages, not Piper)."""
    import tracemalloc

    from pdf_factory import make_long_pdf

    from kreyol_cli.cache import Cache
    from kreyol_cli.executor import SerialExecutor
    from kreyol_cli.pipeline import AudiobookRequest, run_audiobook
    from kreyol_cli.progress import Reporter
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings
    from kreyol_cli.synthesize import AudioPart, SynthesisOptions, VoiceService

    class SilentExecutor(SerialExecutor):
        """Returns 10 ms of silence per sentence instead of running Piper."""

        calls = 0

        def map(self, func, tasks):
            for text in tasks:
                self.calls += 1
                yield AudioPart(b"\0\0" * 220, 22050, ((text, 220),))

    settings = Settings.load()
    voice = VoiceService(Registry.load(settings).resolve_voice(None, "ht"), SynthesisOptions())
    peaks = {}
    for pages in (100, 1000):
        pdf = make_long_pdf(tmp_path / f"long{pages}.ht.pdf", pages)
        request = AudiobookRequest(input=str(pdf), outdir=tmp_path / f"out{pages}",
                                   name=f"long{pages}", source="ht", translation=None,
                                   voice=voice, fmt="mp3")
        executor = SilentExecutor()
        tracemalloc.start()
        report = run_audiobook(request, Cache(settings, enabled=False), executor,
                               Reporter("none"))
        peaks[pages] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert report["pages"] == pages and executor.calls >= pages
    assert peaks[1000] < 2.5 * peaks[100], peaks


def test_time_to_first_chapter_is_before_the_end(tmp_path):
    """With --split chapters the first chapter file exists while the run goes on."""
    pdf, _ = english_book(tmp_path / "slow.en.pdf", chapters=3, per_chapter=4)
    out = tmp_path / "out"
    proc = _start([pdf, "-o", out, "--model", TINY_MARIAN, "--split", "chapters",
                   "--format", "mp3"], {"KREYOL_HOME": str(tmp_path / "home")})
    first_file = None
    for line in proc.stderr:
        if line.startswith("{"):
            event = json.loads(line)
            if event["event"] == "chapter_done":
                first_file = out / event["file"]
                assert first_file.exists()
                assert proc.poll() is None  # the book is not finished yet
                break
    assert proc.wait(timeout=300) == 0
    assert first_file is not None


def test_pages_beyond_the_end_leave_no_folder(cli, tmp_path):
    out = tmp_path / "out"
    result = cli("audiobook", EXAMPLES / "ti-liv-kreyol.ht.pdf", "-o", out, "--pages", "90-99")
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert not out.exists()
