"""Nothing in the cache can run code, and a corrupt entry is dropped and
rebuilt, never served: rows are planted and damaged here as an attacker or a
failing disk would, with diskcache's own API and SQLite."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import diskcache
import pytest

from kreyol_cli.audio import ffmpeg_exe
from kreyol_cli.cachevalue import CorruptValue, decode, encode
from tests.test_encoded_reuse import CHAPTERS, book, outputs


class Payload:
    """Unpickling this runs ``touch MARKER``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _keys(directory: Path) -> list[str]:
    with sqlite3.connect(directory / "cache.db") as db:
        return [k for (k,) in db.execute("SELECT key FROM Cache WHERE raw = 1")]


def _plant(directory: Path, marker: Path) -> int:
    """Replace every value of a namespace with a pickle that runs code when loaded."""
    keys = _keys(directory)
    planted = diskcache.Cache(str(directory))  # the stock Disk: values pickled
    for key in keys:
        planted.set(key, Payload(marker))
    planted.close()
    return len(keys)


def test_the_value_format_round_trips_and_refuses_any_change():
    value = {"pcm": b"\x00\x01" * 1000, "sample_rate": 22050, "samples": [3, 4], "t": "Bonjou"}
    blob = encode(value)
    assert decode(blob) == value
    for at in (0, 4, 5, len(blob) // 2, len(blob) - 1):
        damaged = bytearray(blob)
        damaged[at] ^= 0x40
        with pytest.raises(CorruptValue):
            decode(bytes(damaged))
    with pytest.raises(CorruptValue):
        decode(blob[:-3])


def test_a_planted_pickle_in_the_audio_cache_never_runs(cli, tmp_path, kreyol_home):
    marker = tmp_path / "PWNED"
    args = ["tts", "Bonjou tout moun. Mwen rele Pyè.", "-o", tmp_path / "a.wav", "-q"]
    assert cli(*args).exit_code == 0
    first = (tmp_path / "a.wav").read_bytes()
    assert _plant(kreyol_home / "cache" / "audio", marker) >= 1

    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert not marker.exists()
    assert (tmp_path / "a.wav").read_bytes() == first
    assert "corrupt entry was dropped" in result.stderr
    # ... and it was replaced by a good one: the next run is served quietly.
    again = cli(*args)
    assert again.exit_code == 0 and "corrupt" not in again.stderr


def test_a_planted_pickle_in_the_translation_memory_never_runs(cli, tmp_path, kreyol_home):
    marker = tmp_path / "PWNED"
    memory_dir = kreyol_home / "cache" / "memory"
    memory_dir.mkdir(parents=True)
    planted = diskcache.Cache(str(memory_dir))
    planted.set("memory:evil", Payload(marker))
    planted.set(("a", "tuple", "key"), {"target": "x"})  # a pickled key
    planted.close()
    result = cli("memory", "list", "--json")
    assert result.exit_code == 0, result.stderr
    assert not marker.exists()
    assert result.stdout == ""


def test_a_translation_memory_written_by_an_older_kreyol_is_still_read(cli, kreyol_home):
    from kreyol_cli.memory import key

    memory_dir = kreyol_home / "cache" / "memory"
    memory_dir.mkdir(parents=True)
    old = diskcache.Cache(str(memory_dir))  # how kreyol stored it before: pickled dicts
    old.set(key("en", "ht", "Good morning."), {
        "source": "Good morning.", "target": "Bonjou.", "source_lang": "en", "target_lang": "ht",
        "origin": "old.xlf", "added": 1.0})
    old.close()
    result = cli("memory", "list", "--json")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["target"] for line in result.stdout.splitlines()] == ["Bonjou."]


def _decode_errors(path: Path) -> str:
    done = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "null", "-"],
                          capture_output=True, text=True, timeout=60)
    return done.stderr


@pytest.mark.parametrize("damage", ["flip", "truncate", "raw-value"])
def test_a_damaged_encoded_entry_is_rebuilt_not_served(cli, tmp_path, kreyol_home, damage):
    src = book(tmp_path / "liv.ht.md", CHAPTERS)
    out = tmp_path / "out"
    args = ["audiobook", src, "-o", out, "-q", "--mode", "redo"]
    assert cli(*args).exit_code == 0
    clean = outputs(out)
    encoded = kreyol_home / "cache" / "encoded"
    blobs = [p for p in encoded.rglob("*.val")]
    if damage == "raw-value":
        with sqlite3.connect(encoded / "cache.db") as db:
            db.execute("UPDATE Cache SET value = ? WHERE value IS NOT NULL", (b"\x80garbage",))
    else:
        assert blobs, "the encoded chapter is kept as a file"
        for blob in blobs:
            data = bytearray(blob.read_bytes())
            if damage == "flip":
                data[len(data) // 2] ^= 0xFF
            else:
                del data[len(data) // 2 :]
            blob.write_bytes(bytes(data))

    for _ in range(2):  # the damaged entry is dropped, then the rebuilt one is served
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        assert outputs(out) == clean
        assert _decode_errors(out / "liv.m4b") == ""


def test_a_row_naming_a_file_outside_the_cache_neither_reads_nor_deletes_it(cli, tmp_path,
                                                                          kreyol_home):
    victim = tmp_path / "victim.txt"
    victim.write_text("secret", "utf-8")
    args = ["tts", "Bonjou tout moun.", "-o", tmp_path / "a.wav", "-q"]
    assert cli(*args).exit_code == 0
    audio = kreyol_home / "cache" / "audio"
    with sqlite3.connect(audio / "cache.db") as db:
        db.execute("UPDATE Cache SET mode = 2, value = NULL, filename = ?", (str(victim),))
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert "corrupt entry was dropped" in result.stderr
    assert cli("cache", "clear", "--yes").exit_code == 0
    assert victim.read_text("utf-8") == "secret"
