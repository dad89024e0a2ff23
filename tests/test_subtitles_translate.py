"""``kreyol translate`` of SRT and WebVTT files, as a user checks the result:
every index and timing kept, sentences across cues translated whole, styling
kept, lines re-wrapped, real encodings read, bad files refused cleanly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import ROOT, TINY_MARIAN, leftovers, one_line_error, run_kreyol

from kreyol_cli.errors import ExitCode

DATA = ROOT / "tests" / "data" / "subtitles"
ENV = {"PYTHONPATH": str(ROOT)}

# The translation of tests/data/subtitles/film.en.srt: cue numbers (12..23),
# timings and SRT coordinates unchanged; "The school is / near the church."
# and "I am tired, / I want / to rest." translated as whole sentences and
# spread back over their cues by length.
FILM_HT_SRT = """\
12
00:00:01,000 --> 00:00:02,800
{\\an8}<i>Lekòl la toupre</i>

13
00:00:02,900 --> 00:00:04,500 X1:100 X2:600 Y1:40 Y2:80
<i>legliz la.</i>

14
00:00:05,000 --> 00:00:06,000
Mwen fatige,

15
00:00:06,100 --> 00:00:07,000
mwen vle

16
00:00:07,100 --> 00:00:08,400
repoze m. Orevwa.

17
00:00:09,000 --> 00:00:11,000
- Bonjou.
- Kijan ou ye?

18
00:00:11,500 --> 00:00:14,000
<font color="#ffff00">Kay la piti, men li pwòp.
Nou ale legliz dimanch.</font>

19
00:00:14,500 --> 00:00:17,000
<i>Timoun yo ap ale lekòl.</i>
<i>Pwofesè a nan sal klas la.</i>

20
00:00:17,500 --> 00:00:18,500
[Zoé] Mèsi anpil.

21
00:00:19,000 --> 00:00:20,000


22
00:00:20,500 --> 00:00:22,000
[Chen an ap jape.]

23
00:00:22,500 --> 00:00:24,000
Kijan ou ye? Mwen byen, mèsi.

"""


def translate(cli, *args):
    return cli("translate", "-m", TINY_MARIAN, *args)


def test_srt_cue_by_cue_with_sentences_across_cues(cli, tmp_path):
    out = tmp_path / "film.ht.srt"
    result = translate(cli, "-i", DATA / "film.en.srt", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text("utf-8") == FILM_HT_SRT
    assert leftovers(tmp_path) == ["film.ht.srt"]  # no temp file left


@pytest.mark.parametrize("encoding,bom", [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                                           ("cp1252", b"")])
def test_real_encodings_are_read_without_a_flag(cli, tmp_path, encoding, bom):
    source = (DATA / "film.en.srt").read_text("utf-8").replace("\n", "\r\n")
    path = tmp_path / "film.en.srt"
    path.write_bytes(bom + source.encode(encoding))
    result = translate(cli, "-i", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == FILM_HT_SRT  # "[Zoé]" decoded right; output is UTF-8
    if bom:  # a BOM says which Unicode encoding: nothing to warn about
        assert result.stderr == ""
    else:
        assert f"read it as {encoding}" in result.stderr


def test_encoding_option_overrides_detection(cli, tmp_path):
    path = tmp_path / "a.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\n[Zoé] Goodbye.\n".encode())
    result = translate(cli, "-i", path, "--encoding", "latin-1", "--source", "en")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[2] == "[ZoÃ©] Orevwa."  # what the user asked for
    assert result.stderr == ""


def test_netflix_style_vtt_keeps_blocks_identifiers_and_settings(cli):
    result = translate(cli, "-i", DATA / "netflix.en.vtt")
    assert result.exit_code == 0, result.stderr
    settings = "position:50.00%,middle align:middle size:80.00% line:{}"
    assert result.stdout == (
        "WEBVTT\n\n"
        "NOTE\nNetflix\nNOTE Profile: webvtt-lssdh-ios8\nNOTE Date: 2017/04/16 15:44:03\n\n"
        "NOTE\nSegmentIndex\nNOTE Segment=597.080 20887@419 153\nNOTE /SegmentIndex\n\n"
        f"1\n00:00:07.960 --> 00:00:09.480 {settings.format('84.67%')}\n"
        "[Alba] <i>Bonjou.</i>\n\n"
        f"2\n00:00:09.640 --> 00:00:13.080 {settings.format('79.33%')}\n"
        "<i>Timoun yo ap ale lekòl.</i>\n\n"
        f"3\n00:00:13.240 --> 00:00:16.440 {settings.format('79.33%')}\n"
        "<i>Pwofesè a nan sal klas la.</i>\n\n"
        f"4\n00:00:19.720 --> 00:00:22.160 {settings.format('84.67%')}\n"
        "[Tom &amp; Zoé] Bonjou.\n\n"
        f"5\n00:00:22.640 --> 00:00:24.760 {settings.format('79.33%')}\n"
        "- Ki kote ou rete?\n- Mwen rete Pòtoprens.\n"
    )


def test_youtube_style_vtt_headers_voice_and_short_timestamps(cli):
    result = translate(cli, "-i", DATA / "youtube.en.vtt")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "WEBVTT\nKind: captions\nLanguage: en\n\n"
        "intro\n00:00:01.000 --> 00:00:03.000 align:start position:10%\n"
        "<v Marie>Wout la long.</v>\n\n"
        "00:00:03.200 --> 00:00:05.000 align:start position:10%\nLouvri kaye ou.\n\n"
        "STYLE-NOTE\n00:00:05.500 --> 00:00:07.000\nEkri non ou.\n"
    )


def test_output_extension_converts_srt_to_vtt(cli, tmp_path):
    out = tmp_path / "film.ht.vtt"
    result = translate(cli, "-i", DATA / "film.en.srt", "-o", out)
    assert result.exit_code == 0, result.stderr
    text = out.read_text("utf-8")
    assert text.startswith("WEBVTT\n\n12\n00:00:01.000 --> 00:00:02.800\n<i>Lekòl la toupre</i>\n")
    assert "{\\an8}" not in text and "<font" not in text and "X1:" not in text  # SRT-only
    assert "\n18\n00:00:11.500 --> 00:00:14.000\nKay la piti, men li pwòp.\n" in text


def test_vtt_to_srt_drops_vtt_only_tags(cli, tmp_path):
    out = tmp_path / "clip.ht.srt"
    result = translate(cli, "-i", DATA / "youtube.en.vtt", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text("utf-8") == (
        "1\n00:00:01,000 --> 00:00:03,000\nWout la long.\n\n"
        "2\n00:00:03,200 --> 00:00:05,000\nLouvri kaye ou.\n\n"
        "3\n00:00:05,500 --> 00:00:07,000\nEkri non ou.\n\n"
    )


def test_jsonl_one_object_per_cue(cli):
    result = translate(cli, "-i", DATA / "film.en.srt", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["index"] for r in rows] == list(range(12, 24))
    assert rows[0] == {"index": 12, "start": 1.0, "end": 2.8,
                       "source": "{\\an8}<i>The school is</i>",
                       "translation": "{\\an8}<i>Lekòl la toupre</i>", "cached": False}
    assert rows[5]["translation"] == "- Bonjou.\n- Kijan ou ye?"
    again = translate(cli, "-i", DATA / "film.en.srt", "-f", "jsonl")
    assert all(json.loads(line)["cached"] for line in again.stdout.splitlines())


def test_long_translations_are_rewrapped_into_two_lines(cli, tmp_path):
    path = tmp_path / "long.srt"
    path.write_text("5\n00:00:01,000 --> 00:00:04,000\n<i>The children are going to school. "
                    "The teacher is in the classroom.</i>\n\n"
                    "6\n00:00:05,000 --> 00:00:07,000\nGood morning.\nHow are you?\n", "utf-8")
    result = translate(cli, "-i", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "5\n00:00:01,000 --> 00:00:04,000\n"
        "<i>Timoun yo ap ale lekòl.\nPwofesè a nan sal klas la.</i>\n\n"
        "6\n00:00:05,000 --> 00:00:07,000\nBonjou. Kijan ou ye?\n\n"
    )
    assert all(len(line) <= 42 for line in result.stdout.splitlines())


def test_subtitles_on_stdin_are_recognized(tmp_path):
    data = (DATA / "film.en.srt").read_bytes()
    proc = run_kreyol("translate", "-m", TINY_MARIAN, input=data, env=ENV)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8") == FILM_HT_SRT


def test_creole_subtitles_piped_to_a_lone_dash_are_copied_through():
    """`cat film.ht.srt | kreyol translate -`: the language is found in the piped cues
    (read once), not assumed English for want of a file name."""
    data = FILM_HT_SRT.encode("utf-8")
    proc = run_kreyol("translate", "-", input=data, env=ENV)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == data
    assert "Haitian Creole (ht), detected from the text" in proc.stderr.decode()
    assert "copied through untranslated" in proc.stderr.decode()


# ------------------------------------------------------------------ bad input --

BAD = {
    "ends-before-start.srt": (b"1\n00:00:05,000 --> 00:00:03,000\nThe road is long.\n",
                              "line 2: the cue ends before it starts "
                              "(00:00:05,000 --> 00:00:03,000): fix its timing"),
    "bad-stamp.srt": (b"1\n00:00:01,000 --> 00:00:02,000\nGoodbye.\n\n"
                      b"2\n00:00:0x,000 --> 00:00:07,000\nGood evening.\n",
                      "line 6: cannot read the timing '00:00:0x,000 --> 00:00:07,000' "
                      "(expected 00:00:01,000 --> 00:00:03,500)"),
    "bad-stamp.vtt": (b"WEBVTT\n\n00:01.000 --> 00:02.000\nGoodbye.\n\n"
                      b"00:03.000 --> 00:61.000\nGood evening.\n",
                      "line 6: cannot read the timing '00:03.000 --> 00:61.000' (minutes "
                      "and seconds go up to 59)"),
    "empty.srt": (b"", "is empty: there are no subtitles to read"),
    "blank.vtt": (b"\xef\xbb\xbf\r\n\r\n", "is empty: there are no subtitles to read"),
    "junk.srt": (bytes(range(256)) * 8, "binary data, not text"),
    "no-cues.vtt": (b"WEBVTT\n\nNOTE nothing here\n", "has no subtitle cues"),
    "text.srt": (b"Just some text.\nNo cues.\n", "is not a subtitle file: expected SRT"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_subtitles_one_line_exit_3_nothing_written(cli, tmp_path, name):
    data, message = BAD[name]
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / ("out" + Path(name).suffix)
    result = translate(cli, "-i", path, "-o", out)
    line = one_line_error(result, ExitCode.INPUT)
    assert message in line
    assert str(path) in line
    assert leftovers(tmp_path) == [name]


def test_bad_subtitles_through_a_real_process(tmp_path):
    path = tmp_path / "bad.srt"
    path.write_bytes(BAD["ends-before-start.srt"][0])
    proc = run_kreyol("translate", "-m", TINY_MARIAN, "-i", path, "-o", tmp_path / "x.srt",
                      env=ENV)
    assert proc.returncode == int(ExitCode.INPUT)
    assert proc.stderr.decode().count("\n") == 1 and b"Traceback" not in proc.stderr
    assert not (tmp_path / "x.srt").exists()


def test_dropped_styling_and_overlong_cues_are_named(cli, tmp_path):
    path = tmp_path / "w.srt"
    path.write_text("7\n00:00:01,000 --> 00:00:02,000\n<i>Good</i> morning.\n\n"
                    "8\n00:00:03,000 --> 00:00:09,000\nThe children are going to school. "
                    "The teacher is in the classroom.\nWe sing in the choir. Wash your hands.\n",
                    "utf-8")
    result = translate(cli, "-i", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split("\n\n")[0] == "7\n00:00:01,000 --> 00:00:02,000\nBonjou."
    cue8 = result.stdout.split("\n\n")[1].splitlines()[2:]
    assert len(cue8) == 2 and " ".join(cue8) == (
        "Timoun yo ap ale lekòl. Pwofesè a nan sal klas la. Nou chante nan koral la. "
        "Lave men ou.")
    assert result.stderr.splitlines() == [
        "warning: cue 7: styling inside a line was dropped (it cannot follow the words "
        "through a translation)",
        "warning: cue 8: the translation is longer than two lines of 42 characters; shorten "
        "it by hand",
    ]


def test_public_broadcast_vtt_keeps_its_structure(cli):
    """webvtt-py's styles2.vtt (French; the tiny English model garbles the
    words, so only what must not change is checked, and it all must)."""
    source = (DATA / "webvtt-py-styles2.vtt").read_text("utf-8")
    result = translate(cli, "-i", DATA / "webvtt-py-styles2.vtt", "--source", "en")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    header = source[:source.index("sub0")]
    assert out.startswith(header)  # the STYLE block, untouched
    src_blocks, out_blocks = source[len(header):].split("\n\n"), out[len(header):].split("\n\n")
    assert len(out_blocks) == len(src_blocks) == 6
    for src, new in zip(src_blocks, out_blocks, strict=True):
        src_lines, new_lines = src.strip().split("\n"), new.strip().split("\n")
        assert new_lines[:2] == src_lines[:2]  # identifier, timing and settings
        opener = src_lines[2][:src_lines[2].index(">") + 1]
        assert all(line.startswith(opener) for line in new_lines[2:3])
        assert new_lines[-1].endswith("</c>")
    assert out_blocks[1].endswith("\n<c.magenta.bg_black>---</c>")  # not "translated"
    assert out_blocks[3].endswith("\n<c.magenta.bg_black>---</c>")
    assert result.stderr == ("warning: cue sub2: styling inside a line was dropped (it cannot "
                             "follow the words through a translation)\n")


def test_a_long_pause_ends_a_sentence(cli, tmp_path):
    path = tmp_path / "gap.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nGood morning\n\n"
                    "2\n00:00:06,000 --> 00:00:07,000\nGoodbye\n", "utf-8")
    result = translate(cli, "-i", path, "-f", "jsonl")
    assert [json.loads(x)["translation"] for x in result.stdout.splitlines()] == [
        "Bonjou.", "Orevwa."]


def test_a_lone_argument_naming_a_subtitle_file_is_that_file(cli, tmp_path):
    result = translate(cli, DATA / "film.en.srt")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == FILM_HT_SRT


def test_wrong_encoding_option_is_a_clear_input_error(cli, tmp_path):
    path = tmp_path / "a.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCafé.\n".encode("cp1252"))
    result = translate(cli, "-i", path, "--encoding", "utf-8")
    line = one_line_error(result, ExitCode.INPUT)
    assert line == (f"error: {path}: not valid utf-8 (byte 0xe9 at offset 35); pass the right "
                    f"--encoding, e.g. --encoding cp1252")


def test_review_glossary_and_corrections_work_on_subtitles(cli, tmp_path):
    """The review loop of the text path, on a film: one segment per sentence
    (cues joined), glossary misses warned, a correction lands in its cues."""
    review = tmp_path / "film.csv"
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("church\ttanp\n", "utf-8")
    result = translate(cli, "-i", DATA / "film.en.srt", "-o", tmp_path / "film.ht.srt",
                       "--review", review, "--glossary", glossary)
    assert result.exit_code == 0, result.stderr
    assert f"wrote {review}: " in result.stderr
    assert ("glossary: could not honour 'church' in 'We go to church on Sunday.'"
            in result.stderr)
    rows = list(csv.DictReader(review.read_text("utf-8-sig").splitlines()))
    assert {r["document"] for r in rows} == {"film.en.srt"}
    assert "I am tired, I want to rest." in [r["source"] for r in rows]
    flagged = next(r for r in rows if r["source"] == "We go to church on Sunday.")
    assert "glossary" in flagged["review"]

    for row in rows:
        if row["source"] == "I am tired, I want to rest.":
            row["translation"] = "Mwen bouke, mwen vle poze kò m."
    with review.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "corrected.ht.srt"
    result = translate(cli, "-i", DATA / "film.en.srt", "-o", out, "--corrections", review)
    assert result.exit_code == 0, result.stderr
    assert "00:00:05,000 --> 00:00:06,000\nMwen bouke,\n" in out.read_text("utf-8")
