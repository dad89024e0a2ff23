"""``kreyol cache``: stats, clear, prune and path of the on-disk cache."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer

from kreyol_cli.commands.edge import handle_errors, table_console

cache_app = typer.Typer(help="Inspect and maintain the on-disk cache.", no_args_is_help=True,
                        rich_markup_mode=None)


def _open():
    from kreyol_cli.cache import Cache
    from kreyol_cli.progress import Reporter
    from kreyol_cli.settings import Settings

    return Cache(Settings.load(), warn=Reporter("none").warn)


def _human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def _when(ts: float | None) -> str:
    return "-" if ts is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


@cache_app.command("stats")
@handle_errors
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Entries, size, hits, misses, hit rate and age range per namespace."""
    cache = _open()
    rows = [cache.stats(ns) for ns in cache.namespaces()]
    if as_json:
        print(json.dumps({"directory": str(cache.settings.cache_dir),
                          "namespaces": [r.to_dict() for r in rows]}, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"kreyol cache: {cache.settings.cache_dir}")
    for col in ("namespace", "entries", "size", "hits", "misses", "hit rate", "oldest",
                "newest", "ttl"):
        table.add_column(col, justify="left" if col == "namespace" else "right")
    for r in rows:
        rate = "-" if r.hit_rate is None else f"{r.hit_rate:.0%}"
        ttl = "never" if not r.ttl else f"{r.ttl // 86400}d" if r.ttl >= 86400 else f"{r.ttl}s"
        table.add_row(r.namespace, str(r.entries), _human_bytes(r.bytes), str(r.hits),
                      str(r.misses), rate, _when(r.oldest), _when(r.newest), ttl)
    table_console().print(table)


def _interactive() -> bool:
    return sys.stdin.isatty()


@cache_app.command("clear")
@handle_errors
def clear(
    namespace: Annotated[str | None, typer.Option("--namespace", "-n",
                                                  help="Only this namespace.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete cached results (all namespaces but the translation memory, or one)."""
    from kreyol_cli.errors import UsageError

    cache = _open()
    if namespace is not None and namespace not in cache.namespaces():
        raise UsageError(f"unknown namespace {namespace!r}; known: {', '.join(cache.namespaces())}")
    what = (f"namespace {namespace!r}" if namespace
            else "all namespaces but the translation memory (`kreyol memory clear`)")
    if not yes:
        if not _interactive():
            raise UsageError(f"refusing to clear {what} without confirmation: add --yes")
        if not typer.confirm(f"Clear {what} in {cache.settings.cache_dir}?", err=True):
            typer.echo("nothing cleared", err=True)  # a "no" is an answer, not an error
            return
    removed = cache.clear(namespace)
    typer.echo(f"removed {removed} entries from {what}", err=True)


@cache_app.command("prune")
@handle_errors
def prune(
    older_than: Annotated[str | None, typer.Option(
        "--older-than", help="Also remove entries stored longer ago than this (30d, 12h).")
    ] = None,
) -> None:
    """Remove expired entries, then evict down to each namespace's size limit."""
    from kreyol_cli.settings import parse_duration

    cache = _open()
    removed = cache.prune(None if older_than is None else parse_duration(older_than))
    detail = ", ".join(f"{ns}: {n}" for ns, n in removed.items()) or "nothing cached"
    typer.echo(f"pruned {sum(removed.values())} entries ({detail})", err=True)


@cache_app.command("path")
@handle_errors
def path() -> None:
    """Print the cache directory."""
    print(_open().settings.cache_dir)
