"""The condition language of plans, e.g. ``product_family == "X" and amount > 50000``.

A tokenizer and a recursive-descent parser build a small typed syntax tree, checked against
the columns of the credits table. The tree renders to a sqlglot expression (for the compiled
query) and evaluates on a Python row (for the oracle). Nothing is ever ``eval``-ed.

Grammar::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum [("==" | "!=" | "<" | "<=" | ">" | ">=") sum]
                | sum ["not"] "in" "(" literal ("," literal)* ")"
                | sum "is" ["not"] "null"
    sum        := product (("+" | "-") product)*
    product    := unary ("*" unary)*
    unary      := "-" unary | primary
    primary    := NUMBER | STRING | "true" | "false" | "date" "(" STRING ")"
                | NAME | "(" condition ")"

Division is deliberately absent: write ``margin > 0.4 * amount``, which stays exact.
SQL three-valued logic applies: a comparison with an empty (null) value is unknown, and a
row matches only when the whole condition is true.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlglot import exp

ValueType = Literal["number", "string", "date", "bool"]


class ConditionError(ValueError):
    """A condition that does not parse or does not type-check; names the position."""

    def __init__(self, text: str, position: int, reason: str) -> None:
        super().__init__(f"{reason} at position {position + 1} in {text!r}")
        self.text = text
        self.position = position
        self.reason = reason


# --- syntax tree --------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal_:
    value: Any
    type: ValueType


@dataclass(frozen=True)
class Column:
    name: str
    type: ValueType


@dataclass(frozen=True)
class Unary:
    op: str  # "neg" | "not"
    operand: Node
    type: ValueType


@dataclass(frozen=True)
class Binary:
    op: str  # + - * == != < <= > >= and or
    left: Node
    right: Node
    type: ValueType


@dataclass(frozen=True)
class InList:
    operand: Node
    values: tuple[Literal_, ...]
    negated: bool
    type: ValueType = "bool"


@dataclass(frozen=True)
class IsNull:
    operand: Node
    negated: bool
    type: ValueType = "bool"


Node = Literal_ | Column | Unary | Binary | InList | IsNull

# --- tokenizer ----------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|\(|\)|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "is", "null", "true", "false", "date"}


@dataclass(frozen=True)
class _Token:
    kind: str  # number | string | op | name | keyword | end
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            start = len(text) - len(text[position:].lstrip())
            raise ConditionError(text, start, f"unexpected character {text[start]!r}")
        kind = match.lastgroup or ""
        raw = match.group(kind)
        start = match.start(kind)
        if kind == "name" and raw in _KEYWORDS:
            kind = "keyword"
        if kind == "string":
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        tokens.append(_Token(kind, raw, start))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


# --- parser -------------------------------------------------------------------------------

_COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}


class _Parser:
    def __init__(self, text: str, columns: dict[str, ValueType]) -> None:
        self.text = text
        self.columns = columns
        self.tokens = _tokenize(text)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def _fail(self, reason: str, token: _Token | None = None) -> ConditionError:
        return ConditionError(self.text, (token or self.current).position, reason)

    def _accept(self, text: str) -> bool:
        if self.current.kind in ("op", "keyword") and self.current.text == text:
            self.index += 1
            return True
        return False

    def _expect(self, text: str) -> None:
        if not self._accept(text):
            found = self.current.text or "end of condition"
            raise self._fail(f"expected {text!r}, found {found!r}")

    def parse(self) -> Node:
        node = self._or()
        if self.current.kind != "end":
            raise self._fail(f"unexpected {self.current.text!r}")
        if node.type != "bool":
            raise ConditionError(self.text, 0, "a condition must be true or false, not a value")
        return node

    def _logical(self, op: str, operand: Any) -> Node:
        node = operand()
        while True:
            token = self.current
            if not self._accept(op):
                return node
            right = operand()
            for side in (node, right):
                if side.type != "bool":
                    raise self._fail(f"'{op}' joins conditions, not values", token)
            node = Binary(op, node, right, "bool")

    def _or(self) -> Node:
        return self._logical("or", self._and)

    def _and(self) -> Node:
        return self._logical("and", self._not)

    def _not(self) -> Node:
        token = self.current
        if self._accept("not"):
            operand = self._not()
            if operand.type != "bool":
                raise self._fail("'not' applies to a condition", token)
            return Unary("not", operand, "bool")
        return self._comparison()

    def _comparison(self) -> Node:
        left = self._sum()
        token = self.current
        if token.kind == "op" and token.text in _COMPARISONS:
            self.index += 1
            right = self._sum()
            if left.type != right.type:
                raise self._fail(f"cannot compare {left.type} with {right.type}", token)
            if left.type == "bool" and token.text not in ("==", "!="):
                raise self._fail(f"'{token.text}' does not order true/false", token)
            return Binary(token.text, left, right, "bool")
        if token.kind == "keyword" and token.text in ("in", "not") and self._peek_in():
            negated = self._accept("not")
            self._expect("in")
            self._expect("(")
            values = [self._literal()]
            while self._accept(","):
                values.append(self._literal())
            self._expect(")")
            for value in values:
                if value.type != left.type:
                    raise self._fail(f"list holds a {value.type}, compared with {left.type}", token)
            return InList(left, tuple(values), negated)
        if self._accept("is"):
            negated = self._accept("not")
            self._expect("null")
            return IsNull(left, negated)
        return left

    def _peek_in(self) -> bool:
        if self.current.text == "in":
            return True
        following = self.tokens[self.index + 1]
        return following.kind == "keyword" and following.text == "in"

    def _literal(self) -> Literal_:
        node = self._unary()
        if not isinstance(node, Literal_):
            raise self._fail("a list holds literal values only")
        return node

    def _arithmetic(self, ops: tuple[str, ...], operand: Any) -> Node:
        node = operand()
        while self.current.kind == "op" and self.current.text in ops:
            token = self.current
            self.index += 1
            right = operand()
            if node.type != "number" or right.type != "number":
                raise self._fail(f"'{token.text}' needs numbers", token)
            node = Binary(token.text, node, right, "number")
        return node

    def _sum(self) -> Node:
        return self._arithmetic(("+", "-"), self._product)

    def _product(self) -> Node:
        return self._arithmetic(("*",), self._unary)

    def _unary(self) -> Node:
        token = self.current
        if self._accept("-"):
            operand = self._unary()
            if operand.type != "number":
                raise self._fail("'-' needs a number", token)
            if isinstance(operand, Literal_):
                return Literal_(-operand.value, "number")
            return Unary("neg", operand, "number")
        return self._primary()

    def _primary(self) -> Node:
        token = self.current
        if token.kind == "number":
            self.index += 1
            return Literal_(Decimal(token.text), "number")
        if token.kind == "string":
            self.index += 1
            return Literal_(token.text, "string")
        if self._accept("true"):
            return Literal_(True, "bool")
        if self._accept("false"):
            return Literal_(False, "bool")
        if self._accept("date"):
            self._expect("(")
            text_token = self.current
            if text_token.kind != "string":
                raise self._fail("date(...) takes a quoted YYYY-MM-DD")
            self.index += 1
            try:
                value = dt.date.fromisoformat(text_token.text)
            except ValueError:
                raise self._fail(
                    f"{text_token.text!r} is not a YYYY-MM-DD date", text_token
                ) from None
            self._expect(")")
            return Literal_(value, "date")
        if token.kind == "name":
            self.index += 1
            if token.text not in self.columns:
                known = ", ".join(sorted(self.columns))
                raise self._fail(f"unknown column {token.text!r} (known: {known})", token)
            return Column(token.text, self.columns[token.text])
        if self._accept("("):
            node = self._or()
            self._expect(")")
            return node
        found = token.text or "end of condition"
        raise self._fail(f"expected a value, found {found!r}")


def parse_condition(text: str, columns: dict[str, ValueType]) -> Node:
    """Parse and type-check ``text`` against ``columns`` (name -> value type)."""
    return _Parser(text, columns).parse()


# --- rendering to sqlglot -----------------------------------------------------------------

_SQL_BINARY = {
    "+": exp.Add,
    "-": exp.Sub,
    "*": exp.Mul,
    "==": exp.EQ,
    "!=": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
    "and": exp.And,
    "or": exp.Or,
}


def _sql_literal(node: Literal_) -> exp.Expression:
    if node.type == "number":
        return exp.Literal.number(str(node.value))
    if node.type == "string":
        return exp.Literal.string(node.value)
    if node.type == "bool":
        return exp.Boolean(this=node.value)
    return exp.Cast(this=exp.Literal.string(node.value.isoformat()), to=exp.DataType.build("DATE"))


def to_sql(node: Node, table: str | None = None) -> exp.Expression:
    """The sqlglot expression for a parsed condition (columns optionally qualified)."""
    if isinstance(node, Literal_):
        return _sql_literal(node)
    if isinstance(node, Column):
        return exp.column(node.name, table=table)
    if isinstance(node, Unary):
        inner = exp.Paren(this=to_sql(node.operand, table))
        return exp.Not(this=inner) if node.op == "not" else exp.Neg(this=inner)
    if isinstance(node, Binary):
        return exp.Paren(
            this=_SQL_BINARY[node.op](
                this=to_sql(node.left, table), expression=to_sql(node.right, table)
            )
        )
    if isinstance(node, InList):
        test = exp.In(
            this=to_sql(node.operand, table), expressions=[_sql_literal(v) for v in node.values]
        )
        return exp.Not(this=exp.Paren(this=test)) if node.negated else exp.Paren(this=test)
    test = exp.Is(this=to_sql(node.operand, table), expression=exp.Null())
    return exp.Not(this=exp.Paren(this=test)) if node.negated else exp.Paren(this=test)


# --- evaluation on a Python row (the oracle) ----------------------------------------------


def evaluate(node: Node, row: dict[str, Any]) -> Any:
    """Evaluate with SQL semantics: None propagates; and/or use three-valued logic."""
    if isinstance(node, Literal_):
        return node.value
    if isinstance(node, Column):
        return row.get(node.name)
    if isinstance(node, Unary):
        value = evaluate(node.operand, row)
        if value is None:
            return None
        return (not value) if node.op == "not" else -value
    if isinstance(node, InList):
        value = evaluate(node.operand, row)
        if value is None:
            return None
        found = any(value == v.value for v in node.values)
        return not found if node.negated else found
    if isinstance(node, IsNull):
        is_null = evaluate(node.operand, row) is None
        return not is_null if node.negated else is_null
    left = evaluate(node.left, row)
    right = evaluate(node.right, row)
    if node.op == "and":
        if left is False or right is False:
            return False
        return None if left is None or right is None else True
    if node.op == "or":
        if left is True or right is True:
            return True
        return None if left is None or right is None else False
    if left is None or right is None:
        return None
    return {
        "+": lambda: left + right,
        "-": lambda: left - right,
        "*": lambda: left * right,
        "==": lambda: left == right,
        "!=": lambda: left != right,
        "<": lambda: left < right,
        "<=": lambda: left <= right,
        ">": lambda: left > right,
        ">=": lambda: left >= right,
    }[node.op]()
