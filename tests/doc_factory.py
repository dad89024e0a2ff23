"""Build EPUB, DOCX, ODT and HTML fixtures shaped like the files people have.

Zipped by hand, so every part is the one real tools write and the tests can
break them on purpose (a truncated zip, a spine item that is not there, DRM):

* EPUB 3 with an EPUB 2 NCX, as Calibre, Sigil and Pandoc write them: the
  ``mimetype`` entry first and stored, ``META-INF/container.xml``, an OPF with
  ``dc:`` metadata, a manifest and a spine, ``nav.xhtml`` (``epub:type="toc"``
  and landmarks), a cover page and a copyright page, footnotes as
  ``<a epub:type="noteref">`` / ``<aside epub:type="footnote">``, and Calibre's
  ``<a href="#filepos"><sup>N</sup></a>`` style.
* DOCX as Word writes it: ``[Content_Types].xml``, ``word/document.xml`` with
  ``Heading1`` styles, numbered lists, a table, a footnote reference,
  a comment, a tracked insertion and deletion, and a header part;
  ``word/footnotes.xml`` with the two separator notes; ``docProps/core.xml``.
* ODT as LibreOffice writes it: ``content.xml`` with ``text:h`` outline levels,
  ``text:note`` footnotes, an ``office:annotation`` comment and a tracked
  deletion; ``meta.xml``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from html import escape

# --- EPUB ------------------------------------------------------------------------

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

XHTML_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" \
lang="{lang}" xml:lang="{lang}">
<head>
  <title>{title}</title>
  <link rel="stylesheet" type="text/css" href="../Styles/stylesheet.css"/>
</head>
<body>
"""

# A 1x1 PNG: the cover image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@dataclass
class EpubChapter:
    """One spine document: a title and paragraphs (HTML allowed inside)."""

    title: str
    paragraphs: list[str]
    notes: list[str] = field(default_factory=list)  # footnote bodies (aside)
    kind: str = "bodymatter"  # or frontmatter / backmatter (epub:type of the section)
    heading: str = "h1"


def epub_bytes(
    chapters: list[EpubChapter],
    *,
    title: str = "The Garden",
    author: str = "Marie Jean",
    lang: str = "en",
    cover: bool = True,
    missing: str | None = None,  # a spine href left out of the zip
    encrypted: bool = False,
    algorithm: str = "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
    ncx_only: bool = False,  # an EPUB 2 book: toc.ncx, no nav.xhtml
) -> bytes:
    files: dict[str, bytes | str] = {"META-INF/container.xml": CONTAINER}
    manifest = ['<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>',
                '<item id="css" href="Styles/stylesheet.css" media-type="text/css"/>']
    spine: list[str] = []
    nav_items: list[str] = []
    ncx_points: list[str] = []
    files["OEBPS/Styles/stylesheet.css"] = "body { font-family: serif; }\n"
    if cover:
        files["OEBPS/Images/cover.png"] = PNG
        files["OEBPS/Text/cover.xhtml"] = XHTML_HEAD.format(lang=lang, title="Cover") + (
            '<section epub:type="cover"><div class="cover">'
            '<img src="../Images/cover.png" alt="Cover"/></div></section>\n</body>\n</html>\n'
        )
        manifest += ['<item id="cover-image" href="Images/cover.png" media-type="image/png" '
                     'properties="cover-image"/>',
                     '<item id="cover" href="Text/cover.xhtml" '
                     'media-type="application/xhtml+xml"/>']
        spine.append('<itemref idref="cover" linear="no"/>')
    for n, chapter in enumerate(chapters, 1):
        href = f"Text/chapter{n:02d}.xhtml"
        body = [f'<section epub:type="{chapter.kind}" id="ch{n}">',
                f'<{chapter.heading} class="chapter-title">{chapter.title}</{chapter.heading}>']
        body += [f"<p>{p}</p>" for p in chapter.paragraphs]
        for k, note in enumerate(chapter.notes, 1):
            body.append(f'<aside epub:type="footnote" id="fn{n}-{k}"><p>'
                        f'<a href="#ref{n}-{k}">{k}.</a> {note}</p></aside>')
        body.append("</section>")
        if href != missing:
            files[f"OEBPS/{href}"] = XHTML_HEAD.format(lang=lang, title=escape(chapter.title)) + (
                "\n".join(body) + "\n</body>\n</html>\n")
        manifest.append(f'<item id="chapter{n:02d}" href="{href}" '
                        'media-type="application/xhtml+xml"/>')
        spine.append(f'<itemref idref="chapter{n:02d}"/>')
        plain = escape(_strip_tags(chapter.title))
        nav_items.append(f'<li><a href="{href}">{plain}</a></li>')
        ncx_points.append(
            f'<navPoint id="navPoint-{n}" playOrder="{n}"><navLabel><text>{plain}</text>'
            f'</navLabel><content src="{href}"/></navPoint>')
    if not ncx_only:
        files["OEBPS/nav.xhtml"] = XHTML_HEAD.format(lang=lang, title="Contents") + (
            '<nav epub:type="toc" id="toc" role="doc-toc"><h1>Contents</h1><ol>\n'
            + "\n".join(nav_items) + "\n</ol></nav>\n"
            '<nav epub:type="landmarks" hidden=""><ol>'
            '<li><a epub:type="bodymatter" href="Text/chapter01.xhtml">Start</a></li>'
            "</ol></nav>\n</body>\n</html>\n")
        manifest.append('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" '
                        'properties="nav"/>')
    files["OEBPS/toc.ncx"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">\n'
        '<head><meta name="dtb:uid" content="urn:uuid:6f1c2b0e-1111-4c1a-9a55-0a6f7b1e2d3c"/>'
        '<meta name="dtb:depth" content="1"/></head>\n'
        f"<docTitle><text>{escape(title)}</text></docTitle>\n"
        "<navMap>\n" + "\n".join(ncx_points) + "\n</navMap>\n</ncx>\n")
    files["OEBPS/content.opf"] = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="BookId">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:opf="http://www.idpf.org/2007/opf">\n'
        f"<dc:title>{escape(title)}</dc:title>\n"
        f'<dc:creator id="cre" opf:role="aut">{escape(author)}</dc:creator>\n'
        f"<dc:language>{lang}</dc:language>\n"
        '<dc:identifier id="BookId">urn:uuid:6f1c2b0e-1111-4c1a-9a55-0a6f7b1e2d3c'
        "</dc:identifier>\n"
        '<meta property="dcterms:modified">2024-05-01T10:00:00Z</meta>\n'
        '<meta name="cover" content="cover-image"/>\n'
        "</metadata>\n<manifest>\n" + "\n".join(manifest) + "\n</manifest>\n"
        '<spine toc="ncx">\n' + "\n".join(spine) + "\n</spine>\n</package>\n")
    if encrypted:
        files["META-INF/encryption.xml"] = (
            '<?xml version="1.0"?>\n<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:'
            'container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">\n'
            f'<enc:EncryptedData><enc:EncryptionMethod Algorithm="{algorithm}"/>'
            '<enc:CipherData><enc:CipherReference '
            'URI="OEBPS/Text/chapter01.xhtml"/></enc:CipherData></enc:EncryptedData>\n'
            "</encryption>\n")
    return _zip({"mimetype": "application/epub+zip", **files})


def _strip_tags(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", text)


def _zip(files: dict[str, bytes | str], *, first_stored: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i, (name, data) in enumerate(files.items()):
            stored = first_stored and i == 0 and name == "mimetype"
            archive.writestr(name, data, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# --- DOCX -------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

DOCX_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.\
wordprocessingml.document.main+xml"/>\
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.\
wordprocessingml.styles+xml"/>\
<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.\
wordprocessingml.footnotes+xml"/>\
<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.\
wordprocessingml.comments+xml"/>\
<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.\
wordprocessingml.header+xml"/>\
<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.\
wordprocessingml.numbering+xml"/>\
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.\
core-properties+xml"/>\
</Types>"""

DOCX_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/\
core-properties" Target="docProps/core.xml"/>\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/\
officeDocument" Target="word/document.xml"/>\
</Relationships>"""

DOCUMENT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/\
styles" Target="styles.xml"/>\
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/\
footnotes" Target="footnotes.xml"/>\
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/\
comments" Target="comments.xml"/>\
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/\
header" Target="header1.xml"/>\
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/\
numbering" Target="numbering.xml"/>\
</Relationships>"""

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}">\
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>\
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/>\
<w:basedOn w:val="Normal"/></w:style>\
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>\
<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>\
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/>\
<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>\
<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/>\
<w:basedOn w:val="Normal"/></w:style>\
<w:style w:type="paragraph" w:styleId="FootnoteText"><w:name w:val="footnote text"/></w:style>\
<w:style w:type="character" w:styleId="FootnoteReference"><w:name w:val="footnote reference"/>\
<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>\
<w:style w:type="character" w:styleId="CommentReference"><w:name w:val="annotation reference"/>\
</w:style>\
</w:styles>"""

NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W}">\
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>\
<w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>\
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/>\
<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>\
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>\
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>\
</w:numbering>"""


def w_run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text, quote=False)}</w:t></w:r>'


def w_para(*runs: str, style: str | None = None, num: int | None = None) -> str:
    ppr = ""
    if style or num:
        inner = f'<w:pStyle w:val="{style}"/>' if style else ""
        if num:
            inner += f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr>'
        ppr = f"<w:pPr>{inner}</w:pPr>"
    return f"<w:p>{ppr}{''.join(runs)}</w:p>"


def w_footnote_ref(n: int) -> str:
    return (f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            f'<w:footnoteReference w:id="{n}"/></w:r>')


def w_comment(n: int, commented: str) -> str:
    return (f'<w:commentRangeStart w:id="{n}"/>{w_run(commented)}<w:commentRangeEnd w:id="{n}"/>'
            f'<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'
            f'<w:commentReference w:id="{n}"/></w:r>')


def w_deleted(text: str) -> str:
    return (f'<w:del w:id="90" w:author="Editor" w:date="2024-03-01T10:00:00Z"><w:r>'
            f'<w:delText xml:space="preserve">{escape(text, quote=False)}</w:delText></w:r></w:del>')


def w_inserted(text: str) -> str:
    return (f'<w:ins w:id="91" w:author="Editor" w:date="2024-03-01T10:00:00Z">'
            f"{w_run(text)}</w:ins>")


def w_table(rows: list[list[str]]) -> str:
    cells = "".join(
        "<w:tr>" + "".join(f'<w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr>'
                           f"{w_para(w_run(c))}</w:tc>" for c in row) + "</w:tr>"
        for row in rows)
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            f"</w:tblPr>{cells}</w:tbl>")


def docx_bytes(
    body: list[str],
    *,
    footnotes: dict[int, str] | None = None,
    comments: dict[int, str] | None = None,
    header: str = "Ministry of Education, Draft",
    title: str = "Lesson plan",
    creator: str = "Marie Jean",
    language: str = "en-US",
) -> bytes:
    """A DOCX from ``w:p``/``w:tbl`` XML strings (build them with the ``w_*`` helpers)."""
    notes = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
        f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
        f"{w_run(' ' + text)}</w:p></w:footnote>"
        for n, text in (footnotes or {}).items())
    comment_xml = "".join(
        f'<w:comment w:id="{n}" w:author="Reviewer" w:date="2024-03-01T10:00:00Z" w:initials="R">'
        f"{w_para(w_run(text))}</w:comment>" for n, text in (comments or {}).items())
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{"".join(body)}'
        f'<w:sectPr><w:headerReference w:type="default" r:id="rId4"/>'
        f'<w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    return _zip({
        "[Content_Types].xml": DOCX_TYPES,
        "_rels/.rels": DOCX_RELS,
        "word/document.xml": document,
        "word/_rels/document.xml.rels": DOCUMENT_RELS,
        "word/styles.xml": STYLES,
        "word/numbering.xml": NUMBERING,
        "word/footnotes.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W}">'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
            '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
            f"<w:continuationSeparator/></w:r></w:p></w:footnote>{notes}</w:footnotes>"),
        "word/comments.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:comments xmlns:w="{W}">'
            f"{comment_xml}</w:comments>"),
        "word/header1.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:hdr xmlns:w="{W}">'
            f"{w_para(w_run(header))}</w:hdr>"),
        "docProps/core.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(creator)}</dc:creator>"
            f"<dc:language>{language}</dc:language>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-01T09:00:00Z</dcterms:created>'
            "</cp:coreProperties>"),
    })


# Word's "Encrypt with Password" writes an OLE2 compound file, not a zip.
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def encrypted_docx_bytes() -> bytes:
    return OLE_MAGIC + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512


# --- ODT --------------------------------------------------------------------------

ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'office:version="1.3"'
)


def odt_bytes(body: str, *, title: str = "Rapport", creator: str = "Jean Pierre",
              language: str = "fr-FR", tracked: str = "") -> bytes:
    """An ODT from ``office:text`` inner XML (``text:h``, ``text:p``, ``text:list`` ...)."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ODT_NS}>'
        "<office:automatic-styles/><office:body><office:text>"
        f"{tracked}{body}</office:text></office:body></office:document-content>")
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {ODT_NS}><office:meta>'
        f"<dc:title>{escape(title)}</dc:title><meta:initial-creator>{escape(creator)}"
        f"</meta:initial-creator><dc:creator>{escape(creator)}</dc:creator>"
        f"<dc:language>{language}</dc:language></office:meta></office:document-meta>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
        'vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>')
    styles = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {ODT_NS}>'
              "<office:styles/></office:document-styles>")
    return _zip({"mimetype": "application/vnd.oasis.opendocument.text",
                 "content.xml": content, "styles.xml": styles, "meta.xml": meta,
                 "META-INF/manifest.xml": manifest})


# --- HTML -------------------------------------------------------------------------


def web_page(article: str, *, title: str = "Planting trees before the rains",
             lang: str = "en", site: str = "Haiti Green News") -> str:
    """A saved news/blog page: the article inside real-looking site chrome."""
    script_blob = "var _q=window._q||[];" + "x" * 2000
    return f"""<!DOCTYPE html>
<html lang="{lang}" class="no-js">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} | {site}</title>
<meta property="og:title" content="{escape(title)}">
<meta name="author" content="Marie Jean">
<link rel="stylesheet" href="https://example.org/wp-content/themes/news/style.css">
<style>body{{margin:0}} .menu li{{display:inline}}</style>
<script>{script_blob}</script>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle"}}</script>
</head>
<body class="post-template-default single single-post">
<div id="cookie-banner" class="cookie-consent" role="dialog">
  <p>We use cookies to improve your experience. By continuing you accept our cookie policy.</p>
  <button>Accept all cookies</button> <button>Manage settings</button>
</div>
<header class="site-header">
  <a class="logo" href="/">{site}</a>
  <nav class="main-navigation" aria-label="Main menu"><ul class="menu">
    <li><a href="/">Home</a></li><li><a href="/news">News</a></li>
    <li><a href="/environment">Environment</a></li><li><a href="/about">About us</a></li>
    <li><a href="/donate">Donate</a></li></ul></nav>
  <div class="login-box"><a href="/login">Log in</a> or <a href="/register">Register</a></div>
</header>
<div class="site-content">
<main id="main" class="site-main">
<article class="post type-post status-publish hentry">
  <header class="entry-header"><h1 class="entry-title">{escape(title)}</h1>
  <div class="entry-meta"><span class="byline">By <a href="/author/marie">Marie Jean</a></span>
  <time datetime="2024-04-02">April 2, 2024</time></div></header>
  <div class="entry-content">
{article}
  </div>
  <footer class="entry-footer"><span class="tags-links">Tagged <a href="/tag/trees">trees</a>,
  <a href="/tag/rain">rain</a></span>
  <div class="share">Share this: <a href="#">Facebook</a> <a href="#">Twitter</a>
  <a href="#">WhatsApp</a></div></footer>
</article>
<section class="related-posts"><h2>Related posts</h2><ul>
  <li><a href="/a">Ten tips for a school garden this year</a></li>
  <li><a href="/b">Why mangroves matter for the coast of Haiti</a></li></ul></section>
<div id="comments" class="comments-area"><h2>Leave a comment</h2>
  <form><label>Name</label><input name="name"><label>Comment</label><textarea></textarea>
  <button>Post comment</button></form></div>
</main>
<aside id="secondary" class="widget-area sidebar">
  <section class="widget"><h2 class="widget-title">Newsletter</h2>
  <p>Subscribe to our newsletter and get the latest stories every week in your inbox.</p></section>
  <section class="widget"><h2 class="widget-title">Most read</h2><ul>
  <li><a href="/c">Hurricane season: how to prepare your family</a></li></ul></section>
</aside>
</div>
<footer class="site-footer"><p>© 2024 {site}. All rights reserved.</p>
<nav class="footer-menu"><a href="/privacy">Privacy policy</a> <a href="/terms">Terms</a>
<a href="/contact">Contact</a></nav></footer>
<script src="https://example.org/wp-includes/js/jquery.min.js"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}</script>
</body>
</html>
"""
