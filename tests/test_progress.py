"""What the progress display shows in a 60x20 terminal, and the JSON events' schema.

The terminal is pyte's VT100 emulator fed by a rich console, so the tests
see the screen a person sees (cursor moves and line clears applied), not
the escape codes.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyte
import pytest
from pdf_factory import make_chaptered_pdf
from rich.console import Console

from kreyol_cli.cache import Cache
from kreyol_cli.executor import SerialExecutor
from kreyol_cli.pipeline import AudiobookRequest, run_audiobook
from kreyol_cli.progress import Reporter
from kreyol_cli.registry import Registry
from kreyol_cli.settings import Settings
from kreyol_cli.synthesize import AudioPart, SynthesisOptions, VoiceService

ROOT = Path(__file__).resolve().parent.parent
COLS, ROWS = 60, 20


class Terminal(io.TextIOBase):
    """A 60x20 terminal with scrollback: what rich writes is what pyte shows."""

    def __init__(self, cols: int = COLS, rows: int = ROWS) -> None:
        self.screen = pyte.HistoryScreen(cols, rows, history=1000)
        self.stream = pyte.Stream(self.screen)

    def write(self, text: str) -> int:
        self.stream.feed(text.replace("\n", "\r\n"))  # what the tty driver does (onlcr)
        return len(text)

    def isatty(self) -> bool:
        return True

    def lines(self) -> list[str]:
        """The visible screen, trailing blanks stripped."""
        return [line.rstrip() for line in self.screen.display]

    def scrollback(self) -> list[str]:
        return ["".join(line[x].data for x in range(COLS)).rstrip()
                for line in self.screen.history.top]

    def console(self) -> Console:
        return Console(file=self, width=COLS, height=ROWS, force_terminal=True,
                       color_system="standard", highlight=False, soft_wrap=True)


class FakeVoiceExecutor(SerialExecutor):
    """One second of silence per sentence instead of Piper, and a hook to look
    at the screen while a given sentence is being 'spoken'."""

    def __init__(self, on_task=None) -> None:
        self.calls = 0
        self.on_task = on_task

    def map(self, func, tasks):
        for text in tasks:
            self.calls += 1
            if self.on_task is not None:
                self.on_task(self.calls, text)
            yield AudioPart(b"\0\0" * 22050, 22050, ((text, 22050),))


def _request(pdf: Path, out: Path, **kw) -> AudiobookRequest:
    settings = Settings.load()
    voice = VoiceService(Registry.load(settings).resolve_voice(None, "ht"), SynthesisOptions())
    return AudiobookRequest(input=str(pdf), outdir=out, name=pdf.stem.split(".")[0],
                            source="ht", translation=None, voice=voice, fmt="mp3", **kw)


@pytest.fixture(scope="module")
def fifty(tmp_path_factory) -> Path:
    return make_chaptered_pdf(tmp_path_factory.mktemp("book") / "fifty.ht.pdf", 50,
                              long_title_at=30)


def test_fifty_chapters_in_a_60x20_terminal(fifty, tmp_path):
    term = Terminal()
    seen: dict[int, list[str]] = {}
    # Chapter 1 has 5 sentences (book title, author, chapter title, 2 sentences), the
    # others 3; look while the second sentence of chapters 1, 31 (long title) and 48 runs.
    looks = {2: "chapter 1", 94: "chapter 31", 145: "chapter 48"}

    def look(call: int, text: str) -> None:
        if call in looks:
            seen[call] = term.lines()

    executor = FakeVoiceExecutor(look)
    reporter = Reporter("auto", out=term.console(), auto_refresh=False)
    report = run_audiobook(_request(fifty, tmp_path / "out"), Cache(Settings.load(),
                                                                    enabled=False),
                           executor, reporter)
    reporter.close()
    assert len(report["chapters"]) == 50

    for call, words in looks.items():
        screen = seen[call]
        live = [line for line in screen if line and not line.startswith("✓")]
        # Exactly two live lines: the book, then the current chapter; no pile of bars.
        assert len(live) == 2, screen
        overall, chapter = live
        assert words + "/?" not in overall
        assert f"{words} · " in overall, overall
        assert "/50 pages" in overall and "eta " in overall, overall
        assert chapter.startswith("  ▸ "), chapter
        assert all(len(line) <= COLS for line in screen)
        assert "…" not in overall
    # The 103-character title is cut to fit with an ellipsis; its counts stay visible.
    long_line = [line for line in seen[94] if line.startswith("  ▸ ")][0]
    assert long_line.startswith("  ▸ Chapter 31: A very long") and "…" in long_line
    assert long_line.endswith(" 1/3"), long_line
    # Finished chapters leave one short ✓ line each, with their audio length.
    overall = [line for line in seen[94] if "pages" in line][0]
    # 60 columns: every field fits once the bar makes way; 93 s of audio so far
    assert overall.startswith("chapter 31 · 30/50 pages · 1:33 audio · 0:"), overall
    done_before_31 = [line for line in seen[94] if line.startswith("✓ ")]
    assert done_before_31[-1] == "✓ Chapter 30: The river and the school (0:03)"
    assert done_before_31[-1] != seen[94][-1]  # the live lines stay at the bottom

    # At the end the live lines are gone: only ✓ lines, one per chapter, in order.
    everything = [line for line in term.scrollback() + term.lines() if line]
    assert [line for line in everything if not line.startswith("✓ ")] == []
    assert len(everything) == 50
    assert everything[0] == "✓ Chapter 1: The river and the school (0:05)"  # + the book title
    assert everything[30].startswith("✓ Chapter 31: A very long") and everything[30].endswith(
        "… (0:03)") and len(everything[30]) <= COLS


def test_unknown_total_does_not_look_full():
    term = Terminal()
    reporter = Reporter("auto", out=term.console(), auto_refresh=False)
    with pytest.raises(KeyboardInterrupt), reporter.stage("synthesize") as task:
        for _ in range(18):
            task.advance(audio_s=1.5)
        assert [line for line in term.lines() if line] == [
            # 60 columns: the (dotted, unknown) bar makes way for the fields
            "synthesize · 18 sentences so far · 0:00 · 0:27 audio"]
        raise KeyboardInterrupt
    # Interrupted: the line goes away; it never jumps to "18/18" or "eta 0:00".
    assert [line for line in term.lines() if line] == []
    assert task.total is None


def test_narrow_terminal_keeps_the_most_useful_fields():
    term = Terminal(cols=30)
    console = Console(file=term, width=30, height=ROWS, force_terminal=True)
    reporter = Reporter("auto", out=console, auto_refresh=False)
    with reporter.book("pages", 240, None) as book:
        book.start_chapter(0, "The first chapter of a long book", 10, 12)
        book.advance(5, audio_s=30)
        overall, chapter = [line.rstrip() for line in term.screen.display if line.strip()]
    # 30 columns: no bar; the chapter and the ETA stay, the rest makes way.
    assert overall == "chapter 1 · eta 0:00", overall
    assert len(chapter) <= 30 and chapter.endswith("5/10") and "…" in chapter


SCHEMA = json.loads((ROOT / "docs" / "progress.schema.json").read_text("utf-8"))


def test_every_json_event_of_a_run_matches_the_documented_schema(tmp_path):
    import jsonschema
    from pdf_factory import Image, Para, Spec, make_pdf

    pdf = make_pdf(tmp_path / "scan.ht.pdf",
                   [[Para("Bonjou tout moun. Lekòl la louvri.")], [Image()],
                    [Para("Mèsi anpil. Orevwa.")]], Spec(title="Ti Liv"))
    events = io.StringIO()
    reporter = Reporter("json", stream=events)
    run_audiobook(_request(pdf, tmp_path / "out"), Cache(Settings.load(), enabled=False),
                  FakeVoiceExecutor(), reporter)
    lines = events.getvalue().splitlines()
    parsed = [json.loads(line) for line in lines]
    for event in parsed:
        jsonschema.validate(event, SCHEMA)
    kinds = [e["event"] for e in parsed]
    assert {"progress", "chapter_ready", "chapter_done", "warning"} <= set(kinds)
    # A warning for the image-only page reaches the user, not only report.json.
    assert any("no text layer" in e["message"] for e in parsed if e["event"] == "warning")
    # Every chapter has its chapter_done, with its time range in the one audio file.
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    done = [e for e in parsed if e["event"] == "chapter_done"]
    assert [(d["title"], d["file"], d["start_s"], d["end_s"]) for d in done] == [
        (c["title"], "scan.mp3", c["start_s"], c["end_s"]) for c in report["chapters"]]
    last = [e for e in parsed if e["event"] == "progress"][-1]
    assert last["done"] == last["total"] == 3 and last["eta_s"] == 0
    assert all(b["elapsed_s"] >= a["elapsed_s"] for a, b in zip(parsed, parsed[1:], strict=False))


def test_a_fatal_error_under_progress_json_is_an_error_event(cli, tmp_path):
    """With --progress json every line on stderr is JSON: the error that ends the
    run is an ``error`` event, not a plain ``error:`` line a JSON reader chokes on."""
    import jsonschema

    broken = tmp_path / "book.ht.pdf"
    broken.write_bytes(b"")  # a failed download
    result = cli("audiobook", broken, "-o", tmp_path / "out", "--progress", "json")
    assert result.exit_code == 3
    events = [json.loads(line) for line in result.stderr.splitlines()]
    for event in events:
        jsonschema.validate(event, SCHEMA)
    assert events[-1]["event"] == "error" and events[-1]["exit_code"] == 3
    assert "is empty (0 bytes)" in events[-1]["message"]
    # The next command, in another mode, prints the plain line again.
    plain = cli("audiobook", broken, "-o", tmp_path / "out")
    assert plain.exit_code == 3 and plain.stderr.startswith("error: ")
