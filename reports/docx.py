"""工作总结 as a Word document (.docx, python-docx), for the offices that finish a summary in Word or WPS.

The same content as the PDF (reports.summaries.report_content or a version's frozen content): the title
centred, the scope and dates under it, the section headings with their numbers — 一、 in a heiti face
on its own line, （一） in a kaiti face and 1. in bold fangsong run in before the text, as the office's
documents write them — the paragraphs indented two characters, the statistics tables, and each chart
as a table of its numbers (Word shows no SVG; a picture would be the one thing staff cannot edit).

Fonts are named, not embedded: the East Asian font of the body is 仿宋_GB2312, of the title
方正小标宋简体, of 一、 headings 黑体 and of （一） headings 楷体_GB2312 — the faces of GB/T 9704 that
the office's Word/WPS has; a PC without one of them substitutes its nearest (仿宋, 宋体), Word and WPS
do that by themselves. Latin text and digits in Times New Roman. A4 with the official margins
(37/26/35/28 mm), body at 三号 (16 pt) with a fixed line spacing of 28.9 pt (22 lines a page).
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .charts import chart_table
from .pdf import period_line, sections_for_print

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FONT}
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)
TABLE_SIZE = Pt(10.5)
LINE = Pt(28.9)


def _font(run, east_asian: str, size=BODY_SIZE, *, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)


def _paragraph(document, *, indent: bool = True, align=None, spacing=LINE):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    if spacing is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = spacing
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 三号
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _table(document, table: dict) -> None:
    if table.get("caption"):
        caption = _paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, spacing=None)
        _font(caption.add_run(str(table["caption"])), HEADING_FONTS[1], Pt(12))
    columns = [str(c) for c in table.get("columns") or []]
    rows = [[str(cell) for cell in row] for row in table.get("rows") or []]
    width = max([len(columns), *(len(row) for row in rows)]) if (columns or rows) else 0
    if not width:
        return
    grid = document.add_table(rows=1 + len(rows), cols=width)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, values in enumerate([columns, *rows]):
        for c in range(width):
            cell = grid.cell(r, c)
            cell.text = ""
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 else WD_ALIGN_PARAGRAPH.CENTER
            text = values[c] if c < len(values) else ""
            _font(paragraph.add_run(text), HEADING_FONTS[1] if r == 0 else BODY_FONT, TABLE_SIZE)
    _paragraph(document, indent=False, spacing=None)


def content_docx(content: dict, *, watermark: str = "") -> bytes:
    """The report as a .docx; `watermark` (「草稿」) as a line above the title and in the page header."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    if watermark:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _font(header.add_run(watermark), HEADING_FONTS[1], Pt(12))

    title = _paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, spacing=Pt(35))
    _font(title.add_run(content.get("title", "")), TITLE_FONT, Pt(22))
    scope = (content.get("scope") or {}).get("name", "")
    sub = _paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _font(sub.add_run(f"（{scope + '　' if scope else ''}{period_line(content)}）"), BODY_FONT)
    _paragraph(document, indent=False)

    for part in sections_for_print(content, draft=bool(watermark)):
        level = part["level"]
        if part["run_in"]:
            paragraph = _paragraph(document)
            _font(
                paragraph.add_run(f"{part['number']}{part['heading']}"),
                HEADING_FONTS.get(level, BODY_FONT),
                bold=level == 3,
            )
            if part["first"]:
                _font(paragraph.add_run(part["first"]), BODY_FONT)
        else:
            paragraph = _paragraph(document)
            _font(paragraph.add_run(f"{part['number']}{part['heading']}"), HEADING_FONTS[1])
            paragraph.paragraph_format.keep_with_next = True
        if part["error"]:
            _font(
                _paragraph(document).add_run(f"（数据语句有误，未能写出：{part['error']}）"),
                BODY_FONT,
                Pt(12),
            )
        for text in part["paragraphs"]:
            _font(_paragraph(document).add_run(text), BODY_FONT)
        if part["table"]:
            _table(document, part["table"])
        if part["chart"]:
            _table(document, chart_table(part["chart"]))

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
