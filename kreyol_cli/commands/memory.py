"""``kreyol memory``: the translation memory of corrected sentences."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kreyol_cli.commands.edge import handle_errors, table_console

memory_app = typer.Typer(help="List, export, import and clear the translation memory "
                              "(sentences a person corrected; they win over the model).",
                         no_args_is_help=True, rich_markup_mode=None)


def _cache():
    from kreyol_cli.cache import Cache
    from kreyol_cli.progress import Reporter
    from kreyol_cli.settings import Settings

    return Cache(Settings.load(), warn=Reporter("none").warn)


@memory_app.command("list")
@handle_errors
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Every remembered sentence: languages, source, correction, where it came from."""
    from kreyol_cli import memory

    rows = list(memory.entries(_cache()))
    if as_json:
        for c in rows:
            print(json.dumps(c.to_dict(), ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=f"translation memory: {len(rows)} sentences")
    for col in ("pair", "source", "correction", "from"):
        table.add_column(col)
    for c in rows:
        table.add_row(f"{c.source_lang}-{c.target_lang}", c.source, c.target, c.origin)
    table_console().print(table)


@memory_app.command("export")
@handle_errors
def export(
    output: Annotated[str, typer.Argument(help="FILE.csv or FILE.xlf to write.")],
) -> None:
    """Write the memory as a review file (CSV or XLIFF 1.2) to edit or share."""
    from kreyol_cli import __version__, memory, review

    rows = list(memory.entries(_cache()))
    pairs = {(c.source_lang, c.target_lang) for c in rows}
    src, tgt = next(iter(pairs)) if len(pairs) == 1 else ("en", "ht")
    doc = review.Review("", src, tgt, tool=__version__)
    for i, c in enumerate(rows, 1):
        # No machine translation: imported again, every line counts as a correction.
        doc.segments.append(review.Segment(str(i), 1, "", i, c.source, c.target, "",
                                           origin="memory"))
    review.write(output, doc)
    typer.echo(f"wrote {output}: {len(rows)} sentences", err=True)


@memory_app.command("import")
@handle_errors
def import_(
    files: Annotated[list[str], typer.Argument(help="Reviewed .xlf or .csv files.")],
) -> None:
    """Add the corrected sentences of reviewed files, whatever document they came from."""
    from kreyol_cli.human import import_corrections
    from kreyol_cli.progress import Reporter
    from kreyol_cli.review import language, read

    cache = _cache()
    for path in files:
        reviewed = read(path)
        import_corrections(cache, [path], None, language(reviewed.source_lang) or "en",
                           Reporter("auto"))
    cache.close()


@memory_app.command("clear")
@handle_errors
def clear(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Forget every correction."""
    import sys

    from kreyol_cli import memory
    from kreyol_cli.errors import UsageError

    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("refusing to clear the translation memory without confirmation: "
                             "add --yes")
        typer.confirm("Forget every corrected sentence?", abort=True)
    removed = memory.clear(_cache())
    typer.echo(f"removed {removed} sentences from the translation memory", err=True)
