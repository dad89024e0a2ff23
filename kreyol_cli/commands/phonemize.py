"""``kreyol phonemize``: text to IPA, one output line per input line."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Annotated

import typer

from kreyol_cli.commands.options import Encoding
from kreyol_cli.errors import LanguageError

#: espeak-ng voices for the languages kreyol reads through piper.
ESPEAK_VOICES = {"en": "en-us", "fr": "fr"}
_PUNCTUATION = frozenset(".,?!:;-'\"()")


def phonemize_command(
    text: Annotated[
        list[str] | None,
        typer.Argument(help="Text to phonemize, one line per argument. Default: --input or stdin."),
    ] = None,
    lang: Annotated[
        str,
        typer.Option("--lang", "-l", help="ht (kreyol's Creole rules), or en/fr (espeak-ng)."),
    ] = "ht",
    source: Annotated[
        str | None,
        typer.Option("--input", "-i", help="Read lines from this file; - for stdin."),
    ] = None,
    output: Annotated[
        str,
        typer.Option("--output", "-o", metavar="FILE|-", help="Write here; - for stdout."),
    ] = "-",
    encoding: Encoding = None,
    lexicon: Annotated[list[str] | None, typer.Option(
        "--lexicon", metavar="FILE", help="Pronunciation lexicon (word<TAB>IPA or Creole "
                                          "respelling); repeatable. $KREYOL_HOME/lexicon.tsv "
                                          "is always read.")] = None,
    explain: Annotated[bool, typer.Option(
        "--explain", help="One line per word: the word, its IPA and what produced it "
                          "(lexicon FILE:LINE, exceptions, names, french, number, acronym, "
                          "rules).")] = False,
) -> None:
    """Print the IPA of each input line; words are separated by single spaces."""
    from kreyol_cli.errors import OutputError
    from kreyol_cli.fileio import nonempty, read_lines, same_file, text_output, text_source

    text, source = text_source(text, source)
    if same_file(source, output):
        raise OutputError(f"{output}: refusing to overwrite the input file")
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code != "ht" and (explain or lexicon):
        from kreyol_cli.errors import UsageError

        option = "--explain" if explain else "--lexicon"
        raise UsageError(f"{option} is for kreyol's Creole readings: use it with --lang ht")
    convert = None if lang in ("ht", "en", "fr") else line_phonemizer(lang)  # bad --lang: now

    def warn(message: str) -> None:
        from kreyol_cli.progress import console

        console.print(f"[yellow]warning:[/yellow] {message}", markup=True, highlight=False)

    lines = nonempty(read_lines(source, text, encoding=encoding, warn=warn))
    with text_output(output) as out:
        if lines is None:
            return  # empty input: empty output, nothing loaded
        if convert is None:
            user_lexicon = None
            if code == "ht":
                from kreyol_cli.creole import lexicon as lexicons
                from kreyol_cli.settings import kreyol_home

                user_lexicon = lexicons.load(kreyol_home(), lexicon or ())
            convert = line_phonemizer(lang, user_lexicon, explain=explain)
        for line in lines:
            out.write(convert(line.rstrip("\r\n")) + "\n")
            if out is sys.stdout:
                out.flush()


def line_phonemizer(lang: str, lexicon=None, *, explain: bool = False) -> Callable[[str], str]:
    """A function from one line of text to its IPA words joined by spaces
    (with ``explain``: one ``word<TAB>IPA<TAB>source`` line per word).

    Raises:
        LanguageError: ``lang`` is not supported.
    """
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code == "ht":
        from kreyol_cli.creole import phonemize
        from kreyol_cli.creole.g2p import readings

        if explain:
            return lambda line: "\n".join(f"{r.text}\t{r.ipa}\t{r.source}"
                                          for r in readings(line, lexicon) if r.ipa)
        return lambda line: " ".join(phonemize(line, lexicon))
    if code in ESPEAK_VOICES:
        return _espeak_phonemizer(ESPEAK_VOICES[code])
    raise LanguageError(f"--lang {lang}: kreyol phonemizes ht (Haitian Creole), en and fr; pick one of those")


def _espeak_phonemizer(voice: str) -> Callable[[str], str]:
    # piper (and its espeak-ng bridge) is heavy: load it only when asked for.
    from piper.phonemize_espeak import EspeakPhonemizer

    espeak = EspeakPhonemizer()

    def convert(line: str) -> str:
        if not line.strip():
            return ""
        sentences = espeak.phonemize(voice, line)
        return _words(ph for sentence in sentences for ph in [*sentence, " "])

    return convert


def _words(phonemes: Iterable[str]) -> str:
    """Phoneme entries -> IPA words joined by single spaces, punctuation dropped."""
    text = "".join(p if p not in _PUNCTUATION else " " for p in phonemes)
    return " ".join(text.split())
