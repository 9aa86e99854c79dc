"""The value of every formula, stored beside it, so a workbook reads the same everywhere.

Excel and LibreOffice recalculate a workbook when they open it, but a mail or phone preview,
pandas, most viewers and any script reading a sheet see only what the file stores with each
formula. openpyxl writes formulas with no stored value, so those readers see empty cells.
This module evaluates the formulas the writers emit (arithmetic, comparisons, ``SUM``,
``SUMPRODUCT``, ``IF``, ``AND``, ``OR``, ``ABS``, ``MIN``, ``RANK``) over the
workbook's own cells; ``saving.workbook_bytes`` stores each result beside its formula as
the cached value (``stored_as``). It does not decide anything: the values are what the
formulas say, and the LibreOffice recalculation tests prove both equal the engine's figures.

A formula using anything outside that set is a programming error in a writer, reported
when the workbook is built (a test renders every workbook), never a silently empty cell.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import column_index_from_string, get_column_letter

Value = Any  # float | bool | str | None | XLError
Node = Callable[["Evaluator", int], Value]  # (evaluator, column of the formula cell)

_SHEET = r"(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!"
_CELL = r"\$?[A-Z]{1,3}\$?\d+"
TOKEN = re.compile(
    rf"""\s*(?:
      (?P<ref>(?:{_SHEET})?{_CELL}(?::(?:{_SHEET})?{_CELL})?)(?![\w(])
    | (?P<func>[A-Z][A-Z0-9.]*)\(
    | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<str>"(?:[^"]|"")*")
    | (?P<bool>TRUE|FALSE)\b
    | (?P<op><>|<=|>=|[-+*/^&=<>%(),])
    )""",
    re.X,
)
_PART = re.compile(rf"(?:({_SHEET}))?(\$?[A-Z]{{1,3}}\$?\d+)")


class XLError(str):
    """An Excel error value such as ``#DIV/0!``; it propagates through arithmetic."""


DIV0 = XLError("#DIV/0!")
VALUE = XLError("#VALUE!")
NA = XLError("#N/A")


class FormulaError(ValueError):
    """A formula this evaluator does not understand (a writer emitted something new)."""


def _split_cell(ref: str) -> tuple[int, int, bool]:
    """Row, column and whether the column is absolute (``$E``) in a cell reference."""
    m = re.fullmatch(r"(\$?)([A-Z]{1,3})\$?(\d+)", ref)
    assert m, ref
    return int(m.group(3)), column_index_from_string(m.group(2)), bool(m.group(1))


# The writers emit one formula per row, the same along the row but for its column letters;
# a formula is parsed once per shape (relative columns as offsets) and reused along the row.
_SHAPE = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|(?<![\w.$])(\$?)([A-Z]{1,3})(\$?\d+)(?![\w(])"
)


def shape_of(formula: str, col: int) -> str:
    """The formula with each relative column written as an offset from ``col``."""

    def sub(m: re.Match) -> str:
        dollar, letters, row = m.groups()
        if letters is None or dollar:
            return m.group(0)
        return f"[{column_index_from_string(letters) - col}]{row}"

    return _SHAPE.sub(sub, formula)


def _sheet_name(prefix: str | None, here: str) -> str:
    if not prefix:
        return here
    name = prefix[:-1]
    return name[1:-1].replace("''", "'") if name.startswith("'") else name


# ----------------------------------------------------------------------------- coercions
def _num(v: Value) -> Value:
    """A value as a number in arithmetic (empty is 0, TRUE is 1), or an error."""
    if isinstance(v, XLError):
        return v
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(v)
    except ValueError:
        return VALUE


def _truth(v: Value) -> Value:
    if isinstance(v, XLError):
        return v
    if isinstance(v, str):
        up = v.upper()
        if up in ("TRUE", "FALSE"):
            return up == "TRUE"
        return VALUE
    return bool(v)


def _text(v: Value) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _rank_type(v: Value) -> int:
    return 2 if isinstance(v, bool) else 1 if isinstance(v, str) else 0


def _compare(op: str, a: Value, b: Value) -> Value:
    """Excel's comparison: numbers < text < logicals; empty is 0, "" or FALSE as compared."""
    for v in (a, b):
        if isinstance(v, XLError):
            return v
    if a is None:
        a = "" if isinstance(b, str) else False if isinstance(b, bool) else 0.0
    if b is None:
        b = "" if isinstance(a, str) else False if isinstance(a, bool) else 0.0
    ka, kb = _rank_type(a), _rank_type(b)
    x: Any  # the compared values: kinds, texts or numbers
    y: Any
    if ka != kb:
        x, y = ka, kb
    elif ka == 1:
        x, y = a.lower(), b.lower()
    else:
        x, y = float(a), float(b)
    return {
        "=": x == y,
        "<>": x != y,
        "<": x < y,
        ">": x > y,
        "<=": x <= y,
        ">=": x >= y,
    }[op]


def _arith(op: str, a: Value, b: Value) -> Value:
    a, b = _num(a), _num(b)
    if isinstance(a, XLError):
        return a
    if isinstance(b, XLError):
        return b
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return DIV0 if b == 0 else a / b
    try:
        return float(a**b)
    except (OverflowError, ZeroDivisionError):
        return DIV0


# ----------------------------------------------------------------------------- functions
class Range(list):
    """The values of a block of cells, row by row (what a function sees of ``A1:B3``)."""


def _flat(args: list[Value]) -> Iterator[tuple[Value, bool]]:
    """Each argument's values, with whether it came from a range (where text and logicals
    are skipped by SUM, MIN and the like, as Excel does)."""
    for a in args:
        if isinstance(a, Range):
            for v in a:
                yield v, True
        else:
            yield a, False


def _numbers(args: list[Value]) -> list[float] | XLError:
    out: list[float] = []
    for v, in_range in _flat(args):
        if type(v) is float:  # a figure, the usual case
            out.append(v)
            continue
        if isinstance(v, XLError):
            return v
        if in_range and (v is None or isinstance(v, (bool, str))):
            continue
        n = _num(v)
        if isinstance(n, XLError):
            return n
        out.append(n)
    return out


def _sum(args: list[Value]) -> Value:
    xs = _numbers(args)
    return xs if isinstance(xs, XLError) else float(math.fsum(xs))


def _min(args: list[Value]) -> Value:
    xs = _numbers(args)
    return xs if isinstance(xs, XLError) else (min(xs) if xs else 0.0)


def _logical(args: list[Value], combine: Callable[[list[bool]], bool]) -> Value:
    flags: list[bool] = []
    for v, in_range in _flat(args):
        if isinstance(v, XLError):
            return v
        if in_range and (v is None or isinstance(v, str)):
            continue
        t = _truth(v)
        if isinstance(t, XLError):
            return t
        flags.append(t)
    return combine(flags) if flags else VALUE


def _sumproduct(args: list[Value]) -> Value:
    arrays = [a if isinstance(a, Range) else Range([a]) for a in args]
    if len({len(a) for a in arrays}) != 1:
        return VALUE
    total = []
    for vals in zip(*arrays, strict=True):
        prod = 1.0
        for v in vals:
            if isinstance(v, XLError):
                return v
            prod *= v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0
        total.append(prod)
    return float(math.fsum(total))


def _rank(args: list[Value]) -> Value:
    x, ref = _num(args[0]), args[1]
    order = _num(args[2]) if len(args) > 2 else 0.0
    if isinstance(x, XLError):
        return x
    xs = [float(v) for v in ref if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if x not in xs:
        return NA
    return float(1 + sum(1 for v in xs if (v < x if order else v > x)))


def _abs(args: list[Value]) -> Value:
    x = _num(args[0])
    return x if isinstance(x, XLError) else abs(x)


FUNCTIONS: dict[str, Callable[[list[Value]], Value]] = {
    "SUM": _sum,
    "MIN": _min,
    "ABS": _abs,
    "AND": lambda a: _logical(a, all),
    "OR": lambda a: _logical(a, any),
    "SUMPRODUCT": _sumproduct,
    "RANK": _rank,
    "TRUE": lambda a: True,
    "FALSE": lambda a: False,
}


# ----------------------------------------------------------------------------- parsing
_FLOAT_OPS: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}


def _arith_node(op: str, a: Node, b: Node) -> Node:
    """``a op b`` for +, - and *: two figures (the usual case) are combined directly, with
    the same result as :func:`_arith`, which takes everything else (empty cells, text,
    logicals, errors)."""
    fn = _FLOAT_OPS[op]

    def node(ev: Evaluator, c: int) -> Value:
        x, y = a(ev, c), b(ev, c)
        if type(x) is float and type(y) is float:
            return fn(x, y)
        return _arith(op, x, y)

    return node


# How tightly each binary operator binds (Excel: comparison < & < +- < */ < ^); unary minus
# and % bind tighter still (:meth:`_Parser.unary`).
_BINDING = {
    "=": 1,
    "<>": 1,
    "<=": 1,
    ">=": 1,
    "<": 1,
    ">": 1,
    "&": 2,
    "+": 3,
    "-": 3,
    "*": 4,
    "/": 4,
    "^": 5,
}


def _join(a: Value, b: Value) -> Value:
    for v in (a, b):
        if isinstance(v, XLError):
            return v
    return _text(a) + _text(b)


def _binary_node(op: str, a: Node, b: Node) -> Node:
    """The node for ``a op b``."""
    if op in _FLOAT_OPS:
        return _arith_node(op, a, b)
    if op == "&":
        return lambda ev, c: _join(a(ev, c), b(ev, c))
    if op in ("/", "^"):
        return lambda ev, c: _arith(op, a(ev, c), b(ev, c))
    return lambda ev, c: _compare(op, a(ev, c), b(ev, c))


class _Parser:
    """Excel's precedence, comparison < & < +- < */ < ^ < unary < %, by precedence climbing."""

    def __init__(self, formula: str, sheet: str, col: int):
        self.sheet, self.col = sheet, col
        self.tokens: list[tuple[str, str]] = []
        pos, text = 0, formula.strip()
        while pos < len(text):
            m = TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise FormulaError(f"cannot read {formula!r} at {text[pos:]!r}")
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def accept(self, *ops: str) -> str | None:
        tok = self.peek()
        if tok and tok[0] == "op" and tok[1] in ops:
            self.i += 1
            return tok[1]
        return None

    def parse(self) -> Node:
        node = self.comparison()
        if self.peek() is not None:
            raise FormulaError(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return node

    def comparison(self, lowest: int = 1) -> Node:
        """Operands joined by the binary operators that bind at least as tightly as
        ``lowest`` (all of them by default), each operator left to right (precedence
        climbing over ``_BINDING``)."""
        node = self.unary()
        tokens = self.tokens
        while self.i < len(tokens):
            kind, op = tokens[self.i]
            binding = _BINDING.get(op) if kind == "op" else None
            if binding is None or binding < lowest:
                break
            self.i += 1
            node = _binary_node(op, node, self.comparison(binding + 1))
        return node

    def unary(self) -> Node:
        if op := self.accept("-", "+"):
            inner = self.unary()
            if op == "+":
                return inner
            return lambda ev, c: _arith("-", 0.0, inner(ev, c))
        node = self.primary()
        while self.accept("%"):
            node = (lambda n: lambda ev, c: _arith("/", n(ev, c), 100.0))(node)
        return node

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            value = float(text)
            return lambda ev, c: value
        if kind == "str":
            s = text[1:-1].replace('""', '"')
            return lambda ev, c: s
        if kind == "bool":
            b = text == "TRUE"
            return lambda ev, c: b
        if kind == "ref":
            return self.reference(text)
        if kind == "func":
            return self.function(text)
        if kind == "op" and text == "(":
            node = self.comparison()
            if not self.accept(")"):
                raise FormulaError("missing ')'")
            return node
        raise FormulaError(f"unexpected {text!r}")

    def reference(self, text: str) -> Node:
        parts = _PART.findall(text)
        sheet = _sheet_name(parts[0][0], self.sheet)
        r0, c0, abs0 = _split_cell(parts[0][1])
        at0 = c0 if abs0 else c0 - self.col  # an absolute column, or an offset
        if len(parts) == 1:
            if abs0:
                return lambda ev, c: ev.cell(sheet, r0, at0)
            return lambda ev, c: ev.cell(sheet, r0, c + at0)
        r1, c1, abs1 = _split_cell(parts[1][1])
        at1 = c1 if abs1 else c1 - self.col
        return lambda ev, c: ev.block(
            sheet, (r0, at0 if abs0 else c + at0), (r1, at1 if abs1 else c + at1)
        )

    def function(self, name: str) -> Node:
        args: list[Node] = []
        if not self.accept(")"):
            while True:
                args.append(self.comparison())
                if self.accept(")"):
                    break
                if not self.accept(","):
                    raise FormulaError(f"expected ',' or ')' in {name}")
        if name == "IF":  # lazy, as in Excel: only the branch taken is evaluated
            if not 2 <= len(args) <= 3:
                raise FormulaError("IF takes 2 or 3 arguments")
            cond, yes = args[0], args[1]
            no = args[2] if len(args) == 3 else (lambda ev, c: False)

            def if_(ev: Evaluator, c: int) -> Value:
                t = _truth(cond(ev, c))
                if isinstance(t, XLError):
                    return t
                return yes(ev, c) if t else no(ev, c)

            return if_
        fn = FUNCTIONS.get(name)
        if fn is None:
            raise FormulaError(f"function {name} is not supported")
        return lambda ev, c: fn([a(ev, c) for a in args])


# ----------------------------------------------------------------------------- evaluation
_UNSET = object()  # not yet known (None is an empty cell's value)


class Evaluator:
    """Every formula of a workbook, evaluated once each over the workbook's own cells."""

    def __init__(self, wb: Workbook):
        # Text that merely starts with "=" (a label from an input file) is text, not a formula.
        # ``done`` starts with every constant (a whole number as the float Excel reads) and
        # takes each formula's result as it is evaluated.
        self.done: dict[tuple[str, int, int], Value] = {}
        self.formula_text: dict[tuple[str, int, int], str] = {}
        for ws in wb.worksheets:
            title = ws.title
            for (r, c), cell in ws._cells.items():
                value = cell._value
                if cell.data_type == "f":
                    self.formula_text[(title, r, c)] = value
                elif isinstance(value, int) and not isinstance(value, bool):
                    self.done[(title, r, c)] = float(value)
                else:
                    self.done[(title, r, c)] = value
        self.busy: set[tuple[str, int, int]] = set()
        self.compiled: dict[tuple[str, str], Node] = {}  # (sheet, shape) -> parsed formula

    def formulas(self) -> Iterator[tuple[str, int, int]]:
        return iter(self.formula_text)

    def cell(self, sheet: str, row: int, col: int) -> Value:
        """A cell's value: its constant, or its formula's result (evaluated once)."""
        key = (sheet, row, col)
        value = self.done.get(key, _UNSET)
        if value is not _UNSET:
            return value
        raw = self.formula_text.get(key)
        if raw is None:  # an empty cell
            return None
        if key in self.busy:
            raise FormulaError(f"circular reference at {sheet}!R{row}C{col}")
        self.busy.add(key)
        shape = shape_of(raw, col)
        node = self.compiled.get((sheet, shape))
        if node is None:
            try:
                node = _Parser(raw[1:], sheet, col).parse()
            except (FormulaError, IndexError) as e:
                raise FormulaError(f"{sheet}!R{row}C{col} {raw}: {e}") from None
            self.compiled[(sheet, shape)] = node
        value = node(self, col)
        self.busy.discard(key)
        self.done[key] = value
        return value

    def block(self, sheet: str, first: tuple[int, int], last: tuple[int, int]) -> Range:
        (r0, c0), (r1, c1) = first, last
        return Range(
            self.cell(sheet, r, c)
            for r in range(min(r0, r1), max(r0, r1) + 1)
            for c in range(min(c0, c1), max(c0, c1) + 1)
        )


def results(wb: Workbook) -> dict[str, dict[tuple[int, int], Value]]:
    """Each sheet's formula results, keyed by (row, column), for the sheets with formulas."""
    ev = Evaluator(wb)
    out: dict[str, dict[tuple[int, int], Value]] = {}
    for sheet, r, c in list(ev.formulas()):
        out.setdefault(sheet, {})[(r, c)] = ev.cell(sheet, r, c)
    return out


def evaluate(wb: Workbook) -> dict[str, dict[str, Value]]:
    """Each sheet's formula results, keyed by cell reference (``E12``)."""
    return {
        sheet: {f"{get_column_letter(c)}{r}": v for (r, c), v in cells.items()}
        for sheet, cells in results(wb).items()
    }


# ----------------------------------------------------------------------------- storing
def stored_as(value: Value) -> tuple[str | None, str]:
    """How a formula's value is stored in its cell: the cell's type attribute (``t``; None
    for a number) and the text of its ``<v>`` element."""
    if isinstance(value, XLError):
        return "e", str(value)
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, str):
        return "str", value
    x = 0.0 if value is None else float(value)
    return None, str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)
