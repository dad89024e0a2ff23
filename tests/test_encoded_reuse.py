"""A rebuilt audiobook (`--mode redo`) copies the chapter files a previous
run encoded instead of encoding them again, and the files are the same
bytes as a cold run's, whatever changed in between."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CHAPTERS = {
    "Premye": "Bonjou tout moun. Jodi a se yon bèl jounen.",
    "Dezyèm": "Mwen rele Pyè. M ap vini demen maten.",
    "Twazyèm": "Mèsi anpil pou pasyans nou. Orevwa.",
}


def book(path: Path, chapters: dict[str, str]) -> Path:
    path.write_text("".join(f"# {t}\n\n{body}\n\n" for t, body in chapters.items()), "utf-8")
    return path


def outputs(out: Path) -> dict[str, bytes]:
    """Every file a user gets, except the report (it holds timings)."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())
            if p.is_file() and p.name != "report.json" and not p.name.startswith(".")}


def encoded_stats(out: Path) -> dict:
    return json.loads((out / "report.json").read_text())["cache"]["encoded"]


@pytest.mark.parametrize(("split", "fmt", "segments"), [("chapters", "mp3", 3), ("none", "m4b", 1)])
def test_redo_reuses_the_encoded_audio_and_gives_the_same_files(cli, tmp_path, split, fmt,
                                                               segments):
    src = book(tmp_path / "liv.ht.md", CHAPTERS)
    out = tmp_path / "out"
    args = ["audiobook", src, "-o", out, "--split", split, "--format", fmt, "-q"]
    assert cli(*args).exit_code == 0
    cold = outputs(out)
    assert len([n for n in cold if n.endswith(fmt)]) == segments
    assert encoded_stats(out)["hits"] == 0

    assert cli(*args, "--mode", "redo").exit_code == 0
    assert encoded_stats(out) == {"hits": segments, "misses": 0}
    assert outputs(out) == cold

    # --mode force reads no cache at all, and still gives the same bytes.
    assert cli(*args, "--mode", "force").exit_code == 0
    assert encoded_stats(out)["hits"] == 0
    assert outputs(out) == cold


def test_a_changed_chapter_is_encoded_again_and_only_it(cli, tmp_path, monkeypatch):
    src = book(tmp_path / "liv.ht.md", CHAPTERS)
    out = tmp_path / "out"
    args = ["audiobook", src, "-o", out, "--split", "chapters", "--format", "mp3", "-q"]
    assert cli(*args).exit_code == 0

    changed = dict(CHAPTERS, Dezyèm="Mwen rele Mari. M ap vini aswè a.")
    book(src, changed)
    assert cli(*args, "--mode", "redo").exit_code == 0
    assert encoded_stats(out) == {"hits": 2, "misses": 1}
    rerun = outputs(out)

    # The same input, cold, with an empty cache, in another folder.
    monkeypatch.setenv("KREYOL_HOME", str(tmp_path / "fresh-home"))
    fresh = tmp_path / "fresh"
    assert cli("audiobook", src, "-o", fresh, "--split", "chapters", "--format", "mp3",
               "-q").exit_code == 0
    assert encoded_stats(fresh) == {"hits": 0, "misses": 3}
    assert outputs(fresh) == rerun


def test_a_lost_encoded_cache_is_rebuilt_not_fatal(cli, tmp_path, kreyol_home):
    import shutil

    src = book(tmp_path / "liv.ht.md", CHAPTERS)
    out = tmp_path / "out"
    args = ["audiobook", src, "-o", out, "--split", "chapters", "--format", "mp3", "-q"]
    assert cli(*args).exit_code == 0
    cold = outputs(out)
    shutil.rmtree(kreyol_home / "cache" / "encoded")
    assert cli(*args, "--mode", "redo").exit_code == 0
    assert encoded_stats(out) == {"hits": 0, "misses": 3}
    assert outputs(out) == cold
