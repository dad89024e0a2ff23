"""Help that reads well, and agrees with the README's synopses."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def _commands():
    """(path, click command) for every command and group subcommand."""
    import typer.main

    from kreyol_cli.commands import app

    root = typer.main.get_command(app)
    for name, command in root.commands.items():
        if hasattr(command, "commands"):
            for sub, subcommand in command.commands.items():
                yield f"{name} {sub}", subcommand
        else:
            yield name, command


def _synopsis(path: str) -> str:
    """The README's synopsis block of ``kreyol PATH``: for a group's command, its lines."""
    group = path.split()[0]
    section = re.search(rf"### `kreyol {group}`\n+```\n(.*?)```", README, re.S)
    assert section, f"README has no synopsis for kreyol {group}"
    block = section.group(1)
    if " " not in path:
        return block
    # `kreyol models pull ...` lines, with their continuation lines
    lines, keep = [], False
    for line in block.splitlines():
        if line.startswith("kreyol "):
            keep = line.startswith(f"kreyol {path} ") or line == f"kreyol {path}"
        if keep:
            lines.append(line)
    assert lines, f"README has no synopsis line for kreyol {path}"
    return "\n".join(lines)


@pytest.mark.parametrize("path,command", list(_commands()), ids=lambda x: str(x))
def test_every_help_option_is_in_the_readme_synopsis(path, command):
    synopsis = _synopsis(path)
    missing = []
    for param in command.params:
        if param.param_type_name != "option" or param.name == "help":
            continue
        if not any(re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", synopsis)
                   for opt in param.opts):  # -i or --input
            missing.append(max(param.opts, key=len))
    assert not missing, f"kreyol {path}: README synopsis lacks {missing}"


@pytest.mark.parametrize("path", ["translate", "tts", "audiobook", "extract", "phonemize",
                                  "cache clear", "models pull", "models convert"])
def test_help_reads_well(cli, path):
    result = cli(*path.split(), "--help")
    assert result.exit_code == 0
    text = result.stdout
    assert "Raises:" not in text
    assert not re.search(r"<(str|int|float|list\[str\]|int range)>", text), text
    assert "{" not in text.splitlines()[0]  # usage line: INPUT, not {input}


def test_top_level_summaries_are_not_cut(cli):
    text = cli("--help").stdout
    commands = text[text.index("Commands:"):].splitlines()[1:]
    assert len(commands) == 9 and not any(line.rstrip().endswith("...") for line in commands)


def test_tts_help_lists_every_format(cli):
    text = " ".join(cli("tts", "--help").stdout.split())
    for fmt in ("wav", "flac", "ogg", "mp3", "m4b", "m4a", "raw"):
        assert fmt in text.split("--format")[1].split("--speed")[0]


@pytest.mark.parametrize("command", [
    ["translate", "Good morning."], ["tts", "Bonjou.", "-o", "{tmp}/a.wav"],
    ["extract", "-"], ["audiobook", "-", "-o", "{tmp}/book"]])
def test_notes_is_checked_on_every_command(cli, tmp_path, command):
    """`--notes bogus` was ignored (exit 0) by translate and tts given text arguments."""
    args = [a.format(tmp=tmp_path) for a in command]
    result = cli(*args, "--notes", "bogus", input="Bonjou.\n")
    assert result.exit_code == 2
    assert "'bogus': use drop or end" in result.stderr
    assert not (tmp_path / "a.wav").exists() and not (tmp_path / "book").exists()
