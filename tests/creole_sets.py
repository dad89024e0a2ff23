"""The Creole test sets in tests/data: one line per row, TAB-separated, ``#`` comments."""

from __future__ import annotations

from pathlib import Path

from kreyol_cli.creole import phonemize

DATA = Path(__file__).parent / "data"


def rows(name: str) -> list[list[str]]:
    """The rows of ``tests/data/NAME``, split at TABs."""
    return [line.split("\t") for line in (DATA / name).read_text("utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def said(text: str) -> str:
    """What the Creole front end sends the voice for ``text``, as one string."""
    return "".join(phonemize(text))
