"""The subtitle library: reading cues, the text of cues, line wrapping, the
spread of a translated sentence over its cues, styling taken apart and put
back."""

from __future__ import annotations

import pytest
from conftest import ROOT

from kreyol_cli.errors import InputError
from kreyol_cli.subtitles import cues_text, format_of, read_subtitles, sniff
from kreyol_cli.subtitles.align import chains, spread, spread_back
from kreyol_cli.subtitles.markup import put_together, take_apart
from kreyol_cli.subtitles.wrap import too_long, wrap

DATA = ROOT / "tests" / "data" / "subtitles"


def test_read_subtitles_from_bytes_keeps_indexes_timings_and_settings():
    cues = read_subtitles((DATA / "film.en.srt").read_bytes(), name="film.en.srt")
    assert [c.index for c in cues] == list(range(12, 24))
    assert (cues[0].start, cues[0].end, cues[0].text) == (1000, 2800,
                                                          "{\\an8}<i>The school is</i>")
    assert cues[1].settings == "X1:100 X2:600 Y1:40 Y2:80"
    assert cues[9].text == ""  # an empty cue is kept, not dropped
    assert cues[1].line == 6  # the timing line, for messages


def test_read_subtitles_from_text_vtt():
    cues = read_subtitles((DATA / "youtube.en.vtt").read_text("utf-8"))
    assert [(c.index, c.identifier, c.start, c.end, c.settings) for c in cues] == [
        (1, "intro", 1000, 3000, "align:start position:10%"),
        (2, "", 3200, 5000, "align:start position:10%"),
        (3, "STYLE-NOTE", 5500, 7000, ""),
    ]


def test_read_subtitles_refuses_broken_timings():
    with pytest.raises(InputError, match="line 2: the cue ends before it starts"):
        read_subtitles(b"1\n00:00:02,000 --> 00:00:01,000\nx\n", name="a.srt")


def test_cues_text_joins_sentences_across_cues():
    cues = read_subtitles((DATA / "film.en.srt").read_bytes())
    assert cues_text(cues) == (
        "The school is near the church.\n"
        "I am tired, I want to rest. Goodbye.\n"
        "- Good morning.\n- How are you?\n"
        "The house is small, but it is clean. We go to church on Sunday.\n"
        "The children are going to school. The teacher is in the classroom.\n"
        "[Zoé] Thank you very much.\n"
        "[The dog is barking.]\n"
        "How are you? I am fine, thank you.\n"
    )


@pytest.mark.parametrize("head,expected", [
    (b"\xef\xbb\xbfWEBVTT\r\n\r\n", "vtt"),
    (b"WEBVTT - Netflix\n", "vtt"),
    ("WEBVTT\n".encode("utf-16"), "vtt"),
    (b"\n1\r\n00:00:01,000 --> 00:00:02,000\r\n", "srt"),
    (b"WEBVTTX\n", None),
    (b"Just text\n", None),
    (b"%PDF-1.7", None),
])
def test_sniff(head, expected):
    assert sniff(head) == expected


def test_format_of_uses_the_extension_as_a_hint():
    assert format_of("notes.txt", b"1\n00:00:01,000 --> 00:00:02,000\n") == "srt"
    assert format_of("broken.vtt", b"garbage") == "vtt"
    assert format_of("notes.txt", b"garbage") is None


# ------------------------------------------------------------------- wrap --


def test_wrap_one_line_when_it_fits():
    assert wrap("Kijan ou ye? Mwen byen, mèsi.") == ["Kijan ou ye? Mwen byen, mèsi."]


def test_wrap_breaks_after_punctuation():
    assert wrap("Kay la piti, men li pwòp. Nou ale legliz dimanch.") == [
        "Kay la piti, men li pwòp.", "Nou ale legliz dimanch."]


def test_wrap_balances_with_the_shorter_line_on_top():
    lines = wrap("Timoun yo ap ale lekol ak pwofese yo chak jou maten")
    assert lines == ["Timoun yo ap ale lekol ak", "pwofese yo chak jou maten"]
    assert all(len(line) <= 42 for line in lines)


def test_text_too_long_for_two_lines_still_gets_two():
    text = " ".join(["mo"] * 40)  # 119 characters
    lines = wrap(text)
    assert len(lines) == 2 and " ".join(lines) == text
    assert too_long(text) and not too_long("Bonjou.")


# ---------------------------------------------------------------- spread --


def test_spread_follows_the_source_lengths():
    assert spread("Lekòl la toupre legliz la.", [18, 11]) == ["Lekòl la toupre", "legliz la."]
    assert spread("Mwen fatige, mwen vle repoze m.", [11, 6, 8]) == [
        "Mwen fatige,", "mwen vle", "repoze m."]


def test_spread_gives_every_cue_a_word_when_it_can_and_never_loses_one():
    assert spread("Wi", [3, 3]) == ["Wi", ""]
    assert spread("a b c", [1, 100, 1]) == ["a", "b", "c"]
    assert spread("", [1, 2]) == ["", ""]


def test_sentences_only_span_the_cues_they_were_in():
    styled = [take_apart(t) for t in ("Hello. The school is near", "the church. Goodbye.")]
    [chain] = chains(styled)
    assert chain.sentences == ["Hello.", "The school is near the church.", "Goodbye."]
    assert spread_back(chain, ["Bonjou.", "Lekòl la toupre legliz la.", "Orevwa."]) == [
        "Bonjou. Lekòl la toupre", "legliz la. Orevwa."]


def test_dialogue_and_descriptions_are_not_joined_to_neighbours():
    styled = [take_apart(t) for t in ("I want", "- to rest\n- No", "[music]", "to go")]
    assert [c.texts for c in chains(styled)] == [["I want"], ["to rest"], ["No"], ["music"],
                                                 ["to go"]]


def test_a_chain_stops_after_a_few_cues():
    styled = [take_apart("la la la") for _ in range(20)]
    assert [len(c.items) for c in chains(styled)] == [6, 6, 6, 2]


def test_ellipsis_continues_only_into_lower_case():
    styled = [take_apart(t) for t in ("You will not go...", "anywhere.", "Wait...", "Stop.")]
    assert [c.texts for c in chains(styled)] == [["You will not go...", "anywhere."],
                                                 ["Wait..."], ["Stop."]]


# ---------------------------------------------------------------- markup --


@pytest.mark.parametrize("source,translated,expected", [
    ("{\\an8}<i>Hello</i>", ["Bonjou"], "{\\an8}<i>Bonjou</i>"),
    ('<font color="#ffff00">Hi</font>', ["Alo"], '<font color="#ffff00">Alo</font>'),
    ("<i>one</i>\n<i>two</i>", ["Kijan ou ye? Mwen byen, mèsi anpil, zanmi m yo."],
     "<i>Kijan ou ye? Mwen byen,</i>\n<i>mèsi anpil, zanmi m yo.</i>"),
    ("<b><i>Both</i></b>", ["Toulede"], "<b><i>Toulede</i></b>"),
    ("- <i>Yes.</i>\n- No.", ["Wi.", "Non."], "- <i>Wi.</i>\n- Non."),
    ("[Alba] <i>In 1928,</i>", ["An 1928,"], "[Alba] <i>An 1928,</i>"),
    ("[door slams]", ["pòt la frape"], "[pòt la frape]"),
    ("♪ la la ♪", ["la la"], "♪ la la ♪"),
])
def test_styling_is_kept_around_the_translation(source, translated, expected):
    styled = take_apart(source)
    assert not styled.dropped
    assert put_together(styled, translated) == expected


def test_styling_inside_a_line_is_dropped_and_flagged():
    styled = take_apart("<i>Some italic</i> and normal text")
    assert styled.dropped
    assert styled.source == "Some italic and normal text"
    assert put_together(styled, ["Kèk mo"]) == "Kèk mo"


def test_vtt_entities_are_words_in_and_entities_out():
    styled = take_apart("Bread &amp; beans &lt;3", "vtt")
    assert styled.source == "Bread & beans <3"
    assert put_together(styled, ["Pen & pwa <3"], "vtt") == "Pen &amp; pwa &lt;3"


def test_what_a_voice_over_says():
    assert take_apart("[Pedro] <i>Good morning.</i>").speech == "Good morning."
    assert take_apart("- Yes.\n- [laughs]").speech == "Yes."
    assert take_apart("♪ la la ♪").speech == ""


def test_cues_text_of_a_public_vtt():
    cues = read_subtitles((DATA / "webvtt-py-styles2.vtt").read_bytes())
    assert cues_text(cues, "vtt") == (
        "Musique douce\n"
        "Some italic and normal coloured text. By the way, 2 < 3 !\n"
        "-Stéphane ? Où on se gare ?\n"
        "-Euh, là-bas, au chêne.\n"
    )
