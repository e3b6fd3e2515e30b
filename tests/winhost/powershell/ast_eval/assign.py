"""Assignment (AssignmentStatementAst; about_Assignment_Operators): the value of the right side (a pipeline, an
expression, another assignment, or a statement such as `if` whose output is collected), the compound operators
(`+=`, `-=`, `*=`, `/=`, `%=`), and the targets (ISupportsAssignment in ast.cs): a variable, a property, an element,
a typed variable (`[int]$x`), a list of targets (`$a, $b = ...`) and a parenthesised target."""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..errors import PSError, null_index
from ..members import set_property
from ..syntax import nodes as N
from .core import HANDLERS, collapse, pipeline_value, value
from .names import member_name, type_value

_INT32 = V.TypeValue("System.Int32")


_COMPOUND = {"PlusEquals": V.add, "MinusEquals": V.subtract, "MultiplyEquals": V.multiply, "DivideEquals": V.divide,
             "RemainderEquals": V.modulo}


def assignment(engine: typing.Any, ast: N.AssignmentStatementAst, want_value: bool = False) -> typing.Any:
    """Run an assignment; its value when it is itself a value (`$a = $b = 1`, `($x = 2)`)."""
    item = statement_value(engine, ast.right)
    if ast.operator != "Equals":
        item = _COMPOUND[ast.operator](value(engine, ast.left), item)
    assign(engine, ast.left, item)
    return item if want_value else None


def statement_value(engine: typing.Any, ast: N.Ast | None) -> typing.Any:
    """The value a statement gives on the right of `=` (or as a hashtable's value): an expression's value, a
    pipeline's output collected, an assignment's value, another statement's output collected."""
    if ast is None:
        return None
    if isinstance(ast, N.AssignmentStatementAst):
        return assignment(engine, ast, want_value=True)
    if isinstance(ast, N.PipelineAst):
        return pipeline_value(engine, ast)
    if ast.__class__ in HANDLERS:
        return value(engine, ast)
    out: list = []
    engine.exec_ast_guarded(ast, out.append)
    return collapse(out)


def assign(engine: typing.Any, target: N.Ast, item: typing.Any) -> None:  # pylint: disable=too-many-branches
    if isinstance(target, N.VariableExpressionAst):
        name = target.variable_path.user_path
        constrained = engine.ctx.scope.variables.get(name.lower()) if ":" not in name else None
        if constrained is not None and constrained.type_constraint is not None:
            item = constrained_value(constrained.type_constraint, item)
        engine.assign_variable("$" + name, item)
    elif isinstance(target, N.MemberExpressionAst) and not isinstance(target, N.InvokeMemberExpressionAst):
        obj = value(engine, target.expression)
        name = member_name(engine, target.member)
        if isinstance(obj, V.TypeValue):
            net_type = typeregistry.registered(obj.full_name)
            if net_type is not None and net_type.set_static_property(name, item):
                return
            raise PSError(f"'{name}' is a ReadOnly property.", fqid="PropertyAssignmentException",
                          category="InvalidOperation")
        if obj is None:
            raise PSError(f"The property '{name}' cannot be found on this object. Verify that the property exists and "
                          "can be set.", fqid="PropertyNotFound", category="InvalidOperation")
        set_property(obj, name, item)
    elif isinstance(target, N.IndexExpressionAst):
        set_index(value(engine, target.target), value(engine, target.index), item)
    elif isinstance(target, N.ConvertExpressionAst):
        constraint = type_value(engine, target.attribute.type_name_)
        child = target.child
        if isinstance(child, N.VariableExpressionAst) and ":" not in child.variable_path.user_path:
            # `[T]$x = value`: the variable (in this scope) keeps T as its type constraint.
            name = child.variable_path.user_path
            engine.assign_variable("$" + name, V.cast(item, constraint))
            var = engine.ctx.scope.variables.get(name.lower())
            if var is not None and constraint.full_name.lower() not in _NO_CONSTRAINT:
                var.type_constraint = constraint
            return
        assign(engine, child, V.cast(item, constraint))
    elif isinstance(target, N.ArrayLiteralAst):
        # `$a, $b = 1, 2, 3`: the last target takes the rest (about_Assignment_Operators).
        items = V.as_list(item)
        last = len(target.elements) - 1
        for i, element in enumerate(target.elements):
            if i == last:
                rest = items[i:]
                assign(engine, element, collapse(rest) if len(rest) != 1 else rest[0])
            else:
                assign(engine, element, items[i] if i < len(items) else None)
    elif isinstance(target, N.ParenExpressionAst) and _single_expression(target.pipeline) is not None:
        assign(engine, _single_expression(target.pipeline), item)
    else:
        raise PSError("The assignment expression is not valid. The input to an assignment operator must be an object "
                      "that is able to accept assignments, such as a variable or a property.",
                      exception_type="System.Management.Automation.ParseException", fqid="InvalidLeftHandSide",
                      category="ParserError", reason="ParseException", terminating=True)


# Casts that are no constraint to keep: [ref] marks a reference, [object]/[psobject] convert nothing.
_NO_CONSTRAINT = ("system.management.automation.psreference", "system.object", "system.management.automation.psobject")


def constrained_value(constraint: V.TypeValue, item: typing.Any) -> typing.Any:
    """What a type-constrained variable holds after `$x = item`: item converted to its type ($null stays $null for
    an array type, as LanguagePrimitives converts null to a reference type)."""
    full = constraint.full_name.lower()
    if full in _NO_CONSTRAINT or (item is None and (full.endswith("[]") or full == "system.array")):
        return item
    return V.cast(item, constraint)


def _single_expression(pipeline: N.Ast | None) -> N.Ast | None:
    if isinstance(pipeline, N.PipelineAst) and len(pipeline.pipeline_elements) == 1 and \
            isinstance(pipeline.pipeline_elements[0], N.CommandExpressionAst):
        return pipeline.pipeline_elements[0].expression
    return None


def set_index(obj: typing.Any, index: typing.Any, item: typing.Any) -> None:
    if obj is None:
        raise null_index()
    if isinstance(obj, dict):
        obj[index] = item
        return
    if isinstance(obj, list):
        i = V.cast(index, _INT32)
        if i < 0:
            i += len(obj)
        if not 0 <= i < len(obj):
            raise PSError("Index was outside the bounds of the array.", exception_type="System.IndexOutOfRangeException",
                          fqid="System.IndexOutOfRangeException", category="OperationStopped",
                          reason="IndexOutOfRangeException")
        obj[i] = item
        return
    raise PSError(f"Unable to index into an object of type {V.ps_type_name(obj)}.", fqid="CannotIndex",
                  category="InvalidOperation")
