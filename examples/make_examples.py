"""Write the example booklets in this folder with PyMuPDF.

    python examples/make_examples.py

Each booklet has title and author metadata, an outline (one entry per chapter),
a cover page, a running header and page numbers in the footer, so that
``kreyol extract`` has headers and footers to remove.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT = 420, 595  # A5
LEFT, RIGHT, TOP, BOTTOM = 54, 366, 70, 530
BODY, LEADING = 12, 17

KREYOL = {
    "file": "ti-liv-kreyol.ht.pdf",
    "title": "Ti Liv Kreyòl",
    "author": "Ekip kreyol",
    "page": "Paj",
    "chapters": [
        (
            "Jaden lekòl la",
            [
                "Nan lekòl nou an, gen yon ti jaden dèyè klas yo. Chak maten, anvan lekòl "
                "kòmanse, elèv yo vin wouze plant yo. Mèt Jozèf montre nou kijan pou nou plante "
                "grenn mayi, pwa ak zepina. Li di nou: « Tè a bay sa ou ba li. Si ou pran swen "
                "li, l ap pran swen ou tou. »",
                "Mwen renmen travay nan jaden an ak zanmi m Woz. Nou retire move zèb, nou mete "
                "fimye, epi nou konte ti fèy ki fenk parèt. Lè solèy la cho anpil, nou chita "
                "anba pye mango a pou nou bwè dlo.",
                "Apre twa mwa, premye legim yo te bon pou keyi. Nou te pote yo lakay pou manman "
                "nou fè yon bon bouyon. Tout klas la te fyè. Kounye a, chak elèv konnen jaden an "
                "se yon lekòl tou: li aprann nou pasyans, travay ansanm ak respè pou lanati.",
            ],
        ),
        (
            "Jou mache",
            [
                "Samdi se jou mache nan bouk nou an. Depi katrè dimaten, machann yo leve pou yo "
                "ranje pwodui yo nan panye. Gen moun ki vini sou bourik, gen lòt ki vini a pye, "
                "ak chay sou tèt yo.",
                "Nan mache a, ou jwenn tout kalite bagay: bannann, yanm, diri, pwa, zaboka, "
                "mango ak zoranj. Gen machann pwason, machann vyann ak machann rad tou. Tout "
                "moun ap pale an menm tan, epi bri a fè mache a vivan.",
                "Manman m toujou di: « Pa achte anyen san ou pa machande. » Li mande konbyen yon "
                "pil zaboka koute. Machann nan di l: « Senkant goud. » Manman m souri, li di: "
                "« M ap ba ou karant. » Finalman, yo dakò pou karant senk goud.",
                "Lè solèy la fin monte, nou tounen lakay ak panye nou plen. Mache a pa sèlman "
                "yon kote pou achte ak vann. Se yon kote moun rankontre, bay nouvèl epi ri "
                "ansanm.",
            ],
        ),
        (
            "Sezon lapli",
            [
                "Nan mwa me, syèl la chanje koulè. Nwaj nwa yo rasanble sou mòn yo, van an "
                "kòmanse soufle, epi premye gout lapli yo tonbe sou tòl kay yo. Timoun yo kouri "
                "soti pou yo benyen anba lapli a, pandan granmoun yo ap ranmase rad ki te sou "
                "liy lan.",
                "Pou peyizan yo, lapli se yon benediksyon. Tè a vin mou, rivyè yo plen, e se lè "
                "sa a yo plante mayi ak pwa. Men lapli a ka danjere tou. Lè li tonbe twòp, dlo "
                "a desann mòn yo byen vit epi li ka pote tè a ale.",
                "Se pou sa, nan zòn nou an, moun yo plante pyebwa sou mòn yo. Rasin pyebwa yo "
                "kenbe tè a an plas. Granpapa m di: « Yon peyi san pyebwa se tankou yon kay san "
                "do kay. »",
                "Lè lapli a fin pase, van an fre, zwazo yo chante ankò, e tout bagay vin vèt. Nou "
                "remèsye Bondye pou dlo a, epi nou pare pou travay.",
            ],
        ),
    ],
}

ENGLISH = {
    "file": "little-book.en.pdf",
    "title": "The Little Book",
    "author": "The kreyol team",
    "page": "Page",
    "chapters": [
        (
            "The Lighthouse Keeper",
            [
                "Mara lives in a small white house at the edge of the sea. Next to her house "
                "stands a tall lighthouse, and Mara is its keeper. Every evening, when the sun "
                "goes down, she climbs one hundred and twelve steps to the top. She cleans the "
                "glass, checks the lamp and turns on the light.",
                "The light turns slowly all night. It tells the fishing boats where the rocks "
                "are, so they can find their way home. Mara cannot see the sailors, but she "
                "knows they are there.",
                "On stormy nights, the wind shakes the windows and the rain hits the walls. Mara "
                "does not sleep. She sits by the lamp with a cup of tea and a good book. In the "
                "morning, when the boats come back to the harbour, the fishermen wave to her. "
                "Mara waves back and smiles. Then, at last, she goes to bed.",
            ],
        ),
        (
            "Bread on Sunday",
            [
                "Every Sunday, Grandfather Leo bakes bread. He wakes up early, before the birds, "
                "and puts on his old blue apron. He mixes flour, water, salt and a little yeast "
                "in a big wooden bowl. Then he covers the bowl with a cloth and lets the dough "
                "rest.",
                "While the dough grows, Leo makes coffee and listens to the radio. When the "
                "children wake up, the kitchen is warm and quiet. They help him shape the dough "
                "into round loaves. Nina makes a small one for her doll, and Sam makes one that "
                "looks like a fish.",
                "The loaves go into the hot oven. Soon the whole house smells of fresh bread. At "
                "noon, the family sits around the table. Leo cuts the first loaf, and everyone "
                "listens for the sound of the crust. That, he says, is the best music in the "
                "world.",
            ],
        ),
        (
            "The Night Train",
            [
                "The night train leaves the city at ten o'clock. Ana has a ticket for a small "
                "bed in the sleeping car. She puts her bag under the bed and looks out of the "
                "window. The lights of the city move past, faster and faster, and then there is "
                "only darkness.",
                "The train sings a long, low song on the rails. In the next room, a baby cries "
                "for a moment and then is quiet. A man walks down the corridor with a cup of hot "
                "chocolate. Ana reads a few pages of her book, but her eyes are heavy.",
                "When she wakes up, the sky is pink and gold. There are mountains outside, with "
                "snow on the tops. The train stops at a small station, where a woman sells warm "
                "bread and apples on the platform. Ana buys an apple. She is almost home.",
            ],
        ),
    ],
}


def _wrap(text: str, width: float, size: float, font: str) -> list[str]:
    # Guillemets stay with their words: a no-break space, which the extractor turns back.
    text = " ".join(text.split()).replace("« ", "«\u00a0").replace(" »", "\u00a0»")
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}".strip()
        if current and pymupdf.get_text_length(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def _centered(page: pymupdf.Page, y: float, text: str, size: float, font: str) -> None:
    x = (WIDTH - pymupdf.get_text_length(text, font, size)) / 2
    page.insert_text((x, y), text, fontsize=size, fontname=font)


class _Booklet:
    """Flows chapters onto A5 pages, adding the running header and page numbers."""

    def __init__(self, book: dict) -> None:
        self.book = book
        self.doc = pymupdf.open()
        self.page: pymupdf.Page | None = None
        self.y = TOP
        self.toc: list[list] = []

    def new_page(self, *, furniture: bool = True) -> None:
        self.page = self.doc.new_page(width=WIDTH, height=HEIGHT)
        self.y = TOP
        if furniture:
            number = self.doc.page_count
            self.page.insert_text((LEFT, 40), self.book["title"], fontsize=9, fontname="tiit")
            _centered(self.page, HEIGHT - 30, f"{self.book['page']} {number}", 9, "tiro")

    def cover(self) -> None:
        self.new_page(furniture=False)
        _centered(self.page, 230, self.book["title"], 26, "tibo")
        _centered(self.page, 270, self.book["author"], 14, "tiro")

    def chapter(self, title: str, paragraphs: list[str]) -> None:
        self.new_page()
        self.toc.append([1, title, self.doc.page_count])
        self.y += 20
        self.page.insert_text((LEFT, self.y), title, fontsize=18, fontname="tibo")
        self.y += 36
        for text in paragraphs:
            for line in _wrap(text, RIGHT - LEFT, BODY, "tiro"):
                if self.y > BOTTOM:
                    self.new_page()
                self.page.insert_text((LEFT, self.y), line, fontsize=BODY, fontname="tiro")
                self.y += LEADING
            self.y += LEADING * 0.6

    def save(self) -> Path:
        self.doc.set_toc(self.toc)
        self.doc.set_metadata(
            {"title": self.book["title"], "author": self.book["author"], "creator": "kreyol"}
        )
        path = HERE / self.book["file"]
        self.doc.save(path, garbage=4, deflate=True, no_new_id=True)
        self.doc.close()
        return path


def make_booklet(book: dict) -> Path:
    """Write one booklet and return its path."""
    booklet = _Booklet(book)
    booklet.cover()
    for title, paragraphs in book["chapters"]:
        booklet.chapter(title, paragraphs)
    return booklet.save()


def main() -> None:
    for book in (KREYOL, ENGLISH):
        path = make_booklet(book)
        print(f"{path.relative_to(HERE.parent)}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
