"""Operators: BinaryExpressionAst (arithmetic, comparison, logical, bitwise, `-f`, `..`) and UnaryExpressionAst
(`-not`, `!`, `-`, `+`, `-bnot`, `-join`, `-split`, `++`/`--` either side), by TokenKind (token.cs) as the lowering
names them. PowerShell's typing of the results is values.py's (about_Arithmetic_Operators,
about_Comparison_Operators, about_Logical_Operators)."""

from __future__ import annotations

import re
import typing

from psrpcore.types import PSInt64

from .. import typeregistry
from .. import values as V
from ..clr.enums import EnumValue
from ..errors import ParseError, PSError
from ..formatting import format_operator
from ..syntax import nodes as N
from .assign import assign
from .core import handles, value

_COMPARISON_BASES = {"eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains",
                     "notcontains", "in", "notin", "replace", "split", "is", "isnot", "as", "join"}
# TokenKind -> (the operator's base name, case-sensitive): `Ieq` is -eq and -ieq, `Ceq` -ceq.
_COMPARISONS: dict[str, tuple[str, bool]] = {"Is": ("is", False), "IsNot": ("isnot", False), "As": ("as", False),
                                             "Join": ("join", False)}
for _base in _COMPARISON_BASES - {"is", "isnot", "as", "join"}:
    _COMPARISONS["I" + _base] = (_base, False)
    _COMPARISONS["C" + _base] = (_base, True)
_ARITHMETIC = {"Plus": V.add, "Minus": V.subtract, "Multiply": V.multiply, "Divide": V.divide, "Rem": V.modulo}
_BITWISE = {"Band": lambda a, b: a & b, "Bor": lambda a, b: a | b, "Bxor": lambda a, b: a ^ b}
_INT32 = V.TypeValue("System.Int32")
_INT64 = V.TypeValue("System.Int64")


def _unexpected(op: str) -> ParseError:
    return ParseError(f"Unexpected token '{op}' in expression or statement.", "UnexpectedToken")


@handles(N.BinaryExpressionAst)
def binary(engine: typing.Any, ast: N.BinaryExpressionAst) -> typing.Any:  # pylint: disable=too-many-return-statements
    op = ast.operator
    arithmetic = _ARITHMETIC.get(op)
    if arithmetic is not None:
        return arithmetic(value(engine, ast.left), value(engine, ast.right))
    comparison = _COMPARISONS.get(op)
    if comparison is not None:
        return compare(engine, comparison[0], comparison[1], value(engine, ast.left), value(engine, ast.right))
    if op in ("And", "Or", "Xor"):
        # -and and -or do not evaluate the right side when the left decides (about_Logical_Operators).
        left = V.to_bool(value(engine, ast.left))
        if op == "And":
            return left and V.to_bool(value(engine, ast.right))
        if op == "Or":
            return left or V.to_bool(value(engine, ast.right))
        return left != V.to_bool(value(engine, ast.right))
    if op in _BITWISE:
        return _bitwise(op, value(engine, ast.left), value(engine, ast.right))
    if op == "Format":
        fmt = V.to_string(value(engine, ast.left))
        args = value(engine, ast.right)
        return format_operator(fmt, V.as_list(args) if isinstance(args, (list, tuple)) else [args])
    if op == "DotDot":
        return _range(value(engine, ast.left), value(engine, ast.right))
    raise _unexpected("-" + op.lower())  # -shl, -shr: not modelled


def _bitwise(op: str, left: typing.Any, right: typing.Any) -> typing.Any:
    if isinstance(left, EnumValue):
        # An enum on the left: the right converted to its type, the result of that type (PowerShell's
        # PSBinaryOperationBinder, bitwise operations on enums: `[FileAttributes]::Hidden -bor 'ReadOnly'`).
        enum_type = typeregistry.registered(left.type_names[0])
        if enum_type is not None and enum_type.convert is not None:
            other = right if isinstance(right, EnumValue) and right.type_names[0] == left.type_names[0] else enum_type.convert(right)
            return enum_type.convert(_BITWISE[op](left.number, other.number))
    left, right = (x.number if isinstance(x, EnumValue) else x for x in (left, right))
    lv, rv = V.to_number(left), V.to_number(right)
    if isinstance(lv, float) or isinstance(rv, float):
        lv, rv = V.cast(lv, _INT64), V.cast(rv, _INT64)
    result = _BITWISE[op](int(lv), int(rv))
    return PSInt64(result) if isinstance(lv, PSInt64) or isinstance(rv, PSInt64) else V.make_int(result)


def _range(left: typing.Any, right: typing.Any) -> list:
    start, end = V.cast(left, _INT32), V.cast(right, _INT32)
    step = 1 if end >= start else -1
    if abs(end - start) > 50_000_000:
        raise PSError("The range is too large for the fake Windows host.", fqid="RangeTooLarge", category="InvalidOperation")
    return list(range(start, end + step, step))


def compare_op(engine: typing.Any, op: str, lv: typing.Any, rv: typing.Any) -> typing.Any:
    """A comparison operator written as text (`-eq`, `-cmatch`): Where-Object's comparison parameters."""
    op = op.lower()
    prefixed = op[1:2] in ("c", "i") and op[2:] in _COMPARISON_BASES
    base = op[2:] if prefixed else op[1:]
    case = prefixed and op[1:2] == "c"  # -contains is not -c...: the prefix is a case prefix only before a base
    if base not in _COMPARISON_BASES:
        raise _unexpected(op)
    return compare(engine, base, case, lv, rv)


def compare(engine: typing.Any, base: str, case: bool, lv: typing.Any, rv: typing.Any) -> typing.Any:  # pylint: disable=too-many-return-statements
    if base in ("is", "isnot"):
        type_value = rv if isinstance(rv, V.TypeValue) else V.resolve_type(V.to_string(rv))
        result = V.is_instance(lv, type_value)
        return result if base == "is" else not result
    if base == "as":
        type_value = rv if isinstance(rv, V.TypeValue) else V.resolve_type(V.to_string(rv))
        try:
            return V.cast(lv, type_value)
        except PSError as err:
            if err.fqid == "NotModelledByTestHost":
                raise  # a conversion the test host does not model is not a failed one ($null)
            return None
    if base in ("contains", "notcontains"):
        found = any(V.equals(item, rv, case) for item in V.as_list(lv)) if lv is not None else False
        return found if base == "contains" else not found
    if base in ("in", "notin"):
        found = any(V.equals(item, lv, case) for item in V.as_list(rv)) if rv is not None else False
        return found if base == "in" else not found
    if base == "replace":
        pattern, replacement = (rv, "") if not isinstance(rv, (list, tuple)) else (rv[0], rv[1] if len(rv) > 1 else "")
        regex = V.compile_regex(V.to_string(pattern), case)
        repl = V.dotnet_replacement(V.to_string(replacement))
        if isinstance(lv, (list, tuple)):
            return [regex.sub(repl, V.to_string(x)) for x in lv]
        return regex.sub(repl, V.to_string(lv))
    if base == "split":
        items = V.as_list(lv) if isinstance(lv, (list, tuple)) else [lv]
        pattern = rv[0] if isinstance(rv, (list, tuple)) else rv
        regex = V.compile_regex(V.to_string(pattern), case)
        out: list = []
        for item in items:
            out.extend(regex.split(V.to_string(item)))
        return out
    if base == "join":
        return V.to_string(rv).join(V.to_string(x) for x in V.as_list(lv))
    if isinstance(lv, (list, tuple)):
        # A collection on the left filters (about_Comparison_Operators), and leaves $Matches alone.
        return [item for item in lv if _scalar_compare(engine, base, item, rv, case, set_matches=False)]
    return _scalar_compare(engine, base, lv, rv, case, set_matches=True)


def _scalar_compare(engine: typing.Any, base: str, lv: typing.Any, rv: typing.Any, case: bool,  # pylint: disable=too-many-return-statements,too-many-arguments
                    set_matches: bool) -> bool:
    if base == "eq":
        return V.equals(lv, rv, case)
    if base == "ne":
        return not V.equals(lv, rv, case)
    if base in ("gt", "ge", "lt", "le"):
        result = V.compare(lv, rv, case)
        return {"gt": result > 0, "ge": result >= 0, "lt": result < 0, "le": result <= 0}[base]
    if base in ("like", "notlike"):
        result_like = V.like(lv, rv, case)
        return result_like if base == "like" else not result_like
    if base in ("match", "notmatch"):
        match = V.compile_regex(V.to_string(rv), case).search(V.to_string(lv))
        if match and set_matches:
            engine.ctx.scope.set_local("Matches", matches_table(match))
        return (match is not None) if base == "match" else match is None
    raise _unexpected("-" + base)


def matches_table(match: re.Match) -> V.PSHashtable:
    """$Matches after a successful -match (or a switch -regex clause): the groups by number and by name."""
    table = V.PSHashtable()
    names = {v: k for k, v in match.re.groupindex.items()}
    for i in range(match.re.groups, -1, -1):
        group = match.group(i)
        if group is None:
            continue
        key: typing.Any = names.get(i, i)
        table[key] = group
    return table


_INCREMENTS = {"PlusPlus": (1, True), "MinusMinus": (-1, True), "PostfixPlusPlus": (1, False),
               "PostfixMinusMinus": (-1, False)}


@handles(N.UnaryExpressionAst)
def unary(engine: typing.Any, ast: N.UnaryExpressionAst) -> typing.Any:  # pylint: disable=too-many-return-statements
    op = ast.token_kind
    increment = _INCREMENTS.get(op)
    if increment is not None:
        return _increment(engine, ast.child, *increment)
    operand = value(engine, ast.child)
    if op in ("Not", "Exclaim"):
        return not V.to_bool(operand)
    if op == "Minus":
        return V.negate(operand)
    if op == "Plus":
        return V.to_number(operand) if not isinstance(operand, (list, tuple)) else operand
    if op == "Bnot":
        return V.make_int(~int(V.to_number(operand)))
    if op == "Join":
        return "".join(V.to_string(x) for x in V.as_list(operand))
    if op in ("Isplit", "Csplit"):
        # The unary -split splits on whitespace (about_Split).
        return re.split(r"\s+", V.to_string(operand).strip())
    raise _unexpected(ast.extent.text.split()[0] if ast.extent.text.split() else op)


def _increment(engine: typing.Any, target: N.Ast, delta: int, prefix: bool) -> typing.Any:
    old = value(engine, target)
    new = V.add(old if old is not None else 0, delta)
    assign(engine, target, new)
    return new if prefix else (old if old is not None else 0)
