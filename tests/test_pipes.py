"""The commands compose as Unix pipes: stdout carries only the payload."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from audio_utils import duration
from conftest import TINY_MARIAN, corpus_pairs
from pdf_factory import Heading, Para, Spec, make_pdf


def test_extract_translate_tts_pipe(tmp_path):
    pairs = corpus_pairs()[:6]
    pdf = make_pdf(tmp_path / "book.en.pdf", [
        [Heading("Good morning."), Para(" ".join(en for en, _ in pairs[:3]))],
        [Heading("Thank you very much."), Para(" ".join(en for en, _ in pairs[3:]))],
    ], Spec(title="Book", toc=[(1, "Good morning.", 1), (1, "Thank you very much.", 2)]))
    kreyol = f"{shlex.quote(sys.executable)} -m kreyol_cli"
    creole = tmp_path / "book.ht.txt"
    audio = tmp_path / "book.mp3"
    script = (f"{kreyol} extract {shlex.quote(str(pdf))} "
              f"| {kreyol} translate --model {shlex.quote(str(TINY_MARIAN))} "
              f"| tee {shlex.quote(str(creole))} "
              f"| {kreyol} tts -o {shlex.quote(str(audio))}")
    result = subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True,
                            text=True, env=os.environ.copy(), timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    text = creole.read_text("utf-8")
    for _, ht in pairs:  # the exact Creole of every sentence came through the pipe
        assert ht in text
    assert "Bonjou." in text  # the chapter heading was translated too
    assert 5 < duration(audio) < 60
