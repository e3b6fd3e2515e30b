"""Members and elements: MemberExpressionAst (`$x.Name`, `[T]::Name`), InvokeMemberExpressionAst (`$x.M(..)`,
`[T]::M(..)`, the intrinsic `.Where({})`/`.ForEach({})`), IndexExpressionAst (`$x[i]`) and script block literals
(ScriptBlockExpressionAst). The members themselves are ../members.py's and the .NET types' (clr/)."""

from __future__ import annotations

import typing

from psrpcore.types import PSChar, PSObject

from .. import values as V
from ..clr.automation import method_as_property, psobject_of
from ..dotnet import NetObject
from ..errors import PSError, null_index
from ..members import get_property, get_static, has_property, invoke_method, is_void
from ..standins.runtime import set_current_engine
from ..syntax import nodes as N
from ..typeregistry import MISSING
from .core import collapse, handles, value
from .names import member_name

_INT32 = V.TypeValue("System.Int32")
# Methods of a collection itself; any other method called on an array is called on each element (member enumeration).
_LIST_METHODS = {"add", "contains", "indexof", "toarray", "gettype", "tostring", "clear", "remove", "removeat",
                 "insert", "addrange", "clone", "equals", "gethashcode", "getenumerator", "count"}


def _type_not_found() -> PSError:
    return PSError("Unable to find type.", fqid="TypeNotFound", category="InvalidOperation")


@handles(N.MemberExpressionAst)
def member(engine: typing.Any, ast: N.MemberExpressionAst) -> typing.Any:
    obj = value(engine, ast.expression)
    name = member_name(engine, ast.member)
    if ast.static:
        if not isinstance(obj, V.TypeValue):
            raise _type_not_found()
        return get_static(obj, name, strict=engine.ctx.scope.strict_version() >= 2)
    found = get_property(obj, name)
    if engine.ctx.scope.strict_version() >= 2 and not _member_exists(obj, name):
        # Set-StrictMode 2+: a property that does not exist is an error; so are the intrinsic Count and Length of a
        # scalar or $null in 5.1 (PowerShell/PowerShell#2798). A dictionary's missing key is not a property.
        raise PSError(f"The property '{name}' cannot be found on this object. Verify that the property exists.",
                      exception_type="System.Management.Automation.PropertyNotFoundException",
                      fqid="PropertyNotFoundStrict", category="NotSpecified", reason="PropertyNotFoundException")
    return found


def _member_exists(obj: typing.Any, name: str) -> bool:
    """Whether a property read found a member (for strict mode): own members, or any element's for an array."""
    if obj is None:
        return False
    if isinstance(obj, dict) or has_property(obj, name):
        return True
    if (name.lower() == "psobject" and psobject_of(obj) is not MISSING) or method_as_property(obj, name) is not MISSING:
        return True  # the intrinsic PSObject member, or a method read as a property (PSMethod), exist under strict mode
    if isinstance(obj, (list, tuple)):
        return any(_member_exists(item, name) for item in obj)
    return False


@handles(N.InvokeMemberExpressionAst)
def invoke_member(engine: typing.Any, ast: N.InvokeMemberExpressionAst) -> typing.Any:
    obj = value(engine, ast.expression)
    name = member_name(engine, ast.member)
    args = [value(engine, argument) for argument in ast.arguments]
    if ast.static and not isinstance(obj, V.TypeValue):
        raise _type_not_found()
    # C# stand-ins call back into the calling script's session (standins/runtime.py).
    previous = set_current_engine(engine)
    try:
        return _call_member(engine, obj, name, args)
    finally:
        set_current_engine(previous)


def _call_member(engine: typing.Any, obj: typing.Any, name: str, args: list) -> typing.Any:
    low = name.lower()
    if low == "getsteppablepipeline" and isinstance(obj, V.ScriptBlock) and not args:
        from ..clr.engine import SteppablePipeline  # pylint: disable=import-outside-toplevel  # clr.engine imports the evaluator

        return SteppablePipeline(engine, obj)
    if low in ("where", "_foreachmethod", "foreach") and args and isinstance(args[0], V.ScriptBlock):
        return _intrinsic_method(engine, obj, low, args)
    if isinstance(obj, (list, tuple)) and low not in _LIST_METHODS and not isinstance(obj, NetObject):
        # Method calls enumerate over arrays (PowerShell 3+ member enumeration); a .NET collection modelled on a list
        # (HashSet) has methods of its own, and a method it lacks is its MethodNotFound, not enumeration.
        results = [invoke_method(item, name, args, engine.invoke_script_block_value) for item in obj]
        return collapse([r for r in results if not is_void(r)])
    return invoke_method(obj, name, args, engine.invoke_script_block_value)


def _intrinsic_method(engine: typing.Any, obj: typing.Any, name: str, args: list) -> list:
    """The intrinsic .Where({}) / .ForEach({}) methods every collection (and scalar) has."""
    items = V.as_list(obj) if not isinstance(obj, dict) else [obj]
    block = args[0]
    results: list = []
    for item in items:
        out: list = []
        engine.invoke_script_block(block, list(args[1:]), out.append, new_scope=False, dollar_under=item)
        if name == "where":
            if V.to_bool(collapse(out)):
                results.append(item)
        else:
            results.extend(out)
    return results


@handles(N.IndexExpressionAst)
def index(engine: typing.Any, ast: N.IndexExpressionAst) -> typing.Any:
    obj = value(engine, ast.target)
    return get_index(engine, obj, value(engine, ast.index))


def get_index(engine: typing.Any, obj: typing.Any, key: typing.Any) -> typing.Any:  # pylint: disable=too-many-return-statements
    if obj is None:
        raise null_index()
    indexer = getattr(obj, "item", None)
    if indexer is not None and isinstance(obj, NetObject) and not isinstance(obj, list):
        # A .NET object with an indexer (its Item property: GroupCollection["name"], ...).
        return indexer(key)
    if isinstance(obj, dict):
        if isinstance(key, (list, tuple)):
            return [obj.get(i) for i in key]
        return obj.get(key)
    if isinstance(obj, (list, tuple, str)):
        if isinstance(key, (list, tuple)):
            results = [get_index(engine, obj, i) for i in key]
            return [r for r in results if r is not None] if isinstance(obj, (list, tuple)) else results
        i = V.cast(key, _INT32)
        if i < 0:
            i += len(obj)
        if not 0 <= i < len(obj):
            if isinstance(obj, str) or engine.ctx.scope.strict_version() >= 3:
                # Strict mode 3 (5.1's Latest) makes an index outside an array an error, as it always is for a string.
                raise PSError("Index was outside the bounds of the array.", exception_type="System.IndexOutOfRangeException",
                              fqid="System.IndexOutOfRangeException", category="NotSpecified",
                              reason="IndexOutOfRangeException")
            return None
        item = obj[i]
        return PSChar(item) if isinstance(obj, str) else item
    if isinstance(obj, PSObject):
        if isinstance(key, int) and key in (0, -1):
            return obj
        return get_property(obj, V.to_string(key))
    if isinstance(key, int) and key in (0, -1):
        return obj
    raise PSError(f"Unable to index into an object of type {V.ps_type_name(obj)}.", fqid="CannotIndex",
                  category="InvalidOperation")


@handles(N.ScriptBlockExpressionAst)
def script_block(engine: typing.Any, ast: N.ScriptBlockExpressionAst) -> V.ScriptBlock:
    # The value holds its ScriptBlockAst (param block lowered, statements lowered as they run) and the text it is in.
    del engine
    block = ast.script_block
    return V.ScriptBlock(ast._cst, block._source, ast=block)  # pylint: disable=protected-access
