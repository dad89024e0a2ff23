"""Breaking a cue's text into at most two lines of at most 42 characters.

The rules subtitlers follow (Netflix, BBC): one line when it fits; else two
lines, broken after punctuation when that keeps both lines within the
width, otherwise as evenly as possible, the top line the shorter one.
"""

from __future__ import annotations

WIDTH = 42
MAX_LINES = 2


def wrap(text: str, width: int = WIDTH, max_lines: int = MAX_LINES) -> list[str]:
    """``text`` as at most ``max_lines`` lines, each ``width`` characters if it can be.

    Text longer than ``max_lines * width`` still gets ``max_lines`` lines
    (balanced); ``too_long`` tells which texts those are.
    """
    text = " ".join(text.split())
    if len(text) <= width or max_lines < 2:
        return [text] if text else []
    lines = [text]
    while len(lines) < max_lines and len(lines[-1]) > width:
        # Split what is left into two balanced lines, or into one that fits
        # and the remainder when more lines are to come.
        rest = lines.pop()
        remaining = max_lines - len(lines)
        top, bottom = _break(rest, width, remaining)
        lines += [top, bottom]
    return lines


def too_long(text: str, width: int = WIDTH, max_lines: int = MAX_LINES) -> bool:
    """Does ``text`` need more than ``max_lines`` lines of ``width``?"""
    return any(len(line) > width for line in wrap(text, width, max_lines))


def _break(text: str, width: int, lines_left: int) -> tuple[str, str]:
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return text, ""
    target = len(text) / lines_left

    def cost(i: int) -> tuple:
        top, bottom = text[:i], text[i + 1:]
        fits = len(top) <= width and (len(bottom) <= width or lines_left > 2)
        after_punct = top[-1] in ",.;:!?…"
        # Fitting lines first; then a break after punctuation; then balance,
        # with a slight preference for a shorter top line.
        return (not fits, not after_punct or abs(len(top) - target) > width / 2,
                abs(len(top) - target) + (0.5 if len(top) > len(bottom) else 0))

    best = min(spaces, key=cost)
    return text[:best], text[best + 1:]
