"""Help that reads like the README: ``-o, --output FILE|-``, not ``<str>``.

Typer shows every value as its Python type (``<str>``, ``<list[str]>``,
``<int range>``) and required arguments as ``{input}``. ``KreyolCommand``
draws the usage line and the option list with metavars instead: an option's
own ``metavar`` if it sets one, else the table below (per command, then for
every command), else its name in capitals (``--lexicon LEXICON``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typer.core import TyperCommand

if TYPE_CHECKING:  # annotations only: typer vendors its own click
    import click

#: Metavars by parameter (Python) name, for every command.
METAVARS = {
    "input": "FILE|-", "output": "FILE|-", "model": "NAME|PATH", "voice": "NAME|PATH",
    "jobs": "N", "beam": "N", "encoding": "ENC", "speed": "X", "sentence_silence": "S",
    "noise_scale": "X", "noise_w": "X", "scheduler": "ADDR", "pages": "A-B", "password": "P",
    "backend": "auto|serial|processes|dask", "progress": "auto|json|none",
    "mode": "skip|redo|force", "split": "none|chapters",
    "namespace": "translation|audio|encoded|memory",
    "kind": "translation|voice", "older_than": "AGE", "quantization": "TYPE",
    "family": "marian|nllb|m2m100", "target": "ht", "text": "TEXT", "notes": "drop|end",
    "lexicon": "FILE", "glossary": "FILE", "corrections": "FILE", "review": "FILE.xlf|FILE.csv",
    "max_speedup": "X",
}

#: Metavars that differ by command.
COMMAND_METAVARS = {
    "translate": {"source": "auto|en|fr|ht", "fmt": "text|jsonl"},
    "tts": {"output": "OUT|-", "lang": "ht|en|fr", "fmt": "wav|flac|ogg|mp3|m4b|m4a|raw"},
    "audiobook": {"source": "auto|en|fr|ht", "fmt": "m4b|mp3", "outdir": "OUTDIR",
                  "inputs": "INPUT"},
    "extract": {"input": "INPUT", "fmt": "text|json|markdown"},
    "phonemize": {"lang": "ht|en|fr", "source": "FILE|-"},
    "convert": {"source": "CHECKPOINT_DIR", "destination": "OUT_DIR"},
    "pull": {"names": "NAME"},
    "path": {"name": "NAME"},
}


def metavar(command: str, param: click.Parameter) -> str:
    if param.metavar:
        return param.metavar.rstrip(".")
    name = param.name or ""
    return COMMAND_METAVARS.get(command, {}).get(name) or METAVARS.get(name) or name.upper()


class KreyolCommand(TyperCommand):
    """A Typer command whose usage line and option list use metavars."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = metavar(self.name, param)
                name = name if param.required else f"[{name}]"
                pieces.append(name + ("..." if param.nargs != 1 else ""))
        return pieces

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            _, help_text = record
            value = metavar(self.name, param)
            if param.param_type_name == "argument":
                arguments.append((value + ("..." if param.nargs != 1 else ""), help_text))
            else:
                names = ", ".join(sorted(param.opts, key=len) + param.secondary_opts)
                flag = getattr(param, "is_flag", False) or getattr(param, "count", False)
                options.append((names if flag else f"{names} {value}", help_text))
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        self.format_options(ctx, formatter)
        self.format_epilog(ctx, formatter)


def use_metavars(*typers) -> None:
    """Make every command registered on these Typer apps a ``KreyolCommand``."""
    for app in typers:
        for info in app.registered_commands:
            if info.cls in (None, TyperCommand):
                info.cls = KreyolCommand
