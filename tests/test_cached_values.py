"""The stored values of formulas follow Excel's rules for the formulas the writers emit."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from forecasting.excel.cached_values import DIV0, FormulaError, evaluate


def values(cells: dict[str, object], sheet2: dict[str, object] | None = None) -> dict:
    wb = Workbook()
    ws = wb.active
    ws.title = "Main"
    for ref, v in cells.items():
        ws[ref] = v
    if sheet2:
        other = wb.create_sheet("Children's care")
        for ref, v in sheet2.items():
            other[ref] = v
    return evaluate(wb)["Main"]


def test_precedence_and_arithmetic_as_excel():
    v = values(
        {
            "A1": 2,
            "B1": "=-A1^2",
            "C1": "=2+3*4",
            "D1": "=(2+3)*4",
            "E1": "=10-2-3",
            "F1": "=50%*A1",
            "G1": '=A1&"x"',
            "H1": "=Z9+1",
        }
    )
    assert v["B1"] == 4  # unary minus binds tighter than ^ in Excel
    assert (v["C1"], v["D1"], v["E1"], v["F1"]) == (14, 20, 5, 1)
    assert v["G1"] == "2x"
    assert v["H1"] == 1  # an empty cell is 0


def test_if_takes_only_its_branch_and_errors_propagate():
    v = values(
        {
            "A1": 0,
            "B1": "=IF(A1>0,1/A1,7)",
            "C1": "=1/A1",
            "D1": "=C1+1",
            "E1": '=IF(A1=0,"none")',
            "F1": "=IF(A1,1)",
        }
    )
    assert v["B1"] == 7
    assert v["C1"] == DIV0 and v["D1"] == DIV0
    assert v["E1"] == "none" and v["F1"] is False


def test_ranges_functions_and_other_sheets():
    v = values(
        {
            "A1": 1,
            "A2": 2,
            "A3": 3,
            "B1": 4,
            "B2": 5,
            "B3": "text",
            "C1": "=SUM(A1:A3)",
            "C2": "=SUMPRODUCT(A1:A3,B1:B3)",
            "C3": "=MIN(A1:B3)",
            "C4": "=RANK(A2,$A$1:$A$3,1)",
            "C5": "=RANK(A2,$A$1:$A$3,0)",
            "C6": "=AND(A1>0,OR(A1>5,A2=2))",
            "C7": "=ABS(-3)+MIN(A1:A3)",
            "C8": "=SUM('Children''s care'!A1:'Children''s care'!A2)",
            "C10": "=TRUE()",
            "C11": '=A1<>"1"',
        },
        {"A1": 10, "A2": 20},
    )
    assert (v["C1"], v["C2"], v["C3"]) == (6, 14, 1)
    assert (v["C4"], v["C5"]) == (2, 2)
    assert v["C6"] is True and v["C7"] == 4 and v["C8"] == 30
    assert v["C10"] is True
    assert v["C11"] is True  # a number never equals text in Excel


def test_relative_columns_follow_the_cell():
    """A formula shape parsed once is reused along its row with its own columns."""
    v = values(
        {
            "A1": 1,
            "B1": 2,
            "C1": 3,
            "A2": "=A1*10+$A$1",
            "B2": "=B1*10+$A$1",
            "C2": "=C1*10+$A$1",
            "B3": "=A2+B2",
        }
    )
    assert (v["A2"], v["B2"], v["C2"], v["B3"]) == (11, 21, 31, 32)


def test_an_unknown_function_is_a_writer_bug_not_an_empty_cell():
    with pytest.raises(FormulaError, match="VLOOKUP"):
        values({"A1": "=VLOOKUP(1,B1:C2,2)"})


def test_text_that_starts_with_equals_is_not_evaluated():
    """A label from an input file such as '=HYPERLINK(...)' is stored as text, not a formula."""
    from forecasting.excel.styles import text

    wb = Workbook()
    ws = wb.active
    text(ws["A1"], '=HYPERLINK("http://x","click"): weekly cost')
    ws["B1"] = "=1+1"
    assert evaluate(wb) == {"Sheet": {"B1": 2}}


def _tricky_workbook() -> Workbook:
    """Cells of every kind a writer might leave: text needing escapes or keeping its spaces,
    empty and styled-but-empty cells, figures, a styled row and formulas whose values are a
    figure, text, a logical and an error."""
    from openpyxl.styles import Font

    from forecasting.excel.styles import cell_style, text

    wb = Workbook()
    ws = wb.active
    ws.title = "Main & <more>"
    text(ws["A1"], "Fish & chips <£5> \"quoted\" 'single'")
    text(ws["A2"], "  padded  ")
    text(ws["A3"], "line one\r\nline two\tand a tab")
    text(ws["A4"], "")
    ws["B1"], ws["B2"], ws["B3"] = 1.5, 12, -0.1 + 0.2
    cell_style(ws["B1"], "input", "#,##0")
    cell_style(ws["B4"], "total")  # styled, no value
    ws["C1"] = "=B1*2"
    ws["C2"] = '="a&b"&"<"&B2'
    ws["C3"] = "=B1>1"
    ws["C4"] = "=B1/0"
    ws["C4"].font = Font(bold=True)
    ws.row_dimensions[6].height = 30  # a row with a height and no cells
    other = wb.create_sheet("Other")
    other["A1"] = "='Main & <more>'!B2+1"
    return wb


def _look(cell) -> tuple[str, ...]:
    """A cell's font, fill, border and alignment (their reprs: openpyxl's style proxies do
    not compare equal)."""
    return tuple(repr(x) for x in (cell.font, cell.fill, cell.border, cell.alignment))


def test_saved_cells_read_back_as_openpyxl_writes_them_with_their_values():
    """The one-pass writer (excel/saving.py) stores what openpyxl's own save stores for every
    cell (value, type, style, row height), plus each formula's value (the writer refuses
    comments and links: below)."""
    import io

    from openpyxl import load_workbook

    from forecasting.excel.cached_values import results
    from forecasting.excel.saving import workbook_bytes

    ours = workbook_bytes(_tricky_workbook(), results(_tricky_workbook()))
    plain = io.BytesIO()
    _tricky_workbook().save(plain)
    a, b = load_workbook(io.BytesIO(ours)), load_workbook(plain)
    assert a.sheetnames == b.sheetnames
    for sa, sb in zip(a.worksheets, b.worksheets, strict=True):
        assert set(sa._cells) == set(sb._cells), sa.title
        for key, ca in sa._cells.items():
            cb = sb._cells[key]
            assert (ca.value, ca.data_type, ca.number_format) == (
                cb.value,
                cb.data_type,
                cb.number_format,
            ), (sa.title, key)
            assert _look(ca) == _look(cb), (sa.title, key)
        assert sa.row_dimensions[6].height == sb.row_dimensions[6].height
    main = a["Main & <more>"]
    assert main["A2"].value == "  padded  "
    assert main["A3"].value == "line one\r\nline two\tand a tab"
    stored = load_workbook(io.BytesIO(ours), data_only=True)
    m = stored["Main & <more>"]
    assert (m["C1"].value, m["C2"].value, m["C4"].value) == (3, "a&b<12", DIV0)
    assert m["C3"].value is True  # a logical, not the number 1
    assert stored["Other"]["A1"].value == 13


def test_a_cell_the_workbooks_never_write_is_refused_not_written_wrongly():
    """A date, a comment or a link is not written by the one-pass writer: saving names the
    cell instead of writing it other than openpyxl would."""
    import datetime

    from openpyxl.comments import Comment

    from forecasting.excel.saving import workbook_bytes

    for kind in ("date", "comment", "link"):
        wb = _tricky_workbook()
        ws = wb["Main & <more>"]
        ws["D2"] = datetime.date(2019, 4, 1) if kind == "date" else "text"
        if kind == "comment":
            ws["D2"].comment = Comment("a note", "author")
        if kind == "link":
            ws["D2"].hyperlink = "https://example.org"
        with pytest.raises(ValueError, match=r"Main & <more>!D2: a cell of a kind"):
            workbook_bytes(wb, {})
    workbook_bytes(_tricky_workbook(), {})  # the ordinary cells are written


def test_without_values_each_sheet_is_byte_for_byte_openpyxls():
    """With no values to store, every sheet part is exactly what openpyxl's own save
    writes: the same XML, escaping, kept spaces (xml:space) and style ids."""
    import io
    import zipfile

    from forecasting.excel.saving import workbook_bytes

    ours = zipfile.ZipFile(io.BytesIO(workbook_bytes(_tricky_workbook(), {})))
    plain = io.BytesIO()
    _tricky_workbook().save(plain)
    theirs = zipfile.ZipFile(plain)
    sheets = [n for n in theirs.namelist() if n.startswith("xl/worksheets/sheet")]
    assert len(sheets) == 2
    for name in sheets:
        assert ours.read(name) == theirs.read(name), name
    assert ours.read("xl/styles.xml") == theirs.read("xl/styles.xml")


def test_fast_cell_and_style_helpers_write_what_openpyxls_setters_write():
    """cell_at, figure and look (the grid's quick ways to make a cell, write a figure and
    give it a font, fill or alignment) save byte-for-byte as ws.cell, the value setter and
    the style attributes do, whatever order looks are first used in and when equal looks
    are distinct objects."""
    import io
    import zipfile

    from openpyxl.styles import Alignment, Font

    from forecasting.excel.styles import BOLD, HEADER_FILL, WRAP, cell_at, figure, look

    def build(quick: bool) -> dict[str, bytes]:
        wb = Workbook()
        ws = wb.active
        for r in range(1, 40):
            font = BOLD if r % 3 else Font(bold=True, color="FF0000")  # a new object each time
            wrap = WRAP if r % 2 else Alignment(wrap_text=True, vertical="top")  # equal to WRAP
            if quick:
                look(figure(cell_at(ws, r, 2), r * 1.5), font=font)
                look(cell_at(ws, r, 3), alignment=wrap, fill=HEADER_FILL)
                look(cell_at(ws, r, 2), alignment=wrap)  # the same cell again
            else:
                c = ws.cell(r, 2, r * 1.5)
                c.font = font
                d = ws.cell(r, 3)
                d.alignment, d.fill = wrap, HEADER_FILL
                ws.cell(r, 2).alignment = wrap
        ws.append(["next row"])  # goes under the last row made
        buf = io.BytesIO()
        wb.save(buf)
        z = zipfile.ZipFile(buf)
        return {n: z.read(n) for n in ("xl/styles.xml", "xl/worksheets/sheet1.xml")}

    assert build(quick=True) == build(quick=False)
