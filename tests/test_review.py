"""The review loop: export XLIFF/CSV, edit it as a translator would, import
the corrections into the translation memory, and re-render only what changed."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest
from conftest import FIXTURES, TINY_MARIAN

from kreyol_cli.errors import ExitCode
from kreyol_cli.review.flags import reasons

BOOK = """# The School

The teacher is in the classroom. The children are going to school.

# The Market

I am going to the market. My name is Marie. The mangoes are ripe.
"""
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
FIXES = {"The mangoes are ripe.": "Mango yo byen mi.", "The Market": "Nan mache a"}


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "book.en.md"
    path.write_text(BOOK, "utf-8")
    return path


def audiobook(cli, book, out, *args):
    result = cli("audiobook", book, "-m", TINY_MARIAN, "-o", out, "--quiet", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads((out / "report.json").read_text())


def export(cli, book, review):
    result = cli("translate", "-m", TINY_MARIAN, "-i", book, "--review", review, "-o",
                 book.with_name("book.ht.txt"))
    assert result.exit_code == 0, result.stderr
    assert f"wrote {review}: 7 sentences" in result.stderr


def test_xliff_is_xliff_1_2_with_chapters_positions_and_the_machine_translation(cli, book,
                                                                               tmp_path):
    review = tmp_path / "book.xlf"
    export(cli, book, review)
    root = ET.parse(review).getroot()
    assert root.tag == "{urn:oasis:names:tc:xliff:document:1.2}xliff"
    assert root.get("version") == "1.2"
    file = root.find("x:file", NS)
    assert (file.get("original"), file.get("source-language"), file.get("target-language"),
            file.get("datatype")) == ("book.en.md", "en", "ht", "plaintext")
    groups = file.findall("x:body/x:group", NS)
    assert [g.get("resname") for g in groups] == ["The School", "The Market"]
    units = file.findall(".//x:trans-unit", NS)
    assert [u.find("x:source", NS).text for u in units[:2]] == [
        "The School", "The teacher is in the classroom."]
    second = units[1]
    assert second.find("x:target", NS).text == "Pwofesè a nan sal klas la."
    assert second.find("x:alt-trans/x:target", NS).text == "Pwofesè a nan sal klas la."
    assert second.find("x:note", NS).text == "chapter 1, sentence 2 (The School)"
    # "My name is Marie." -> "Mwen rele Mari.": the name changed spelling; look first.
    marie = next(u for u in units if u.find("x:source", NS).text == "My name is Marie.")
    assert marie.find("x:target", NS).get("state") == "needs-review-translation"
    assert "names or numbers of the source missing: Marie" in " ".join(
        n.text for n in marie.findall("x:note", NS))


def test_edited_xliff_changes_the_book_and_re_renders_only_those_sentences(cli, book,
                                                                          tmp_path):
    out = tmp_path / "out"
    first = audiobook(cli, book, out)
    review = tmp_path / "book.xlf"
    export(cli, book, review)
    # A translator edits two targets in a CAT tool.
    ET.register_namespace("", NS["x"])
    tree = ET.parse(review)
    for unit in tree.getroot().iter(f"{{{NS['x']}}}trans-unit"):
        source = unit.find("x:source", NS).text
        if source in FIXES:
            target = unit.find("x:target", NS)
            target.text = FIXES[source]
            target.set("state", "translated")
    tree.write(review, encoding="UTF-8", xml_declaration=True)

    report = audiobook(cli, book, out, "--corrections", review)
    text = (out / "book.ht.md").read_text("utf-8")
    assert "## Nan mache a" in text and "Mango yo byen mi." in text
    assert "Mango yo mi." not in text
    assert sorted(report["speech"]["synthesized"]) == sorted(FIXES.values())
    assert report["cache"]["audio"]["misses"] == 2
    spoken = first["cache"]["audio"]["hits"] + first["cache"]["audio"]["misses"]
    assert report["cache"]["audio"]["hits"] == spoken - 2
    assert report["translation_memory"] == {"sentences_used": 2}


def test_edited_csv_works_the_same_and_the_memory_serves_any_document(cli, book, tmp_path):
    review = tmp_path / "book.csv"
    export(cli, book, review)
    with review.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "chapter", "position", "source", "translation",
                             "machine translation", "review", "document", "source language",
                             "target language"]
    for row in rows:
        row["translation"] = FIXES.get(row["source"], row["translation"])
    # Saved back from a French-locale spreadsheet: semicolons.
    with review.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "out"
    report = audiobook(cli, book, out, "--corrections", review)
    assert "Mango yo byen mi." in (out / "book.ht.md").read_text("utf-8")
    assert report["translation_memory"] == {"sentences_used": 2}

    # Another document that contains a corrected sentence gets the correction too.
    result = cli("translate", "-m", TINY_MARIAN, "Good morning. The mangoes are ripe.")
    assert result.stdout.strip() == "Bonjou. Mango yo byen mi."

    listed = cli("memory", "list", "--json")
    entries = [json.loads(line) for line in listed.stdout.splitlines()]
    assert {(e["source"], e["target"]) for e in entries} == set(FIXES.items())
    assert cli("cache", "clear", "--yes").exit_code == 0  # caches go, human work stays
    assert cli("translate", "-m", TINY_MARIAN, "The mangoes are ripe.").stdout.strip() == \
        "Mango yo byen mi."
    stats = json.loads(cli("cache", "stats", "--json").stdout)
    assert "memory" in [n["namespace"] for n in stats["namespaces"]]
    exported = tmp_path / "memory.xlf"
    assert cli("memory", "export", exported).exit_code == 0
    assert "Mango yo byen mi." in exported.read_text("utf-8")
    assert cli("memory", "clear", "--yes").exit_code == 0
    assert cli("translate", "-m", TINY_MARIAN, "The mangoes are ripe.").stdout.strip() == \
        "Mango yo mi."
    assert cli("memory", "import", exported).exit_code == 0  # shared with another machine
    assert cli("translate", "-m", TINY_MARIAN, "The mangoes are ripe.").stdout.strip() == \
        "Mango yo byen mi."


def test_review_files_from_elsewhere_are_one_clear_line(cli, book, tmp_path):
    other = tmp_path / "other.en.md"
    other.write_text("# Other\n\nThe dog is barking.\n", "utf-8")
    review = tmp_path / "other.xlf"
    export_other = cli("translate", "-m", TINY_MARIAN, "-i", other, "--review", review)
    assert export_other.exit_code == 0, export_other.stderr

    result = cli("audiobook", book, "-m", TINY_MARIAN, "-o", tmp_path / "out",
                 "--corrections", review)
    assert result.exit_code == ExitCode.INPUT
    assert result.stderr.count("\n") == 1
    assert (f"{review} was exported from 'other.en.md', not from 'book.en.md'"
            in result.stderr)
    assert not (tmp_path / "out" / "report.json").exists()

    broken = tmp_path / "broken.xlf"
    broken.write_text("<xliff version='1.2'><file>", "utf-8")
    result = cli("translate", "-m", TINY_MARIAN, "-i", book, "--corrections", broken)
    assert result.exit_code == ExitCode.INPUT and result.stderr.count("\n") == 1
    assert "not well-formed XML" in result.stderr

    # OmegaT and Trados can also save XLIFF 2.0: say which version to use.
    newer = tmp_path / "book2.xlf"
    newer.write_text('<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0"'
                     ' version="2.0" srcLang="en" trgLang="ht"><file id="f1"><unit id="1">'
                     '<segment><source>Good morning.</source><target>Bonjou.</target>'
                     '</segment></unit></file></xliff>', "utf-8")
    result = cli("translate", "-m", TINY_MARIAN, "-i", book, "--corrections", newer)
    assert result.exit_code == ExitCode.INPUT
    assert result.stderr == (f"error: {newer}: XLIFF 2.0 is not read; save or export it from "
                             f"the CAT tool as XLIFF 1.2\n")

    result = cli("translate", "-m", TINY_MARIAN, "-i", book, "--review", tmp_path / "r.txt")
    assert result.exit_code == ExitCode.USAGE and ".xlf (XLIFF 1.2" in result.stderr


@pytest.mark.parametrize(("source", "target", "reason"), [
    ("The children are going to school.", "The children are going to school.",
     "the source was copied through untranslated"),
    ("The children are going to school.", "Timoun yo ap ale the school.",
     "untranslated English or French words: the"),
    ("The children are going to school.", "re re re re re",
     "repeated words: 're' three times in a row"),
    ("The children are going to school now.", "Timoun.",
     "length ratio 0.19 is outside the usual 0.4-2.0"),
    ("Jacques paid 500 gourdes.", "Li peye.",
     "names or numbers of the source missing: 500"),
])
def test_flags_say_why(source, target, reason):
    assert reason in reasons(source, target)


def test_a_good_translation_is_not_flagged():
    assert reasons("The children are going to school.", "Timoun yo ap ale lekòl.") == []


def test_the_creole_text_round_trips_with_chapters_title_and_author(cli, tmp_path):
    book = tmp_path / "sermon.en.md"
    book.write_text("# Good morning.\n\n*Jean-Claude Pierre*\n\n## The Church\n\n"
                    "We go to church on Sunday. The pastor is praying.\n\n## The Market\n\n"
                    "I am going to the market. The mangoes are ripe.\n", "utf-8")
    first = audiobook(cli, book, tmp_path / "en")
    creole = tmp_path / "en" / "sermon.ht.md"
    assert creole.read_text("utf-8").startswith("# Bonjou.\n\n*Jean-Claude Pierre*\n\n## ")
    # A reviewer edits the Creole text directly, then speaks it.
    edited = tmp_path / "sermon-edited.ht.md"
    edited.write_text(creole.read_text("utf-8").replace("Mango yo mi.", "Mango yo byen mi."),
                      "utf-8")
    second = audiobook(cli, edited, tmp_path / "ht")
    assert (second["title"], second["author"]) == ("Bonjou.", "Jean-Claude Pierre")
    assert first["author"] == "Jean-Claude Pierre"
    assert [c["title"] for c in second["chapters"]] == [c["title"] for c in first["chapters"]]
    assert second["speech"]["synthesized"] == ["Mango yo byen mi."]


def test_xliff_as_cat_tools_send_it_back_is_read(tmp_path):
    """Okapi/OmegaT keep extra namespaces and approved="yes"; Trados wraps
    segments in <mrk mtype="seg">. The text inside is what counts."""
    from kreyol_cli.review import corrections, read

    path = tmp_path / "back.xlf"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" xmlns:okp="okapi-framework:xliff-extensions"
 version="1.2">
<file original="book.en.md" source-language="en-US" target-language="ht-HT" datatype="x-md">
<body>
<trans-unit id="5" approved="yes">
<source xml:lang="en-US">The mangoes are ripe.</source>
<seg-source><mrk mtype="seg" mid="1">The mangoes are ripe.</mrk></seg-source>
<target xml:lang="ht-HT"><mrk mtype="seg" mid="1">Mango yo byen mi.</mrk></target>
<alt-trans origin="kreyol-machine-translation"><target xml:lang="ht">Mango yo mi.</target></alt-trans>
</trans-unit>
<trans-unit id="6" approved="yes">
<source xml:lang="en-US">Good morning.</source>
<target xml:lang="ht-HT">Bonjou.</target>
<alt-trans origin="kreyol-machine-translation"><target xml:lang="ht">Bonjou.</target></alt-trans>
</trans-unit>
<trans-unit id="7" translate="no"><source>ISBN 978-0</source></trans-unit>
</body>
</file>
</xliff>
""", "utf-8")
    review = read(path)
    assert (review.original, review.source_lang, review.target_lang) == (
        "book.en.md", "en-US", "ht-HT")
    assert [(c.source, c.target, c.source_lang, c.target_lang)
            for c in corrections(review, str(path))] == [
        ("The mangoes are ripe.", "Mango yo byen mi.", "en", "ht")]


def test_language_tags_in_capitals_as_cat_tools_write_them_are_the_same_language(cli, book,
                                                                                 tmp_path):
    """OmegaT and Trados write project languages as EN-US / HT (BCP 47 tags are
    case-insensitive); saved back with Windows line ends."""
    review = tmp_path / "book.xlf"
    export(cli, book, review)
    text = review.read_text("utf-8")
    text = text.replace('source-language="en" target-language="ht"',
                        'source-language="EN-US" target-language="HT"')
    text = text.replace('xml:lang="en"', 'xml:lang="EN-US"').replace('xml:lang="ht"',
                                                                    'xml:lang="HT"')
    text = text.replace(">Mango yo mi.</target>\n          <note",
                        ">Mango yo byen mi.</target>\n          <note")
    review.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    result = cli("translate", "-m", TINY_MARIAN, "-i", book, "--corrections", review)
    assert result.exit_code == 0, result.stderr
    assert "Mango yo byen mi." in result.stdout
    assert f"{review}: 1 corrected sentence added to the translation memory" in result.stderr


def test_segments_omegat_left_untranslated_hold_the_source_and_are_not_corrections(
        cli, book, tmp_path):
    """OmegaT writes the source text into every segment the reviewer did not
    translate when it creates the translated file: those are not corrections."""
    review = tmp_path / "book.xlf"
    export(cli, book, review)
    tree = ET.parse(review)
    for unit in tree.getroot().iter(f"{{{NS['x']}}}trans-unit"):
        source = unit.find("x:source", NS).text
        target = unit.find("x:target", NS)
        target.text = "Mango yo byen mi." if source == "The mangoes are ripe." else source
        del target.attrib["state"]
    tree.write(review, encoding="UTF-8", xml_declaration=True)

    result = cli("translate", "-m", TINY_MARIAN, "-i", book, "--corrections", review)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[2] == (
        "Pwofesè a nan sal klas la. Timoun yo ap ale lekòl.")
    assert "Mango yo byen mi." in result.stdout
    assert f"{review}: 1 corrected sentence added to the translation memory" in result.stderr
    assert (f"{review}: 6 segments whose target is the source text (left untranslated in the "
            f"CAT tool) not taken" in result.stderr)
    listed = cli("memory", "list", "--json").stdout.splitlines()
    assert [json.loads(line)["target"] for line in listed] == ["Mango yo byen mi."]


def test_a_nightly_run_with_the_same_corrections_finds_the_book_done(cli, book, tmp_path):
    """The README's cron line with --corrections: an unchanged review file
    changes nothing, so --mode skip exits 10; an edited one rebuilds."""
    review = tmp_path / "book.csv"
    export(cli, book, review)
    rows = list(csv.DictReader(review.read_text("utf-8-sig").splitlines()))

    def save(fixes):
        with review.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows({**r, "translation": fixes.get(r["source"], r["translation"])}
                             for r in rows)

    save(FIXES)
    out = tmp_path / "out"
    audiobook(cli, book, out, "--corrections", review)
    again = cli("audiobook", book, "-m", TINY_MARIAN, "-o", out, "--corrections", review)
    assert again.exit_code == ExitCode.ALREADY_DONE, again.stderr
    assert (f"{review}: 0 corrected sentences added to the translation memory "
            f"(2 already in it)") in again.stderr

    save({**FIXES, "The mangoes are ripe.": "Mango yo fin mi."})
    report = audiobook(cli, book, out, "--corrections", review)
    assert report["speech"]["synthesized"] == ["Mango yo fin mi."]


def test_a_spreadsheet_without_language_columns_serves_the_run_it_is_given_to(
        cli, kreyol_home, tmp_path):
    """A French review whose reviewer deleted the language columns: its
    corrections are French sentences, not English ones that never match."""
    kreyol_home.mkdir(parents=True, exist_ok=True)
    (kreyol_home / "models.toml").write_text(
        f'[models.tiny-m2m]\nkind = "translation"\nfamily = "m2m100"\n'
        f'path = "{FIXTURES / "models" / "tiny-m2m100"}"\nlanguages = ["en-ht", "fr-ht"]\n',
        "utf-8")
    review = tmp_path / "avis.csv"
    review.write_bytes("\ufeffsource;translation\r\nBonjour.;Bonjou.\r\n".encode())
    result = cli("translate", "-m", "tiny-m2m", "--source", "fr", "--corrections", review,
                 "Bonjour.")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Bonjou.\n"


def test_a_csv_saved_by_an_older_excel_in_cp1252_is_read_with_a_warning(cli, book, tmp_path):
    """Excel before 'CSV UTF-8' existed (and its plain 'CSV' today) writes
    Windows-1252 with semicolons in a French locale: all Creole letters fit."""
    review = tmp_path / "book.csv"
    export(cli, book, review)
    rows = list(csv.DictReader(review.read_text("utf-8-sig").splitlines()))
    for row in rows:
        if row["source"] == "The mangoes are ripe.":
            row["translation"] = "Mango yo mi nèt, yo bèl anpil."
    with review.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";",
                                lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    result = cli("translate", "-m", TINY_MARIAN, "-i", book, "--corrections", review)
    assert result.exit_code == 0, result.stderr
    assert "Mango yo mi nèt, yo bèl anpil." in result.stdout
    assert (f"warning: {review} is not UTF-8: read it as cp1252 (what Excel's plain 'CSV' "
            f"writes on Windows)") in result.stderr


SRT = ("1\n00:00:01,000 --> 00:00:03,000\nThe teacher is in the classroom.\n\n"
       "2\n00:00:04,000 --> 00:00:06,000\nThe mangoes are ripe.\n")


def test_subtitles_get_a_review_file_and_its_corrections_come_back(cli, tmp_path):
    """`translate -i film.srt --review film.xlf` wrote no review file (exit 0)."""
    film = tmp_path / "film.en.srt"
    film.write_text(SRT, "utf-8")
    review = tmp_path / "film.xlf"
    result = cli("translate", "-m", TINY_MARIAN, "-i", film, "-o", tmp_path / "film.ht.srt",
                 "--review", review)
    assert result.exit_code == 0, result.stderr
    assert f"wrote {review}: 2 sentences" in result.stderr
    ET.register_namespace("", NS["x"])
    tree = ET.parse(review)
    units = list(tree.getroot().iter(f"{{{NS['x']}}}trans-unit"))
    assert [u.find("x:source", NS).text for u in units] == [
        "The teacher is in the classroom.", "The mangoes are ripe."]
    units[1].find("x:target", NS).text = "Mango yo byen mi."
    tree.write(review, encoding="UTF-8", xml_declaration=True)
    again = cli("translate", "-m", TINY_MARIAN, "-i", film, "--corrections", review)
    assert again.exit_code == 0, again.stderr
    assert again.stdout.endswith("00:00:04,000 --> 00:00:06,000\nMango yo byen mi.\n\n")


@pytest.mark.parametrize("name", ["empty.xlf", "empty.csv"])
def test_empty_input_writes_an_empty_review_without_a_model(cli, tmp_path, name):
    review = tmp_path / name
    result = cli("translate", "--review", review, input="")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert review.exists()
    text = review.read_text("utf-8-sig")
    if name.endswith(".csv"):
        assert text.splitlines() == ["id,chapter,position,source,translation,machine "
                                     "translation,review,document,source language,target "
                                     "language"]
    else:
        assert "<body>" in text and "<trans-unit" not in text


def test_creole_copied_through_says_the_review_is_not_written(cli, tmp_path):
    source = tmp_path / "lèt.ht.txt"
    source.write_text("Bonjou tout moun.\n", "utf-8")
    review = tmp_path / "lèt.xlf"
    result = cli("translate", "-i", source, "--review", review, "--quiet")
    assert result.exit_code == 0
    assert result.stdout == "Bonjou tout moun.\n"
    assert result.stderr == f"warning: {review} not written: nothing was translated to review\n"
    assert not review.exists()
