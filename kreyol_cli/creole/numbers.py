"""Numbers as Haitian Creole words.

Conventions (standard Creole as written in schools):

* 1 is ``en`` everywhere, also inside compounds (``san en``); the counting
  form ``youn`` is never produced, because which one a sentence needs depends
  on syntax this module cannot see.
* 21-69 use the fused forms: ``venteyen``, ``vennde`` ... ``ventuit``,
  ``ventnèf``; 70-79 and 90-99 are ``swasann-`` / ``katreven-`` + 10-19.
  Where a fused form would put a vowel after ``en`` (and so change how it is
  read) a space is kept: ``katreven en``, ``katreven uit``, ``katreven onz``.
* Multipliers are separate words: ``de san``, ``senk san``, ``de mil``,
  ``yon milyon``.
* Years are read as cardinals: 1804 is ``mil uit san kat``.
"""

from __future__ import annotations

UNITS = ("zewo", "en", "de", "twa", "kat", "senk", "sis", "sèt", "uit", "nèf")
TEENS = ("dis", "onz", "douz", "trèz", "katòz", "kenz", "sèz", "disèt", "dizuit", "diznèf")
# tens digit -> (plain, before -eyen/uit/nèf, before de..sèt)
_TENS = {
    2: ("ven", "vent", "venn"),
    3: ("trant", "trant", "trann"),
    4: ("karant", "karant", "karann"),
    5: ("senkant", "senkant", "senkann"),
    6: ("swasant", "swasant", "swasann"),
}
MONTHS = (
    "janvye", "fevriye", "mas", "avril", "me", "jen",
    "jiyè", "out", "septanm", "oktòb", "novanm", "desanm",
)  # fmt: skip

# Last word of a cardinal -> its ordinal (longest ending first).
_ORDINAL_ENDINGS = (
    ("eyen", "eyinyèm"), ("katreven", "katreventyèm"), ("ven", "ventyèm"),
    ("milyon", "milyonyèm"), ("milya", "milyayèm"), ("mil", "milyèm"),
    ("san", "santyèm"), ("ant", "antyèm"), ("zewo", "zewoyèm"),
    ("disèt", "disetyèm"), ("dizuit", "dizuityèm"), ("diznèf", "diznevyèm"),
    ("dis", "dizyèm"), ("onz", "onzyèm"), ("douz", "douzyèm"), ("trèz", "trèzyèm"),
    ("katòz", "katòzyèm"), ("kenz", "kenzyèm"), ("sèz", "sèzyèm"),
    ("de", "dezyèm"), ("twa", "twazyèm"), ("kat", "katriyèm"), ("senk", "senkyèm"),
    ("sis", "sizyèm"), ("sèt", "setyèm"), ("uit", "uityèm"), ("nèf", "nevyèm"),
    ("en", "inyèm"),
)  # fmt: skip


def _below_100(n: int) -> str:
    if n < 10:
        return UNITS[n]
    if n < 20:
        return TEENS[n - 10]
    tens, unit = divmod(n, 10)
    if tens in _TENS:
        plain, t_form, n_form = _TENS[tens]
        if unit == 0:
            return plain
        if unit == 1:
            return t_form + "eyen"
        if unit in (8, 9):
            return t_form + UNITS[unit]
        return n_form + UNITS[unit]
    if tens == 7:
        return "swasann" + TEENS[unit]
    # 80-99: katreven + unit or teen; keep a space before a vowel (en, uit, onz).
    tail = UNITS[unit] if tens == 8 else TEENS[unit]
    if tens == 8 and unit == 0:
        return "katreven"
    return "katreven " + tail if tail[0] in "aeiouè" else "katreven" + tail


def cardinal(n: int) -> str:
    """A whole number in Creole words (``1804`` -> ``mil uit san kat``).

    Negative numbers start with ``mwens``; numbers of a trillion and more are
    read digit by digit.
    """
    if n < 0:
        return "mwens " + cardinal(-n)
    if n < 100:
        return _below_100(n)
    if n >= 10**12:
        return digits(str(n))
    for size, name in ((10**9, "milya"), (10**6, "milyon"), (1000, "mil"), (100, "san")):
        if n < size:
            continue
        head, rest = divmod(n, size)
        if size >= 10**6:
            words = f"{'yon' if head == 1 else cardinal(head)} {name}"
        else:
            words = name if head == 1 else f"{cardinal(head)} {name}"
        return words + (" " + cardinal(rest) if rest else "")
    return digits(str(n))


def digits(text: str) -> str:
    """Read a string of digits one by one (phone numbers, long codes)."""
    return " ".join(UNITS[int(d)] for d in text if d in "0123456789")


def ordinal(n: int) -> str:
    """An ordinal in Creole words: 1 ``premye``, 2 ``dezyèm``, 21 ``venteyinyèm``."""
    if n == 1:
        return "premye"
    words = cardinal(n)
    head, _, last = words.rpartition(" ")
    for ending, replacement in _ORDINAL_ENDINGS:
        if last.endswith(ending):
            last = last[: len(last) - len(ending)] + replacement
            break
    return f"{head} {last}" if head else last


def decimal(integer: str, fraction: str, separator: str = "vigil") -> str:
    """A decimal number: ``3``, ``5`` -> ``twa vigil senk``.

    Creole reads the decimal comma ``vigil``; leading zeros of the fraction
    are read one by one (``3,05`` -> ``twa vigil zewo senk``).
    """
    zeros = len(fraction) - len(fraction.lstrip("0"))
    words = [cardinal(int(integer or "0")), separator]
    words += ["zewo"] * zeros
    if fraction.lstrip("0"):
        words.append(cardinal(int(fraction)))
    return " ".join(words)
