"""Written Haitian Creole -> words a speaker says.

:func:`normalize` rewrites what the G2P rules cannot read (digits, symbols,
abbreviations, URLs...) as Creole words and tidies typography. It keeps every
word and the sentence punctuation ``. , ? ! : ;``, and never raises: text it
does not understand passes through unchanged.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from kreyol_cli.creole.numbers import MONTHS, cardinal, decimal, digits, ordinal

_LOG = logging.getLogger(__name__)

_MONTH_NAMES = "|".join(MONTHS)
#: Creole names of the letters, written in Creole so the G2P rules read them.
LETTER_NAMES = {
    "a": "a", "b": "be", "c": "se", "d": "de", "e": "e", "f": "èf", "g": "je",
    "h": "ach", "i": "i", "j": "ji", "k": "ka", "l": "èl", "m": "èm", "n": "èn",
    "o": "o", "p": "pe", "q": "ki", "r": "èr", "s": "ès", "t": "te", "u": "i",
    "v": "ve", "w": "doubleve", "x": "iks", "y": "igrèk", "z": "zèd",
}  # fmt: skip
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
_TYPOGRAPHY = str.maketrans({
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‹": '"', "›": '"',
    "‘": "'", "’": "'", "ʼ": "'", "′": "'", "…": "...", "−": "-", "‐": "-", "‑": "-",
})  # fmt: skip

# Written abbreviation -> reading. Matched case-sensitively, as whole words.
ABBREVIATIONS = {
    "Dr.": "doktè", "Dr": "doktè", "Dre": "doktè", "Mr.": "mesye", "Mr": "mesye",
    "Mme": "madanm", "Mme.": "madanm", "Mrs.": "madanm",
    "Mlle": "madmwazèl", "Mlle.": "madmwazèl", "St.": "sen", "St": "sen", "Ste": "sent",
    "Ste.": "sent", "Sr.": "sè", "Pr.": "pwofesè", "Prof.": "pwofesè", "Jr.": "jinyò",
    "Jr": "jinyò",
    "Av.": "avni", "av.": "avni", "Blvd.": "boulva", "ex.": "egzanp", "Ex.": "egzanp",
    "vs.": "kont", "vs": "kont", "Cie": "konpayi", "Sté": "sosyete",
}  # fmt: skip
_ABBREVIATION = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w])"
)
_ETC = re.compile(r"\betc\b(\.?)", re.IGNORECASE)
# "M." is Monsieur only before a name; elsewhere it is the pronoun m + a full stop.
_MISTER = re.compile(r"\bM\.(?=\s+[A-ZÀ-Ý])")
_NUMERO = re.compile(r"(?<![\w])(?:No\.?|no\.|N°|n°|#)\s?(?=[0-9])")
_UNITS = {
    "km": "kilomèt", "m": "mèt", "cm": "santimèt", "mm": "milimèt", "kg": "kilo",
    "g": "gram", "mg": "miligram", "l": "lit", "ml": "mililit", "h": "è", "mn": "minit",
    "km/h": "kilomèt alè",
}  # fmt: skip
_UNIT = re.compile(r"([0-9])\s?(km/h|km|cm|mm|kg|mg|ml|mn)\b")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: A superscript glued to a word: m² mèt kare, x³ x o kib.
_SUPERSCRIPT_WORDS = {"²": " kare ", "³": " kib "}
_LETTERLIKE = {"℃": "°C", "℉": "°F", "№": "No"}
_SQUARE_UNIT = re.compile(r"(?<![^\W\d_])(km|cm|mm|m)([²³])")
_FRACTIONS = {
    "½": "yon demi", "¼": "yon ka", "¾": "twa ka", "⅓": "yon tyè", "⅔": "de tyè",
    "⅕": "yon senkyèm", "⅛": "yon uityèm", "⅒": "yon dizyèm",
}  # fmt: skip
#: Digits longer than this are read one by one: a code, not an amount; keeps time linear.
MAX_DIGITS = 15
_SYMBOLS = {
    "&": " ak ", "+": " plis ", "=": " egal ", "°": " degre ", "×": " fwa ", "#": " ",
    "@": " arobaz ", "*": " ", "_": " ", "|": " ", "~": " ", "^": " ", "\\": " ",
    "<": " ", ">": " ", "/": " ", "€": " ewo ", "£": " liv ", "§": " paragraf ",
    "%": " pousan ", "$": " dola ",
}  # fmt: skip
_HEADING_WORDS = (
    "chapit|chapt|pati|seksyon|liv|tòm|tom|volim|leson|atik|tit|episod|etap|faz|kantik|"
    "sòm|syèk|syek|chapter|siècle|part|section|chapitre|partie|tome|article|leçon"
)
# Only I V X L C: chapter numbers stay small, and D/M alone are letters or pronouns.
_ROMAN = re.compile(rf"\b({_HEADING_WORDS})(\s+)([IVXLC]+)\b", re.IGNORECASE)
_ROMAN_LINE = re.compile(r"^([ \t]*)([IVXLC]+)([ \t]*[.:)]?[ \t]*)$", re.MULTILINE)
# A numbered heading: "VIII. Pwogram", "I. Kouman n ap abiye?" (not C. or L., list letters).
_ROMAN_ITEM = re.compile(r"^([ \t]*)([IVXLC]{2,}|[IV])([.)])(?=[ \t]+\S)", re.MULTILINE)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

_URL = re.compile(
    r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"]+"
    # Start only where a token starts: from every \b inside "1.1.1..." the scan is quadratic.
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|ht|gov|edu|fr|io|info|int|us|ca)\b(?:/[^\s<>\"]*)?",
    re.IGNORECASE,
)
_URL_SEPARATORS = {
    ".": "pwen", "@": "arobaz", "/": "slach", "-": "tirè", "_": "soulinye", ":": "de pwen",
    "?": "kesyon", "=": "egal", "&": "ak", "#": "diyèz", "+": "plis", "%": "pousan",
    "~": "tild",
}  # fmt: skip
_TLD = {"com": "kòm", "org": "òg", "net": "nèt", "gov": "gov", "edu": "edi", "info": "enfo"}

# A number: optional sign, thousands groups (space, dot or comma), optional decimals.
_NUMBER = re.compile(
    r"(?<![\w,.])(?P<sign>-(?=[0-9]))?"
    r"(?P<int>[0-9]{1,3}(?:(?P<sep>[ .,])[0-9]{3})(?:(?P=sep)[0-9]{3})*|[0-9]+)"
    r"(?:(?P<dec>[.,])(?P<frac>[0-9]+))?(?![\w]|[.,][0-9])"
)
_AMOUNT = r"(?P<num>[0-9]{1,3}(?:[ .,][0-9]{3})+(?:[.,][0-9]{1,2})?|[0-9]+(?:[.,][0-9]{1,2})?)"
_CURRENCY_BEFORE = re.compile(
    r"(?<![\w])(?P<cur>\$\s?US|US\s?\$|\$|HTG|USD|EUR|€)\s?" + _AMOUNT + r"(?![\w]|[.,][0-9])"
)
_CURRENCY_AFTER = re.compile(
    r"(?<![\w,.])" + _AMOUNT + r"\s?(?P<cur>\$\s?US|US\s?\$|\$|€|(?i:htg|usd|eur|goud|dola|gdes?))(?![\w])"
)
_CURRENCY_WORDS = {
    "$": "dola", "us$": "dola", "$us": "dola", "usd": "dola", "dola": "dola", "htg": "goud", "goud": "goud",
    "g": "goud", "gde": "goud", "gdes": "goud", "eur": "ewo", "€": "ewo",
}  # fmt: skip
_CENTS = {"dola": "san", "goud": "santim", "ewo": "santim"}


def normalize(text: str) -> str:
    """Rewrite Creole text as speakable Creole words.

    Handles numbers (cardinals, ordinals, decimals, negatives, thousands
    separators), percentages, years, times (``8h30``, ``14:05``), dates
    (``12 janvye 2024``, ``12/01/2024``), money (goud, dola, ``$``, HTG,
    USD), units, abbreviations (``Dr.`` -> ``doktè``), Roman numerals in
    headings (``Chapit IV`` -> ``Chapit kat``), URLs and e-mails, typographic
    quotes, dashes, ellipses, emoji and symbols.

    Args:
        text: Any text; it need not be a single sentence.

    Returns:
        The normalized text. Never raises; on an internal error the text comes
        back with typography tidied only.
    """
    if not text:
        return ""
    try:
        return _normalize(text)
    except Exception:  # never let one odd sentence stop an audiobook
        _LOG.warning("normalize failed on one sentence; text kept as written")
        _LOG.debug("normalize failed", exc_info=True)
        return _tidy(_typography(text))


def _normalize(text: str) -> str:
    text = _typography(text)
    text = _URL.sub(_read_url, text)
    text = _PHONE.sub(_read_phone, text)
    text = _PHONE_WORD.sub(lambda m: m.group(1) + digits(m.group(2)), text)
    text = _money(text)
    text = _dates(text)
    text = _FRACTION.sub(_read_fraction, text)
    text = _times(text)
    text = re.sub(r"([0-9])\s?%", r"\1 pousan", text)
    text = re.sub(r"([0-9])\s?°\s?C\b", r"\1 degre selsiyis", text)
    text = re.sub(r"([0-9])\s?°\s?F\b", r"\1 degre farenayt", text)
    text = _ordinals(text)
    text = _UNIT.sub(lambda m: f"{m.group(1)} {_UNITS[m.group(2)]}", text)
    # A lone m is the pronoun (2 m ap vini) except after a decimal: 1,75 m.
    text = re.sub(r"([0-9][.,][0-9]+)\s?m\b(?!['’])", r"\1 mèt", text)
    text = _abbreviations(text)
    text = _roman(text)
    text = re.sub(r"(?<=[0-9])\s?-\s?(?=[0-9])", " a ", text)  # ranges: 10-12 -> dis a douz
    text = _NUMBER.sub(_read_number, text)
    # Digits glued to letters (A4, COVID19) still get read, as a separate word.
    text = re.sub(r"[0-9]+", lambda m: f" {_read_digits(m.group(0))} ", text)
    text = _symbols(text)
    return _tidy(text)


def _typography(text: str) -> str:
    text = _unicode_numbers(unicodedata.normalize("NFC", text)).translate(_TYPOGRAPHY)
    text = _SPACES.sub(" ", text)
    # A dash between words is a pause; a hyphen inside a word stays.
    text = re.sub(r"\s*[—–―]\s*|\s+-{1,2}\s+|-{2,}", ", ", text)
    text = re.sub(r"\.{4,}", "...", text)
    return text


def _unicode_number(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _SUPERSCRIPT_WORDS and m.start() and not m.string[m.start() - 1].isspace():
        return _SUPERSCRIPT_WORDS[ch]
    if ch in _FRACTIONS:
        after_digit = m.start() and m.string[m.start() - 1] in "0123456789"
        words = _FRACTIONS[ch]
        # 2½ de e demi; ½ alone yon demi.
        return f" e {words.removeprefix('yon ')} " if after_digit else f" {words} "
    if ch in _LETTERLIKE:
        return _LETTERLIKE[ch]
    category = unicodedata.category(ch)
    if category == "Nd":  # a digit of another script, or a styled one (𝟐)
        return str(unicodedata.decimal(ch))
    folded = unicodedata.normalize("NFKC", ch)
    if folded != ch and folded.isascii():
        # Superscripts, circled and parenthesised numbers, Ⅳ, 𝐃 styled letters, ﬁ.
        if category == "No" and m.start() and m.string[m.start() - 1] in "0123456789":
            return f" pisans {folded} "  # 10⁶: ten to the power six
        if category[0] == "N":
            return folded.replace("\u2044", "/")
        # Styled letters and ligatures are letters; ™ and other symbols go.
        return folded if category[0] == "L" else ch
    if category[0] == "N":
        value = unicodedata.numeric(ch, None)
        if value is not None and value == int(value) and value < 10**12:
            return f" {int(value)} "
        return " "
    return ch


def _unicode_numbers(text: str) -> str:
    """Fold numbers written with non-ASCII characters (², ½, ①, ٣, Ⅳ) to ASCII
    digits or words, so every later rule sees digits it can read."""
    text = _SQUARE_UNIT.sub(lambda m: f"{_UNITS[m.group(1)]}{_SUPERSCRIPT_WORDS[m.group(2)]}", text)
    return _NON_ASCII.sub(_unicode_number, text)


def _tidy(text: str) -> str:
    text = re.sub(r"[()\[\]{}]", ", ", text)
    text = "".join(ch for ch in text if _keep(ch))
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([.,?!:;])", r"\1", text)
    text = re.sub(r",(\s*,)+", ",", text)
    text = re.sub(r"([.?!:;])\s*,", r"\1", text)
    text = re.sub(r"(^|\n)\s*,\s*", r"\1", text)
    text = re.sub(r",\s*$", "", text.strip())
    return re.sub(r" *\n *", "\n", text).strip()


def _keep(ch: str) -> bool:
    if ch in "\n'\"-.,?!:;":
        return True
    category = unicodedata.category(ch)
    # Letters, marks, ASCII digits and spaces stay; emoji, symbols and controls go.
    return category[0] in "LM" or ch in "0123456789" or category == "Zs"


def _symbols(text: str) -> str:
    for symbol, reading in _SYMBOLS.items():
        text = text.replace(symbol, reading)
    return text


def _abbreviations(text: str) -> str:
    def etc(m: re.Match[str]) -> str:
        # Keep the dot only where it also ends the sentence.
        ends = m.group(1) and re.match(r"\s*($|\n|[A-ZÀ-Ý])", m.string[m.end() :])
        return "elatriye." if ends else "elatriye"

    text = _ETC.sub(etc, text)
    text = _MISTER.sub("Mesye", text)
    text = _NUMERO.sub("nimewo ", text)
    return _ABBREVIATION.sub(lambda m: _like(m.group(1), ABBREVIATIONS[m.group(1)]), text)


def _like(written: str, reading: str) -> str:
    """Capitalise a reading when the abbreviation was (Dr. -> Doktè)."""
    return reading[:1].upper() + reading[1:] if written[:1].isupper() else reading


def _integer(raw: str) -> int:
    return int(re.sub(r"[ .,]", "", raw))


def _whole(raw: str) -> str:
    """A whole number (thousands separators allowed) in words; a long one digit by digit."""
    bare = re.sub(r"[ .,]", "", raw)
    return digits(bare) if len(bare) > MAX_DIGITS else cardinal(int(bare))


def _amount(raw: str, currency: str) -> str:
    raw = raw.strip()
    cents = None
    match = re.fullmatch(r"(.*[0-9])[.,]([0-9]{1,2})", raw)
    if match:
        raw, cents = match.group(1), int(match.group(2).ljust(2, "0"))
    words = f"{_whole(raw)} {currency}"
    if cents:
        words += f" {cardinal(cents)} {_CENTS[currency]}"
    return words


def _money(text: str) -> str:
    def before(m: re.Match[str]) -> str:
        return _amount(m.group("num"), _CURRENCY_WORDS[m.group("cur").lower()])

    def after(m: re.Match[str]) -> str:
        return _amount(m.group("num"), _CURRENCY_WORDS[m.group("cur").lower()])

    text = _CURRENCY_BEFORE.sub(before, text)
    return _CURRENCY_AFTER.sub(after, text)


def _day(day: int) -> str:
    return "premye" if day == 1 else cardinal(day)


def _dates(text: str) -> str:
    def numeric(m: re.Match[str]) -> str:
        day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return m.group(0)
        year_words = cardinal(int(year) + (2000 if len(year) == 2 else 0))
        return f"{_day(day)} {MONTHS[month - 1]} {year_words}"

    def iso(m: re.Match[str]) -> str:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return m.group(0)
        return f"{_day(day)} {MONTHS[month - 1]} {cardinal(year)}"

    text = re.sub(r"\b([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})\b", numeric, text)
    text = re.sub(r"\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b", iso, text)
    # "1 janvye", "1e janvye": the first of a month is "premye".
    return re.sub(
        rf"\b1(?:er|re|e|ye|è)?(\s+)({_MONTH_NAMES})\b",
        r"premye\1\2",
        text,
        flags=re.IGNORECASE,
    )


def _times(text: str) -> str:
    def read(m: re.Match[str]) -> str:
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if hour > 24 or minute > 59:
            return m.group(0)
        return f"{cardinal(hour)} è" + (f" {cardinal(minute)}" if minute else "")

    def hour_e(m: re.Match[str]) -> str:
        # "8è" is an hour after a/vè/depi, before minutes or "nan maten", or ending a clause;
        # elsewhere ("3è ane") it is an ordinal, left for _ordinals.
        if m.group("pre") is None and m.group("m") is None and m.group("post") is None:
            return m.group(0)
        hour, minute = int(m.group("h")), int(m.group("m") or 0)
        if hour > 24:
            return m.group(0)
        return (m.group("pre") or "") + f"{cardinal(hour)} è" + (f" {cardinal(minute)}" if minute else "")

    text = re.sub(r"\b([0-9]{1,2})\s?[hH]([0-9]{2})?\b", read, text)
    text = _HOUR_E.sub(hour_e, text)
    return re.sub(r"(?<![0-9:])\b([0-9]{1,2}):([0-9]{2})\b(?!:[0-9])", read, text)


_HOUR_E = re.compile(
    r"(?P<pre>\b(?i:a|à|vè|depi|jiska|rive|pou|ant|ak)\s+)?\b(?P<h>[0-9]{1,2})è(?:\s?(?P<m>[0-5][0-9])\b|\b)"
    r"(?P<post>(?=\s*(?:$|[.,;:!?)]|(?:di|nan)\s?(?:maten|midi|swa|aswè)\b|aprèmidi\b)))?",
    re.MULTILINE,
)
# +509 3712-3456, 3712 3456: a phone number, read digit by digit in its groups.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?P<plus>\+)(?P<cc>[0-9]{1,3})[ .-]?)?(?P<a>[2-5][0-9]{3})[ .-](?P<b>[0-9]{4})"
    r"(?![0-9]|[.,-][0-9])"
)
# An 8-digit Haitian number written without spaces, after a word that announces it.
_PHONE_WORD = re.compile(
    r"(?i)(\b(?:telefòn|telefon|tel\.?|tél\.?|rele|whatsapp|nimewo)\s*:?\s*)([0-9]{8})\b"
)
_FRACTION = re.compile(r"(?<![0-9/.,])([1-9])/([1-9][0-9]?)(?![0-9]|[/.,][0-9])")
_DENOMINATORS = {2: "demi", 3: "tyè", 4: "ka"}


def _read_phone(m: re.Match[str]) -> str:
    a, b = m.group("a"), m.group("b")
    if m.group("plus") is None and a < b and a[0] in "12" and b[0] in "12":
        return m.group(0)  # 2010-2020: a range of years
    groups = ([f"plis {digits(m.group('cc'))}"] if m.group("plus") else []) + [digits(a), digits(b)]
    return ", ".join(groups)


def _read_fraction(m: re.Match[str]) -> str:
    top, bottom = int(m.group(1)), int(m.group(2))
    if top >= bottom:
        return m.group(0)  # 24/7, 3/2: not a fraction of a whole
    name = _DENOMINATORS.get(bottom) or ordinal(bottom)
    return f"{'yon' if top == 1 else cardinal(top)} {name}"


def _ordinals(text: str) -> str:
    def read(m: re.Match[str]) -> str:
        return ordinal(int(m.group(1)))

    text = re.sub(r"\b(1)(?:er|re|ère|e|ye|è)\b", read, text)
    return re.sub(r"\b([0-9]{1,6})(?:yèm|yem|ème|eme|èm|em|e|è|nd|nde|th)\b", read, text)


def _roman_value(numeral: str) -> int | None:
    numeral = numeral.upper()
    total = 0
    for i, ch in enumerate(numeral):
        value = _ROMAN_VALUES[ch]
        following = _ROMAN_VALUES[numeral[i + 1]] if i + 1 < len(numeral) else 0
        total += -value if value < following else value
    # Reject malformed numerals (IIII, VX...) by round-tripping.
    return total if total > 0 and _to_roman(total) == numeral else None


def _to_roman(n: int) -> str:
    pairs = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
             (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))  # fmt: skip
    out = ""
    for value, letters in pairs:
        while n >= value:
            out += letters
            n -= value
    return out


def _roman(text: str) -> str:
    def heading(m: re.Match[str]) -> str:
        value = _roman_value(m.group(3)) if m.group(3).isupper() else None
        return m.group(0) if value is None else f"{m.group(1)}{m.group(2)}{cardinal(value)}"

    def line(m: re.Match[str]) -> str:
        value = _roman_value(m.group(2))
        # A lone I, C or L line is more likely a letter than a number; keep it.
        if value is None or m.group(2) in ("I", "C", "L") and not m.group(3).strip():
            return m.group(0)
        return f"{m.group(1)}{cardinal(value)}{m.group(3)}"

    def item(m: re.Match[str]) -> str:
        value = _roman_value(m.group(2))
        return m.group(0) if value is None else f"{m.group(1)}{cardinal(value)}{m.group(3)}"

    text = _ROMAN.sub(heading, text)
    text = _ROMAN_ITEM.sub(item, text)
    return _ROMAN_LINE.sub(line, text)


def _read_number(m: re.Match[str]) -> str:
    raw = m.group("int")
    sign = "mwens " if m.group("sign") else ""
    if m.group("frac") is not None:
        whole, frac = re.sub(r"[ .,]", "", raw), m.group("frac")
        if len(whole) > MAX_DIGITS or len(frac) > MAX_DIGITS:
            return sign + f"{digits(whole)} vigil {digits(frac)}"
        return sign + decimal(str(int(whole)), frac)
    if m.group("sep") is None:
        return sign + _read_digits(raw)
    return sign + _whole(raw)


def _read_digits(raw: str) -> str:
    # Long or zero-led digit strings are codes and phone numbers: digit by digit.
    return digits(raw) if len(raw) > 12 or (len(raw) > 1 and raw[0] == "0") else cardinal(int(raw))


def _read_url(m: re.Match[str]) -> str:
    url = m.group(0)
    trail = ""
    while url and url[-1] in ".,;:!?)\"'":
        trail = url[-1] + trail
        url = url[:-1]
    url = re.sub(r"^(?:https?|ftp)://", "", url, flags=re.IGNORECASE).rstrip("/")
    words: list[str] = []
    for part in re.findall(r"[^\W_]+|[^\w\s]|_", url):
        lower = part.lower()
        if part in _URL_SEPARATORS:
            words.append(_URL_SEPARATORS[part])
        elif lower == "www":
            words.append("doubleve doubleve doubleve")
        elif part.isascii() and part.isdigit():
            words.append(cardinal(int(part)) if len(part) < 5 else digits(part))
        elif lower in _TLD:
            words.append(_TLD[lower])
        elif not re.search(r"[aeiouyàèò]", lower) or len(lower) <= 2:
            words.append(" ".join(_letter(ch) for ch in lower))
        elif part.isalnum():
            words.append(lower)
    return " ".join(words) + trail


def _letter(ch: str) -> str:
    if ch.isdigit():
        return cardinal(int(ch))
    return LETTER_NAMES.get(ch, ch)
