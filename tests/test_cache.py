"""The on-disk cache: statistics, TTL, clear/prune/path, concurrency, corruption."""

from __future__ import annotations

import json
import multiprocessing
import time

import pytest
from conftest import TINY_MARIAN

from kreyol_cli.cache import Cache, make_key
from kreyol_cli.errors import ExitCode
from kreyol_cli.settings import Settings

SENTENCES = ["Good morning.", "How are you?", "Goodbye."]
TEXT = " ".join(SENTENCES) + "\n"


def translate(cli, *extra: str):
    result = cli("translate", "-m", TINY_MARIAN, "-f", "jsonl", *extra, input=TEXT)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def stats(cli) -> dict:
    result = cli("cache", "stats", "--json")
    assert result.exit_code == 0, result.stderr
    return {n["namespace"]: n for n in json.loads(result.stdout)["namespaces"]}


def test_stats_count_hits_and_misses(cli, kreyol_home):
    empty = stats(cli)["translation"]
    assert (empty["entries"], empty["hits"], empty["misses"]) == (0, 0, 0)
    translate(cli)
    first = stats(cli)["translation"]
    assert (first["entries"], first["hits"], first["misses"]) == (3, 0, 3)
    assert first["bytes"] > 0 and first["oldest"] <= first["newest"]
    assert first["directory"] == str(kreyol_home / "cache" / "translation")
    translate(cli)
    second = stats(cli)["translation"]
    assert (second["entries"], second["hits"], second["misses"]) == (3, 3, 3)
    assert second["hit_rate"] == pytest.approx(0.5)
    table = cli("cache", "stats")
    assert table.exit_code == 0 and "translation" in table.stdout and "50%" in table.stdout


def test_ttl_expiry(cli, monkeypatch):
    monkeypatch.setenv("KREYOL_CACHE_TTL", "1")
    assert stats(cli)["translation"]["ttl_s"] == 1
    assert [r["cached"] for r in translate(cli)] == [False] * 3
    assert [r["cached"] for r in translate(cli)] == [True] * 3
    time.sleep(1.3)
    assert [r["cached"] for r in translate(cli)] == [False] * 3  # expired: translated again
    time.sleep(1.3)
    result = cli("cache", "prune")
    assert result.exit_code == 0
    assert "pruned 3 entries" in result.stderr
    assert stats(cli)["translation"]["entries"] == 0


def test_prune_older_than_keeps_recent_entries(cli):
    translate(cli)
    assert cli("cache", "prune", "--older-than", "1h").exit_code == 0
    assert stats(cli)["translation"]["entries"] == 3
    time.sleep(1.1)
    assert cli("cache", "prune", "--older-than", "1s").exit_code == 0
    assert stats(cli)["translation"]["entries"] == 0
    assert cli("cache", "prune", "--older-than", "soon").exit_code == ExitCode.USAGE


def test_clear_all_and_one_namespace(cli):
    translate(cli)
    cache = Cache(Settings.load())
    cache.set("audio", "k", b"pcm")
    cache.close()
    assert stats(cli)["audio"]["entries"] == 1
    result = cli("cache", "clear", "--yes", "--namespace", "translation")
    assert result.exit_code == 0 and "removed 3 entries" in result.stderr
    after = stats(cli)
    assert (after["translation"]["entries"], after["audio"]["entries"]) == (0, 1)
    assert after["translation"]["hits"] == after["translation"]["misses"] == 0  # reset too
    assert cli("cache", "clear", "-y").exit_code == 0
    assert stats(cli)["audio"]["entries"] == 0
    assert [r["cached"] for r in translate(cli)] == [False] * 3


def test_clear_needs_confirmation_and_a_known_namespace(cli):
    translate(cli)
    refused = cli("cache", "clear")  # stdin is not a terminal: refuse rather than hang
    assert refused.exit_code == ExitCode.USAGE and "--yes" in refused.stderr
    unknown = cli("cache", "clear", "--yes", "--namespace", "nope")
    assert unknown.exit_code == ExitCode.USAGE and "translation" in unknown.stderr
    assert stats(cli)["translation"]["entries"] == 3


def test_cache_path(cli, kreyol_home, tmp_path, monkeypatch):
    result = cli("cache", "path")
    assert result.exit_code == 0 and result.stdout.strip() == str(kreyol_home / "cache")
    monkeypatch.setenv("KREYOL_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert cli("cache", "path").stdout.strip() == str(tmp_path / "elsewhere")
    translate(cli)
    assert (tmp_path / "elsewhere" / "translation" / "cache.db").exists()


def test_key_includes_stage_parts_and_text():
    base = make_key("translate", "Bonjou", model="m", revision="1")
    assert base.startswith("translate:")
    assert base == make_key("translate", "Bonjou", revision="1", model="m")  # order-free
    others = {make_key("tts", "Bonjou", model="m", revision="1"),
              make_key("translate", "Bonjou!", model="m", revision="1"),
              make_key("translate", "Bonjou", model="m", revision="2"),
              make_key("translate", "Bonjou", model="m", revision="1", beam=2)}
    assert base not in others and len(others) == 4


def _writer(settings: Settings, tag: str, n: int) -> None:
    cache = Cache(settings)
    for i in range(n):
        cache.set("translation", f"{tag}-{i}", f"value {tag} {i}")
    cache.close()


def test_two_processes_write_at_once():
    settings = Settings.load()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(settings, tag, 300)) for tag in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    cache = Cache(settings)
    for tag in ("a", "b"):
        assert [cache.get("translation", f"{tag}-{i}") for i in range(300)] == [
            f"value {tag} {i}" for i in range(300)]
    assert cache.stats("translation").entries == 600
    cache.close()


def test_corrupt_cache_file_is_rebuilt_and_the_run_succeeds(cli, kreyol_home):
    translate(cli)
    db = kreyol_home / "cache" / "translation" / "cache.db"
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 500)
    result = cli("translate", "-m", TINY_MARIAN, "-f", "jsonl", input=TEXT)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["translation"] for r in rows] == ["Bonjou.", "Kijan ou ye?", "Orevwa."]
    warnings = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(warnings) == 1 and "rebuilding" in warnings[0], result.stderr
    assert [r["cached"] for r in translate(cli)] == [True] * 3  # the new cache works
    assert not [p for p in db.parent.parent.iterdir() if ".broken-" in p.name]


def test_garbage_over_a_live_cache_during_stats_is_rebuilt(cli, kreyol_home):
    translate(cli)
    (kreyol_home / "cache" / "translation" / "cache.db").write_bytes(b"\0garbage" * 100)
    result = cli("cache", "stats", "--json")
    assert result.exit_code == 0
    assert "Traceback" not in result.stderr
