"""The goal arithmetic as data: one set of formulas, evaluated here and in the report page.

The annual worksheet lets the partners move the inputs in the page (no kernel, no network) and
see the ledger, break-even and needed utilization change. Those numbers must be the ones
`dyad goals` prints, to the cent, so the arithmetic is written once, as expression trees
(plain JSON lists), and evaluated by `evaluate` here and by a small evaluator in the page
(`reports/templates/fragments/goals/whatif.js`). The ledger itself is computed by evaluating the
same trees (`ledger.build_ledger`), so there is nothing to keep in step by hand.

Both evaluators do the same IEEE-754 double operations in the same order, so they agree
exactly: no `sum()` (Python's compensates rounding, JavaScript's loop does not), no `round()`
(Python rounds half to even on the binary value): `round2` is floor(x·100 + ½)/100, symmetric
around zero, in both. A missing value or a division by zero gives None (null), never an error.

Node forms: a number; ["v", name]; ["+"|"-"|"*"|"/", a, b]; ["round2", a]; ["max"|"min", a, b];
["first", a, b] (a unless it is None, else b); ["sum", [a, b, …]] (left to right). A percent
typed into the page becomes its fraction the way `pct_fraction` does it here (3 → exactly 0.03).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

Node = Any  # float | int | list


class Expr:
    """A formula under construction: Python operators build the tree (`v("a") + v("b")`)."""

    __slots__ = ("node",)

    def __init__(self, node: Node):
        self.node = node.node if isinstance(node, Expr) else node

    def _bin(self, op: str, other: Any, right: bool = False) -> "Expr":
        a, b = self.node, _node(other)
        return Expr([op, b, a] if right else [op, a, b])

    def __add__(self, o): return self._bin("+", o)
    def __radd__(self, o): return self._bin("+", o, True)
    def __sub__(self, o): return self._bin("-", o)
    def __rsub__(self, o): return self._bin("-", o, True)
    def __mul__(self, o): return self._bin("*", o)
    def __rmul__(self, o): return self._bin("*", o, True)
    def __truediv__(self, o): return self._bin("/", o)
    def __rtruediv__(self, o): return self._bin("/", o, True)


def _node(x: Any) -> Node:
    if isinstance(x, Expr):
        return x.node
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"a formula takes numbers and formulas, not {x!r}")
    return float(x)


def v(name: str) -> Expr:
    """A named value (an input, a constant or an earlier result)."""
    return Expr(["v", name])


def round2(x: Any) -> Expr:
    return Expr(["round2", _node(x)])


def total(*xs: Any) -> Expr:
    return Expr(["sum", [_node(x) for x in xs]])


def maximum(a: Any, b: Any) -> Expr:
    return Expr(["max", _node(a), _node(b)])


def minimum(a: Any, b: Any) -> Expr:
    return Expr(["min", _node(a), _node(b)])


def first(a: Any, b: Any) -> Expr:
    """a, or b where a is None (an entered amount, else the formula)."""
    return Expr(["first", _node(a), _node(b)])


# --- the two primitives both evaluators share ------------------------------------------------------


def cents_round(x: float) -> float:
    """x to the cent, halves away from zero: floor(|x|·100 + ½)/100 with x's sign."""
    if x < 0:
        return -(math.floor(-x * 100 + 0.5) / 100)
    return math.floor(x * 100 + 0.5) / 100


def pct_fraction(p: float) -> float:
    """A percent as its fraction, through 12 significant decimal digits (3 → 0.03 exactly as typed)."""
    return float(f"{p / 100:.12g}")


def evaluate(node: Node, env: Mapping[str, float | None]) -> float | None:
    """The value of one formula for the named values in `env` (None propagates)."""
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return float(node)
    op = node[0]
    if op == "v":
        if node[1] not in env:
            raise KeyError(f"formula uses '{node[1]}', which has no value")
        val = env[node[1]]
        return None if val is None else float(val)
    if op == "sum":
        acc: float | None = None
        for i, part in enumerate(node[1]):
            x = evaluate(part, env)
            if x is None:
                return None
            acc = x if i == 0 else acc + x
        return 0.0 if acc is None else acc
    if op == "round2":
        x = evaluate(node[1], env)
        return None if x is None else cents_round(x)
    if op == "first":
        a = evaluate(node[1], env)
        return a if a is not None else evaluate(node[2], env)
    a, b = evaluate(node[1], env), evaluate(node[2], env)
    if a is None or b is None:
        return None
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return None if b == 0 else a / b
    if op == "max":
        return a if a >= b else b
    if op == "min":
        return a if a <= b else b
    raise ValueError(f"unknown formula operation '{op}'")


@dataclass
class Spec:
    """Named inputs (with their values) and named formulas evaluated in order; a formula may use
    the inputs and any formula before it. `to_json` is what the page evaluates."""

    inputs: dict[str, float | None] = field(default_factory=dict)
    formulas: list[tuple[str, Node]] = field(default_factory=list)

    def define(self, name: str, expr: Any) -> Expr:
        if name in self.inputs or any(n == name for n, _ in self.formulas):
            raise ValueError(f"'{name}' is defined twice")
        self.formulas.append((name, _node(expr)))
        return v(name)

    def input(self, name: str, value: float | None) -> Expr:
        if name in self.inputs:
            raise ValueError(f"'{name}' is defined twice")
        self.inputs[name] = None if value is None else float(value)
        return v(name)

    def run(self, overrides: Mapping[str, float | None] | None = None) -> dict[str, float | None]:
        """Every input and formula's value (inputs replaced by `overrides` where given)."""
        env: dict[str, float | None] = dict(self.inputs)
        for k, val in (overrides or {}).items():
            if k not in self.inputs:
                raise KeyError(f"'{k}' is not an input of these formulas")
            env[k] = None if val is None else float(val)
        for name, node in self.formulas:
            env[name] = evaluate(node, env)
        return env

    def to_json(self) -> dict[str, Any]:
        return {"inputs": dict(self.inputs), "formulas": [[n, node] for n, node in self.formulas]}


def names(node: Node) -> set[str]:
    """The named values a formula reads."""
    if not isinstance(node, list):
        return set()
    if node[0] == "v":
        return {node[1]}
    if node[0] == "sum":
        return set().union(*(names(p) for p in node[1])) if node[1] else set()
    return set().union(*(names(p) for p in node[1:]))


def allocate(total_cents: int, weights: Sequence[int]) -> list[int]:
    """Split a whole number of cents in proportion to whole-number weights, largest remainder
    first (ties to the earlier item); the parts add up exactly. Integer arithmetic only, so the
    page (BigInt) gets the same cents."""
    ws = [int(w) for w in weights]
    if any(w < 0 for w in ws):
        raise ValueError("phasing weights must not be negative")
    wsum = sum(ws)
    if wsum <= 0:
        raise ValueError("no month has a positive weight (are all working days zero?)")
    sign = -1 if total_cents < 0 else 1
    c = abs(int(total_cents))
    floors = [c * w // wsum for w in ws]
    rema = [c * w % wsum for w in ws]
    left = c - sum(floors)
    order = sorted(range(len(ws)), key=lambda i: (-rema[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * f for f in floors]


def to_cents(amount: float) -> int:
    """A money amount (already to the cent) as whole cents."""
    x = float(amount)
    return int(math.floor(abs(x) * 100 + 0.5)) * (-1 if x < 0 else 1)
