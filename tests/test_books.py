"""``kreyol audiobook`` as cron meets it: several books, reused folders, silent when done."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from audio_utils import duration as audio_duration
from conftest import ROOT, run_kreyol
from doc_factory import EpubChapter, docx_bytes, epub_bytes, w_para, w_run

from kreyol_cli.errors import ExitCode

BOOK_A = "# Premye\n\nBonjou tout moun.\n\n# Dezyèm\n\nMèsi anpil.\n"
BOOK_B = "# Lekòl\n\nLekòl la louvri.\n"


def _books(folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    a = folder / "premye.ht.md"
    a.write_text(BOOK_A, "utf-8")
    b = folder / "dezyem.ht.md"
    b.write_text(BOOK_B, "utf-8")
    return [a, b]


def test_several_books_each_in_its_folder_going_on_past_a_failure(cli, tmp_path):
    a, b = _books(tmp_path / "inbox")
    bad = tmp_path / "inbox" / "kase.ht.pdf"
    bad.write_bytes(b"%PDF-1.7\n")  # truncated
    out = tmp_path / "audio"
    result = cli("audiobook", a, bad, b, "-o", out)
    assert result.exit_code == ExitCode.INPUT, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["dezyem", "premye"]
    assert (out / "premye" / "premye.m4b").exists() and (out / "dezyem" / "dezyem.m4b").exists()
    assert not (out / "kase").exists()
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(bad) in errors[0]
    table = result.stderr[result.stderr.index("book "):].splitlines()
    assert table[0].split() == ["book", "chapters", "audio", "status"]
    assert table[1].split()[:2] == ["premye.ht.md", "2"] and table[1].rstrip().endswith("complete")
    assert table[2].split()[:3] == ["kase.ht.pdf", "-", "-"] and "failed (3)" in table[2]
    assert table[-1].split()[:2] == ["dezyem.ht.md", "1"] and table[-1].rstrip().endswith("complete")

    # Again: the finished books are "already done"; the broken one still fails.
    again = cli("audiobook", a, bad, b, "-o", out, "-q")
    assert again.exit_code == ExitCode.INPUT
    assert [line for line in again.stderr.splitlines() if line] == errors

    # Only finished books: exit 10, and nothing at all under --quiet.
    done = cli("audiobook", a, b, "-o", out, "-q")
    assert (done.exit_code, done.stderr, done.stdout) == (ExitCode.ALREADY_DONE, "", "")
    # One new book among done ones: success.
    (tmp_path / "inbox" / "twazyem.ht.md").write_text("# Twa\n\nOrevwa.\n", "utf-8")
    mixed = cli("audiobook", a, tmp_path / "inbox" / "twazyem.ht.md", "-o", out, "-q")
    assert mixed.exit_code == 0 and mixed.stderr == ""


def test_several_books_json_events(cli, tmp_path):
    import jsonschema

    a, b = _books(tmp_path / "inbox")
    result = cli("audiobook", a, b, "-o", tmp_path / "out", "--progress", "json")
    assert result.exit_code == 0
    schema = json.loads((ROOT / "docs" / "progress.schema.json").read_text("utf-8"))
    events = [json.loads(line) for line in result.stderr.splitlines()]
    for event in events:
        jsonschema.validate(event, schema)
    assert [e["input"] for e in events if e["event"] == "start"] == [str(a), str(b)]
    assert [e["status"] for e in events if e["event"] == "book_done"] == ["complete"] * 2
    assert events[-1]["event"] == "done" and events[-1]["exit_code"] == 0


def test_same_file_names_get_their_own_folders(cli, tmp_path):
    one = tmp_path / "one" / "liv.ht.md"
    two = tmp_path / "two" / "liv.ht.md"
    for path, text in ((one, BOOK_A), (two, BOOK_B)):
        path.parent.mkdir()
        path.write_text(text, "utf-8")
    result = cli("audiobook", one, two, "-o", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["liv", "liv-2"]


def test_a_folder_as_input_is_bad_input(cli, tmp_path):
    result = cli("audiobook", tmp_path, "-o", tmp_path / "out")
    assert result.exit_code == ExitCode.INPUT
    assert result.stderr.startswith("error: ") and "is a folder" in result.stderr


def test_switching_format_removes_the_previous_runs_outputs(cli, tmp_path):
    a, _ = _books(tmp_path / "inbox")
    out = tmp_path / "out"
    assert cli("audiobook", a, "-o", out, "-q", "--format", "mp3").exit_code == 0
    assert (out / "premye.mp3").exists()
    assert cli("audiobook", a, "-o", out, "-q", "--format", "m4b").exit_code == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "premye.ht.md", "premye.m4b", "premye.srt", "report.json"]
    assert cli("audiobook", a, "-o", out, "-q", "--split", "chapters").exit_code == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "01-Premye.m4b", "01-Premye.srt", "02-Dezyèm.m4b", "02-Dezyèm.srt", "premye.ht.md",
        "report.json"]


def test_another_book_into_the_same_folder_is_refused(cli, tmp_path):
    a, b = _books(tmp_path / "inbox")
    out = tmp_path / "out"
    assert cli("audiobook", a, "-o", out, "-q").exit_code == 0
    before = (out / "report.json").read_bytes()
    other = cli("audiobook", b, "-o", out, "-q")
    assert other.exit_code == ExitCode.OUTPUT
    assert "already holds the audiobook of" in other.stderr and "choose another -o" in other.stderr
    assert (out / "report.json").read_bytes() == before


def test_split_chapters_writes_one_srt_per_chapter_file(cli, tmp_path):
    a, _ = _books(tmp_path / "inbox")
    out = tmp_path / "out"
    assert cli("audiobook", a, "-o", out, "-q", "--split", "chapters", "--format", "mp3"
               ).exit_code == 0
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert "premye.srt" not in report["outputs"]
    for chapter in report["chapters"]:
        srt = (out / chapter["file"]).with_suffix(".srt")
        blocks = srt.read_text("utf-8").strip().split("\n\n")
        assert blocks[0].startswith("1\n00:00:00,000 --> ")  # timed from the file's start
        last_end = blocks[-1].splitlines()[1].split(" --> ")[1]
        h, m, s = last_end.replace(",", ".").split(":")
        assert float(h) * 3600 + float(m) * 60 + float(s) <= audio_duration(
            out / chapter["file"]) + 0.05


def test_readme_crontab_is_silent_when_there_is_nothing_to_do(tmp_path):
    """The README's inbox crontab line, run as cron would (env -i, no TTY, stdin closed)."""
    import os
    import sys

    readme = (ROOT / "README.md").read_text("utf-8")
    line = next(x for x in readme.splitlines() if x.startswith("*/30 "))
    command = line.split(" ", 5)[5]
    home = tmp_path / "home"
    (home / "inbox").mkdir(parents=True)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "kreyol").write_text(f"#!/bin/sh\nexec {sys.executable} -m kreyol_cli \"$@\"\n")
    (bindir / "kreyol").chmod(0o755)
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh",
           "KREYOL_HOME": os.environ["KREYOL_HOME"], "PYTHONPATH": str(ROOT)}

    def cron() -> subprocess.CompletedProcess:
        return subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True,
                              stdin=subprocess.DEVNULL, text=True, timeout=300, cwd=ROOT)

    empty = cron()  # an empty inbox
    assert (empty.stdout, empty.stderr) == ("", "")
    (home / "inbox" / "kout.ht.md").write_text(BOOK_B, "utf-8")
    # The formats the README lists are all picked up, not only PDF, text and Markdown.
    (home / "inbox" / "liv.epub").write_bytes(epub_bytes(
        [EpubChapter("Chapit 1", ["Bonjou tout moun."])], lang="ht", title="Liv"))
    (home / "inbox" / "rapo.docx").write_bytes(docx_bytes(
        [w_para(w_run("Lekòl la louvri."))], language="ht"))
    first = cron()
    assert first.stderr == "" and first.stdout == ""
    for name in ("kout", "liv", "rapo"):
        assert (home / "audiobooks" / name / f"{name}.m4b").exists(), name
    again = cron()  # nothing new: no mail
    assert (again.stdout, again.stderr) == ("", "")


def test_kreyol_run_json_has_no_missing_warning(tmp_path):
    """A PDF with an image-only page warns on stderr in every progress mode."""
    from pdf_factory import Image, Para, make_pdf

    pdf = make_pdf(tmp_path / "skan.ht.pdf", [[Para("Bonjou tout moun.")], [Image()]])
    for mode in ("auto", "none", "json"):
        for quiet in ((), ("-q",)):
            out = tmp_path / f"out-{mode}-{bool(quiet)}"
            proc = run_kreyol("audiobook", pdf, "-o", out, "--progress", mode, *quiet,
                              stdin=subprocess.DEVNULL)
            assert proc.returncode == 0, proc.stderr
            err = proc.stderr.decode()
            assert "1 page(s) have no text layer" in err, (mode, quiet, err)
            if mode == "json":
                assert any(json.loads(x)["event"] == "warning" for x in err.splitlines())
            else:
                assert "warning: 1 page(s) have no text layer" in err


def test_models_and_worker_pool_are_made_once_for_all_books(cli, tmp_path, monkeypatch):
    from conftest import TINY_MARIAN

    import kreyol_cli.executor as executor_module
    import kreyol_cli.translate as translate_module

    made = {"executors": 0, "translators": 0}
    real_executor, real_service = executor_module.make_executor, translate_module.TranslationService

    def make_executor(*args, **kwargs):
        made["executors"] += 1
        return real_executor(*args, **kwargs)

    class CountedService(real_service):
        def __init__(self, *args, **kwargs):
            made["translators"] += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(executor_module, "make_executor", make_executor)
    monkeypatch.setattr(translate_module, "TranslationService", CountedService)
    books = []
    for name in ("one", "two", "three"):
        path = tmp_path / f"{name}.en.md"
        path.write_text("# Morning\n\nGood morning.\n", "utf-8")
        books.append(path)
    result = cli("audiobook", *books, "-o", tmp_path / "out", "-m", TINY_MARIAN, "-q")
    assert result.exit_code == 0, result.stderr
    assert made == {"executors": 1, "translators": 1}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["one", "three", "two"]


def test_several_documents_json_events_validate_and_name_every_folder(cli, tmp_path):
    """An EPUB, a cp1252 text and a truncated DOCX in one run: every event matches the
    schema, the code-page warning is one event, and the failed book's event names its
    folder (it said outdir ".")."""
    import jsonschema

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    liv = inbox / "liv.epub"
    liv.write_bytes(epub_bytes([EpubChapter("Chapit 1", ["Bonjou tout moun."]),
                                EpubChapter("Chapit 2", ["Mèsi anpil."])], lang="ht"))
    kafe = inbox / "kafe.ht.txt"
    kafe.write_bytes("Kafe a cho, café.\n".encode("cp1252"))
    rapo = inbox / "rapo.docx"
    whole = docx_bytes([w_para(w_run("Lekòl la louvri."))], language="ht")
    rapo.write_bytes(whole[:len(whole) // 2])
    out = tmp_path / "out"
    result = cli("audiobook", liv, kafe, rapo, "-o", out, "--progress", "json")
    assert result.exit_code == ExitCode.INPUT
    schema = json.loads((ROOT / "docs" / "progress.schema.json").read_text("utf-8"))
    events = [json.loads(line) for line in result.stderr.splitlines()]
    for event in events:
        jsonschema.validate(event, schema)
    warnings = [e["message"] for e in events if e["event"] == "warning"]
    assert warnings == [f"{kafe} is not UTF-8: read it as cp1252 "
                        f"(pass --encoding to choose another)"]
    ends = [(e["event"], e["input"], e["outdir"]) for e in events
            if e["event"] in ("book_done", "book_failed")]
    assert ends == [("book_done", str(liv), str(out / "liv")),
                    ("book_done", str(kafe), str(out / "kafe")),
                    ("book_failed", str(rapo), str(out / "rapo"))]
    assert [e["title"] for e in events if e["event"] == "chapter_done"][:2] == [
        "Chapit 1", "Chapit 2"]
    assert not (out / "rapo").exists()
