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
