"""The saved .xlsx file: openpyxl's package, with each sheet's cells written in one pass and
every formula's value stored beside it (:mod:`.cached_values` works the values out).

openpyxl writes a cell through several Python calls and element contexts, stages each sheet
in a temporary file and stores formulas with no value; storing the values afterwards meant
reading the saved file again, parsing its sheets and deflating it a second time. Here each
sheet's data is written as text in one pass (the workbooks' cells are plain numbers, text
and formulas), exactly as openpyxl's XML stream would write it, and put where openpyxl's
own sheet writer leaves its place; everything else in the file (styles, views, widths,
charts, validations) is still openpyxl's own, and each part is deflated once. A cell of any
other kind (a date, rich text, an array formula, a comment or a link) is refused: no
workbook writes one, and writing it here would need openpyxl's own cell writer back. Without
values to store, every sheet is byte for byte what openpyxl's save writes
(tests/test_cached_values.py).
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections import defaultdict
from collections.abc import Mapping

from lxml import etree
from openpyxl import Workbook
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .cached_values import Value, stored_as

Cells = Mapping[tuple[int, int], Value]  # (row, column) -> a formula's value


def _escape(text: str) -> str:
    """Text as XML character data (a carriage return kept as one, not read as a new line)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _stored(value: Value) -> tuple[str, str]:
    """A formula's value as its cell's type attribute and ``<v>`` text, as XML."""
    kind, text = stored_as(value)
    return ("" if kind is None else f' t="{kind}"'), _escape(text)


def sheet_data(ws: Worksheet, values: Cells) -> bytes:
    """The ``<sheetData>`` element of a sheet: the rows and cells openpyxl would write, in its
    order, with its style ids and as its XML stream writes them, each formula with its
    stored value."""
    cells = ws._cells
    rows: dict[int, list] = defaultdict(list)
    for key in sorted(cells):
        rows[key[0]].append(cells[key])
    for r in ws.row_dimensions.keys() - rows.keys():  # styled rows without cells
        rows[r] = []
    styles = ws.parent._cell_styles
    style_ids: dict[bytes, int] = {}  # a style's ids as bytes -> its index in the workbook
    dims = ws.row_dimensions
    out = ["<sheetData>"]
    add = out.append
    for r in sorted(rows):
        # attributes as openpyxl's row writer gives them (the row's style registered first)
        attrs = "".join(f' {k}="{v}"' for k, v in dims[r]) if r in dims else ""
        add(f'<row r="{r}"{attrs}>')
        for cell in rows[r]:
            value = cell._value
            style = cell._style
            styled = style is not None and any(style)
            if value is None and not styled and cell._comment is None:
                continue
            col = cell.column
            letter = get_column_letter(col)
            kind = cell.data_type
            key = (r, col)
            if (
                cell._comment is not None
                or cell._hyperlink is not None
                or not (isinstance(value, str) if kind in ("s", "f") else kind in ("n", "b", "e"))
            ):
                raise ValueError(
                    f"{ws.title}!{letter}{r}: a cell of a kind the workbooks do not write (a "
                    "date, rich text, an array formula, a comment or a link)"
                )
            if styled:
                ids = style.tobytes()
                sid = style_ids.get(ids)
                if sid is None:
                    sid = style_ids[ids] = styles.add(style)
                head = f'<c r="{letter}{r}" s="{sid}"'
            else:
                head = f'<c r="{letter}{r}"'
            if kind == "f":
                if key in values:
                    t, v = _stored(values[key])
                    add(f"{head}{t}><f>{_escape(value[1:])}</f><v>{v}</v></c>")
                else:
                    add(f"{head}><f>{_escape(value[1:])}</f><v></v></c>")
            elif kind == "s":
                if not value:
                    add(f'{head} t="inlineStr"></c>')
                elif value != value.strip():
                    add(
                        f'{head} t="inlineStr"><is><t xml:space="preserve">{_escape(value)}'
                        "</t></is></c>"
                    )
                else:
                    add(f'{head} t="inlineStr"><is><t>{_escape(value)}</t></is></c>')
            elif type(value) is float and value - value == 0.0:  # a finite figure
                add(f'{head} t="{kind}"><v>{value:.16g}</v></c>')  # as safe_string
            elif value is None or value == "":
                add(f'{head} t="{kind}"></c>')
            else:
                add(f'{head} t="{kind}"><v>{_escape(safe_string(value))}</v></c>')
        add("</row>")
    add("</sheetData>")
    # as the XML stream writes text: ASCII, anything else as a character reference
    return "".join(out).encode("ascii", "xmlcharrefreplace")


_PLACE = b"<sheetData/>"  # written where the sheet data goes, then replaced by it


class _SheetWriter(WorksheetWriter):
    """openpyxl's sheet writer, in memory, with the sheet data written by :func:`sheet_data`
    (the rest of the sheet, before and after its data, is openpyxl's own)."""

    def __init__(self, ws: Worksheet, values: Cells):
        super().__init__(ws, io.BytesIO())
        self.values = values
        self.data: bytes | None = None

    def write_rows(self) -> None:
        self.data = sheet_data(self.ws, self.values)
        self.xf.send(etree.Element("sheetData"))

    def read(self) -> bytes:
        xml = super().read()
        if self.data is None or xml.count(_PLACE) != 1:  # openpyxl's writer has changed
            raise RuntimeError(f"cannot place the cells of sheet {self.ws.title!r}")
        return xml.replace(_PLACE, self.data)


class _Writer(ExcelWriter):
    def __init__(self, wb: Workbook, archive: zipfile.ZipFile, values: Mapping[str, Cells]):
        super().__init__(wb, archive)
        self.values = values

    def write_worksheet(self, ws: Worksheet) -> None:
        """As openpyxl's, but the sheet is written in memory by :class:`_SheetWriter`."""
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _SheetWriter(ws, self.values.get(ws.title, {}))
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def workbook_bytes(wb: Workbook, values: Mapping[str, Cells]) -> bytes:
    """The workbook as the bytes of an .xlsx file, each formula's value (``values``: sheet
    title -> (row, column) -> value) stored with it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        # as openpyxl's save: the file's modified time is now
        wb.properties.modified = datetime.datetime.now(tz=datetime.timezone.utc).replace(
            tzinfo=None
        )
        _Writer(wb, archive, values).write_data()
    return buf.getvalue()
