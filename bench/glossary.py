"""``python -m bench.glossary``: how often each glossary mechanism honours a term.

Runs the glossary mechanisms of :mod:`kreyol_cli.glossary` one at a time on
sentences of the fixture corpus, each with a protected name or a required
Creole rendering the model would not produce, through the committed tiny
CTranslate2 models. Prints, per mechanism and model, the share of sentences
whose output contains every term, and the decoder calls spent.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kreyol_cli.glossary import MECHANISMS, enforce, missing, parse, term_pattern
from kreyol_cli.registry import Registry
from kreyol_cli.settings import Settings
from kreyol_cli.translate import TranslateOptions, Translator

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "fixtures" / "models"
GLOSSARY = """doctor\tmedsen
medicine\tmedikaman
church\ttanp
market\tmaketing
teacher\tmèt lekòl
John
Pfizer
Jean-Claude
"""
SENTENCES = [
    "The doctor is coming.", "Take this medicine.", "The church is big.",
    "I am going to the market.", "The teacher is in the classroom.", "My name is John.",
    "Take this Pfizer medicine.", "Jean-Claude is sick.", "We go to church on Sunday.",
    "Where is the hospital? The doctor is coming.", "She sells fruit at the market.",
    "The school is near the church.",
]
_SLOT = "XQ{}"


def placeholder(translator, sentence, window, terms):
    """Terms replaced by tokens the model should copy, restored afterwards."""
    masked = sentence
    for i, term in enumerate(terms):
        masked = term_pattern(term.source).sub(_SLOT.format(i), masked)
    out = translator.translate([masked])[0]
    for i, term in enumerate(terms):
        if _SLOT.format(i) not in out:
            return None
        out = out.replace(_SLOT.format(i), term.target)
    return out


def rendering(translator, sentence, window, terms):
    """The model's rendering of each term alone, swapped for the required one."""
    text = translator.translate([sentence])[0]
    for term in missing(terms, text):
        alone = translator.translate([term.source])[0].strip(" .!?,;:")
        m = term_pattern(alone.lower()).search(text) if alone else None
        if m is not None:
            text = text[:m.start()] + term.target + text[m.end():]
    return text


KEPT = dict(MECHANISMS)
CANDIDATES = (
    (("placeholder", placeholder),), (("alternatives", KEPT["alternatives"]),),
    (("rendering", rendering),), (("prefix", KEPT["prefix"]),), MECHANISMS,
)


def main() -> int:
    glossary = parse(GLOSSARY, "bench")
    registry = Registry.load(Settings.load())
    print(f"{'model':<20} {'mechanism':<22} {'honoured':>9}  missed")
    for name in ("tiny-marian-en-ht", "tiny-m2m100", "tiny-nllb"):
        model = registry.resolve_translation(str(MODELS / name), "en", "ht")
        translator = Translator.load(model, TranslateOptions(beam_size=4))
        firsts = translator.translate(SENTENCES)
        for steps in CANDIDATES:
            missed, failed = [], 0
            for sentence, first in zip(SENTENCES, firsts, strict=True):
                outcome = enforce(translator, sentence, first, glossary.matches(sentence), steps)
                missed += [t.target for t in outcome.missed]
                failed += bool(outcome.missed)
            honoured = len(SENTENCES) - failed
            label = "+".join(step for step, _ in steps)
            print(f"{name:<20} {label:<22} {honoured:>4}/{len(SENTENCES):<4} "
                  f"{', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
